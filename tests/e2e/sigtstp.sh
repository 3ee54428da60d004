#!/bin/sh
# SIGTSTP (Ctrl-Z): mprun forwards it to every running task's process
# group, then stops itself; SIGCONT (fg, bg) is forwarded likewise, and the
# run goes on to the end as if nothing happened.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
started()
{
	[ -s "$T/pids/1" ] && [ -s "$T/pids/2" ]
}
# group_stopped PGID: every live process of the group is stopped.
group_stopped()
{
	ps -e -o pgid= -o stat= | awk -v g="$1" '
	    $1 == g && $2 !~ /^Z/ { n++; if ($2 !~ /^T/) bad = 1 }
	    END { exit bad || n == 0 }'
}
# group_running PGID: no live process of the group is stopped.
group_running()
{
	ps -e -o pgid= -o stat= | awk -v g="$1" '
	    $1 == g && $2 !~ /^Z/ { n++; if ($2 ~ /^T/) bad = 1 }
	    END { exit bad || n == 0 }'
}

start=$(now_ms)
# The tasks count 15 sleeps of 0.1 s (a stopped sleep(1) would still end
# on time: its clock runs on).
work='i=0; while [ $i -lt 15 ]; do sleep 0.1; i=$((i + 1)); done'
start_bg "$MPRUN" -j2 ::: \
    "echo \$\$ >$T/pids/1; $work; echo one" \
    "echo \$\$ >$T/pids/2; $work; echo two" \
    "echo three"
wait_for 10 started || fail "the tasks did not start"
pg1=$(cat "$T/pids/1")
pg2=$(cat "$T/pids/2")

kill -s TSTP "$bgpid"
wait_for 3 group_stopped "$pg1" || fail "task 1 was not stopped by SIGTSTP"
wait_for 3 group_stopped "$pg2" || fail "task 2 was not stopped by SIGTSTP"
wait_for 3 stopped "$bgpid" || fail "mprun did not stop itself"
# Nothing moves while stopped.
sleep 1
group_stopped "$pg1" || fail "task 1 went on while mprun was stopped"
stopped "$bgpid" || fail "mprun went on while stopped"
[ -s "$T/out" ] && fail "output while stopped: $(cat "$T/out")"

kill -s CONT "$bgpid"
wait_for 3 not_stopped "$bgpid" || fail "mprun did not continue"
wait_for 3 group_running "$pg1" || fail "task 1 was not continued"
wait_for 3 group_running "$pg2" || fail "task 2 was not continued"
wait_bg
ms=$(elapsed_ms "$start")
check_rc 0
check_out "$(lines one two three)"
check_err ""
# The tasks really were stopped: 1.5 s of work plus the second stopped.
[ "$ms" -ge 2300 ] || fail "the run took only $ms ms: the tasks did not stop"

# Stopped twice, and with a joblog the tasks still succeed.
rm -f "$T/pids/"*
start_bg "$MPRUN" -j2 --joblog "$T/jl" ::: \
    "echo \$\$ >$T/pids/1; sleep 1; echo one" \
    "echo \$\$ >$T/pids/2; sleep 1; echo two"
wait_for 10 started || fail "the tasks did not start (2)"
for i in 1 2; do
	kill -s TSTP "$bgpid"
	wait_for 3 stopped "$bgpid" || fail "mprun did not stop ($i)"
	wait_for 3 group_stopped "$(cat "$T/pids/1")" ||
		fail "task 1 was not stopped ($i)"
	kill -s CONT "$bgpid"
	wait_for 3 not_stopped "$bgpid" || fail "mprun did not continue ($i)"
	sleep 0.2
done
wait_bg
check_rc 0
check_out "$(lines one two)"
awk -F '\t' 'NR > 1 && ($7 != 0 || $8 != 0) { bad = 1 } END { exit bad }' \
    "$T/jl" || fail "stopped tasks do not show success: $(cat "$T/jl")"

# SIGTERM while stopped (a shell's kill sends CONT as well): as TERM.
rm -f "$T/pids/"*
start_bg "$MPRUN" -j1 "echo \$\$ >$T/pids/1; sleep 10; : {}" ::: 1
wait_for 10 test -s "$T/pids/1" || fail "the task did not start (3)"
kill -s TSTP "$bgpid"
wait_for 3 stopped "$bgpid" || fail "mprun did not stop (3)"
kill -s TERM "$bgpid"
kill -s CONT "$bgpid"
wait_bg
check_rc 143
wait_for 2 group_dead "$(cat "$T/pids/1")" ||
	fail "TERM while stopped: the task's group is alive"

done_testing
