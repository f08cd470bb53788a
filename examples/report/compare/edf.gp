# Written by tunefold; re-render from this folder with: gnuplot edf.gp
# The data is in edf*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'edf.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Empirical distribution of ' . 'roc_auc' . ' over each study''s complete trials' . "\n" . 'higher is better: the curve further right finds good values more often'
set xlabel 'roc_auc' . ' (far worse values at the edge)'
set ylabel 'share of trials at or below the value'
set xrange [0.97338386477348127:0.99773271411414222]
set yrange [0:1.02]
set key below horizontal maxcols 2
set bmargin 7.3
plot 'edf.dat' index 0 using 3:2 with steps lw 2 lc rgb '#1b9e77' title 'breast-cancer-logreg (30 trials)', \
     'edf.dat' index 1 using 3:2 with steps lw 2 lc rgb '#d95f02' title 'breast-cancer-forest (6 trials)', \
     'edf.dat' index 2 using 3:2 with steps lw 2 lc rgb '#7570b3' title 'breast-cancer-svm (80 trials)'
