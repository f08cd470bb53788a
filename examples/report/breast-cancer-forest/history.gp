# Written by tunefold; re-render from this folder with: gnuplot history.gp
# The data is in history*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'history.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Optimization history (6 complete, 0 failed, 10 pruned)' . "\n" . 'study ' . 'breast-cancer-forest'
set xlabel 'trial number'
set ylabel 'roc_auc' . ' (higher is better)'
set xrange [-0.5:15.5]
set yrange [0.98364921787399651:0.98989296112592873]
set key below horizontal
set bmargin 7
plot 'history.dat' using 1:($2==1 && $3==$4 ? $4 : NaN) with points pt 7 ps 0.9 lc rgb '#3182bd' title 'complete trial', \
     'history.dat' using 1:6 with steps lw 2 lc rgb '#e6550d' title 'best so far', \
     'history.dat' using 1:($2==3 ? $4 : NaN) with points pt 4 ps 1.1 lc rgb '#756bb1' title 'pruned (10)', \
     'history.dat' using 1:($1==3 ? $4 : NaN) with points pt 3 ps 2.6 lw 2 lc rgb '#e6550d' title 'best: trial 3 (0.989558)'
