#!/bin/sh
# A task's stdout goes to stdout and its stderr to stderr, in the order it
# wrote them, never mixed with another task's output (default --group),
# whether the task is the head one (streamed) or waited for its turn
# (replayed).
. "$(dirname "$0")/lib.sh"

expect 0 "$(lines out1 out2 out1 out2)" "$(lines err1 err1)" \
    "$MPRUN" "$TH" -o out1 -e err1 -o out2 ::: a b

# Both streams into one file: the write order of each task is kept, tasks
# are not mixed, and the held-back task (the fast second one) is replayed
# in the order it wrote.  (Writes to the two pipes at the same instant
# cannot be ordered by anyone: the task pauses 50 ms between them.)
run sh -c '"$MPRUN" -j2 "$TH" -s {} -o o{} -s 50 -e e{} -s 50 -o p{} \
    -s 50 -e f{} ::: 600 10 2>&1'
check_rc 0
check_out "$(lines o600 e600 p600 f600 o10 e10 p10 f10)"

# Bigger interleaved output.
run sh -c '"$MPRUN" -j3 "$TH" -s {} -o a{} -s 50 -e b{} -s 50 -n 100000 \
    -s 50 -e c{} -s 50 -o d{} ::: 500 250 0 2>&1'
check_rc 0
for s in 500 250 0; do
	"$TH" -o a$s -e b$s -n 100000 -e c$s -o d$s 2>&1
done >"$T/exp"
check_out_file "$T/exp"

# stderr only, with --unordered.
expect 0 "" "$(lines e1 e2)" "$MPRUN" --unordered -j2 "$TH" -s {} -e e{#} \
    ::: 10 500

# stdout closed, stderr still works (and the other way round).
run sh -c '"$MPRUN" "$TH" -o o -e e ::: a 2>&1 >/dev/null'
check_rc 0
check_out "e"

done_testing
