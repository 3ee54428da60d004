#!/bin/sh
# --halt WHEN,WHY=X: when X tasks (a count, or P% of the total when it is
# known, else of the tasks finished so far) failed / succeeded / finished,
# "now" stops the running tasks (termseq) and exits, "soon" starts nothing
# new and waits for the running ones.  Messages "mprun: halting: task N
# failed: COMMAND" (succeeded, finished), and for soon "mprun: starting no
# more tasks, waiting for K running".  Exit status: fail and done: the
# triggering task's status (128+signal when killed); success: 0.  Short
# forms 0 (never, the default), 1 (soon,fail=1), 2 (now,fail=1).
# The tasks take 0.2 s at least, so no worker holds a queue of them.
. "$(dirname "$0")/lib.sh"

# halt_run SPEC SLOW TRIGGER: two workers; task 1 (SLOW) is running when
# task 2 (TRIGGER) ends; task 3 would touch "ran3".
halt_run()
{
	rm -f "$T/ran3"
	start=$(now_ms)
	run "$MPRUN" -j2 --halt "$1" ::: "$2" "$3" "touch $T/ran3"
	ms=$(elapsed_ms "$start")
	[ -e "$T/ran3" ] && fail "--halt $1: task 3 ran"
}

waiting="mprun: starting no more tasks, waiting for 1 running"

# now: the running task is stopped at once.
for spec in now,fail=1 2; do
	halt_run "$spec" "sleep 10; echo slow" "sleep 0.2; exit 3"
	check_rc 3
	check_out ""
	check_err "mprun: halting: task 2 failed: sleep 0.2; exit 3"
	[ "$ms" -lt 4000 ] || fail "--halt $spec: the run took $ms ms"
done
# soon: the running task finishes, its output comes.
for spec in soon,fail=1 1; do
	halt_run "$spec" "sleep 1; echo slow" "sleep 0.2; exit 3"
	check_rc 3
	check_out "slow"
	check_err "$(lines "mprun: halting: task 2 failed: sleep 0.2; exit 3" \
	    "$waiting")"
	[ "$ms" -ge 900 ] || fail "--halt $spec: did not wait ($ms ms)"
done

# success: status 0.
halt_run now,success=1 "sleep 10; echo slow" "sleep 0.2"
check_rc 0
check_out ""
check_err "mprun: halting: task 2 succeeded: sleep 0.2"
[ "$ms" -lt 4000 ] || fail "--halt now,success=1: the run took $ms ms"
halt_run soon,success=1 "sleep 1; echo slow" "sleep 0.2"
check_rc 0
check_out "slow"
check_err "$(lines "mprun: halting: task 2 succeeded: sleep 0.2" "$waiting")"

# done: any finished task counts; the status is the trigger's.
halt_run now,done=1 "sleep 10; echo slow" "sleep 0.2; exit 4"
check_rc 4
check_out ""
check_err "mprun: halting: task 2 finished: sleep 0.2; exit 4"
halt_run soon,done=1 "sleep 1; echo slow" "sleep 0.2"
check_rc 0
check_out "slow"
check_err "$(lines "mprun: halting: task 2 finished: sleep 0.2" "$waiting")"

# Counts: the 2nd failure triggers.
cmd='sleep 0.2; echo {}; exit {}'
run "$MPRUN" -j1 --halt now,fail=2 "$cmd" ::: 1 0 2 3 0
check_rc 2
check_out "$(lines 1 0 2)"
check_err "mprun: halting: task 3 failed: sleep 0.2; echo 2; exit 2"
run "$MPRUN" -j1 --halt now,done=3 "$cmd" ::: 0 6 7 0
check_rc 7
check_out "$(lines 0 6 7)"
check_err "mprun: halting: task 3 finished: sleep 0.2; echo 7; exit 7"
run "$MPRUN" -j1 --halt now,success=2 "$cmd" ::: 5 0 6 0 0
check_rc 0
check_out "$(lines 5 0 6 0)"
check_err "mprun: halting: task 4 succeeded: sleep 0.2; echo 0; exit 0"

# Percentages of the total (known: ::: arguments).
run "$MPRUN" -j1 --halt now,fail=50% "$cmd" ::: 3 4 0 0
check_rc 4
check_out "$(lines 3 4)"
check_err "mprun: halting: task 2 failed: sleep 0.2; echo 4; exit 4"
run "$MPRUN" -j1 --halt now,fail=30% "$cmd" ::: 0 0 5 0 6 0 7 0 0 0
check_rc 7
check_out "$(lines 0 0 5 0 6 0 7)"
check_err "mprun: halting: task 7 failed: sleep 0.2; echo 7; exit 7"
run "$MPRUN" -j1 --halt now,success=50% "$cmd" ::: 1 0 0 2
check_rc 0
check_out "$(lines 1 0 0)"
check_err "mprun: halting: task 3 succeeded: sleep 0.2; echo 0; exit 0"
run "$MPRUN" -j1 --halt now,fail=100% "$cmd" ::: 1 2
check_rc 2
check_out "$(lines 1 2)"
check_err "mprun: halting: task 2 failed: sleep 0.2; echo 2; exit 2"
# Never reached: the normal count rule.
run "$MPRUN" -j1 --halt now,fail=75% "$cmd" ::: 1 0 2 0
check_rc 2
check_out "$(lines 1 0 2 0)"
check_err ""

# The total not known yet (standard input still open): a percentage of
# the tasks finished so far; 1 failed of 2 finished is 50%.
run sh -c '{ printf "0\n5\n0\n"; sleep 3; printf "0\n"; } |
    "$1" -j1 --halt now,fail=50% "$2"' sh "$MPRUN" "$cmd"
check_rc 5
check_out "$(lines 0 5)"
check_err "mprun: halting: task 2 failed: sleep 0.2; echo 5; exit 5"

# A task killed by a signal: 128 + the signal.
run "$MPRUN" -j1 --halt now,fail=1 ::: 'sleep 0.2; kill -9 $$' 'touch ran2'
check_rc 137
check_out ""
check_err 'mprun: halting: task 1 failed: sleep 0.2; kill -9 $$'
[ -e ran2 ] && fail "--halt now,fail=1: the task after the killed one ran"
# A task stopped by --timeout is a failure, ended by TERM.
run "$MPRUN" -j1 --timeout 0.3 --halt now,fail=1 ::: 'sleep 10' 'touch ran2'
check_rc 143
check_out ""
check_err_match '^mprun: halting: task 1 failed: sleep 10$'
[ -e ran2 ] && fail "--halt after --timeout: the next task ran"

# never / 0: everything runs, the failures are counted.
for spec in never 0; do
	run "$MPRUN" -j2 --halt "$spec" "$cmd" ::: 0 3 4 0
	check_rc 2
	check_out "$(lines 0 3 4 0)"
	check_err ""
done

# --halt now with --joblog: the finished tasks have rows, the triggering
# one among them.
run "$MPRUN" -j1 --halt now,fail=1 --joblog "$T/jl" "$cmd" ::: 0 3 0
check_rc 3
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "sleep 0.2; echo 0; exit 0")
$(jlrow 2 3 0 "sleep 0.2; echo 3; exit 3")"

# Bad specifications.
for v in sometimes now later,fail=1 now,fail now,fail=0 now,fail=x \
    now,oops=1 now,fail=0% now,fail=101% 3 -1; do
	run "$MPRUN" --halt "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --halt: "
	[ -e "$T/ran" ] && fail "--halt $v ran a task"
	rm -f "$T/ran"
done

done_testing
