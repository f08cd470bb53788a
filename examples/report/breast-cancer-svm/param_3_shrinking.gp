# Written by tunefold; re-render from this folder with: gnuplot param_3_shrinking.gp
# The data is in param_3_shrinking*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'param_3_shrinking.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Objective against ' . 'shrinking' . "\n" . 'study ' . 'breast-cancer-svm'
set xlabel 'shrinking' . ''
set ylabel 'roc_auc' . ' (higher is better)'
set yrange [0.98428574461411011:0.9971156265759934]
set xrange [-0.5:1.5]
set xtics ('false' 0, 'true' 1)
set grid noxtics
set cbrange [0:79]
set cblabel 'trial number'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#e8d91e')
set key below horizontal
set bmargin 7
plot 'param_3_shrinking.dat' using 3:($2!=2 && $4==$5 ? $5 : NaN):1 with points pt 7 ps 1.1 lc palette title 'trial (colour: number)', \
     'param_3_shrinking.dat' using 3:($1==79 ? $5 : NaN) with points pt 6 ps 2.6 lw 2 lc rgb '#e6550d' title 'best trial 79'
