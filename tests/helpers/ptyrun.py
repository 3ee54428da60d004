#!/usr/bin/env python3
# ptyrun.py [-t] [-i INPUT] TIMEOUT COMMAND...: runs COMMAND as the session
# leader of a new pseudo-terminal (echo off; TOSTOP set with -t), types
# INPUT on it half a second later (Python escapes: \n, \x04 for the EOF
# character), copies what COMMAND writes to the terminal to stdout without
# the CRs, and exits with its status: 124 if it has not ended within
# TIMEOUT seconds (it is then killed), 128+N if signal N ended it.
import codecs, os, pty, signal, sys, termios, time

args = sys.argv[1:]
tostop = False
typed = b""
while args and args[0] in ("-t", "-i"):
    if args[0] == "-t":
        tostop = True
        args = args[1:]
    else:
        typed = codecs.decode(args[1], "unicode_escape").encode("latin-1")
        args = args[2:]
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
start = time.time()
deadline = start + limit
timedout = False
os.set_blocking(fd, False)
while True:
    # Not before the child has turned echo off: on a loaded machine it
    # may not have run yet, and the terminal would echo what we type.
    if typed and time.time() > start + 0.5 and \
            not termios.tcgetattr(fd)[3] & termios.ECHO:
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
