#!/bin/sh
# --dry-run prints each command line (as the shell would run it: values
# quoted) on stdout, one per line, in input order, runs nothing and exits
# 0.  {%} is 1.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines "echo 'a b'" "echo 'c'\\''d'" "echo ''" 'echo '"'"'$(x)'"'")" \
    "$MPRUN" --dry-run echo ::: 'a b' "c'd" '' '$(x)'

# Nothing runs, whatever -j; order is input order.
expect_out "$(lines "touch x" "touch y" "touch z")" \
    "$MPRUN" -j4 --dry-run touch {} ::: x y z
[ -e x ] || [ -e y ] || [ -e z ] && fail "--dry-run ran touch"

# {#} and {%}.
expect_out "$(lines "echo 1 1 a" "echo 2 1 b" "echo 3 1 c")" \
    "$MPRUN" -j3 --dry-run echo {#} {%} {} ::: a b c

# Commands that would fail: still status 0.
expect_out "$(lines "exit 3" "false 1" "rm -rf $T")" \
    "$MPRUN" --dry-run ::: "exit 3" "false 1" "rm -rf $T"
[ -d "$T" ] || fail "--dry-run ran rm"

# Shell syntax in the command, several sources, -q.
expect_out "$(lines "echo a 1 | tr a b" "echo a 2 | tr a b")" \
    "$MPRUN" --dry-run 'echo {1} {2} | tr a b' ::: a ::: 1 2
expect_out "printf '%s\\n' a" "$MPRUN" -q --dry-run printf '%s\n' ::: a

# From stdin, many lines.
seq 100000 >"$T/in"
run "$MPRUN" --dry-run rm <"$T/in"
check_rc 0
check_err ""
sed 's/^/rm /' "$T/in" >"$T/want"
check_out_file "$T/want"

done_testing
