# Written by tunefold; re-render from this folder with: gnuplot clusters_pca.gp
# The data is in clusters_pca*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'clusters_pca.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Clusters on the first two principal components (150 rows)' . "\n" . 'study iris-kmeans, best trial 0'
set xlabel 'PC1 (72.8% of the variance)'
set ylabel 'PC2 (22.9% of the variance)'
set size ratio -1
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set key below horizontal
set bmargin 7
plot 'clusters_pca.dat' index 0 using 1:2 with points pt 7 ps 0.7 lc rgb '#1f77b4' title 'cluster 1 (100)', \
     'clusters_pca.dat' index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#ff7f0e' title 'cluster 2 (50)', \
     'clusters_pca_centres.dat' using 2:3 with points pt 7 ps 3.4 lc rgb 'white' notitle, \
     '' using 2:3 with points pt 6 ps 3.4 lw 2 lc rgb '#202020' title 'centre (mean of its rows)', \
     '' using 2:3:(sprintf('%d', $1)) with labels font ',10' tc rgb '#202020' notitle
