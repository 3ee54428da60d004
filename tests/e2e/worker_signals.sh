#!/bin/sh
# --worker and signals: Ctrl-Z (SIGTSTP) stops the persistent workers'
# process groups and SIGCONT resumes them, with no result lost; a second
# stopping signal kills a worker's group at once, even one that ignores
# SIGTERM and would otherwise wait out a long --termseq; a worker stopped
# behind mprun's back still gets the termseq's first signal.
. "$(dirname "$0")/lib.sh"

# group_state PGID PATTERN: every live process of the group has a ps
# state matching PATTERN (T: stopped; [^T]: not stopped).
group_state()
{
	ps -e -o pgid= -o stat= | awk -v g="$1" -v p="^$2" '
	    $1 == g && $2 !~ /^Z/ { n++; if ($2 !~ p) bad = 1 }
	    END { exit bad || n == 0 }'
}

# pstat_is PID PATTERN: the process's ps state matches PATTERN.
pstat_is()
{
	ps -o stat= -p "$1" | grep -q "^$2"
}

# Each result takes 10 sleeps of 0.1 s, so the worker is busy when it is
# stopped (a stopped sleep(1) would still end on time).
work='i=0; while [ $i -lt 10 ]; do sleep 0.1; i=$((i + 1)); done'
start_bg "$MPRUN" -j1 --worker \
    "echo \$\$ >$T/wpid; while read x; do $work; echo \$x; done" ::: a b
wait_for 10 test -s "$T/wpid" || fail "the worker did not start"
pg=$(cat "$T/wpid")
sleep 0.2
kill -s TSTP "$bgpid"
wait_for 3 group_state "$pg" T || fail "SIGTSTP did not stop the worker"
wait_for 3 pstat_is "$bgpid" T || fail "mprun did not stop itself"
sleep 1.5
[ -s "$T/out" ] && fail "a result came while the worker was stopped"
kill -s CONT "$bgpid"
wait_for 3 group_state "$pg" '[^T]' || fail "SIGCONT did not resume it"
wait_bg
check_rc 0
check_out "$(lines a b)"

# A second SIGTERM: at once, by the signal, the worker's group gone.
rm -f "$T/wpid"
start_bg "$MPRUN" -j1 --termseq TERM,10000,KILL,10 --worker \
    "trap '' TERM; echo \$\$ >$T/wpid; while read x; do sleep 30; done" \
    ::: a
wait_for 10 test -s "$T/wpid" || fail "the worker did not start"
pg=$(cat "$T/wpid")
kill -s TERM "$bgpid"
sleep 0.3
alive "$bgpid" || fail "the first SIGTERM did not wait for the termseq"
kill -s TERM "$bgpid"
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 143
[ "$ms" -lt 2000 ] || fail "second SIGTERM: took $ms ms"
wait_for 1 group_dead "$pg" || fail "second SIGTERM: the worker's group lives"

# A --worker stopped behind mprun's back (kill -STOP) acts on the
# termseq's first signal, not only on the final SIGKILL: each step's
# signal is followed by SIGCONT, as for a task.
rm -f "$T/term"
start=$(now_ms)
stopper="trap 'echo term >$T/term; exit 1' TERM"
stopper="$stopper; while read x; do kill -STOP \$\$; done"
run "$MPRUN" -j1 --timeout 0.5 --termseq TERM,5000,KILL,10 \
    --worker "$stopper" ::: a
ms=$(elapsed_ms "$start")
check_rc 1
[ -s "$T/term" ] || fail "the stopped worker did not get SIGTERM and SIGCONT"
[ "$ms" -lt 4000 ] || fail "the stopped worker waited out the step: $ms ms"

done_testing
