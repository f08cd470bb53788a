# Written by tunefold; re-render from this folder with: gnuplot contour_n_estimators_max_depth.gp
# The data is in contour_n_estimators_max_depth*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'contour_n_estimators_max_depth.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Predicted ' . 'roc_auc' . ' over ' . 'n_estimators' . ' and ' . 'max_depth' . "\n" . 'random-forest surrogate averaged over the other parameters, study ' . 'breast-cancer-forest'
set xlabel 'n_estimators' . ' (log scale)'
set logscale x
set xrange [19.500000000000004:200.49999999999991]
set xtics ('20' 20, '50' 50, '100' 100, '200' 200)
set format x '%g'
set ylabel 'max_depth'
set yrange [1.5:12.5]
set view map
set pm3d map corners2color c1
set grid front lc rgb '#ffffff' lw 0.5
set cbrange [0.98772615996501179:0.98933597073938084]
set cblabel 'roc_auc' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set palette maxcolors 16
set lmargin at screen 0.13
set rmargin at screen 0.80
set tmargin at screen 0.88
set bmargin at screen 0.2
set colorbox user origin screen 0.83, screen 0.2 size screen 0.03, screen 0.68
set key at screen 0.5, screen 0.06 center horizontal opaque
splot 'contour_n_estimators_max_depth.dat' using 1:2:3 with pm3d notitle, \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:(0.98933597073938084) with points pt 7 ps 0.7 lc rgb 'white' notitle, \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:(0.98933597073938084) with points pt 6 ps 0.7 lc rgb '#202020' title 'trial', \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:($5==1 ? 0.98933597073938084 : NaN) with points pt 3 ps 3 lw 3 lc rgb '#d62728' title 'best trial'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'contour_n_estimators_max_depth.svg'
splot 'contour_n_estimators_max_depth.dat' using 1:2:3 with pm3d notitle, \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:(0.98933597073938084) with points pt 7 ps 0.7 lc rgb 'white' notitle, \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:(0.98933597073938084) with points pt 6 ps 0.7 lc rgb '#202020' title 'trial', \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:($5==1 ? 0.98933597073938084 : NaN) with points pt 3 ps 3 lw 3 lc rgb '#d62728' title 'best trial', \
      'contour_n_estimators_max_depth_trials.dat' using 2:3:(0.98933597073938084):(sprintf('trial %d: %.6g', $1, $4)) with labels hypertext point pt 7 ps 0.7 lc rgb 'white' notitle
