# Written by tunefold; re-render from this folder with: gnuplot pr.gp
# The data is in pr*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'pr.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Precision-recall curve' . "\n" . 'study breast-cancer-forest, best trial 3'
set size square
set xrange [0:1]
set yrange [0:1.02]
set xtics 0.2
set ytics 0.2
set xlabel 'recall'
set ylabel 'precision'
set key bottom left
plot 'pr_mean.dat' using 1:4:5 with filledcurves fc rgb '#9ecae1' fs transparent solid 0.4 noborder title 'mean ± 1 std', \
     'pr.dat' index 0 using 1:2 with fsteps lw 1.3 lc rgb '#66c2a5' title 'fold 1 (AP 0.984)', \
     'pr.dat' index 1 using 1:2 with fsteps lw 1.3 lc rgb '#fc8d62' title 'fold 2 (AP 0.998)', \
     'pr.dat' index 2 using 1:2 with fsteps lw 1.3 lc rgb '#8da0cb' title 'fold 3 (AP 0.999)', \
     'pr.dat' index 3 using 1:2 with fsteps lw 1.3 lc rgb '#e78ac3' title 'fold 4 (AP 0.987)', \
     'pr.dat' index 4 using 1:2 with fsteps lw 1.3 lc rgb '#a6d854' title 'fold 5 (AP 0.997)', \
     'pr_mean.dat' using 1:2 with lines lw 3 lc rgb '#08519c' title 'mean (AP 0.993 ± 0.006)', \
     0.62741652021089633 with lines dt 2 lw 1.5 lc rgb '#707070' title 'chance (positives 0.627)'
