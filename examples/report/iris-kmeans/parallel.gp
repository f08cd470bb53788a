# Written by tunefold; re-render from this folder with: gnuplot parallel.gp
# The data is in parallel*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'parallel.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Parallel coordinates: every complete trial (7), the best on top' . "\n" . 'study ' . 'iris-kmeans'
unset border
unset ytics
unset grid
set xrange [-0.1:1.45]
set yrange [-0.04:1.04]
set lmargin 12
set xtics ('n_clusters' 0, 'silhouette' 1) scale 0
set arrow from 0,0 to 0,1 nohead front lc rgb '#303030' lw 1.5
set arrow from 1,0 to 1,1 nohead front lc rgb '#303030' lw 1.5
set label '2' at 0.06,0.071428571428571425 left front font ',9'
set label '4' at 0.06,0.35714285714285715 left front font ',9'
set label '6' at 0.06,0.6428571428571429 left front font ',9'
set label '8' at 0.06,0.9285714285714286 left front font ',9'
set label '0.2675' at 1.06,0 left front font ',9'
set label '0.3493' at 1.06,0.25 left front font ',9'
set label '0.4312' at 1.06,0.5 left front font ',9'
set label '0.513' at 1.06,0.75 left front font ',9'
set label '0.5949' at 1.06,1 left front font ',9'
set cbrange [0.26749674900912135:0.59489080862934196]
set cblabel 'silhouette' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set key below horizontal
set bmargin 6
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==0 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 0'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'parallel.svg'
plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette notitle, \
     'parallel.dat' using 1:($4==0 ? $2 : NaN) with linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial 0', \
     'parallel.dat' using 1:($1==1 ? $2 : NaN):(sprintf('trial %d: %.6g', $4, $3)) with labels hypertext point pt 7 ps 0.5 lc rgb '#303030' notitle
