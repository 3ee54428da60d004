#!/bin/sh
# Exit status: 0 when every task succeeded, 1..100 the number of tasks that
# failed (non-zero exit or killed by a signal), 101 when more than 100
# failed.  Failing tasks' output is still printed, and other tasks run.
. "$(dirname "$0")/lib.sh"

expect 0 "" "" "$MPRUN" "$TH" -x {} ::: 0 0 0
expect 1 "" "" "$MPRUN" "$TH" -x {} ::: 0 1 0
expect 3 "" "" "$MPRUN" "$TH" -x {} ::: 0 1 2 0 255
expect 2 "$(lines a b c)" "" "$MPRUN" "$TH" -o {} -x '$(({#} % 2))' ::: a b c

# Killed by a signal counts as failed.
run "$MPRUN" "$TH" -k {} ::: 9 15
check_rc 2
run "$MPRUN" "$TH" -o before -k 9 ::: 1
check_rc 1
check_out "before"

# 100, 101 and 150 failures.
seq 100 >"$T/in"
run "$MPRUN" "$TH" -x 1 <"$T/in"
check_rc 100
seq 101 >"$T/in"
run "$MPRUN" "$TH" -x 1 <"$T/in"
check_rc 101
seq 150 >"$T/in"
run "$MPRUN" -j4 "$TH" -x 7 <"$T/in"
check_rc 101
check_out ""
run "$MPRUN" -j4 false <"$T/in"
check_rc 101

# 150 failed among 300: still 101, and all 300 ran.
seq 300 >"$T/in"
run "$MPRUN" -j4 "$TH" -o {} -x '$(({} % 2 == 0 ? 3 : 0))' <"$T/in"
check_rc 101
check_out_file "$T/in"
expect 0 "" "" "$MPRUN" -j4 true <"$T/in"

# No tasks at all.
expect 0 "" "" "$MPRUN" echo </dev/null

done_testing
