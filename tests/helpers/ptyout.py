#!/usr/bin/env python3
"""ptyout.py CMD [ARG...] - a launcher's relay that gives CMD a new
terminal for its standard output only (as srun -u does) and copies what
CMD writes there to our standard output, byte for byte; stdin and stderr
are passed on as they are.  Exits with CMD's status."""
import os
import sys

master, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.dup2(slave, 1)
    os.close(slave)
    os.execvp(sys.argv[1], sys.argv[1:])
os.close(slave)
while True:
    try:
        data = os.read(master, 65536)
    except OSError:         # EIO: the slave side is closed
        break
    if not data:
        break
    os.write(1, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
