# Written by tunefold; re-render from this folder with: gnuplot param_1_C.gp
# The data is in param_1_C*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'param_1_C.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Objective against ' . 'C' . "\n" . 'study ' . 'breast-cancer-svm'
set xlabel 'C' . ' (log scale)'
set ylabel 'roc_auc' . ' (higher is better)'
set yrange [0.98428574461411011:0.9971156265759934]
set logscale x
set xrange [0.026001245732217133:34062.966947916415]
set xtics ('' 0.03 1, '' 0.04 1, '' 0.05 1, '' 0.06 1, '' 0.07 1, '' 0.08 1, '' 0.09 1, '0.1' 0.1, '' 0.2 1, '' 0.3 1, '' 0.4 1, '' 0.5 1, '' 0.6 1, '' 0.7 1, '' 0.8 1, '' 0.9 1, '1' 1, '' 2 1, '' 3 1, '' 4 1, '' 5 1, '' 6 1, '' 7 1, '' 8 1, '' 9 1, '10' 10, '' 20 1, '' 30 1, '' 40 1, '' 50 1, '' 60 1, '' 70 1, '' 80 1, '' 90 1, '100' 100, '' 200 1, '' 300 1, '' 400 1, '' 500 1, '' 600 1, '' 700 1, '' 800 1, '' 900 1, '1000' 1000, '' 2000 1, '' 3000 1, '' 4000 1, '' 5000 1, '' 6000 1, '' 7000 1, '' 8000 1, '' 9000 1, '10000' 10000, '' 20000 1, '' 30000 1)
set format x '%g'
set cbrange [0:79]
set cblabel 'trial number'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#e8d91e')
set key below horizontal
set bmargin 7
plot 'param_1_C.dat' using 3:($2!=2 && $4==$5 ? $5 : NaN):1 with points pt 7 ps 1.1 lc palette title 'trial (colour: number)', \
     'param_1_C.dat' using 3:($1==79 ? $5 : NaN) with points pt 6 ps 2.6 lw 2 lc rgb '#e6550d' title 'best trial 79'
