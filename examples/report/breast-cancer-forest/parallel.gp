# Written by tunefold; re-render from this folder with: gnuplot parallel.gp
# The data is in parallel*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'parallel.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Parallel coordinates: every complete trial (6), the best on top' . "\n" . 'study ' . 'breast-cancer-forest'
unset border
unset ytics
unset grid
set xrange [-0.1:2.45]
set yrange [-0.04:1.04]
set lmargin 12
set xtics ('n_estimators' . ' (log)' 0, 'max_depth' 1, 'roc_auc' 2) scale 0
set arrow from 0,0 to 0,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 1,0 to 1,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 2,0 to 2,1 nohead front lc rgb '#303030' lw 1.5
set label '20' at 0.06,0.01086414794096128 left front font ',9'
set label '50' at 0.06,0.40405450921511155 left front font ',9'
set label '100' at 0.06,0.70149153532480557 left front font ',9'
set label '200' at 0.06,0.9989285614344996 left front font ',9'
set label '2' at 1.06,0.045454545454545456 left front font ',9'
set label '4' at 1.06,0.22727272727272727 left front font ',9'
set label '6' at 1.06,0.40909090909090912 left front font ',9'
set label '8' at 1.06,0.59090909090909094 left front font ',9'
set label '10' at 1.06,0.77272727272727271 left front font ',9'
set label '12' at 1.06,0.95454545454545459 left front font ',9'
set label '0.9867' at 2.06,0 left front font ',9'
set label '0.9875' at 2.06,0.25 left front font ',9'
set label '0.9882' at 2.06,0.5 left front font ',9'
set label '0.989' at 2.06,0.75 left front font ',9'
set label '0.9897' at 2.06,1 left front font ',9'
set cbrange [0.98674237024212452:0.98971787702961955]
set cblabel 'roc_auc' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set key below horizontal
set bmargin 6
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==3 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 3'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'parallel.svg'
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==3 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 3', \
     'parallel.dat' using 1:($1==2 ? $2 : NaN):(sprintf('trial %d: %.6g', $4, $3)) with labels hypertext point pt 7 ps 0.5 lc rgb '#303030' notitle
