#!/bin/sh
# --json: one JSON object per task per line on stdout, in output order
# (--unordered: completion order), keys in this order: seq, args, command,
# exit (-1 when killed by a signal), signal, start and runtime (seconds, 3
# decimals), slot, stdout, stderr.  Bytes that are not UTF-8 text (or hold
# a NUL) go as base64 under "<key>_base64" (args: all of them).  It cannot
# be combined with --tag, --tagstring, --line-buffer or --ungroup.
. "$(dirname "$0")/lib.sh"

# check_json TEXT: the last run's stdout, masked by json_mask, is TEXT.
check_json()
{
	json_mask "$T/out" >"$T/masked"
	mktext "$T/.want" "$1"
	check_file_is "--json stdout" "$T/.want" "$T/masked"
}

run "$MPRUN" -j1 --json "$TH" -o {} -e err{} ::: hello
check_rc 0
check_err ""
check_json '{"seq":1,"args":["hello"],"command":"'"$TH"' -o hello -e errhello","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout":"hello\n","stderr":"errhello\n"}'

# Failures: the exit code, or -1 and the signal; the status counts them.
run "$MPRUN" -j1 --json "$TH" -o out -x {} ::: 3 0
check_rc 1
check_err ""
check_json '{"seq":1,"args":["3"],"command":"'"$TH"' -o out -x 3","exit":3,"signal":0,"start":S,"runtime":R,"slot":1,"stdout":"out\n","stderr":""}
{"seq":2,"args":["0"],"command":"'"$TH"' -o out -x 0","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout":"out\n","stderr":""}'
run "$MPRUN" -j1 --json "$TH" -k {} ::: 9
check_rc 1
check_json '{"seq":1,"args":["9"],"command":"'"$TH"' -k 9","exit":-1,"signal":9,"start":S,"runtime":R,"slot":1,"stdout":"","stderr":""}'

# Several sources: args holds each source's value; the command as the
# shell runs it.
run "$MPRUN" -j1 --json 'echo {1}-{2} | tr a b' ::: a ::: '1 2'
check_rc 0
check_json '{"seq":1,"args":["a","1 2"],"command":"echo a-'"'1 2'"' | tr a b","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout":"b-1 2\n","stderr":""}'

# JSON escapes: quote, backslash, TAB, newline, a control character;
# UTF-8 text stays as it is.
v=$(printf 'q"b\\\tx\n\001\303\251')
run "$MPRUN" -j1 --json printf %s ::: "$v"
check_rc 0
check_json "$(printf '%s' '{"seq":1,"args":["q\"b\\\tx\n\u0001'; printf '\303\251'; printf '%s' '"],"command":"printf %s '"'"'q\"b\\\tx\n\u0001'; printf '\303\251'; printf '%s' "'"'","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout":"q\"b\\\tx\n\u0001'; printf '\303\251'; printf '%s' '","stderr":""}')"

# Invalid UTF-8 and NUL bytes: base64 (RFC 4648, padded).
run "$MPRUN" -j1 --json 'printf "\377\376"; printf "\377" >&2; : {}' ::: x
check_rc 0
check_json '{"seq":1,"args":["x"],"command":"printf \"\\377\\376\"; printf \"\\377\" >&2; : x","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout_base64":"//4=","stderr_base64":"/w=="}'
run "$MPRUN" -j1 --json 'head -c 3 /dev/zero; printf "a\000bc" >&2; : {}' ::: x
check_rc 0
check_json '{"seq":1,"args":["x"],"command":"head -c 3 /dev/zero; printf \"a\\000bc\" >&2; : x","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout_base64":"AAAA","stderr_base64":"YQBiYw=="}'
# An argument that is not UTF-8: every arg in base64, and the command
# (which holds it) too.
bad=$(printf '\377')
run "$MPRUN" -j1 --json echo {1} {2} ::: "$bad" ::: ok
check_rc 0
cmd64=$(printf "echo '\377' ok" | base64)
check_json '{"seq":1,"args_base64":["/w==","b2s="],"command_base64":"'"$cmd64"'","exit":0,"signal":0,"start":S,"runtime":R,"slot":1,"stdout_base64":"/yBvawo=","stderr":""}'
# Overlong encodings and UTF-16 surrogates are not UTF-8 either.
run "$MPRUN" -j1 --json 'printf "\300\257"; printf "\355\240\200" >&2; : {}' ::: x
check_rc 0
json_mask "$T/out" | grep -q '"stdout_base64":"wK8=","stderr_base64":"7aCA"}$' ||
	fail "overlong / surrogate bytes not in base64: $(cat "$T/out")"

