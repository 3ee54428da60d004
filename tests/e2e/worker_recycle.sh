#!/bin/sh
# A --worker that exits 0 of its own accord, with records sent to it that
# it has not answered (a worker that recycles itself every few records),
# loses nothing: those records go to a fresh worker.  A task cannot go
# round for ever: a worker that answered nothing fails its oldest task, as
# one that died does, and a task that PW_UNANSWERED_MAX (3) workers in
# turn exited 0 without answering, while answering others, fails.  A
# record requeued so was no attempt under --retries.
. "$(dirname "$0")/lib.sh"

# A worker that answers three records, then exits.
run "$MPRUN" -j1 --worker \
    'for i in 1 2 3; do read -r x || exit 0; echo "r$x"; done' \
    ::: $(seq 20)
check_rc 0
check_out "$(seq 20 | sed 's/^/r/')"
check_err ""

# Two slots, a chunk size that sends more than a worker reads, and
# --maxtasksperchild (mprun closes the worker's stdin; the worker still
# exits with records unread): nothing is lost either.
run "$MPRUN" -j2 --chunksize 5 --maxtasksperchild 4 --worker \
    'for i in 1 2; do read -r x || exit 0; echo "r$x"; done' \
    ::: $(seq 30)
check_rc 0
check_out "$(seq 30 | sed 's/^/r/')"
check_err ""

# One answer per worker.
expect_out "$(lines "[a]" "[b]" "[c]")" \
    "$MPRUN" -j1 --worker 'read -r l; echo "[$l]"' ::: a b c

# A worker that dies (status 3) still fails the task it left unanswered.
expect 1 "$(lines "[a]" "[c]")" \
    "mprun: worker in slot 1 died (exit 3): task 2 failed" \
    "$MPRUN" -j1 --worker 'read -r l; echo "[$l]"; exit 3' ::: a b c

# A worker that exits 0 on one record: the fresh worker gets it first and
# answers nothing, so it fails at once.
expect 1 "$(lines ra rb)" \
    "mprun: --worker in slot 1 exited without answering task 2" \
    "$MPRUN" -j1 --worker \
    'while read -r l; do [ "$l" = x ] && exit 0; echo "r$l"; done' \
    ::: a x b

# Answering in any order (--worker-protocol json), a worker can answer
# others and leave that record unanswered every time: the third worker to
# exit so fails it.
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/hold.py" <<'PY'
import json, sys
# Reads two records, answers those that are not "x", exits 0.
for n in range(2):
    line = sys.stdin.readline()
    if not line:
        break
    m = json.loads(line)
    if m["args"][0] != "x":
        print(json.dumps({"seq": m["seq"], "ok": True,
                          "result": "r" + m["args"][0]}), flush=True)
PY
	expect 1 "$(lines ra rb rc rd)" \
	    "mprun: --worker in slot 1 exited without answering task 2, as 2 workers before it did" \
	    "$MPRUN" -j1 --worker-protocol json --worker "python3 $T/hold.py" \
	    ::: a x b c d

	# A record sent but left unanswered was no attempt: --retries 2
	# still retries a task that failed after being requeued once.
	cat >"$T/once.py" <<'PY'
import json, os, sys
# Answers one record, then exits 0; "b" fails the first time.
line = sys.stdin.readline()
if line:
    m = json.loads(line)
    a = m["args"][0]
    if a == "b" and not os.path.exists(sys.argv[1]):
        open(sys.argv[1], "w").close()
        print(json.dumps({"seq": m["seq"], "ok": False,
                          "error": "first try"}), flush=True)
    else:
        print(json.dumps({"seq": m["seq"], "ok": True,
                          "result": "r" + a}), flush=True)
PY
	expect_out "$(lines ra rb rc)" \
	    "$MPRUN" -j1 --retries 2 --worker-protocol json \
	    --worker "python3 $T/once.py $T/flag" ::: a b c
fi

done_testing
