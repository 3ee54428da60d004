#!/bin/sh
# When the reader of stdout goes away, mprun stops its tasks and dies by
# SIGPIPE, silently (shell status 141), like other filters; a long input
# then does not keep it going.
. "$(dirname "$0")/lib.sh"

# epipe_status ARGS...: mprun ARGS | head -c 1; its status goes to
# $T/status, its stderr to $T/err.
epipe_status()
{
	lastcmd="$MPRUN $* | head -c 1"
	rm -f "$T/status"
	_start=$(now_ms)
	timeout -k 5 30 sh -c '"$@" 2>"$T/err"; echo $? >"$T/status"' sh \
	    "$MPRUN" "$@" | head -c 1 >/dev/null
	_ms=$(($(now_ms) - _start))
	rc=$(cat "$T/status" 2>/dev/null || echo none)
	[ "$_ms" -lt 10000 ] || fail "took $_ms ms: $lastcmd"
}

epipe_status "$TH" -n 100000000 ::: 1
check_rc 141
check_err ""
epipe_status -j2 "$TH" -n 100000000 ::: 1 2
check_rc 141
check_err ""
epipe_status -j2 --unordered "$TH" -n 100000000 ::: 1 2
check_rc 141
epipe_status -u "$TH" -n 100000000 ::: 1
check_rc 141
epipe_status --lb "$TH" -n 100000000 ::: 1
check_rc 141
# The tasks print little but there are many of them.
epipe_status echo ::: $(seq 100000)
check_rc 141
check_err ""

# Its tasks are stopped: a task that would sleep for a minute is gone.
# (The reader waits a second so that both tasks have started.)  Five
# times, as the timing varies.
for i in 1 2 3 4 5; do
	rm -f "$T/pid" "$T/status"
	start=$(now_ms)
	timeout -k 5 30 sh -c '"$MPRUN" -j2 ::: yes \
	    "echo \$\$ >$T/pid; exec sleep 60" 2>"$T/err"
	    echo $? >"$T/status"' | { sleep 1; head -c 1 >/dev/null; }
	ms=$(($(now_ms) - start))
	rc=$(cat "$T/status" 2>/dev/null || echo none)
	lastcmd="mprun -j2 ::: yes 'sleep 60' | (sleep 1; head -c 1), run $i"
	check_rc 141
	check_err ""
	[ "$ms" -lt 10000 ] || fail "took $ms ms: $lastcmd"
	if [ ! -s "$T/pid" ]; then
		fail "the second task did not start"
	elif ! wait_for 2 dead "$(cat "$T/pid")"; then
		fail "a task outlived mprun's death by SIGPIPE"
		kill -9 "$(cat "$T/pid")"
	fi
done

done_testing
