# Written by tunefold; re-render from this folder with: gnuplot confusion.gp
# The data is in confusion*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'confusion.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Confusion matrix (out-of-fold, 569 rows)' . "\n" . 'study breast-cancer-svm, best trial 79'
unset key
unset grid
set size ratio -1
set tics out scale 0.5
set xrange [-0.5:1.5]
set yrange [1.5:-0.5]
set xtics ('0' 0, '1' 1)
set ytics ('0' 0, '1' 1)
set xlabel 'predicted class'
set ylabel 'true class'
set cbrange [0:1]
set cblabel 'share of the true class'
set palette defined (0 '#f7fbff', 0.4 '#9ecae1', 0.7 '#3182bd', 1 '#08306b')
plot 'confusion.dat' using 1:2:4 with image notitle, \
     '' using 1:2:(sprintf("%d\n%.1f%%", $3, 100*$4)):($4 > 0.55 ? 0xffffff : 0x202020) with labels tc rgb variable font ',13' notitle
