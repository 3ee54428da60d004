#!/bin/sh
# --chunksize n: a worker gets n tasks at a time, so consecutive tasks of a
# chunk run on the same worker (same slot, same worker pid = the task's
# parent).  Workers persist between tasks: -j1 runs everything in one
# worker.  Results stay in input order whatever the chunking.
. "$(dirname "$0")/lib.sh"

# Tasks of 0.3 s, so the second worker is surely up before the first has
# finished its chunk.
run "$MPRUN" -j2 --chunksize 3 'sleep 0.3; echo {%} $PPID' \
    ::: 1 2 3 4 5 6
check_rc 0
a=$(sed -n 1p "$T/out")
b=$(sed -n 4p "$T/out")
if [ "$(sed -n 1,3p "$T/out" | sort -u | count_lines /dev/stdin)" -ne 1 ] ||
    [ "$(sed -n 4,6p "$T/out" | sort -u | count_lines /dev/stdin)" -ne 1 ] ||
    [ "$a" = "$b" ]; then
	fail "--chunksize 3 -j2: tasks 1-3 and 4-6 not on one worker each"
	cat "$T/out"
fi

# One worker for everything when nothing retires it.
seq 50 >"$T/in"
run "$MPRUN" -j1 'echo $PPID; : {}' <"$T/in"
check_rc 0
[ "$(sort -u "$T/out" | count_lines /dev/stdin)" -eq 1 ] ||
	fail "-j1: more than one worker pid"
[ "$(count_lines "$T/out")" -eq 50 ] || fail "-j1: not 50 lines"

# Order and completeness with several chunk sizes.
seq 500 >"$T/in"
for c in 1 2 7 64 1000; do
	run "$MPRUN" -j3 --chunksize $c echo <"$T/in"
	check_rc 0
	check_out_file "$T/in"
done

# Bad values.
run "$MPRUN" --chunksize x echo ::: a
check_rc 255
check_out ""
check_err "$(lines "mprun: --chunksize: 'x' is not a number" \
    "Try 'mprun --help'.")"
run "$MPRUN" --chunksize 0 echo ::: a
check_rc 255
check_out ""
check_err_match "^mprun: --chunksize: '0' is too small$"

done_testing
