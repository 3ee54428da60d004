#!/bin/sh
# An fd the caller opened for mprun (3>file) reaches the tasks, as it
# would from xargs: with workers forked by the fork server and with
# workers started by exec.  mprun's own fds do not.
. "$(dirname "$0")/lib.sh"

for MPRUN_EXEC_WORKERS in '' 1; do
	if [ -n "$MPRUN_EXEC_WORKERS" ]; then
		export MPRUN_EXEC_WORKERS
	fi
	run sh -c '"$1" -j2 "echo task {} >&3" ::: 1 2 3>"$2"' sh "$MPRUN" \
	    "$T/three"
	check_rc 0
	check_out ""
	[ "$(sort "$T/three")" = "$(lines 'task 1' 'task 2')" ] ||
		fail "fd 3 (exec workers: ${MPRUN_EXEC_WORKERS:-no}): $(cat "$T/three")"
	# A task has the fds a command run here would have, and no more.
	run sh -c 'ls /proc/self/fd'
	cp "$T/out" "$T/want"
	run "$MPRUN" 'ls /proc/self/fd; : {}' ::: 1
	check_rc 0
	check_out_file "$T/want"
done

done_testing
