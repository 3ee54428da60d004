#!/bin/sh
# --launcher CMD starts every worker as "CMD mprun --worker-mode" (mprun
# found on PATH, or --remote-mprun PATH): output, order, exit status and
# joblog are as with local workers.  A launcher that cannot start is an
# error, and a worker that cannot say hello three times in a row ends the
# run.
. "$(dirname "$0")/lib.sh"

mkdir "$T/bin"
ln -s "$MPRUN" "$T/bin/mprun"
PATH=$T/bin:$PATH
export PATH

cmd='echo {}; exit $(( {} == 4 ))'
run "$MPRUN" -j3 "$cmd" ::: 1 2 3 4 5 6
cp "$T/out" "$T/local.out"
local_rc=$rc
for launcher in env 'sh -c "exec \"\$@\"" sh'; do
	run "$MPRUN" -j3 --launcher "$launcher" --joblog "$T/jl" "$cmd" \
	    ::: 1 2 3 4 5 6
	check_rc "$local_rc"
	check_out "$(cat "$T/local.out")"
	check_err ""
	# The Host column names the host the worker said it runs on.
	[ "$(cut -f2 "$T/jl" | sed 1d | sort -u)" = "$(hostname)" ] ||
		fail "--launcher '$launcher': Host column: $(cut -f2 "$T/jl")"
	[ "$(sed 1d "$T/jl" | wc -l)" -eq 6 ] || fail "not 6 joblog rows"
done

# Slots number the launched workers.
run "$MPRUN" -j3 --launcher env --chunksize 1 'sleep 0.2; echo {%}' \
    ::: 1 2 3 4 5 6
check_rc 0
[ "$(slots | tr '\n' ' ')" = "1 2 3 " ] || fail "slots: $(slots)"

# --remote-mprun names the worker's mprun.
PATH=${PATH#*:}
run "$MPRUN" -j2 --launcher env --remote-mprun "$MPRUN" echo ::: a b
check_rc 0
check_out "$(lines a b)"
PATH=$T/bin:$PATH

# A launcher that is not there, and one whose workers never answer.
run "$MPRUN" --launcher "$T/nonexistent" echo ::: a
check_rc 255
check_out ""
check_err_match "cannot start a worker with $T/nonexistent"
run "$MPRUN" -j2 --launcher env --remote-mprun false echo ::: a b
check_rc 255
check_out ""
check_err_match '^mprun: the launcher failed 3 times in a row; giving up$'

# Usage errors.
run "$MPRUN" --launcher env -S : echo ::: a
check_rc 255
check_err_match '^mprun: --launcher cannot be combined with -S$'
run "$MPRUN" --launcher env --worker cat ::: a
check_rc 255
check_err_match '^mprun: --worker cannot be combined with --launcher: persistent workers run on this machine only$'

# A launched worker that dies is named by the host it said it runs on,
# and its task does not outlive it: its guardian (guard.c) ends the
# task's process group, a background child included, with the termseq.
start_bg "$MPRUN" -j1 --launcher env --remote-mprun "$MPRUN" \
    "echo \$\$ >$T/tpgid{#}; echo \$PPID >$T/wpid{#};
     [ {#} -ne 1 ] || { sleep 60 & sleep 60; }; echo {#}" ::: 1 2
wait_for 10 test -s "$T/wpid1" || fail "task 1 did not start"
kill -9 "$(cat "$T/wpid1")"
wait_bg
check_rc 1
check_out "2"
check_err_match "^mprun: worker in slot 1 on $(hostname) died \(.*\): task 1 failed\$"
wait_for 10 group_dead "$(cat "$T/tpgid1")" ||
	fail "the dead worker's task is still running: $(ps -o pid,args \
	    -g "$(cat "$T/tpgid1")")"

# A launcher that hangs once its worker is killed (srun after a kill -9
# of its slurmstepd) keeps our pipes open and ignores SIGTERM: a task
# that times out on it is settled all the same, the transport ended with
# the termseq once the worker has had its time to answer.
run "$MPRUN" -j1 --timeout 1.5 --termseq TERM,200,KILL,25 \
    --launcher "python3 $SRCDIR/tests/helpers/stuck.py" --remote-mprun "$MPRUN" \
    '[ {} -ne 2 ] || { sleep 0.5; kill -9 $PPID; sleep 30; }; echo {}' ::: 1 2 3
check_rc 1
check_out "$(lines 1 3)"
check_err_match '^mprun: task 2 timed out after 1.5 s: '
check_err_match "^mprun: worker in slot 1 on $(hostname) did not answer after a --timeout; ending its transport\$"
pgrep -f "$SRCDIR/tests/helpers/stuck.py" >/dev/null &&
	fail "a stuck launcher is still running"

done_testing
