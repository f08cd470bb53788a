# Written by tunefold; re-render from this folder with: gnuplot param_2_gamma.gp
# The data is in param_2_gamma*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'param_2_gamma.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Objective against ' . 'gamma' . "\n" . 'study ' . 'breast-cancer-svm'
set xlabel 'gamma' . ' (log scale)'
set ylabel 'roc_auc' . ' (higher is better)'
set yrange [0.98428574461411011:0.9971156265759934]
set logscale x
set xrange [2.9332779316393197e-05:9.3501012559120564]
set xtics ('' 3e-05 1, '' 4e-05 1, '' 5e-05 1, '' 6e-05 1, '' 7e-05 1, '' 8e-05 1, '' 9e-05 1, '0.0001' 0.0001, '' 0.0002 1, '' 0.0003 1, '' 0.0004 1, '' 0.0005 1, '' 0.0006 1, '' 0.0007 1, '' 0.0008 1, '' 0.0009 1, '0.001' 0.001, '' 0.002 1, '' 0.003 1, '' 0.004 1, '' 0.005 1, '' 0.006 1, '' 0.007 1, '' 0.008 1, '' 0.009 1, '0.01' 0.01, '' 0.02 1, '' 0.03 1, '' 0.04 1, '' 0.05 1, '' 0.06 1, '' 0.07 1, '' 0.08 1, '' 0.09 1, '0.1' 0.1, '' 0.2 1, '' 0.3 1, '' 0.4 1, '' 0.5 1, '' 0.6 1, '' 0.7 1, '' 0.8 1, '' 0.9 1, '1' 1, '' 2 1, '' 3 1, '' 4 1, '' 5 1, '' 6 1, '' 7 1, '' 8 1, '' 9 1)
set format x '%g'
set cbrange [0:79]
set cblabel 'trial number'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#e8d91e')
set key below horizontal
set bmargin 7
plot 'param_2_gamma.dat' using 3:($2!=2 && $4==$5 ? $5 : NaN):1 with points pt 7 ps 1.1 lc palette title 'trial (colour: number)', \
     'param_2_gamma.dat' using 3:($1==79 ? $5 : NaN) with points pt 6 ps 2.6 lw 2 lc rgb '#e6550d' title 'best trial 79'
