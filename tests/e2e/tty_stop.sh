#!/bin/sh
# A task that reads the terminal (or writes it, under "stty tostop") is
# stopped by SIGTTIN / SIGTTOU, since tasks run in background process
# groups.  mprun does not hang on it: it says "mprun: task N was stopped by
# SIGTTIN (it used the terminal): killed" on the task's stderr, kills it
# (signal 9) and counts it as failed.  Run under a pseudo-terminal.
. "$(dirname "$0")/lib.sh"

need python3

# ptyrun.py [-t] TIMEOUT COMMAND...: runs COMMAND as the session leader of a
# new pty (with TOSTOP set when -t), copies what it writes to the pty to
# stdout without the CRs, and exits with its status (124 if it has not
# ended within TIMEOUT seconds; then it is killed).
cat >"$T/ptyrun.py" <<'PY'
import os, pty, signal, sys, termios, time
args = sys.argv[1:]
tostop = args[0] == "-t"
if tostop:
    args = args[1:]
limit = float(args[0])
args = args[1:]
pid, fd = pty.fork()
if pid == 0:
    attrs = termios.tcgetattr(0)
    attrs[3] &= ~termios.ECHO
    if tostop:
        attrs[3] |= termios.TOSTOP
    termios.tcsetattr(0, termios.TCSANOW, attrs)
    try:
        os.execvp(args[0], args)
    finally:
        os._exit(127)
out = b""
deadline = time.time() + limit
timedout = False
os.set_blocking(fd, False)
while True:
    if time.time() > deadline:
        timedout = True
        os.killpg(pid, signal.SIGKILL)
        break
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        time.sleep(0.02)
        continue
    except OSError:
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r", b""))
if timedout:
    sys.exit(124)
if os.WIFEXITED(status):
    sys.exit(os.WEXITSTATUS(status))
sys.exit(128 + os.WTERMSIG(status))
PY

ttin="was stopped by SIGTTIN (it used the terminal): killed"
ttou="was stopped by SIGTTOU (it used the terminal): killed"

# Reading the terminal: killed at once, the other task runs.
start=$(now_ms)
run python3 "$T/ptyrun.py" 20 "$MPRUN" -j2 --joblog "$T/jl" ::: \
    'read x </dev/tty; echo read:$x' "echo ok"
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines "mprun: task 1 $ttin" ok)"
[ "$ms" -lt 10000 ] || fail "SIGTTIN: the run took $ms ms"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 9 'read x </dev/tty; echo read:$x')
$(jlrow 2 0 0 'echo ok')"

# Output before the read is kept; a direct exec (no shell) as well.
run python3 "$T/ptyrun.py" 20 "$MPRUN" -j1 ::: \
    'echo before; cat /dev/tty; echo after'
check_rc 1
check_out "$(lines before "mprun: task 1 $ttin")"
run python3 "$T/ptyrun.py" 20 "$MPRUN" -j1 cat ::: /dev/tty
check_rc 1
check_out "mprun: task 1 $ttin"

# Writing the terminal under tostop.
run python3 "$T/ptyrun.py" -t 20 "$MPRUN" -j1 ::: 'echo hi >/dev/tty' 'echo ok'
check_rc 1
check_out "$(lines "mprun: task 1 $ttou" ok)"

# Without tostop, writing the terminal is allowed.
run python3 "$T/ptyrun.py" 20 "$MPRUN" -j1 ::: 'echo hi >/dev/tty' 'echo ok'
check_rc 0
check_out "$(lines hi ok)"

# Many tasks at once reading the terminal: each is reported, none hangs.
run python3 "$T/ptyrun.py" 30 "$MPRUN" -j4 'read x </dev/tty; : {}' ::: 1 2 3 4 5 6
check_rc 6
for i in 1 2 3 4 5 6; do
	grep -qx "mprun: task $i $ttin" "$T/out" ||
		fail "task $i was not reported: $(cat "$T/out")"
done

done_testing
