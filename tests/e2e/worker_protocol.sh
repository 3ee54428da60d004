#!/bin/sh
# --worker's line protocol pairs answers with records by counting: a
# record it cannot carry (a newline; the --worker-eot line)
# is refused before it is sent, and a worker that gives more answers than
# records, or answers a task it does not hold, breaks the protocol: the
# run says which worker and from which task its results may be wrong,
# stops the worker, lets a fresh one take the rest, and exits 255.
. "$(dirname "$0")/lib.sh"

ECHO='while IFS= read -r l; do echo "[$l]"; done'
NL=$(printf 'two\nlines')
REFUSED='its record holds a newline, which the --worker line protocol cannot carry; use --worker-protocol json'

# The issue's case: the record with a newline fails, the others get their
# own answers.
expect 1 "$(lines "[one]" "[three]")" "mprun: task 1: $REFUSED" \
    "$MPRUN" -j1 --worker "$ECHO" ::: "$NL" one three
run "$MPRUN" -j1 --json --worker "$ECHO" ::: "$NL" one three
check_rc 1
json_mask "$T/out" >"$T/got"
cat >"$T/raw" <<'X'
{"seq":1,"args":["two\nlines"],"command":"two\nlines","exit":126,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"","stderr":"mprun: task 1: its record holds a newline, which the --worker line protocol cannot carry; use --worker-protocol json\n"}
{"seq":2,"args":["one"],"command":"one","exit":0,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"[one]\n","stderr":""}
{"seq":3,"args":["three"],"command":"three","exit":0,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"[three]\n","stderr":""}
X
json_mask "$T/raw" >"$T/exp"
check_file_is "--json" "$T/exp" "$T/got"

# From stdin with -d: a newline inside a record.
printf 'a\nb,c,' >"$T/in"
expect 1 "[c]" "mprun: task 1: $REFUSED" \
    "$MPRUN" -j1 -d , --worker "$ECHO" <"$T/in"

# The --worker-eot string inside a record.
expect 1 "$(lines "[ok]")" \
    "mprun: task 1: its record holds the --worker-eot string, which the --worker line protocol cannot carry; use --worker-protocol json" \
    "$MPRUN" -j1 --worker-eot END \
    --worker 'while IFS= read -r l; do echo "[$l]"; echo END; done' \
    ::: xENDy ok

# With -0 the separator sent is NUL: a newline goes through.
printf 'two\nlines\0one\0' >"$T/in0"
if command -v perl >/dev/null 2>&1; then
	expect 0 "$(lines "<two lines>" "<one>")" "" "$MPRUN" -j1 -0 \
	    -a "$T/in0" --worker "perl -e '\$/ = \"\\0\"; \$| = 1;
	    while (<STDIN>) { chomp; s/\\n/ /; print \"<\$_>\\n\" }'"
fi

# The JSON protocol carries the newline.
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/w.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    print(json.dumps({"seq": m["seq"], "ok": True,
                      "result": "|".join(m["args"]).replace("\n", "/")}),
          flush=True)
PY
	expect_out "$(lines two/lines one)" "$MPRUN" -j2 \
	    --worker-protocol json --worker "python3 $T/w.py" ::: "$NL" one
fi

# Two answers for each record: the extra one comes when the worker holds
# no task.  The results it gave are suspect (the second and third are
# wrong), the run says so and exits 255.
run "$MPRUN" -j1 --worker 'while read -r l; do echo "$l"; echo extra; done' \
    ::: a b c
check_rc 255
check_out "$(lines a extra b)"
check_err_match '^mprun: --worker in slot 1 \(pid [0-9]+\) broke the protocol: it printed an answer when it held no task \(more answers than records\): extra; the results of the 3 tasks it answered, from task 1 on, may be wrong; it is stopped, and a fresh worker takes the rest$'
[ "$(count_lines "$T/err")" -eq 1 ] || fail "one message: $(cat "$T/err")"

# The same under --unordered and with -j2: still 255.
run "$MPRUN" -j2 --unordered \
    --worker 'while read -r l; do echo "$l"; echo extra; done' ::: a b c d
check_rc 255
check_err_match 'broke the protocol: it printed an answer when it held no task'

# JSON: an answer for a task it does not hold.  The oldest task it holds
# fails, unanswered; the rest go to a fresh worker, which breaks too.
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/bad.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    print(json.dumps({"seq": m["seq"] + 100, "ok": True, "result": "x"}),
          flush=True)
PY
	run "$MPRUN" -j1 --worker-protocol json --worker "python3 $T/bad.py" \
	    ::: a b
	check_rc 255
	check_out ""
	check_err_match '^mprun: --worker in slot 1 \(pid [0-9]+\) broke the protocol: it answered task 101, which it does not hold; it is stopped, and a fresh worker takes the rest$'
	check_err_match '^mprun: task 1: not answered: the --worker in slot 1 broke the protocol$'
	check_err_match '^mprun: task 2: not answered: the --worker in slot 1 broke the protocol$'

	# Answering the same task twice.
	cat >"$T/twice.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    for i in (1, 2):
        print(json.dumps({"seq": m["seq"], "ok": True, "result": "r"}),
              flush=True)
PY
	run "$MPRUN" -j1 --worker-protocol json --worker "python3 $T/twice.py" \
	    ::: a
	check_rc 255
	check_out "r"
	check_err_match '^mprun: --worker in slot 1 \(pid [0-9]+\) broke the protocol: it answered task 1, which it does not hold; the results of the 1 task it answered, from task 1 on, may be wrong; it is stopped, and a fresh worker takes the rest$'

	# A line that is not a result.
	run "$MPRUN" -j1 --worker-protocol json --worker cat ::: a
	check_rc 255
	check_out ""
	check_err_match "broke the protocol: bad result line: missing or not a boolean field 'ok': \\{\"seq\":1,\"args\":\\[\"a\"\\]\\}"
	check_err_match '^mprun: task 1: not answered: the --worker in slot 1 broke the protocol$'
fi

# Fewer answers than records: a worker that leaves (status 0) after one.
# The records it left unanswered go to a fresh worker (worker_recycle.sh).
expect_out "$(lines "[a]" "[b]" "[c]")" \
    "$MPRUN" -j1 --worker 'read -r l; echo "[$l]"' ::: a b c

# A last answer without its newline is an answer.
expect_out "$(lines a b)" "$MPRUN" -j1 --worker 'read -r a; read -r b;
    printf "%s\n%s" "$a" "$b"' ::: a b

done_testing
