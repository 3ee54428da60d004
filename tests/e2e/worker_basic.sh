#!/bin/sh
# --worker CMD: each slot runs CMD once through /bin/sh -c; each task's
# record goes to its stdin as a line and the next line it prints is the
# task's result, emitted in input order like any task's output.
. "$(dirname "$0")/lib.sh"

# cat, awk (mawk buffers its input unless told), sh, python3.
expect 0 "$(lines 1 2 3 4 5)" "" sh -c "seq 5 | \"\$0\" --worker cat" \
    "$MPRUN"
expect 0 "$(lines 2 4 6 8 10 12)" "" "$MPRUN" -j3 \
    --worker "awk -W interactive '{ print \$1 * 2; fflush() }'" \
    ::: 1 2 3 4 5 6
expect 0 "$(lines "r a b" "r a c")" "" "$MPRUN" -j2 \
    --worker 'while read -r x; do echo "r $x"; done' ::: a ::: b c
if command -v python3 >/dev/null 2>&1; then
	expect 0 "$(lines 3 6 9)" "" "$MPRUN" -j2 --worker \
	    "python3 -u -c 'import sys
for l in sys.stdin: print(int(l) * 3)'" ::: 1 2 3
fi

# Order with -j3 over tasks of different lengths; --unordered.
expect 0 "$(lines "r 3" "r 1" "r 2")" "" "$MPRUN" -j3 \
    --worker 'while read x; do sleep 0.$x; echo "r $x"; done' ::: 3 1 2
expect 0 "$(lines "r 1" "r 3")" "" "$MPRUN" -j2 --unordered \
    --worker 'while read x; do sleep $x; echo "r $x"; done' ::: 3 1

# --tag, --joblog, --json.
expect 0 "$(printf 'a\tr a\nb\tr b\n')" "" "$MPRUN" -j2 --tag \
    --worker 'while read x; do echo "r $x"; done' ::: a b
run "$MPRUN" -j1 --joblog "$T/jl" --worker 'while read x; do echo $x; done' \
    ::: a b
check_rc 0
check_out "$(lines a b)"
check_joblog "$T/jl" "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n'
jlrow 1 0 0 a; jlrow 2 0 0 b)"
run "$MPRUN" -j1 --json --worker 'while read x; do echo "r $x"; done' ::: a
check_rc 0
json_mask "$T/out" >"$T/got"
cat >"$T/raw" <<'X'
{"seq":1,"args":["a"],"command":"a","exit":0,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"r a\n","stderr":""}
X
json_mask "$T/raw" >"$T/exp"
check_file_is "--json" "$T/exp" "$T/got"

# -0: NUL-terminated records.
if command -v perl >/dev/null 2>&1; then
	printf 'a b\0c\0' >"$T/in0"
	expect 0 "$(lines "<a b>" "<c>")" "" "$MPRUN" -0 -a "$T/in0" --worker \
	    "perl -e '\$/ = \"\\0\"; \$| = 1; while (<STDIN>) { chomp;
	    print \"<\$_>\\n\" }'"
fi

# Stderr passes through a whole line at a time.
expect 0 "$(lines 1 2)" "$(lines "e1 line" "e2 line")" "$MPRUN" -j1 \
    --worker 'while read x; do printf "e%s" $x >&2; sleep 0.1;
    echo " line" >&2; echo $x; done' ::: 1 2

# --worker-eot: results of several lines.
expect 0 "$(lines "1 a" "2 a" "1 b" "2 b")" "" "$MPRUN" -j2 --worker-eot END \
    --worker 'while read x; do echo "1 $x"; echo "2 $x"; echo END; done' \
    ::: a b

# -v: each record on stderr as it is written.
expect 0 "$(lines a b)" "$(lines a b)" "$MPRUN" -v -j1 --worker cat ::: a b

# Usage errors.
for bad in "-n 2" "-N 2" "--init true" "-q"; do
	run "$MPRUN" $bad --worker cat ::: a
	check_rc 255
	check_err_match "^mprun: --worker cannot be combined with ${bad% *}: "
done
run "$MPRUN" --worker cat echo ::: a
check_rc 255
check_err "$(lines "mprun: --worker takes no command: 'echo'" \
    "Try 'mprun --help'.")"
run "$MPRUN" --worker 'cat {}' ::: a
check_rc 255
check_err_match "no replacement strings"
run "$MPRUN" --worker-eot X cat ::: a
check_rc 255
run "$MPRUN" --worker cat --worker-protocol xml ::: a
check_rc 255

done_testing
