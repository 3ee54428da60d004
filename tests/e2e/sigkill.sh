#!/bin/sh
# If mprun is SIGKILLed, its workers notice the closed pipe and stop their
# tasks (within the termseq): no task is alive a second later.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
all_started()
{
	[ "$(ls "$T/pids" | wc -l)" -ge 3 ]
}
# Tasks: a plain one, one with a child in its group, one ignoring TERM.
start_bg "$MPRUN" -j3 ::: \
    "echo \$\$ >$T/pids/1; exec sleep 60" \
    "echo \$\$ >$T/pids/2; sleep 60 & sleep 60" \
    "trap '' TERM; echo \$\$ >$T/pids/3; sleep 60 & sleep 60"
wait_for 10 all_started || fail "the tasks did not start"
sleep 0.2
workers=$(helpers_of "$bgpid" | tr '\n' ' ')
kill -9 "$bgpid"
wait_bg
sleep 1
for f in "$T"/pids/*; do
	pg=$(cat "$f")
	if group_alive "$pg"; then
		fail "task ${f##*/} (group $pg) alive 1 s after mprun's SIGKILL"
		kill -9 -- "-$pg" 2>/dev/null
	fi
done
for w in $workers; do
	if alive "$w"; then
		fail "worker $w alive 1 s after mprun's SIGKILL"
		kill -9 "$w" 2>/dev/null
	fi
done

# The same while the workers are busy writing output nobody reads.
rm -f "$T/pids/"*
start_bg "$MPRUN" -j2 ::: "echo \$\$ >$T/pids/1; exec yes" \
    "echo \$\$ >$T/pids/2; exec yes"
wait_for 10 test -s "$T/pids/2" || fail "the tasks did not start"
sleep 0.5
kill -9 "$bgpid"
wait_bg
sleep 1
for f in "$T"/pids/*; do
	pg=$(cat "$f")
	if group_alive "$pg"; then
		fail "yes task ${f##*/} alive 1 s after mprun's SIGKILL"
		kill -9 -- "-$pg" 2>/dev/null
	fi
done

done_testing
