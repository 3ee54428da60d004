#!/bin/sh
# A launcher may put a relay between mprun and its worker: srun passes a
# task's output on only at a newline (or every 1024 bytes) unless given
# -u, and then gives the worker a terminal for its output.  mprun's frames
# must cross any such relay whole: every write to or from a launched
# worker ends with a newline (a NOP frame when the last frame does not
# end with one), and a worker whose output is a terminal makes it raw.
# Output, order and exit status are those of a local run, every byte.
. "$(dirname "$0")/lib.sh"

h=$SRCDIR/tests/helpers
# Output with bytes a terminal or a line relay might change: CR LF, a
# line without its newline, a NUL, a long line.
cmd='printf "%s\r\n\n" {}; [ {} -ne 3 ] || printf "no newline\0"; [ {} -ne 9 ] || head -c 3000 /dev/zero | tr "\0" x; [ {} -ne 7 ]'
seq 40 >"$T/in"
run "$MPRUN" -j3 "$cmd" <"$T/in"
cp "$T/out" "$T/local.out"
check_rc 1

for launcher in \
    "sh -c '\"\$@\" | sed -u \"\"' sh" \
    "sh -c 'sed -u \"\" | \"\$@\" | sed -u \"\"' sh" \
    "python3 $h/ptyout.py" \
    "sh -c '\"\$@\" | python3 $h/trickle.py' sh"; do
	run "$MPRUN" -j3 --launcher "$launcher" --remote-mprun "$MPRUN" \
	    --joblog "$T/jl" "$cmd" <"$T/in"
	check_rc 1
	check_out_file "$T/local.out"
	check_err ""
	[ "$(sed 1d "$T/jl" | wc -l)" -eq 40 ] ||
		fail "--launcher '$launcher': not 40 joblog rows"
	# One task, with nothing after it to push its frames through.
	run "$MPRUN" -j1 --launcher "$launcher" --remote-mprun "$MPRUN" \
	    true ::: 1
	check_rc 0
	check_out ""
	check_err ""
done

# A worker's stdin may not be a terminal (it would echo the frames back
# before the worker could make it raw), nor a file.
msg="mprun: --worker-mode is internal to mprun: its stdin must be a pipe, \
its stdout a pipe or a terminal"
run sh -c '{ "$1" --worker-mode; echo $? >"$2"; } | cat' sh "$MPRUN" \
    "$T/st" </dev/null
check_rc 0
check_out ""
check_err "$msg"
[ "$(cat "$T/st")" = 255 ] || fail "--worker-mode, stdin a file: $(cat "$T/st")"
run python3 -c '
import os, pty, subprocess, sys
m, s = pty.openpty()
r = subprocess.run([sys.argv[1], "--worker-mode"], stdin=s,
                   stdout=subprocess.PIPE)
sys.stdout.buffer.write(r.stdout)
sys.exit(r.returncode)' "$MPRUN"
check_rc 255
check_out ""
check_err "$msg"

done_testing
