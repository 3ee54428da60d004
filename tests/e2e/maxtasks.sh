#!/bin/sh
# --maxtasksperchild n: a worker retires after n tasks and a fresh one
# takes its slot (tasks are the worker's children: $PPID is the worker).
# 0 (the default) means never.
. "$(dirname "$0")/lib.sh"

seq 20 >"$T/in"

run "$MPRUN" -j1 --maxtasksperchild 1 'echo $PPID {%}; : {}' <"$T/in"
check_rc 0
[ "$(count_lines "$T/out")" -eq 20 ] || fail "not 20 lines"
[ "$(cut -d ' ' -f 1 "$T/out" | sort -u | count_lines /dev/stdin)" -ge 20 ] ||
	fail "--maxtasksperchild 1: fewer than 20 distinct workers"
[ "$(cut -d ' ' -f 2 "$T/out" | sort -u)" = 1 ] ||
	fail "--maxtasksperchild 1: the slot changed"

# Five tasks per worker: 4 workers, each running 5 consecutive tasks.
run "$MPRUN" -j1 --maxtasksperchild 5 'echo $PPID; : {}' <"$T/in"
check_rc 0
[ "$(sort -u "$T/out" | count_lines /dev/stdin)" -eq 4 ] ||
	fail "--maxtasksperchild 5: not 4 distinct workers"
[ "$(uniq "$T/out" | count_lines /dev/stdin)" -eq 4 ] ||
	fail "--maxtasksperchild 5: a worker's tasks are not consecutive"

# The quota caps the chunk size.
run "$MPRUN" -j1 --chunksize 8 --maxtasksperchild 3 'echo $PPID; : {}' <"$T/in"
check_rc 0
[ "$(uniq -c "$T/out" | awk '{ print $1 }' | tr '\n' ' ')" = \
    "3 3 3 3 3 3 2 " ] ||
	fail "--maxtasksperchild 3 --chunksize 8: runs of $(uniq -c "$T/out" |
	    awk '{ print $1 }' | tr '\n' ' ')"

# 0 is never.
run "$MPRUN" -j1 --maxtasksperchild 0 'echo $PPID; : {}' <"$T/in"
check_rc 0
[ "$(sort -u "$T/out" | count_lines /dev/stdin)" -eq 1 ] ||
	fail "--maxtasksperchild 0: more than one worker"

# Several slots, recycled: output stays in order, slots stay in 1..3.
seq 300 >"$T/in"
run "$MPRUN" -j3 --maxtasksperchild 2 echo <"$T/in"
check_rc 0
check_out_file "$T/in"
run "$MPRUN" -j3 --maxtasksperchild 2 echo {%} <"$T/in"
check_rc 0
[ -z "$(grep -v '^[123]$' "$T/out")" ] || fail "slots outside 1..3"

done_testing
