#!/bin/sh
# -n: up to max-args records per command line, appended or all in {};
# -N: the same, with {1}..{N} naming the records (empty past the end).
. "$(dirname "$0")/lib.sh"

seq 7 >"$T/in"
expect_out "$(lines '1 2 3' '4 5 6' 7)" "$MPRUN" -n 3 echo <"$T/in"
expect_out "$(lines '1 2 3' '4 5 6' 7)" "$MPRUN" -n3 echo <"$T/in"
expect_out "$(lines '1 2 3' '4 5 6' 7)" "$MPRUN" --max-args 3 echo <"$T/in"
expect_out "$(lines '1 2 3' '4 5 6' 7)" "$MPRUN" --max-args=3 echo <"$T/in"
expect_out "$(lines 'x1 2 3y' 'x4 5 6y' x7y)" "$MPRUN" -n 3 echo x{}y <"$T/in"
expect_out "$(lines 1-3 4-6 7-)" "$MPRUN" -N 3 echo {1}-{3} <"$T/in"
expect_out "$(lines '1 2 3' '4 5 6' 7)" "$MPRUN" -N 3 echo <"$T/in"

# Each record stays one argument; {#} counts command lines.
printf 'a b\nc\nd e\n' >"$T/in"
expect_out "$(lines 'a b' c 'd e')" "$MPRUN" -n 2 "$TH" -p -- <"$T/in"
expect_out "$(lines 'c' 'a b' '' 'd e')" \
    "$MPRUN" -N 2 "$TH" -p -- {2} {1} <"$T/in"
expect_out "$(lines 1 2)" "$MPRUN" -n 2 echo {#} <"$T/in"

# ::: values are records too.
expect_out "$(lines 'a b' c)" "$MPRUN" -n 2 echo ::: a b c
# Past the last record {n} is an empty argument (GNU parallel drops it).
expect_out "$(lines 'b a' ' c')" "$MPRUN" -N 2 echo {2} {1} ::: a b c

# -n 1 is the default.
expect_out "$(lines a b)" "$MPRUN" -n 1 echo ::: a b

# A record holding a NUL (found by fuzz_input: -n copied the record with
# strndup but kept its full length): no argument can carry it, so its
# task fails rather than run a shortened record, from stdin and from a
# file alike; the other tasks run.
printf 'a\0b\nc\n' >"$T/nul"
run sh -c '"$1" -n 1 echo <"$2"' sh "$MPRUN" "$T/nul"
check_rc 1
check_out "c"
check_err "mprun: task 1: its input holds a NUL byte, which a command line cannot carry"
run "$MPRUN" -n 2 echo :::: "$T/nul"
check_rc 1
check_out ""
check_err "mprun: task 1: its input holds a NUL byte, which a command line cannot carry"

# Only with one input source and no --colsep.
run "$MPRUN" -n 2 echo ::: a b ::: c d
check_rc 255
check_out ""
check_err_match "^mprun: "
run "$MPRUN" -n 2 --colsep , echo ::: a,b
check_rc 255
check_out ""
check_err_match "^mprun: "

done_testing
