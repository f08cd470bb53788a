# Written by tunefold; re-render from this folder with: gnuplot cluster_sizes.gp
# The data is in cluster_sizes*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'cluster_sizes.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Cluster sizes (2 clusters, 150 out-of-fold rows)' . "\n" . 'study iris-kmeans, best trial 0'
set style fill solid 0.85 noborder
set boxwidth 0.7
set xrange [0.3:2.7]
set yrange [0:115.99999999999999]
set xlabel 'cluster (largest first)'
set ylabel 'rows'
set grid noxtics ytics
set key off
set xtics 1
plot 'cluster_sizes.dat' using 1:2:4 with boxes lc rgb variable, \
     '' using 1:2:(sprintf('%d (%.0f%%)', $2, 100*$3)) with labels offset 0,0.8 font ',10'
