# Written by tunefold; re-render from this folder with: gnuplot param_1_n_estimators.gp
# The data is in param_1_n_estimators*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'param_1_n_estimators.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Objective against ' . 'n_estimators' . "\n" . 'study ' . 'breast-cancer-forest'
set xlabel 'n_estimators' . ' (log scale)'
set ylabel 'roc_auc' . ' (higher is better)'
set yrange [0.98364921787399651:0.98989296112592873]
set logscale x
set xrange [16:205]
set xtics ('20' 20, '50' 50, '100' 100, '200' 200)
set format x '%g'
set cbrange [0:15]
set cblabel 'trial number'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#e8d91e')
set key below horizontal
set bmargin 7
plot 'param_1_n_estimators.dat' using 3:($2!=2 && $4==$5 ? $5 : NaN):1 with points pt 7 ps 1.1 lc palette title 'trial (colour: number)', \
     'param_1_n_estimators.dat' using 3:($2!=2 && $4==$4 && $4!=$5 ? $5 : NaN):1 with points pt 11 ps 1.2 lc palette title 'worse than shown (2)', \
     'param_1_n_estimators.dat' using 3:($1==3 ? $5 : NaN) with points pt 6 ps 2.6 lw 2 lc rgb '#e6550d' title 'best trial 3'
