#!/bin/sh
# SIGHUP: start nothing new, let the running tasks finish (their output
# comes), then exit by the normal status rule (the failed tasks counted),
# not by the signal.  A second HUP, or INT/TERM, stops at once as before.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
started()
{
	[ -s "$T/pids/1" ] && [ -s "$T/pids/2" ]
}

# Two workers: tasks 1 and 2 run (2 fails), 3 and 4 wait and never start.
hup_run()
{
	rm -f "$T/pids/"* "$T/ran"
	start_bg "$MPRUN" -j2 ::: \
	    "echo \$\$ >$T/pids/1; sleep 1; echo one" \
	    "echo \$\$ >$T/pids/2; sleep 1; echo two; exit 3" \
	    "touch $T/ran; echo three" \
	    "touch $T/ran; echo four"
	wait_for 10 started || fail "the tasks did not start"
	sleep 0.2
}

hup_run
kill -s HUP "$bgpid"
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines one two)"
[ -e "$T/ran" ] && fail "SIGHUP: a queued task started"
[ "$ms" -ge 500 ] || fail "SIGHUP: did not wait for the tasks ($ms ms)"
[ "$ms" -lt 5000 ] || fail "SIGHUP: took $ms ms"

# All succeed: status 0; with a joblog, the rows of the two that ran.
rm -f "$T/pids/"* "$T/ran"
start_bg "$MPRUN" -j2 --joblog "$T/jl" ::: \
    "echo \$\$ >$T/pids/1; sleep 1; echo one" \
    "echo \$\$ >$T/pids/2; sleep 1; echo two" \
    "touch $T/ran; echo three"
wait_for 10 started || fail "the tasks did not start"
sleep 0.2
kill -s HUP "$bgpid"
wait_bg
check_rc 0
check_out "$(lines one two)"
[ -e "$T/ran" ] && fail "SIGHUP: a queued task started"
[ "$(tail -n +2 "$T/jl" | cut -f 1 | sort -n | tr '\n' ' ')" = "1 2 " ] ||
	fail "SIGHUP: joblog: $(cat "$T/jl")"

# A second HUP: at once, by the signal, the tasks' groups gone.
hup_run
kill -s HUP "$bgpid"
sleep 0.2
kill -s HUP "$bgpid"
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 129
[ "$ms" -lt 2000 ] || fail "second SIGHUP: took $ms ms"
for p in 1 2; do
	wait_for 1 group_dead "$(cat "$T/pids/$p")" ||
		fail "second SIGHUP: task $p's group is alive"
done
[ -e "$T/ran" ] && fail "second SIGHUP: a queued task started"

# HUP then TERM: as TERM.
hup_run
kill -s HUP "$bgpid"
sleep 0.2
kill -s TERM "$bgpid"
wait_bg
check_rc 143
check_out ""
for p in 1 2; do
	wait_for 1 group_dead "$(cat "$T/pids/$p")" ||
		fail "HUP then TERM: task $p's group is alive"
done

# Reading from standard input: HUP stops the reading too, and mprun does
# not wait for the end of its input.
rm -f "$T/pids/"*
mkfifo "$T/fifo"
# Opened read-write first, so that neither open of the fifo blocks.
exec 3<>"$T/fifo"
# (Not start_bg: a background command's stdin would be /dev/null.)
"$MPRUN" -j1 "echo \$\$ >$T/pids/1; sleep 0.5; echo {}" <"$T/fifo" 3>&- \
    >"$T/out" 2>"$T/err" &
bgpid=$!
bgpids="$bgpids $bgpid"
printf 'x\n' >&3
wait_for 10 test -s "$T/pids/1" || fail "the stdin task did not start"
kill -s HUP "$bgpid"
wait_for 5 dead "$bgpid" || fail "SIGHUP: mprun waits for its input to end"
exec 3>&-
wait_bg
check_rc 0
check_out "x"

done_testing
