# Written by tunefold; re-render from this folder with: gnuplot timeline.gp
# The data is in timeline*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'timeline.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Timeline: 80 trials on 2 workers, 11.49 s' . "\n" . 'study ' . 'breast-cancer-svm'
set xlabel 'seconds since the first trial started'
set xrange [0:11.724686365127564]
set yrange [1.6:-0.6]
set ytics ('vm:6061' 0, 'vm:6060' 1) scale 0
set grid xtics noytics
set style fill solid 0.85 border
set key below horizontal
set bmargin 6
plot 'timeline.dat' using ($4==1 ? ($2+$3)/2 : NaN):1:2:3:($1-0.36):($1+0.36) with boxxyerror lc rgb '#3182bd' title 'complete (80)'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'timeline.svg'
plot 'timeline.dat' using ($4==1 ? ($2+$3)/2 : NaN):1:2:3:($1-0.36):($1+0.36) with boxxyerror lc rgb '#3182bd' title 'complete (80)', \
     'timeline.dat' using (($2+$3)/2):1:(sprintf('trial %d, %s, %.3g s, value %.6g', $5, ($4==1 ? 'complete' : $4==2 ? 'failed' : $4==3 ? 'pruned' : $4==4 ? 'lost' : 'running'), $3-$2, $6)) with labels hypertext point pt 7 ps 0.3 lc rgb '#202020' notitle
