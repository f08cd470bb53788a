# Written by tunefold; re-render from this folder with: gnuplot contour_C_gamma.gp
# The data is in contour_C_gamma*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,600 noenhanced font 'Sans,11' background rgb 'white'
set output 'contour_C_gamma.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Predicted ' . 'roc_auc' . ' over ' . 'C' . ' and ' . 'gamma' . "\n" . 'random-forest surrogate averaged over the other parameters, study ' . 'breast-cancer-svm'
set xlabel 'C' . ' (log scale)'
set logscale x
set xrange [0.031249999999999997:32768]
set xtics ('' 0.04 1, '' 0.05 1, '' 0.06 1, '' 0.07 1, '' 0.08 1, '' 0.09 1, '0.1' 0.1, '' 0.2 1, '' 0.3 1, '' 0.4 1, '' 0.5 1, '' 0.6 1, '' 0.7 1, '' 0.8 1, '' 0.9 1, '1' 1, '' 2 1, '' 3 1, '' 4 1, '' 5 1, '' 6 1, '' 7 1, '' 8 1, '' 9 1, '10' 10, '' 20 1, '' 30 1, '' 40 1, '' 50 1, '' 60 1, '' 70 1, '' 80 1, '' 90 1, '100' 100, '' 200 1, '' 300 1, '' 400 1, '' 500 1, '' 600 1, '' 700 1, '' 800 1, '' 900 1, '1000' 1000, '' 2000 1, '' 3000 1, '' 4000 1, '' 5000 1, '' 6000 1, '' 7000 1, '' 8000 1, '' 9000 1, '10000' 10000, '' 20000 1, '' 30000 1)
set format x '%g'
set ylabel 'gamma' . ' (log scale)'
set logscale y
set yrange [3.0517578125e-05:7.9999999999999991]
set ytics ('' 4e-05 1, '' 5e-05 1, '' 6e-05 1, '' 7e-05 1, '' 8e-05 1, '' 9e-05 1, '0.0001' 0.0001, '' 0.0002 1, '' 0.0003 1, '' 0.0004 1, '' 0.0005 1, '' 0.0006 1, '' 0.0007 1, '' 0.0008 1, '' 0.0009 1, '0.001' 0.001, '' 0.002 1, '' 0.003 1, '' 0.004 1, '' 0.005 1, '' 0.006 1, '' 0.007 1, '' 0.008 1, '' 0.009 1, '0.01' 0.01, '' 0.02 1, '' 0.03 1, '' 0.04 1, '' 0.05 1, '' 0.06 1, '' 0.07 1, '' 0.08 1, '' 0.09 1, '0.1' 0.1, '' 0.2 1, '' 0.3 1, '' 0.4 1, '' 0.5 1, '' 0.6 1, '' 0.7 1, '' 0.8 1, '' 0.9 1, '1' 1, '' 2 1, '' 3 1, '' 4 1, '' 5 1, '' 6 1, '' 7 1)
set format y '%g'
set view map
set pm3d map corners2color c1
set grid front lc rgb '#ffffff' lw 0.5
set cbrange [0.9854112430964983:0.99588606683165315]
set cblabel 'roc_auc' . ' (higher is better)'
set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', 1 '#fde725')
set palette maxcolors 16
set lmargin at screen 0.13
set rmargin at screen 0.80
set tmargin at screen 0.88
set bmargin at screen 0.2
set colorbox user origin screen 0.83, screen 0.2 size screen 0.03, screen 0.68
set key at screen 0.5, screen 0.06 center horizontal opaque
splot 'contour_C_gamma.dat' using 1:2:3 with pm3d notitle, \
      'contour_C_gamma_trials.dat' using 2:3:(0.99588606683165315) with points pt 7 ps 0.7 lc rgb 'white' notitle, \
      'contour_C_gamma_trials.dat' using 2:3:(0.99588606683165315) with points pt 6 ps 0.7 lc rgb '#202020' title 'trial', \
      'contour_C_gamma_trials.dat' using 2:3:($5==1 ? 0.99588606683165315 : NaN) with points pt 3 ps 3 lw 3 lc rgb '#d62728' title 'best trial'

# The same picture as SVG, with each trial's number and value shown under the pointer
set terminal svg size 800,600 noenhanced font 'Sans,12' background rgb 'white' mouse standalone
set output 'contour_C_gamma.svg'
splot 'contour_C_gamma.dat' using 1:2:3 with pm3d notitle, \
      'contour_C_gamma_trials.dat' using 2:3:(0.99588606683165315) with points pt 7 ps 0.7 lc rgb 'white' notitle, \
      'contour_C_gamma_trials.dat' using 2:3:(0.99588606683165315) with points pt 6 ps 0.7 lc rgb '#202020' title 'trial', \
      'contour_C_gamma_trials.dat' using 2:3:($5==1 ? 0.99588606683165315 : NaN) with points pt 3 ps 3 lw 3 lc rgb '#d62728' title 'best trial', \
      'contour_C_gamma_trials.dat' using 2:3:(0.99588606683165315):(sprintf('trial %d: %.6g', $1, $4)) with labels hypertext point pt 7 ps 0.7 lc rgb 'white' notitle
