#!/bin/sh
# Tasks killed by SIGKILL, SIGSEGV and SIGTERM, whether they kill
# themselves or are killed from outside (as the OOM killer or a user
# would): each counts as failed, its joblog row has Exitval 0 and the
# signal in the Signal column, --json has "exit":-1 and the signal, its
# output so far is kept, and the other tasks are not affected.  A shell
# that reports its child's death as exit status 139 is an exit status,
# not a signal.  (SIGKILL and SIGTERM of th itself are in joblog.sh; the
# rest is new here.)
. "$(dirname "$0")/lib.sh"

# No core files in $T from the SIGSEGV deaths.
ulimit -c 0

# The task kills itself (th resets the disposition first): a genuine
# death by each signal, the output written before it kept.  (The fourth
# task's "-p" prints nothing more: it just succeeds.)
want_jl="$JOBLOG_HEADER
$(jlrow 1 0 9 "$TH -o 9 -k9")
$(jlrow 2 0 11 "$TH -o 11 -k11")
$(jlrow 3 0 15 "$TH -o 15 -k15")
$(jlrow 4 0 0 "$TH -o 0 -p")"
run "$MPRUN" -j1 --joblog "$T/jl" "$TH" -o {1} {2} \
    ::: 9 11 15 0 :::+ -k9 -k11 -k15 -p
check_rc 3
check_out "$(lines 9 11 15 0)"
check_err ""
check_joblog "$T/jl" "$want_jl"

# The same with the tasks running side by side, output in input order.
run "$MPRUN" -j4 --joblog "$T/jl" "$TH" -o {1} {2} \
    ::: 9 11 15 0 :::+ -k9 -k11 -k15 -p
check_rc 3
check_out "$(lines 9 11 15 0)"
check_err ""
check_joblog_sorted "$T/jl" "$want_jl"

# --json: "exit":-1 and the signal.
run "$MPRUN" -j1 --json "$TH" -k {} ::: 11
check_rc 1
json_mask "$T/out" >"$T/json"
mktext "$T/want" '{"seq":1,"args":["11"],"command":"'"$TH"' -k 11",'\
'"exit":-1,"signal":11,"start":S,"runtime":R,"slot":1,"stdout":"",'\
'"stderr":""}'
check_file_is "--json of a SIGSEGV death" "$T/want" "$T/json"

# Through the shell: the shell, the task's process, is what dies.
run "$MPRUN" -j1 --joblog "$T/jl" 'kill -{} $$; : {}' ::: SEGV KILL TERM
check_rc 3
check_out ""
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 11 "kill -SEGV \$\$; : SEGV")
$(jlrow 2 0 9 "kill -KILL \$\$; : KILL")
$(jlrow 3 0 15 "kill -TERM \$\$; : TERM")"

# A shell whose child died by SIGSEGV exits 139 (and may say so on
# stderr): that is an exit status, with no signal.
run "$MPRUN" -j1 --joblog "$T/jl" "$TH -k {} || exit \$?" ::: 11
check_rc 1
check_out ""
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 139 0 "$TH -k 11 || exit \$?")"

# Killed from outside while running, each by its signal.
mkdir "$T/pids"
all_started()
{
	[ -s "$T/pids/KILL" ] && [ -s "$T/pids/SEGV" ] && [ -s "$T/pids/TERM" ]
}
start_bg "$MPRUN" -j3 --joblog "$T/jl" \
    "echo \$\$ >$T/pids/{}; exec sleep 30" \
    ::: KILL SEGV TERM
wait_for 10 all_started || fail "the tasks did not start"
for s in KILL SEGV TERM; do
	kill -s "$s" "$(cat "$T/pids/$s")"
done
start=$(now_ms)
wait_bg
ms=$(elapsed_ms "$start")
check_rc 3
check_out ""
check_err ""
[ "$ms" -lt 10000 ] || fail "killed from outside: the run took $ms ms more"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 9 "echo \$\$ >$T/pids/KILL; exec sleep 30")
$(jlrow 2 0 11 "echo \$\$ >$T/pids/SEGV; exec sleep 30")
$(jlrow 3 0 15 "echo \$\$ >$T/pids/TERM; exec sleep 30")"

# A killed task among many: every other task's output is there.
seq 40 >"$T/in"
run "$MPRUN" -j3 "$TH -o {}; [ \$(({} % 10)) -ne 0 ] || exec $TH -k 11" \
    <"$T/in"
check_rc 4
check_out_file "$T/in"
check_err ""

done_testing
