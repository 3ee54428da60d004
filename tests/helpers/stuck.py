#!/usr/bin/env python3
"""stuck.py CMD [ARG...] - a launcher that hangs: it runs CMD with pipes
on its stdin and stdout and relays them, ignores SIGTERM, and when CMD
is killed by a signal it keeps our stdin and stdout open and never
exits, as srun does after its slurmstepd is killed.  While CMD lives it is a plain relay,
EOF included."""
import os
import signal
import subprocess
import sys
import threading
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, bufsize=0)


def down():
    try:
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            p.stdin.write(data)
        p.stdin.close()
    except OSError:
        pass


def up():
    while True:
        data = p.stdout.read1(65536) if hasattr(p.stdout, "read1") \
            else os.read(p.stdout.fileno(), 65536)
        if not data:
            break
        os.write(1, data)


threading.Thread(target=down, daemon=True).start()
t = threading.Thread(target=up, daemon=True)
t.start()
p.wait()
t.join()
if p.returncode >= 0:
    sys.exit(p.returncode)
while True:             # CMD was killed: hang, holding our pipes
    time.sleep(1000)
