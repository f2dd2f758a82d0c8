# SPDX-License-Identifier: GPL-2.0
#
# Plot of the cost curves of scripts/bench (gnuplot -e "dir='WORK';
# out='PNG'"): WORK/rules.dat, WORK/layers.dat and WORK/none.dat, written
# by report.py.

set terminal pngcairo size 1200,500 font ",10"
set output out
set multiplot layout 1,2 title "Landlock exec-time enforcement: cost of fork+exec+wait (QEMU -icount, instructions)"
set grid
set key top left Left reverse
set format y "%.0s%c"
none = real(system("cat " . dir . "/none.dat"))

set title "against the rules of the ruleset (no layer before)"
set xlabel "rules"
set ylabel "instructions per fork+exec+wait"
set logscale xy
set xrange [0.7:14000]
plot dir."/rules.dat" using 1:2 with linespoints lw 2 pt 7 title "immediate", \
     "" using 1:3 with linespoints lw 2 pt 5 title "ON\\_EXEC (the child arms)", \
     "" using 1:4 with linespoints lw 2 pt 4 title "ON\\_EXEC (armed once by the parent)", \
     "" using 1:5 with linespoints lw 2 pt 9 title "BPF policy", \
     none with lines dt 2 lc rgb "gray" title "nothing armed"

set title "against the layers already enforced (1-rule rulesets)"
set xlabel "layers enforced before"
set ylabel sprintf("instructions added to a fork+exec+wait (%.0fk with nothing armed)", none / 1000)
unset logscale
set xrange [-0.5:15.5]
set yrange [0:*]
set key bottom right
plot dir."/layers.dat" using 1:($2 - none) with linespoints lw 2 pt 7 title "immediate", \
     "" using 1:($3 - none) with linespoints lw 2 pt 5 title "ON\\_EXEC (the child arms)", \
     "" using 1:($4 - none) with linespoints lw 2 pt 4 title "ON\\_EXEC (armed once by the parent)", \
     "" using 1:($5 - none) with linespoints lw 2 pt 9 title "BPF policy"
unset multiplot
