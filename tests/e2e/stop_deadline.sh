#!/bin/sh
# A stop has a bounded worst case: the workers run the termseq on their
# tasks, and whatever still runs a second after it (here, workers frozen
# with SIGSTOP, which cannot act on the STOP) is killed by mprun itself,
# which then dies by the signal as usual.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
all_started()
{
	[ "$(ls "$T/pids" | wc -l)" -ge 2 ]
}
start_bg "$MPRUN" -j2 --termseq TERM,300,KILL,100 \
    "echo \$\$ >$T/pids/{}; exec sleep 60" ::: 1 2
wait_for 10 all_started || fail "the tasks did not start"
for w in $(workers_of "$bgpid"); do
	kill -STOP "$w"
done
t0=$(now_ms)
kill -INT "$bgpid"
wait_bg
t1=$(now_ms)
check_rc 130
check_err_match '^mprun: still running 900 ms after the stop: killing the rest$'
[ "$(grep -c '^mprun: worker in slot [12] died (killed by signal 9): task [12] failed$' "$T/err")" -eq 2 ] ||
	fail "not two worker deaths on stderr: $(cat "$T/err")"
[ "$(count_lines "$T/err")" -eq 3 ] || fail "not three lines on stderr"
# 1.4 s at most by design; the bound only catches a hang.
[ $((t1 - t0)) -lt 10000 ] || fail "the stop took $((t1 - t0)) ms"
sleep 0.2
for f in "$T"/pids/*; do
	if group_alive "$(cat "$f")"; then
		fail "task ${f##*/} alive after the stop"
		kill -9 -- "-$(cat "$f")" 2>/dev/null
	fi
done

done_testing
