#!/bin/sh
# A task that daemonises: a documented limit.  mprun follows a task's
# process group, so a daemon that left it (setsid) is out of its reach:
# it is not stopped, and outlives mprun.  A daemon that closed its output
# (as daemons do) holds nothing up: the task is over when its process
# exits.  One that kept the task's stdout or stderr keeps the task
# running until it closes them (as a shell's $(...) would wait): its
# output is the task's, and the slot stays busy meanwhile.  A stop
# (SIGTERM) does not wait for such a daemon.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"

# kill_daemon NAME: the daemon that wrote its pid to $T/pids/NAME is
# killed here (mprun leaves it alone).
kill_daemon()
{
	if [ -s "$T/pids/$1" ]; then
		kill -9 "$(cat "$T/pids/$1")" 2>/dev/null
	fi
}

# A well-behaved daemon: its own session, output closed.  The run ends at
# once (well before the daemon's 30 s), and the daemon lives on.
start=$(now_ms)
run "$MPRUN" -j1 ::: \
    "setsid sh -c 'echo \$\$ >$T/pids/d1; exec sleep 30' \
    </dev/null >/dev/null 2>&1 & echo a" \
    "echo b"
ms=$(elapsed_ms "$start")
check_rc 0
check_out "$(lines a b)"
check_err ""
[ "$ms" -lt 10000 ] ||
	fail "a daemon with its output closed held the run $ms ms"
wait_for 5 test -s "$T/pids/d1" || fail "the daemon did not start"
if [ -s "$T/pids/d1" ]; then
	alive "$(cat "$T/pids/d1")" ||
		fail "the daemon did not outlive mprun (the limit changed?)"
fi
kill_daemon d1

# A daemon that kept the task's stdout: the task lasts until the daemon
# closes it, so the daemon's late line is the task's output, and the next
# task (same slot) comes after it.
run "$MPRUN" -j1 ::: \
    "setsid sh -c 'sleep 1; echo late' & echo a" "echo b"
check_rc 0
check_out "$(lines a late b)"
check_err ""
# The same on stderr.
run "$MPRUN" -j1 ::: \
    "setsid sh -c 'sleep 1; echo late >&2' & echo a" "echo b"
check_rc 0
check_out "$(lines a b)"
check_err "late"

# A stop does not wait for it: SIGTERM ends the run within the termseq
# (375 ms) plus 1 s; the daemon is left running.
start_bg "$MPRUN" -j1 ::: \
    "setsid sh -c 'echo \$\$ >$T/pids/d2; exec sleep 30' & echo a" "echo b"
wait_for 10 test -s "$T/pids/d2" || fail "the daemon did not start"
sleep 0.3
kill -s TERM "$bgpid"
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 143
check_out "a"
[ "$ms" -lt 1375 ] || fail "SIGTERM: mprun waited $ms ms for the daemon"
if [ -s "$T/pids/d2" ]; then
	alive "$(cat "$T/pids/d2")" ||
		fail "the daemon was stopped (the limit changed?)"
fi
kill_daemon d2

done_testing
