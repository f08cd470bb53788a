# Written by tunefold; re-render from this folder with: gnuplot compare.gp
# The data is in compare*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'compare.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Cost against quality of every complete trial' . "\n" . 'Pareto front: no other trial is both cheaper and at least as good'
set xlabel 'fit + predict seconds per fold (log scale)'
set ylabel 'roc_auc' . ' (higher is better)'
set logscale x
set xrange [3.0039375587875835e-05:0.23798259168106597]
set xtics ('' 4e-05 1, '' 5e-05 1, '' 6e-05 1, '' 7e-05 1, '' 8e-05 1, '' 9e-05 1, '0.0001' 0.0001, '' 0.0002 1, '' 0.0003 1, '' 0.0004 1, '' 0.0005 1, '' 0.0006 1, '' 0.0007 1, '' 0.0008 1, '' 0.0009 1, '0.001' 0.001, '' 0.002 1, '' 0.003 1, '' 0.004 1, '' 0.005 1, '' 0.006 1, '' 0.007 1, '' 0.008 1, '' 0.009 1, '0.01' 0.01, '' 0.02 1, '' 0.03 1, '' 0.04 1, '' 0.05 1, '' 0.06 1, '' 0.07 1, '' 0.08 1, '' 0.09 1, '0.1' 0.1, '' 0.2 1)
set format x '%g'
set yrange [0.97338386477348127:0.99773271411414222]
set key below horizontal maxcols 2
set bmargin 8.7
plot 'compare_front.dat' using 1:4 with steps lw 2 dt 2 lc rgb '#404040' title 'Pareto front', \
     'compare.dat' index 0 using 1:($2 == $4 ? $2 : NaN) with points pt 7 ps 0.8 lc rgb '#1b9e77' title 'breast-cancer-logreg', \
     'compare.dat' index 0 using 1:($2 != $4 ? $4 : NaN) with points pt 11 ps 1 lc rgb '#1b9e77' notitle, \
     'compare.dat' index 0 using 1:($3 == 1 ? $4 : NaN) with points pt 5 ps 2 lc rgb '#1b9e77' notitle, \
     'compare.dat' index 1 using 1:($2 == $4 ? $2 : NaN) with points pt 7 ps 0.8 lc rgb '#d95f02' title 'breast-cancer-forest', \
     'compare.dat' index 1 using 1:($2 != $4 ? $4 : NaN) with points pt 11 ps 1 lc rgb '#d95f02' notitle, \
     'compare.dat' index 1 using 1:($3 == 1 ? $4 : NaN) with points pt 5 ps 2 lc rgb '#d95f02' notitle, \
     'compare.dat' index 2 using 1:($2 == $4 ? $2 : NaN) with points pt 7 ps 0.8 lc rgb '#7570b3' title 'breast-cancer-svm', \
     'compare.dat' index 2 using 1:($2 != $4 ? $4 : NaN) with points pt 11 ps 1 lc rgb '#7570b3' notitle, \
     'compare.dat' index 2 using 1:($3 == 1 ? $4 : NaN) with points pt 5 ps 2 lc rgb '#7570b3' notitle, \
     NaN with points pt 5 ps 2 lc rgb '#404040' title 'best trial of a study', \
     NaN with points pt 11 ps 1 lc rgb '#404040' title 'worse than shown (7)'
