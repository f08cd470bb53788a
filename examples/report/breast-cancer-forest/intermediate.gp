# Written by tunefold; re-render from this folder with: gnuplot intermediate.gp
# The data is in intermediate*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'intermediate.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Intermediate values (6 of 6 complete trials with values, 10 pruned)' . "\n" . 'study ' . 'breast-cancer-forest'
set xlabel 'trees'
set ylabel 'validation log-loss (lower is better)'
set yrange [0.072957344861977261:1.0529852868167096]
set xrange [7.6600000000000001:129.34]
set key below horizontal
set bmargin 7
plot 'intermediate.dat' index 0:4 using 2:3 with linespoints pt 7 ps 0.5 lw 1 lc rgb '#b0b0b0' title 'other trials (5)', \
     'intermediate.dat' index 5:14 using 2:3 with linespoints pt 7 ps 0.5 lw 1 lc rgb '#cbc0e3' title 'pruned trials (10)', \
     'intermediate.dat' index 15 using 2:3 with points pt 2 ps 1.2 lw 2 lc rgb '#756bb1' title 'stopped by the pruner', \
     'intermediate.dat' index 16 using 2:3 with linespoints pt 7 ps 0.8 lw 3 lc rgb '#e6550d' title 'best: trial 3 (roc_auc 0.989558)'
