# Written by tunefold; re-render from this folder with: gnuplot importances.gp
# The data is in importances*.dat (numbers only; columns named at the top).
set terminal pngcairo size 800,810 noenhanced font 'Sans,11' background rgb 'white'
set output 'importances.png'
set encoding utf8
set border lc rgb '#404040'
set grid lc rgb '#d8d8d8' lw 1
set key opaque box lc rgb '#b0b0b0'
set tics nomirror
set title 'Feature importances (mean over folds)' . "\n" . 'study breast-cancer-forest, best trial 3'
unset key
set grid noytics
set xlabel 'importance'
set xrange [0:0.137179694397671]
set yrange [29.6:-0.6]
set ytics ('worst_perimeter' 0, 'worst_radius' 1, 'mean_concave_points' 2, 'worst_concave_points' 3, 'worst_area' 4, 'mean_perimeter' 5, 'mean_area' 6, 'mean_concavity' 7, 'mean_radius' 8, 'area_error' 9, 'worst_concavity' 10, 'worst_texture' 11, 'worst_compactness' 12, 'mean_texture' 13, 'mean_compactness' 14, 'radius_error' 15, 'worst_symmetry' 16, 'perimeter_error' 17, 'worst_smoothness' 18, 'worst_fractal_dimension' 19, 'mean_smoothness' 20, 'concavity_error' 21, 'compactness_error' 22, 'concave_points_error' 23, 'smoothness_error' 24, 'fractal_dimension_error' 25, 'symmetry_error' 26, 'texture_error' 27, 'mean_fractal_dimension' 28, 'mean_symmetry' 29) font ',10'
set style fill solid 0.85 noborder
plot 'importances.dat' using ($2/2):1:(abs($2)/2):(0.38) with boxxyerror lc rgb '#3182bd'
