#!/bin/sh
# A stop has a bounded worst case whatever the tasks do: after SIGINT or
# SIGTERM (to mprun, or to its whole process group as Ctrl-C sends it) or
# a --halt now, mprun is gone within the termseq's total plus 1 s, even
# with tasks that ignore TERM, INT and HUP (and so do their children),
# that are stopped (SIGSTOP), that spin with their output closed, or that
# left a child in a process group of its own holding their output pipes;
# and no task's process group is left.  A stdout reader that stopped
# reading does not hold a stop either.  (One TERM-ignoring task under the
# default termseq is in signals.sh; stopped workers in stop_deadline.sh.)
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"

# The hostile tasks, each recording its pid (its process group) under
# $T/pids once it is set up.
h_ignore="trap '' TERM INT HUP; sh -c \"trap '' TERM INT HUP; sleep 60\" &"
h_ignore="$h_ignore echo \$\$ >$T/pids/ignore; sleep 60"
h_stopped="echo \$\$ >$T/pids/stopped; kill -STOP \$\$"
h_spin="trap '' TERM; exec >&- 2>&-; echo \$\$ >$T/pids/spin;"
h_spin="$h_spin while :; do :; done"
h_escaper="perl -e 'setpgrp(0, 0); exec @ARGV' sleep 60 &"
h_escaper="$h_escaper echo \$! >$T/pids/escaped.pid;"
h_escaper="$h_escaper echo \$\$ >$T/pids/escaper; sleep 60"

# hostile COMMAND...: starts COMMAND (mprun and its options) with a task
# that just prints and ends, then the hostile ones.
hostile()
{
	start_bg "$@" ::: 'echo done1' "$h_ignore" "$h_stopped" "$h_spin" \
	    "$h_escaper"
}
all_started()
{
	[ "$(ls "$T/pids" | wc -l)" -ge 5 ]
}

# after_stop WHAT: no task's process group is left; the escaped child
# (a process group of its own: out of mprun's reach, see fault_daemon.sh)
# is killed here.
after_stop()
{
	for _t in ignore stopped spin escaper sleeper; do
		[ -s "$T/pids/$_t" ] || continue
		_pg=$(cat "$T/pids/$_t")
		if ! wait_for 1 group_dead "$_pg"; then
			fail "$1: task '$_t' (group $_pg) alive after the stop"
			kill -9 -- "-$_pg" 2>/dev/null
		fi
	done
	if [ -s "$T/pids/escaped.pid" ]; then
		kill -9 "$(cat "$T/pids/escaped.pid")" 2>/dev/null
	fi
	rm -f "$T/pids/"*
}

# stop_test HOW SIG STATUS TERMSEQ-TOTAL-MS [MPRUN-OPTIONS]: the hostile
# tasks, stopped by SIG sent to mprun ("pid") or to its process group
# ("group").
stop_test()
{
	_how=$1
	_sig=$2
	_status=$3
	_total=$4
	shift 4
	if [ "$_how" = group ]; then
		hostile setsid "$MPRUN" -j5 "$@"
	else
		hostile "$MPRUN" -j5 "$@"
	fi
	wait_for 10 all_started || fail "$_how $_sig: the tasks did not start"
	sleep 0.2
	if [ "$_how" = group ]; then
		_pg=$(ps -o pgid= -p "$bgpid" | tr -d ' ')
		if [ "$_pg" != "$bgpid" ]; then
			echo "note: setsid did not make mprun a group leader"
			kill -9 "$bgpid"
			wait_bg
			after_stop "$_how $_sig"
			return
		fi
		kill -s "$_sig" -- "-$bgpid"
	else
		kill -s "$_sig" "$bgpid"
	fi
	_start=$(now_ms)
	wait_bg
	_ms=$(elapsed_ms "$_start")
	lastcmd="mprun $* (hostile tasks), SIG$_sig to the $_how"
	check_rc "$_status"
	check_out "done1"
	check_err ""
	[ "$_ms" -lt $((_total + 1000)) ] ||
		fail "$lastcmd: gone after $_ms ms, more than $_total + 1000"
	after_stop "$_how $_sig"
}

stop_test pid INT 130 1025 --termseq TERM,1000,KILL,25
stop_test pid TERM 143 1025 --termseq TERM,1000,KILL,25
stop_test pid TERM 143 375
stop_test pid INT 130 375 --termseq TERM,200,TERM,100,TERM,50,KILL,25
if command -v setsid >/dev/null 2>&1; then
	stop_test group INT 130 1025 --termseq TERM,1000,KILL,25
	stop_test group TERM 143 375
fi

# --halt now: a task fails once the hostile ones are set up; from then on
# the same bound.
start_bg "$MPRUN" -j6 --halt now,fail=1 --termseq TERM,1000,KILL,25 \
    ::: 'echo done1' "$h_ignore" "$h_stopped" "$h_spin" "$h_escaper" \
    "while [ \$(ls $T/pids | wc -l) -lt 5 ]; do sleep 0.05; done;
    touch $T/failing; exit 3"
wait_for 10 test -e "$T/failing" || fail "halt: the failing task did not run"
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 3
check_out "done1"
check_err_match '^mprun: halting: task 6 failed: '
[ "$ms" -lt 2025 ] || fail "--halt now with hostile tasks: gone after $ms ms"
rm -f "$T/failing"
after_stop "halt now"

# A reader that stopped reading: mprun is blocked writing a task's output
# when SIGTERM comes; it must still be gone within the bound (default
# termseq: 375 ms, plus 1 s, plus 1 s of slack for the deadline's own
# kill), not wait for the reader forever.
mkfifo "$T/fifo"
(exec 3<"$T/fifo"; exec sleep 60) &
reader=$!
bgpids="$bgpids $reader"
start_bg sh -c 'exec "$@" >"$T/fifo"' sh "$MPRUN" -j2 \
    ::: "head -c 1000000 /dev/zero" "echo \$\$ >$T/pids/sleeper; sleep 60"
wait_for 10 test -s "$T/pids/sleeper" || fail "stalled reader: no task"
sleep 0.5
kill -s TERM "$bgpid"
start=$(now_ms)
gone()
{
	! kill -0 "$bgpid" 2>/dev/null || dead "$bgpid"
}
if wait_for 10 gone; then
	ms=$(elapsed_ms "$start")
	wait_bg
	lastcmd="mprun -j2 ... >FIFO-NOBODY-READS, SIGTERM"
	check_rc 143
	[ "$ms" -lt 2375 ] ||
		fail "stalled reader: gone $ms ms after SIGTERM, not < 2375"
else
	fail "stalled reader: mprun still alive 10 s after SIGTERM"
	kill -9 "$bgpid"
	wait_bg
fi
kill -9 "$reader" 2>/dev/null
after_stop "stalled reader"

done_testing
