#!/bin/sh
# A record may hold any byte but its separator, a NUL included.
# It reaches its task whole, or the task fails with a message naming it:
# a command-line argument ends at a NUL, so a command that would get the
# NUL fails instead of running a shortened record; a --worker is sent
# every byte; --json shows the record under "args_base64".  Never a
# shortened record, never exit 0.
. "$(dirname "$0")/lib.sh"

NULMSG='its input holds a NUL byte, which a command line cannot carry'
printf 'ab\0cd\nef\n' >"$T/in"

# The issue's case: stdin, a command with the values appended.
run "$MPRUN" echo <"$T/in"
check_rc 1
check_out "ef"
check_err "mprun: task 1: $NULMSG"

# The same from a file (::::, -a) and with -d.
run "$MPRUN" echo :::: "$T/in"
check_rc 1
check_out "ef"
check_err "mprun: task 1: $NULMSG"
run "$MPRUN" -a "$T/in" echo {}
check_rc 1
check_out "ef"
check_err "mprun: task 1: $NULMSG"
printf 'a\0b,c,d\0' >"$T/comma"
run "$MPRUN" -k -d , echo <"$T/comma"
check_rc 2
check_out "c"
check_err "$(lines "mprun: task 1: $NULMSG" "mprun: task 3: $NULMSG")"

# Through the shell, and a record that is itself the command.
run "$MPRUN" 'echo {} | cat' <"$T/in"
check_rc 1
check_out "ef"
check_err "mprun: task 1: $NULMSG"
printf 'echo a\0b\necho ok\n' >"$T/cmds"
run "$MPRUN" <"$T/cmds"
check_rc 1
check_out "ok"
check_err "mprun: task 1: $NULMSG"

# Only a NUL that would go into the command counts: {/} of x<NUL>y/z is z,
# and a --colsep column without the NUL is fine.
printf 'x\0y/z\n' >"$T/path"
expect_out "z" "$MPRUN" echo {/} <"$T/path"
printf 'a\0b\tc\n' >"$T/tsv"
expect_out "c" "$MPRUN" --colsep '	' echo {2} <"$T/tsv"
run "$MPRUN" --colsep '	' echo {1} <"$T/tsv"
check_rc 1
check_out ""
check_err "mprun: task 1: $NULMSG"
# {#} alone takes nothing from the record.
expect_out "1" "$MPRUN" echo {#} <"$T/path"

# --dry-run says the same, and exits the same.
run "$MPRUN" --dry-run echo <"$T/in"
check_rc 1
check_out "echo ef"
check_err "mprun: task 1: $NULMSG"

# --json: the record in base64, the command too, the failure in stderr.
run "$MPRUN" -j1 --json echo <"$T/in"
check_rc 1
json_mask "$T/out" >"$T/got"
cat >"$T/raw" <<'X'
{"seq":1,"args_base64":["YWIAY2Q="],"command_base64":"ZWNobyAnYWIAY2Qn","exit":126,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"","stderr":"mprun: task 1: its input holds a NUL byte, which a command line cannot carry\n"}
{"seq":2,"args":["ef"],"command":"echo ef","exit":0,"signal":0,"start":1.000,"runtime":0.000,"slot":1,"stdout":"ef\n","stderr":""}
X
json_mask "$T/raw" >"$T/exp"
check_file_is "--json" "$T/exp" "$T/got"

# --joblog: a failed row, the NUL written as \0.
run "$MPRUN" -j1 --joblog "$T/jl" echo <"$T/in"
check_rc 1
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 126 0 "echo 'ab\\0cd'")
$(jlrow 2 0 0 'echo ef')"

# --tag: the tag is output, so its bytes go through as they are.
run "$MPRUN" --tag echo {#} <"$T/path"
printf 'x\0y/z\t1\n' >"$T/exp"
check_rc 0
check_out_file "$T/exp"

# A --worker gets every byte (the line protocol's separator is the
# newline).  tr answers at EOF, which mprun gives it when input ends.
printf 'ab@cd\nef\n' >"$T/exp"
run "$MPRUN" -j1 --worker "tr '\\000' @" <"$T/in"
check_rc 0
check_out_file "$T/exp"

# --worker-protocol json: the record under args_base64.
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/w.py" <<'PY'
import base64, json, sys
for line in sys.stdin:
    m = json.loads(line)
    if "args" in m:
        a = [x.encode() for x in m["args"]]
    else:
        a = [base64.b64decode(x) for x in m["args_base64"]]
    print(json.dumps({"seq": m["seq"], "ok": True,
                      "result": a[0].hex()}), flush=True)
PY
	expect_out "$(lines 6162006364 6566)" "$MPRUN" -j1 \
	    --worker-protocol json --worker "python3 $T/w.py" <"$T/in"
fi

done_testing
