#!/bin/sh
# A task's stdin is never the task stream nor the terminal: under a
# pseudo-terminal, with mprun reading its records from that terminal or
# from a pipe, a task (and --init) that reads its stdin gets EOF at once
# (/dev/null), is not stopped by SIGTTIN and does not swallow records.
# (A task opening /dev/tty itself is in tty_stop.sh; stdin from a file in
# task_env.sh.)
. "$(dirname "$0")/lib.sh"

# Records from a pipe: a task reading stdin gets none of them.
run sh -c 'printf "a\nb\nc\n" | "$MPRUN" -j1 "cat; echo {}"'
check_rc 0
check_out "$(lines a b c)"
check_err ""
run sh -c 'printf "a\nb\nc\n" | "$MPRUN" -j2 --init cat "$TH" -r -o {}'
check_rc 0
check_err ""
for r in a b c; do
	lines stdin=devnull pgrp=own mask=empty sigdfl=yes "$r"
done >"$T/want"
check_out_file "$T/want"

need python3

# ptyrun.py TIMEOUT INPUT COMMAND...: runs COMMAND as the session leader of
# a new pty (echo off), types INPUT on it (Python escapes: \n, \x04 for
# the EOF character) half a second later, copies what COMMAND writes to
# the pty to stdout without the CRs, and exits with its status (124 if it
# has not ended within TIMEOUT seconds; then it is killed).
cat >"$T/ptyrun.py" <<'PY'
import codecs, os, pty, signal, sys, termios, time
limit = float(sys.argv[1])
typed = codecs.decode(sys.argv[2], "unicode_escape").encode("latin-1")
args = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    attrs = termios.tcgetattr(0)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(0, termios.TCSANOW, attrs)
    try:
        os.execvp(args[0], args)
    finally:
        os._exit(127)
out = b""
start = time.time()
deadline = start + limit
timedout = False
os.set_blocking(fd, False)
while True:
    if typed and time.time() > start + 0.5:
        os.write(fd, typed)
        typed = b""
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

want1=$(lines stdin=devnull pgrp=own mask=empty sigdfl=yes)

# ::: arguments, under a terminal.
run python3 "$T/ptyrun.py" 20 '' "$MPRUN" "$TH" -r ::: 1
check_rc 0
check_out "$want1"
run python3 "$T/ptyrun.py" 20 '' "$MPRUN" -j2 'cat; echo {}' ::: a b
check_rc 0
check_out "$(lines a b)"
run python3 "$T/ptyrun.py" 20 '' "$MPRUN" -j1 --init "cat; exec $TH -r" \
    'echo {}' ::: a
check_rc 0
check_out "$want1
a"

# Records typed on the terminal, ended by the EOF character: they are the
# records, not the tasks' input.
run python3 "$T/ptyrun.py" 20 'a\nb\n\x04' "$MPRUN" -j1 'cat; echo {}'
check_rc 0
check_out "$(lines a b)"
run python3 "$T/ptyrun.py" 20 'x\n\x04' "$MPRUN" "$TH" -r -o {}
check_rc 0
check_out "$want1
x"
run python3 "$T/ptyrun.py" 20 'p\nq\n\x04' "$MPRUN" -j2 --unordered \
    "$TH" -s 200 -o {} -- {}
check_rc 0
sort "$T/out" >"$T/sorted"
lines p q >"$T/want"
check_file_is "typed records, --unordered (sorted)" "$T/want" "$T/sorted"

done_testing
