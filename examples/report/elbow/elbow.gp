# Written by tunefold; re-render from this folder with: gnuplot elbow.gp
# The data is in elbow*.dat (numbers only; columns named at the top).
set terminal pngcairo size 1200,450 noenhanced font 'Sans,11' background rgb 'white'
set output 'elbow.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set multiplot layout 1,2 title 'k-means on 150 rows x 4 columns: ' . 'data/iris.csv (standardized)'
set xrange [0.5:10.5]
set xtics 1
set xlabel 'k (clusters)'
set key top right
set title 'Inertia; elbow at k = 3 (Kneedle)'
set ylabel 'inertia (sum of squared distances)'
set yrange [3.1031483872084564:644.21458160094778]
set arrow 1 from 3, graph 0 to 3, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'
plot 'elbow.dat' using 1:2 with linespoints pt 7 lw 2 lc rgb '#08519c' title 'inertia', \
     'elbow.dat' using 1:($1 == 3 ? $2 : NaN) with points pt 6 ps 3 lw 2 lc rgb '#d62728' title 'elbow'
unset arrow 1
set title 'Mean silhouette; highest at k = 2'
set ylabel 'mean silhouette (higher is better)'
set yrange [0.30852235498072389:0.60198913765884055]
plot 'elbow.dat' using 1:3 with linespoints pt 7 lw 2 lc rgb '#31a354' title 'silhouette', \
     'elbow.dat' using 1:($1 == 2 ? $3 : NaN) with points pt 6 ps 3 lw 2 lc rgb '#d62728' title 'highest'
unset multiplot