# Output order by default, completion order with --unordered; the slot of
# each task is one of the workers'.
run "$MPRUN" -j3 --json "$TH" -s {} -o {} ::: 600 300 0
check_rc 0
sed 's/^{"seq":\([0-9]*\),.*/\1/' "$T/out" >"$T/seqs"
[ "$(tr '\n' ' ' <"$T/seqs")" = "1 2 3 " ] ||
	fail "--json order: $(tr '\n' ' ' <"$T/seqs")"
run "$MPRUN" -j3 --unordered --json "$TH" -s {} -o {} ::: 2000 1000 0
check_rc 0
sed 's/^{"seq":\([0-9]*\),.*/\1/' "$T/out" >"$T/seqs"
[ "$(tr '\n' ' ' <"$T/seqs")" = "3 2 1 " ] ||
	fail "--json --unordered order: $(tr '\n' ' ' <"$T/seqs")"
grep -Eq '"slot":[123],' "$T/out" || fail "--json slots: $(cat "$T/out")"

# Every line is one JSON object with the keys in order, also for many
# tasks and a large output; start is about now, runtime about the sleep.
if command -v python3 >/dev/null 2>&1; then
	seq 51 >"$T/in"
	run "$MPRUN" -j4 --json "$TH" -o {} -n '$(({} / 51 * 200000))' \
	    -s '$(({} / 51 * 300))' <"$T/in"
	check_rc 0
	python3 - "$T/out" >"$T/py" 2>&1 <<'PY' || fail "--json lines: $(cat "$T/py")"
import json, sys, time
want = ["seq", "args", "command", "exit", "signal", "start", "runtime",
    "slot", "stdout", "stderr"]
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "no final newline"
lines = lines[:-1]
assert len(lines) == 51, "%d lines" % len(lines)
for i, line in enumerate(lines):
    o = json.loads(line)
    assert list(o) == want, list(o)
    assert o["seq"] == i + 1, o["seq"]
    assert o["args"] == [str(i + 1)], o["args"]
    assert abs(o["start"] - time.time()) < 120, o["start"]
    assert 1 <= o["slot"] <= 4, o["slot"]
    assert o["exit"] == 0 and o["signal"] == 0 and o["stderr"] == ""
    if i < 50:
        assert o["stdout"] == "%d\n" % (i + 1), o["stdout"]
        assert 0 <= o["runtime"] < 10, o["runtime"]
    else:
        assert o["stdout"].startswith("51\nxxx"), o["stdout"][:10]
        assert len(o["stdout"]) == 3 + 200000, len(o["stdout"])
        assert 0.29 <= o["runtime"] < 10, o["runtime"]
PY
fi

# With --joblog as well, and with --retries: one line per task.
run "$MPRUN" -j1 --json --retries 2 --joblog "$T/jl" \
    'if test -e c{#}; then echo second; else touch c{#}; echo first; exit 1; fi' \
    ::: a
check_rc 0
json_mask "$T/out" >"$T/masked"
grep -c '^{"seq":1,' "$T/masked" | grep -qx 1 ||
	fail "--json --retries: not one line: $(cat "$T/out")"
grep -q '"exit":0,.*"stdout":"second\\n","stderr":""}$' "$T/masked" ||
	fail "--json --retries: not the last attempt: $(cat "$T/out")"
[ "$(count_lines "$T/jl")" -eq 2 ] || fail "--json --joblog: $(cat "$T/jl")"

# Not with the options that change how output is written.
for opt in --tag --tagstring=x --line-buffer --ungroup; do
	name=${opt%%=*}
	expect 255 "" "$(lines "mprun: --json cannot be combined with $name" \
	    "Try 'mprun --help'.")" "$MPRUN" --json $opt touch "$T/ran" ::: x
	[ -e "$T/ran" ] && fail "--json $opt ran a task"
	rm -f "$T/ran"
done

done_testing
