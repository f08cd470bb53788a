# Written by tunefold; re-render from this folder with: gnuplot parallel.gp
# The data is in parallel*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'parallel.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Parallel coordinates: every complete trial (30), the best on top' . "\n" . 'study ' . 'breast-cancer-logreg' . ' (7 far worse trials at the bottom edge)'
unset border
unset ytics
unset grid
set xrange [-0.1:2.45]
set yrange [-0.04:1.04]
set lmargin 12
set xtics ('C' . ' (log)' 0, 'penalty' 1, 'roc_auc' 2) scale 0
set arrow from 0,0 to 0,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 1,0 to 1,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 2,0 to 2,1 nohead front lc rgb '#303030' lw 1.5
set label '0.0001' at 0.06,0 left front font ',9'
set label '0.01' at 0.06,0.33333333333333331 left front font ',9'
set label '1' at 0.06,0.66666666666666663 left front font ',9'
set label '100' at 0.06,1 left front font ',9'
set label 'l1' at 1.06,0.25 left front font ',9'
set label 'l2' at 1.06,0.75 left front font ',9'
set label '0.9749' at 2.06,0 left front font ',9'
set label '0.9804' at 2.06,0.25 left front font ',9'
set label '0.9859' at 2.06,0.5 left front font ',9'
set label '0.9914' at 2.06,0.75 left front font ',9'
set label '0.997' at 2.06,1 left front font ',9'
set cbrange [0.97486436014883371:0.99696216315983766]
set cblabel 'roc_auc' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set key below horizontal
set bmargin 6
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==1 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 1'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'parallel.svg'
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==1 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 1', \
     'parallel.dat' using 1:($1==2 ? $2 : NaN):(sprintf('trial %d: %.6g', $4, $3)) with labels hypertext point pt 7 ps 0.5 lc rgb '#303030' notitle
