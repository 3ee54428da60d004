#!/bin/sh
# SIGINT or SIGTERM: mprun stops dispatching, sends the termseq to every
# running task's process group, prints the output of the tasks that
# finished, and dies by the same signal (130 / 143).  A second signal
# kills every task group at once.  --termseq sets the signals sent.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"

# The first task finishes at once; the others write their pid (= their
# process group) and sleep; with two workers the 4th waits and never starts.
tasks()
{
	start_bg "$MPRUN" -j2 "$@" \
	    ::: "echo done1" \
	    "echo \$\$ >$T/pids/2; sleep 60 & sleep 60" \
	    "echo \$\$ >$T/pids/3; exec sleep 60" \
	    "echo \$\$ >$T/pids/4; exec sleep 60"
}
both_started()
{
	[ -s "$T/pids/2" ] && [ -s "$T/pids/3" ]
}

# signal_test SIG STATUS: one run, killed by SIG.
signal_test()
{
	rm -f "$T/pids/"*
	tasks
	wait_for 10 both_started || fail "$1: tasks did not start"
	sleep 0.2
	kill -s "$1" "$bgpid"
	start=$(now_ms)
	wait_bg
	ms=$(($(now_ms) - start))
	check_rc "$2"
	check_out "done1"
	[ "$ms" -lt 3000 ] || fail "$1: mprun took $ms ms to die"
	for p in 2 3; do
		pg=$(cat "$T/pids/$p")
		wait_for 1 group_dead "$pg" ||
			fail "$1: task $p's process group is still alive"
	done
	[ -e "$T/pids/4" ] && fail "$1: a task was started after the signal"
}
signal_test INT 130
signal_test TERM 143

# Ctrl-C at a terminal: SIGINT to mprun's whole process group, its
# workers included (the tasks have groups of their own).
if command -v setsid >/dev/null 2>&1; then
	rm -f "$T/pids/"*
	start_bg setsid "$MPRUN" -j2 ::: "echo done1" \
	    "echo \$\$ >$T/pids/2; exec sleep 60" \
	    "echo \$\$ >$T/pids/3; exec sleep 60"
	wait_for 10 both_started || fail "Ctrl-C: tasks did not start"
	sleep 0.2
	pgid=$(ps -o pgid= -p "$bgpid" | tr -d ' ')
	if [ "$pgid" = "$bgpid" ]; then
		kill -s INT -- "-$pgid"
		wait_bg
		check_rc 130
		check_out "done1"
		for p in 2 3; do
			wait_for 1 group_dead "$(cat "$T/pids/$p")" ||
				fail "Ctrl-C: task $p's process group is alive"
		done
	else
		kill -s KILL "$bgpid"
		echo "note: setsid did not make mprun a group leader"
	fi
fi

# A task that ignores TERM is killed with KILL at the end of the termseq
# (TERM,200,TERM,100,TERM,50,KILL,25: well under 2 s).
rm -f "$T/pids/"*
start_bg "$MPRUN" -j2 ::: "echo done1" \
    "trap '' TERM; echo \$\$ >$T/pids/2; sleep 60 & sleep 60"
wait_for 10 test -s "$T/pids/2" || fail "the task did not start"
sleep 0.2
kill -s TERM "$bgpid"
start=$(now_ms)
wait_bg
ms=$(($(now_ms) - start))
check_rc 143
check_out "done1"
[ "$ms" -lt 2000 ] || fail "TERM-ignoring task: mprun took $ms ms"
wait_for 1 group_dead "$(cat "$T/pids/2")" ||
	fail "the TERM-ignoring task's group is still alive"

# A second signal kills at once, even with a long termseq.
rm -f "$T/pids/"*
start_bg "$MPRUN" --termseq TERM,20000,KILL,25 ::: \
    "trap '' TERM; echo \$\$ >$T/pids/1; sleep 60 & sleep 60"
wait_for 10 test -s "$T/pids/1" || fail "the task did not start"
sleep 0.2
kill -s TERM "$bgpid"
sleep 0.5
alive "$bgpid" || fail "mprun did not wait out the termseq"
kill -s INT "$bgpid"
start=$(now_ms)
wait_bg
ms=$(($(now_ms) - start))
case $rc in
130|143)
	;;
*)
	fail "second signal: status $rc, expected 130 or 143"
	;;
esac
[ "$ms" -lt 2000 ] || fail "second signal: mprun took $ms ms to die"
wait_for 1 group_dead "$(cat "$T/pids/1")" ||
	fail "second signal: the task's group is still alive"

# --termseq: the task is sent INT first, which it reports.
rm -f "$T/pids/"*
start_bg "$MPRUN" --termseq INT,5000,KILL,25 ::: \
    "trap 'echo got-INT >$T/pids/sig; exit 0' INT; \
echo \$\$ >$T/pids/1; while :; do sleep 0.1; done"
wait_for 10 test -s "$T/pids/1" || fail "the task did not start"
sleep 0.2
kill -s TERM "$bgpid"
wait_bg
check_rc 143
wait_for 2 test -s "$T/pids/sig" || fail "--termseq INT: no INT received"

done_testing
