# Written by tunefold; re-render from this folder with: gnuplot parallel.gp
# The data is in parallel*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'parallel.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Parallel coordinates: every complete trial (80), the best on top' . "\n" . 'study ' . 'breast-cancer-svm'
unset border
unset ytics
unset grid
set xrange [-0.1:3.45]
set yrange [-0.04:1.04]
set lmargin 12
set xtics ('C' . ' (log)' 0, 'gamma' . ' (log)' 1, 'shrinking' 2, 'roc_auc' 3) scale 0
set arrow from 0,0 to 0,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 1,0 to 1,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 2,0 to 2,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 3,0 to 3,1 nohead front lc rgb '#303030' lw 1.5
set label '1' at 0.06,0.25 left front font ',9'
set label '100' at 0.06,0.58219280948873631 left front font ',9'
set label '10000' at 0.06,0.9143856189774725 left front font ',9'
set label '0.001' at 1.06,0.27967865085210625 left front font ',9'
set label '0.1' at 1.06,0.64878177250625757 left front font ',9'
set label 'false' at 2.06,0.25 left front font ',9'
set label 'true' at 2.06,0.75 left front font ',9'
set label '0.9843' at 3.06,0 left front font ',9'
set label '0.9875' at 3.06,0.25 left front font ',9'
set label '0.9907' at 3.06,0.5 left front font ',9'
set label '0.9939' at 3.06,0.75 left front font ',9'
set label '0.9971' at 3.06,1 left front font ',9'
set cbrange [0.98428574461411011:0.9971156265759934]
set cblabel 'roc_auc' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set key below horizontal
set bmargin 6
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==79 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 79'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'parallel.svg'
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==79 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 79', \
     'parallel.dat' using 1:($1==3 ? $2 : NaN):(sprintf('trial %d: %.6g', $4, $3)) with labels hypertext point pt 7 ps 0.5 lc rgb '#303030' notitle
