# Written by tunefold; re-render from this folder with: gnuplot silhouette.gp
# The data is in silhouette*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'silhouette.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Silhouette of every row within its validation fold (150 rows)' . "\n" . 'study iris-kmeans, best trial 0'
set xlabel 'silhouette coefficient (higher is better)'
set ylabel 'cluster'
set xrange [-0.10000000000000001:1]
set yrange [0:180]
set grid xtics noytics
set key below horizontal
set bmargin 8
set ytics ('1' 60.0, '2' 145.0)
set ytics scale 0
set arrow 1 from 0.57735184114968741, graph 0 to 0.57735184114968741, graph 1 nohead dt 2 lw 2 lc rgb '#202020'
set arrow 2 from 0, graph 0 to 0, graph 1 nohead lw 1 lc rgb '#808080'
plot 'silhouette.dat' index 0 using ($2/2):1:(abs($2)/2):(0.5) with boxxyerror fs solid 0.85 noborder lc rgb '#1f77b4' title 'cluster 1: 100 rows, mean 0.529', \
     'silhouette.dat' index 1 using ($2/2):1:(abs($2)/2):(0.5) with boxxyerror fs solid 0.85 noborder lc rgb '#ff7f0e' title 'cluster 2: 50 rows, mean 0.674', \
     NaN with lines dt 2 lw 2 lc rgb '#202020' title 'mean 0.577'
