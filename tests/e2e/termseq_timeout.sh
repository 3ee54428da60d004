#!/bin/sh
# --timeout stops a task with the --termseq: each signal to the task's
# process group, then a wait, then the next; a task that ignores or
# survives TERM ends with the KILL at the end, and its joblog row shows
# Exitval -1 and Signal 9.
. "$(dirname "$0")/lib.sh"

# A task that ignores TERM (so does its sleep): killed by the KILL after
# 0.3 s + 0.5 s.
start=$(now_ms)
run "$MPRUN" --timeout 0.3 --termseq TERM,500,KILL,25 --joblog "$T/jl" \
    "trap '' TERM; echo started; sleep 20; echo not-reached" ::: 1
ms=$(elapsed_ms "$start")
check_rc 1
check_out "started"
check_err_match "^mprun: task 1 timed out after [0-9.]+ s: trap '' TERM; echo started; sleep 20; echo not-reached 1$"
[ "$ms" -ge 750 ] || fail "TERM-ignoring task: killed after only $ms ms"
[ "$ms" -lt 4000 ] || fail "TERM-ignoring task: the run took $ms ms"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 -1 9 "trap '' TERM; echo started; sleep 20; echo not-reached 1")"

# Each step is taken: a task that catches TERM (its sleeps die, it goes
# on) gets TERM twice, then KILL.
start=$(now_ms)
run "$MPRUN" --timeout 0.3 --termseq TERM,300,TERM,300,KILL,25 \
    --joblog "$T/jl" \
    "trap 'echo TERM >>$T/sigs' TERM; i=0; while [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done; : {}" ::: 1
ms=$(elapsed_ms "$start")
check_rc 1
[ "$(cat "$T/sigs" 2>/dev/null)" = "$(lines TERM TERM)" ] ||
	fail "the task did not get TERM twice: '$(cat "$T/sigs" 2>/dev/null)'"
[ "$ms" -ge 850 ] || fail "two TERM steps: killed after only $ms ms"
[ "$ms" -lt 5000 ] || fail "two TERM steps: the run took $ms ms"
awk -F '\t' 'NR == 2 && $7 == -1 && $8 == 9 { ok = 1 } END { exit !ok }' \
    "$T/jl" || fail "joblog: $(cat "$T/jl")"

# The first signal may be another one: INT, which the task reports and
# exits on.
run "$MPRUN" --timeout 0.3 --termseq INT,2000,KILL,25 --joblog "$T/jl" \
    "trap 'echo got-INT; exit 0' INT; while :; do sleep 0.1; done; : {}" ::: 1
check_rc 1
check_out "got-INT"
awk -F '\t' 'NR == 2 && $7 == -1 { ok = 1 } END { exit !ok }' "$T/jl" ||
	fail "a task stopped by --timeout has Exitval -1: $(cat "$T/jl")"

done_testing
