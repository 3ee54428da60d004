#!/bin/sh
# A worker that dies loses no task: the task it was running fails
# ("mprun: worker in slot N died (...): task SEQ failed" on stderr, exit
# status 1), the rest of its chunk goes to other workers, and every other
# task's output is still printed.
. "$(dirname "$0")/lib.sh"

# Workers forked by the fork server, then workers started with exec.
for MPRUN_EXEC_WORKERS in '' 1; do
if [ -n "$MPRUN_EXEC_WORKERS" ]; then
	export MPRUN_EXEC_WORKERS
fi
rm -rf "$T/ppid"
mkdir "$T/ppid"
# Each task records its parent, the worker, then sleeps a little; task 1
# sleeps long enough for the test to kill its worker.
start_bg "$MPRUN" -j2 --chunksize 3 \
    "echo \$PPID >$T/ppid/{#}; sleep \$(( {#} == 1 ? 5 : 0 )).3; echo {#}" \
    ::: 1 2 3 4 5 6
wait_for 10 test -s "$T/ppid/1" || fail "task 1 did not start"
worker=$(cat "$T/ppid/1")
if ! workers_of "$bgpid" | grep -qx "$worker"; then
	fail "task 1's parent $worker is not a worker of mprun $bgpid"
fi
kill -9 "$worker"
wait_bg
check_rc 1
check_out "$(lines 2 3 4 5 6)"
check_err_match '^mprun: worker in slot [12] died \(.*\): task 1 failed$'
[ "$(count_lines "$T/err")" -eq 1 ] || fail "not one line on stderr"

# Tasks 2 and 3 (the rest of the dead worker's chunk) ran elsewhere.
for i in 2 3; do
	[ "$(cat "$T/ppid/$i")" != "$worker" ] ||
		fail "task $i ran on the dead worker"
done

# The same with one worker, found from mprun's pid: later tasks go to
# its replacement.  Task 1 sleeps long enough to be killed on a loaded
# machine; the others, a little.
rm -f "$T/ppid/"*
start_bg "$MPRUN" -j1 \
    "echo \$PPID >$T/ppid/{#}; sleep \$(( {#} == 1 ? 5 : 0 )).3; echo {#}" \
    ::: 1 2 3 4
wait_for 10 test -s "$T/ppid/1" || fail "task 1 did not start"
worker=$(workers_of "$bgpid" | head -n 1)
kill -9 "$worker"
wait_bg
check_rc 1
check_out "$(lines 2 3 4)"
check_err_match '^mprun: worker in slot 1 died \(.*\): task 1 failed$'
done

done_testing
