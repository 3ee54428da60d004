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

# The pty runner: tests/helpers/ptyrun.py [-i INPUT] TIMEOUT COMMAND...
PTYRUN=$SRCDIR/tests/helpers/ptyrun.py

want1=$(lines stdin=devnull pgrp=own mask=empty sigdfl=yes)

# ::: arguments, under a terminal.
run python3 "$PTYRUN" 20 "$MPRUN" "$TH" -r ::: 1
check_rc 0
check_out "$want1"
run python3 "$PTYRUN" 20 "$MPRUN" -j2 'cat; echo {}' ::: a b
check_rc 0
check_out "$(lines a b)"
run python3 "$PTYRUN" 20 "$MPRUN" -j1 --init "cat; exec $TH -r" \
    'echo {}' ::: a
check_rc 0
check_out "$want1
a"

# Records typed on the terminal, ended by the EOF character: they are the
# records, not the tasks' input.
run python3 "$PTYRUN" -i 'a\nb\n\x04' 20 "$MPRUN" -j1 'cat; echo {}'
check_rc 0
check_out "$(lines a b)"
run python3 "$PTYRUN" -i 'x\n\x04' 20 "$MPRUN" "$TH" -r -o {}
check_rc 0
check_out "$want1
x"
run python3 "$PTYRUN" -i 'p\nq\n\x04' 20 "$MPRUN" -j2 --unordered \
    "$TH" -s 200 -o {} -- {}
check_rc 0
sort "$T/out" >"$T/sorted"
lines p q >"$T/want"
check_file_is "typed records, --unordered (sorted)" "$T/want" "$T/sorted"

done_testing
