# Written by tunefold; re-render from this folder with: gnuplot learning_curve.gp
# The data is in learning_curve*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'learning_curve.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Learning curve' . "\n" . 'study breast-cancer-logreg, 5 folds'
set xlabel 'training rows (mean over folds)'
set ylabel 'roc_auc' . ' (higher is better)'
set yrange [0.97235504463457367:1.0020477744715131]
set key bottom right
set bmargin 7
set label 1 'good fit: training and validation roc_auc are high (0.997, 0.996) and close (gap 0.00137)' at screen 0.5, screen 0.06 center font ',10'
plot 'learning_curve.dat' using 2:7:8 with filledcurves fc rgb '#fdae6b' fs transparent solid 0.35 noborder title 'training ± 1 std', \
     'learning_curve.dat' using 2:9:10 with filledcurves fc rgb '#9ecae1' fs transparent solid 0.45 noborder title 'validation ± 1 std', \
     'learning_curve.dat' using 2:3 with linespoints pt 7 lw 2 lc rgb '#e6550d' title 'training score', \
     'learning_curve.dat' using 2:5 with linespoints pt 7 lw 2 lc rgb '#08519c' title 'validation score'
