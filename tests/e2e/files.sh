#!/bin/sh
# :::: and -a file sources: one record per line, several files as several
# sources (cartesian product), ::::+ linking, "-" for stdin, a last line
# without a newline, an empty file, and files mixed with ::: sources.
. "$(dirname "$0")/lib.sh"

printf 'f1\nf2\n' >"$T/f"
printf 'g1\ng2\ng3' >"$T/g"		# no final newline
: >"$T/empty"
printf 's1\ns2\n' >"$T/in"

expect_out "$(lines f1 f2)" "$MPRUN" echo :::: "$T/f"
expect_out "$(lines g1 g2 g3)" "$MPRUN" echo :::: "$T/g"
expect_out "" "$MPRUN" echo :::: "$T/empty"

# Two files: two sources, the last one varying fastest.
expect_out "$(lines 'f1 g1' 'f1 g2' 'f1 g3' 'f2 g1' 'f2 g2' 'f2 g3')" \
    "$MPRUN" echo :::: "$T/f" "$T/g"
expect_out "$(lines 'f1 g1' 'f1 g2' 'f1 g3' 'f2 g1' 'f2 g2' 'f2 g3')" \
    "$MPRUN" echo :::: "$T/f" :::: "$T/g"

# Linked files: shortest wins.
expect_out "$(lines 'f1 g1' 'f2 g2')" "$MPRUN" echo :::: "$T/f" ::::+ "$T/g"
expect_out "$(lines 'g1 f1' 'g2 f2')" "$MPRUN" echo :::: "$T/g" ::::+ "$T/f"

# -a: each -a file is one source; options come before the command.
expect_out "$(lines f1 f2)" "$MPRUN" -a "$T/f" echo
expect_out "$(lines f1 f2)" "$MPRUN" --arg-file "$T/f" echo
expect_out "$(lines 'f1 g1' 'f1 g2' 'f1 g3' 'f2 g1' 'f2 g2' 'f2 g3')" \
    "$MPRUN" -a "$T/f" -a "$T/g" echo

# "-" is stdin, for :::: and -a.
expect_out "$(lines s1 s2)" "$MPRUN" echo :::: - <"$T/in"
expect_out "$(lines 's1 f1' 's1 f2' 's2 f1' 's2 f2')" \
    "$MPRUN" echo :::: - "$T/f" <"$T/in"
expect_out "$(lines 'f1 s1' 'f1 s2' 'f2 s1' 'f2 s2')" \
    "$MPRUN" echo :::: "$T/f" - <"$T/in"
expect_out "$(lines 's1 f1' 's1 f2' 's2 f1' 's2 f2')" \
    "$MPRUN" -a - -a "$T/f" echo <"$T/in"

# Mixing file and argument sources, in either order.
expect_out "$(lines 'f1 x' 'f1 y' 'f2 x' 'f2 y')" \
    "$MPRUN" echo :::: "$T/f" ::: x y
expect_out "$(lines 'x f1' 'x f2' 'y f1' 'y f2')" \
    "$MPRUN" echo ::: x y :::: "$T/f"
expect_out "$(lines 'x f1' 'y f2')" "$MPRUN" echo ::: x y ::::+ "$T/f"
expect_out "$(lines 'f1 x' 'f2 y')" "$MPRUN" echo :::: "$T/f" :::+ x y z
expect_out "$(lines 's1 x 1' 's1 x 2' 's2 x 1' 's2 x 2')" \
    "$MPRUN" echo :::: - ::: x ::: 1 2 <"$T/in"

# {n} over file sources.
expect_out "$(lines g1/f1 g2/f1 g3/f1 g1/f2 g2/f2 g3/f2)" \
    "$MPRUN" echo {2}/{1} :::: "$T/f" "$T/g"

# A big file: every line once, in order.
seq 5000 >"$T/big"
run "$MPRUN" echo :::: "$T/big"
check_rc 0
check_out_file "$T/big"

done_testing
