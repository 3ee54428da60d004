#!/bin/sh
# Output comes in input order by default (and with -k), however the tasks
# finish; each task's output is one unit, even when several lines come at
# different times.
. "$(dirname "$0")/lib.sh"

# Later tasks finish first.
expect_out "$(lines 800 600 400 200)" "$MPRUN" -j4 "$TH" -s {} -o {} \
    ::: 800 600 400 200
expect_out "$(lines 800 600 400 200)" "$MPRUN" -k -j4 "$TH" -s {} -o {} \
    ::: 800 600 400 200
expect_out "$(lines 800 600 400 200)" "$MPRUN" --keep-order -j4 \
    "$TH" -s {} -o {} ::: 800 600 400 200

# Several lines per task, written at different times, stay together.
expect_out "$(lines a1 a2 b1 b2 c1 c2)" "$MPRUN" -j3 \
    "$TH" -o {}1 -s {#}00 -o {}2 ::: a b c
run "$MPRUN" -j3 "$TH" -s 300 -o {}1 -s {#}00 -o {}2 ::: c b a
check_rc 0
check_out "$(lines c1 c2 b1 b2 a1 a2)"

# Many tasks with mixed durations, on many workers.
seq 300 | awk '{ print ($1 * 37) % 23, $1 }' >"$T/in"
seq 300 >"$T/exp"
run "$MPRUN" -j8 --colsep ' ' "$TH" -s {1} -o {2} <"$T/in"
check_rc 0
check_out_file "$T/exp"

# The same with chunks.
run "$MPRUN" -j3 --chunksize 7 --colsep ' ' "$TH" -s {1} -o {2} <"$T/in"
check_rc 0
check_out_file "$T/exp"

# The head task's output streams while it runs: its first line arrives
# long before it ends.
start=$(now_ms)
"$MPRUN" "$TH" -o first -s 3000 -o second ::: x | {
	IFS= read -r line
	echo "$line $(($(now_ms) - start))" >"$T/first"
	cat >/dev/null
}
read -r line ms <"$T/first"
if [ "$line" != first ] || [ "$ms" -ge 2000 ]; then
	fail "head task's first line: '$line' after $ms ms (want < 2000)"
fi

done_testing
