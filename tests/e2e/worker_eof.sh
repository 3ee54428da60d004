#!/bin/sh
# A --worker that buffers its output (sed, tr, grep, mawk, python without
# -u) answers only when its buffer fills or its input ends:
# when mprun's input has ended, every worker is sent the last records it
# will get and its stdin is closed, so such a filter answers and the run
# ends with every result.  Tasks put back after a worker died go to a
# fresh worker, closed in turn.  While input still flows, a worker that
# holds tasks and has answered nothing for 5 s gets one warning.
. "$(dirname "$0")/lib.sh"

# The issue's cases.
expect_out "$(lines b b)" "$MPRUN" --worker 'sed s/a/b/' ::: a b
expect_out "$(lines 1 4 9 16 25)" sh -c \
    'seq 5 | "$0" --worker "awk '\''{ print \$1 * \$1 }'\''"' "$MPRUN"
expect_out "$(lines X y X)" "$MPRUN" -j2 --worker "tr x X" ::: x y x
expect_out "$(lines ab ab)" "$MPRUN" -j1 --worker 'grep a' ::: ab ab
if command -v python3 >/dev/null 2>&1; then
	expect_out "$(lines aa bb cc)" env -u PYTHONUNBUFFERED "$MPRUN" -j2 \
	    --worker "python3 -c 'import sys
for l in sys.stdin: print(l.strip() * 2)'" ::: a b c
fi

# Each slot gets its share of what is left, so all slots work.
run "$MPRUN" -j3 --worker 'sed "s/.*/$$/"' ::: 1 2 3 4 5 6
check_rc 0
[ "$(count_lines "$T/out")" -eq 6 ] || fail "6 answers: $(cat "$T/out")"
[ "$(sort -u "$T/out" | count_lines /dev/stdin)" -eq 3 ] ||
    fail "3 workers answered: $(cat "$T/out")"

# --maxtasksperchild: a worker's stdin closes once it has its last record.
expect_out "$(lines 1 4 9 16 25)" "$MPRUN" -j1 --maxtasksperchild 2 \
    --worker "awk '{ print \$1 * \$1 }'" ::: 1 2 3 4 5

# A buffering worker that dies on a record: what it answered stands, the
# record fails, the rest go to a fresh worker, which sees EOF too.
run "$MPRUN" -j1 --worker 'awk '\''/die/ { exit 3 } { print }'\' \
    ::: a b die c d
check_rc 1
check_out "$(lines a b c d)"
check_err "mprun: worker in slot 1 died (exit 3): task 3 failed"

# A worker that answers each record keeps working as before, with input
# that ends late.
expect_out "$(lines 1 2 3)" sh -c '(echo 1; sleep 0.3; echo 2; echo 3) |
    "$0" -j1 --worker "sed -u s/x/y/"' "$MPRUN"

# While input flows, a worker that has said nothing for 5 s gets one
# warning; the run still ends with every answer when input ends.
RUN_TIMEOUT=30 run sh -c '(echo a; sleep 6.5; echo b) |
    "$0" -j1 --worker "sed s/a/x/"' "$MPRUN"
check_rc 0
check_out "$(lines x b)"
check_err "mprun: --worker in slot 1 holds 1 task and has answered nothing for 5 s.  If it is only slow, ignore this; if it buffers its output (sed, grep, tr, awk, python without -u), it answers only when its input ends: make it flush after each answer (sed -u, grep --line-buffered, awk's fflush(), python -u)"

done_testing
