#!/bin/sh
# --unordered: each task's output (still one unit) as soon as the task
# finishes, in completion order.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines 300 300 600 600 900 900)" \
    "$MPRUN" --unordered -j3 "$TH" -s {} -o {} -s 100 -o {} ::: 900 600 300

# Everything is there, each task's lines together.
seq 200 | awk '{ print ($1 * 37) % 23, $1 }' >"$T/in"
run "$MPRUN" --unordered -j8 --colsep ' ' "$TH" -s {1} -o a{2} -o b{2} \
    <"$T/in"
check_rc 0
awk '{ print "a" $2; print "b" $2 }' "$T/in" | sort >"$T/exp"
sort "$T/out" | cmp -s - "$T/exp" || fail "--unordered lost or changed lines"
awk 'NR % 2 == 1 { a = substr($0, 2) } NR % 2 == 0 && substr($0, 2) != a {
    bad = 1 } END { exit bad }' "$T/out" ||
	fail "--unordered split a task's output"

done_testing
