#!/bin/sh
# --worker faults and lifecycle: a worker killed mid-chunk loses nothing,
# --maxtasksperchild restarts it, --timeout replaces a stuck one, one that
# dies at start-up stops the run, and the json protocol.
. "$(dirname "$0")/lib.sh"

# SIGKILLed mid-chunk: the task it was on fails, the rest of its chunk
# goes to a fresh worker, every other result appears once, in order.
W='while read x; do
	if [ "$x" = 50 ] && [ ! -e '$T'/killed ]; then
		: >'$T'/killed; kill -9 $$
	fi
	echo "r $x"
done'
seq 100 | sed 's/^/r /' | grep -vx 'r 50' >"$T/exp"
run "$MPRUN" -j1 --worker "$W" ::: $(seq 100)
check_rc 1
check_out_file "$T/exp"
check_err "mprun: worker in slot 1 died (killed by signal 9): task 50 failed"
# ... and under --retries it runs again.
rm -f "$T/killed"
seq 100 | sed 's/^/r /' >"$T/exp"
run "$MPRUN" -j2 --retries 2 --worker "$W" ::: $(seq 100)
check_rc 0
check_out_file "$T/exp"
check_err ""

# --maxtasksperchild: never more than N records to one worker process.
expect 0 "$(lines "a 1" "b 2" "c 3" "d 1" "e 2" "f 3" "g 1")" "" \
    "$MPRUN" -j1 --maxtasksperchild 3 \
    --worker 'n=0; while read x; do n=$((n + 1)); echo "$x $n"; done' \
    ::: a b c d e f g
# Churn: a fresh worker for each of 1000 tasks.
seq 1000 >"$T/exp"
run "$MPRUN" -j2 --maxtasksperchild 1 --worker 'read x; echo $x' \
    :::: "$T/exp"
check_rc 0
check_out_file "$T/exp"
check_err ""
# A worker that ignores EOF is stopped with the termseq after 1 s.
expect 0 "$(lines a b)" "" "$MPRUN" -j1 --maxtasksperchild 1 \
    --worker 'read x; echo $x; sleep 100' ::: a b

# --timeout: the stuck task fails (Exitval -1), the worker is replaced.
run "$MPRUN" -j1 --timeout 0.5 --joblog "$T/jl" \
    --worker 'while read x; do [ $x = 2 ] && sleep 100; echo "r $x"; done' \
    ::: 1 2 3
check_rc 1
check_out "$(lines "r 1" "r 3")"
check_err "mprun: task 2 timed out after 0.5 s: 2"
check_joblog "$T/jl" "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n'
jlrow 1 0 0 1; jlrow 2 -1 0 2; jlrow 3 0 0 3)"

# Dying at start-up, again and again: a clear message and 255.
run "$MPRUN" -j1 --worker 'echo cannot start >&2; exit 3' ::: a b c d e
check_rc 255
check_out ""
check_err_match "^mprun: --worker: 'echo cannot start >&2; exit 3' keeps dying at start-up \(exit 3\)\$"
check_err_match "^cannot start\$"

# --worker-protocol json: answers out of order, ok:false fails the task
# with its error on stderr, a non-string result is printed as JSON.
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/w.py" <<'X'
import json, sys
held = []
for line in sys.stdin:
    t = json.loads(line)
    held.append(t)
    if len(held) < 2 and t["seq"] != 3:
        continue
    for t in reversed(held):
        a = t["args"]
        if a[0] == "b":
            r = {"seq": t["seq"], "ok": False, "error": "no b"}
        elif a[0] == "c":
            r = {"seq": t["seq"], "ok": True, "result": [1, {"x": a}]}
        else:
            r = {"seq": t["seq"], "ok": True, "result": "got " + a[0]}
        print(json.dumps(r), flush=True)
    held = []
X
	expect 1 "$(lines "got a" '[1,{"x":["c"]}]')" "no b" "$MPRUN" -j1 \
	    --chunksize 2 --worker-protocol json --worker "python3 $T/w.py" \
	    ::: a b c
fi

done_testing
