# Written by tunefold; re-render from this folder with: gnuplot intermediate.gp
# The data is in intermediate*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'intermediate.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Intermediate values (12 of 12 complete trials with values)' . "\n" . 'study ' . 'breast-cancer-forest'
set xlabel 'trees'
set ylabel 'validation log-loss (lower is better)'
set yrange [0.1126085167964512:0.35248124930766978]
set xrange [6.9199999999999999:167.08000000000001]
set key below horizontal
set bmargin 7
plot 'intermediate.dat' index 0:10 using 2:3 with linespoints pt 7 ps 0.5 lw 1 lc rgb '#b0b0b0' title 'other trials (11)', \
     'intermediate.dat' index 11 using 2:3 with linespoints pt 7 ps 0.8 lw 3 lc rgb '#e6550d' title 'best: trial 3 (roc_auc 0.989558)'
