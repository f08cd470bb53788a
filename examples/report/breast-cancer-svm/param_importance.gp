# Written by tunefold; re-render from this folder with: gnuplot param_importance.gp
# The data is in param_importance*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'param_importance.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set tmargin 6
set title 'Hyperparameter importance (fANOVA over a random-forest surrogate)' . "\n" . 'study ' . 'breast-cancer-svm' . "\n" . '80 complete trials' . "\n" . 'main effects explain 68% of the variance, the pairs shown 31%'
set xlabel 'share of the variance of the predicted ' . 'roc_auc' . ' (%)'
set xrange [0:52.319474624662675]
set yrange [-0.7:3.7]
set ytics ('C' 3, 'gamma' 2, 'shrinking' 1, 'C' . ' × ' . 'gamma' 0)
set ytics scale 0
set grid xtics noytics
set style fill solid 0.85 noborder
set key below horizontal
set bmargin 6
plot 'param_importance.dat' using ($3==1 ? 50*$2 : NaN):1:(50*$2):(0.36) with boxxyerror lc rgb '#3182bd' title 'main effect of a parameter', \
     'param_importance.dat' using ($3==2 ? 50*$2 : NaN):1:(50*$2):(0.36) with boxxyerror lc rgb '#e6550d' title 'interaction of a pair (beyond their main effects)', \
     'param_importance.dat' using (100*$2):1:(sprintf(' %.1f%%', 100*$2)) with labels left font ',10' notitle
