#!/bin/sh
# A task that reads the terminal (or writes it, under "stty tostop") is
# stopped by SIGTTIN / SIGTTOU, since tasks run in background process
# groups.  mprun does not hang on it: it says "mprun: task N was stopped by
# SIGTTIN (it used the terminal): killed" on the task's stderr, kills it
# (signal 9) and counts it as failed.  Run under a pseudo-terminal.
. "$(dirname "$0")/lib.sh"

need python3

# The pty runner: tests/helpers/ptyrun.py [-t] TIMEOUT COMMAND...
PTYRUN=$SRCDIR/tests/helpers/ptyrun.py

ttin="was stopped by SIGTTIN (it used the terminal): killed"
ttou="was stopped by SIGTTOU (it used the terminal): killed"

# Reading the terminal: killed at once, the other task runs.
start=$(now_ms)
run python3 "$PTYRUN" 20 "$MPRUN" -j2 --joblog "$T/jl" ::: \
    'read x </dev/tty; echo read:$x' "echo ok"
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines "mprun: task 1 $ttin" ok)"
[ "$ms" -lt 10000 ] || fail "SIGTTIN: the run took $ms ms"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 9 'read x </dev/tty; echo read:$x')
$(jlrow 2 0 0 'echo ok')"

# Output before the read is kept; a direct exec (no shell) as well.
run python3 "$PTYRUN" 20 "$MPRUN" -j1 ::: \
    'echo before; cat /dev/tty; echo after'
check_rc 1
check_out "$(lines before "mprun: task 1 $ttin")"
run python3 "$PTYRUN" 20 "$MPRUN" -j1 cat ::: /dev/tty
check_rc 1
check_out "mprun: task 1 $ttin"

# Writing the terminal under tostop.
run python3 "$PTYRUN" -t 20 "$MPRUN" -j1 ::: 'echo hi >/dev/tty' 'echo ok'
check_rc 1
check_out "$(lines "mprun: task 1 $ttou" ok)"

# Without tostop, writing the terminal is allowed.
run python3 "$PTYRUN" 20 "$MPRUN" -j1 ::: 'echo hi >/dev/tty' 'echo ok'
check_rc 0
check_out "$(lines hi ok)"

# Many tasks at once reading the terminal: each is reported, none hangs.
run python3 "$PTYRUN" 30 "$MPRUN" -j4 'read x </dev/tty; : {}' ::: 1 2 3 4 5 6
check_rc 6
for i in 1 2 3 4 5 6; do
	grep -qx "mprun: task $i $ttin" "$T/out" ||
		fail "task $i was not reported: $(cat "$T/out")"
done

done_testing
