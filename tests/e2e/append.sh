#!/bin/sh
# A command without any replacement string gets the arguments appended,
# each one word; any replacement string ({#} or {%} included) turns
# appending off.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines 'pre a' 'pre b')" "$MPRUN" echo pre ::: a b
expect_out "$(lines 'pre a 1' 'pre a 2')" "$MPRUN" echo pre ::: a ::: 1 2
expect_out "$(lines x 'a b' x 'c  d')" "$MPRUN" "$TH" -p -- x ::: 'a b' 'c  d'
expect_out "$(lines 'pre a b' 'pre c')" "$MPRUN" -n 2 echo pre ::: a b c

# An empty value is still an argument.
expect_out "$(lines x '' x y)" "$MPRUN" "$TH" -p -- x ::: '' y
printf 'x\n\n' >"$T/exp"
run "$MPRUN" "$TH" -p -- x ::: ''
check_rc 0
check_out_file "$T/exp"

# Replacement strings turn appending off.
expect_out "$(lines 1 2)" "$MPRUN" echo {#} ::: a b
expect_out "1" "$MPRUN" -j1 echo {%} ::: a
expect_out "a" "$MPRUN" echo {.} ::: a.b
expect_out "b" "$MPRUN" echo {2} ::: a ::: b

# The command's own words are joined by spaces into a shell command line,
# as GNU parallel does, so a quoted word with spaces is split.
expect_out "$(lines a b x)" "$MPRUN" "$TH" -p -- 'a  b' ::: x
expect_out "$(lines a 'b x')" "$MPRUN" 'echo a;' echo b ::: x

done_testing
