#!/usr/bin/env python3
"""trickle.py - a slow relay: copies stdin to stdout a few bytes at a
time, with a short pause after each piece, as a launcher's relay over a
slow link might.  Used as `CMD | trickle.py`."""
import os
import time

while True:
    data = os.read(0, 7)
    if not data:
        break
    os.write(1, data)
    time.sleep(0.0005)
