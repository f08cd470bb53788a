# Written by tunefold; re-render from this folder with: gnuplot clusters_k.gp
# The data is in clusters_k*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'clusters_k.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Objective against the number of clusters' . "\n" . 'study ' . 'iris-kmeans'
set xlabel 'k (n_clusters)'
set ylabel 'silhouette' . ' (higher is better)'
set xrange [1.5:8.5]
set yrange [0.24743595553774869:0.60968886586251814]
set xtics 1
set mxtics 1
set key below horizontal
set bmargin 7
plot 'clusters_k_best.dat' using 1:2 with lines lw 2 lc rgb '#9ecae1' title 'best of each k', \
     'clusters_k.dat' using 2:3:4 with yerrorbars pt 7 ps 1 lw 1.5 lc rgb '#08519c' title 'trial: mean ± std over folds', \
     'clusters_k.dat' using 2:($1 == 0 ? $3 : NaN) with points pt 6 ps 2.6 lw 2 lc rgb '#e6550d' title 'best: trial 0 (k = 2)'
