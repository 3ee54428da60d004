#!/bin/sh
# No command: each record is itself a command line, run by /bin/sh -c, not
# quoted; output in input order; failures counted.
. "$(dirname "$0")/lib.sh"

printf 'echo a; echo b\necho c | tr c C\necho $((6 * 7))\n' >"$T/in"
expect_out "$(lines a b C 42)" "$MPRUN" <"$T/in"

expect_out "$(lines x y)" "$MPRUN" ::: 'echo x' 'echo y'
expect_out "$(lines 'x 1' 'x 2' 'y 1' 'y 2')" \
    "$MPRUN" ::: 'echo x' 'echo y' ::: 1 2

printf 'exit 3\necho ok\nexit 0\nfalse\n' >"$T/in"
expect 2 "ok" "" "$MPRUN" <"$T/in"

# Shell syntax of all kinds is the point here.
printf 'for i in 1 2; do printf "%%s;" $i; done; echo\n' >"$T/in"
expect_out "1;2;" "$MPRUN" <"$T/in"

# -0 lets a command line span lines.
printf 'echo one\necho two\000echo three' >"$T/in"
expect_out "$(lines one two three)" "$MPRUN" -0 <"$T/in"

done_testing
