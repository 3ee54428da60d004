#!/bin/sh
# --timeout DURATION: a task running longer is stopped with the termseq,
# counts as failed, gets a joblog row with Exitval -1 and the signal that
# ended it, and a warning "mprun: task N timed out after D s: COMMAND".
# DURATION is a number of seconds or has a unit (ms, s, m, h); N% is N
# percent of the median runtime of the tasks finished so far, with no
# timeout until 3 have finished.  It works with --retries.
. "$(dirname "$0")/lib.sh"

# check_timed_out SEQ COMMAND: the last run's stderr is exactly the one
# warning for task SEQ.
check_timed_out()
{
	_re=$(printf '%s\n' "$2" | sed 's/[][\.*^$|+?(){}]/\\&/g')
	check_err_match "^mprun: task $1 timed out after [0-9]+(\.[0-9]+)? s: $_re\$"
	[ "$(count_lines "$T/err")" -eq 1 ] ||
		fail "expected one line on stderr, got: $(cat "$T/err")"
}

# A task past its time is stopped (TERM), the others are not.
start=$(now_ms)
run "$MPRUN" -j2 --timeout 0.5 --joblog "$T/jl" "$TH" -s {} -o {} ::: 100 10000
ms=$(elapsed_ms "$start")
check_rc 1
check_out "100"
check_timed_out 2 "$TH -s 10000 -o 10000"
[ "$ms" -lt 4000 ] || fail "--timeout 0.5: the run took $ms ms"
[ "$ms" -ge 450 ] || fail "--timeout 0.5: the run took only $ms ms"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -s 100 -o 100")
$(jlrow 2 -1 15 "$TH -s 10000 -o 10000")"
# Its runtime is about the timeout.
rt=$(awk -F '\t' '$1 == 2 { print $4 + 0 }' "$T/jl")
awk -v r="$rt" 'BEGIN { exit !(r >= 0.45 && r < 3) }' ||
	fail "the timed-out task's JobRuntime is '$rt'"

# Output written before the timeout is kept.
run "$MPRUN" --timeout 300ms "$TH" -o before -s 10000 -o after ::: 1
check_rc 1
check_out "before"
check_timed_out 1 "$TH -o before -s 10000 -o after 1"

# Units.
for d in 400ms 0.4s 0.4; do
	start=$(now_ms)
	run "$MPRUN" --timeout "$d" sleep ::: 10
	ms=$(elapsed_ms "$start")
	check_rc 1
	check_out ""
	check_timed_out 1 "sleep 10"
	[ "$ms" -lt 4000 ] || fail "--timeout $d: the run took $ms ms"
done
for d in 1m 1h 30 2s; do
	expect_out "$(lines a b)" "$MPRUN" --timeout "$d" "$TH" -s 100 -p ::: a b
done

# A shell task and its whole process group are stopped.
mkdir "$T/pids"
start=$(now_ms)
run "$MPRUN" --timeout 0.3 "echo \$\$ >$T/pids/{}; sleep 30 & sleep 30" ::: 1
ms=$(elapsed_ms "$start")
check_rc 1
[ "$ms" -lt 4000 ] || fail "shell task: the run took $ms ms"
wait_for 1 group_dead "$(cat "$T/pids/1")" ||
	fail "the timed-out task's process group is still alive"

# N%: no timeout before 3 tasks have finished (one worker: tasks 1-3 are
# never stopped even at 10%), then N% of the median.
run "$MPRUN" -j1 --timeout 10% "$TH" -s {} -o {} ::: 300 300 300
check_rc 0
check_out "$(lines 300 300 300)"
check_err ""
start=$(now_ms)
run "$MPRUN" -j1 --timeout 200% --joblog "$T/jl" "$TH" -s {} -o {} \
    ::: 300 300 300 400 20000 100
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines 300 300 300 400 100)"
check_timed_out 5 "$TH -s 20000 -o 20000"
[ "$ms" -lt 6000 ] || fail "--timeout 200%: the run took $ms ms"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -s 300 -o 300")
$(jlrow 2 0 0 "$TH -s 300 -o 300")
$(jlrow 3 0 0 "$TH -s 300 -o 300")
$(jlrow 4 0 0 "$TH -s 400 -o 400")
$(jlrow 5 -1 15 "$TH -s 20000 -o 20000")
$(jlrow 6 0 0 "$TH -s 100 -o 100")"

# --worker: N% of the median of the answered records' times, each from
# the answer before it (or from when it was sent) to its own answer.
wsleep='while read -r s; do sleep $s; echo "s$s"; done'
run "$MPRUN" -j1 --timeout 200% --joblog "$T/jl" --worker "$wsleep" \
    ::: 0.3 0.3 0.3 0.4 20 0.1
check_rc 1
check_out "$(lines s0.3 s0.3 s0.3 s0.4 s0.1)"
check_err_match '^mprun: task 5 timed out after 0\.[0-9]* s: 20$'
[ "$(cut -f 7 "$T/jl" | tr '\n' ' ')" = "Exitval 0 0 0 0 -1 0 " ] ||
	fail "--worker --timeout 200%: joblog: $(cat "$T/jl")"
# Its run time is its own, not the time since it was sent.
awk -F '\t' 'NR == 6 && $4 >= 5 { exit 1 }' "$T/jl" ||
	fail "--worker --timeout 200%: run time: $(cat "$T/jl")"

# With --retries: slow the first time, quick the second; only the last
# attempt's output, one joblog row, success.
cmd='n=$(cat c.{#} 2>/dev/null || echo 0); n=$((n + 1)); echo $n >c.{#}; echo try$n; test $n -ge 2 || sleep 20'
start=$(now_ms)
run "$MPRUN" --timeout 0.5 --retries 3 --joblog "$T/jl" "$cmd" ::: 1
ms=$(elapsed_ms "$start")
check_rc 0
check_out "try2"
check_timed_out 1 "$(printf '%s\n' "$cmd" | sed 's/{#}/1/g')"
[ "$ms" -lt 5000 ] || fail "--timeout --retries: the run took $ms ms"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$(printf '%s\n' "$cmd" | sed 's/{#}/1/g')")"
[ "$(cat c.1)" = 2 ] || fail "--timeout --retries 3: $(cat c.1) attempts"

# Always too slow: every attempt times out, the last one's row.
start=$(now_ms)
run "$MPRUN" --timeout 0.3 --retries 2 --joblog "$T/jl" sleep ::: 20
ms=$(elapsed_ms "$start")
check_rc 1
[ "$(grep -c '^mprun: task 1 timed out after' "$T/err")" -eq 2 ] ||
	fail "expected two timeout warnings: $(cat "$T/err")"
[ "$ms" -lt 5000 ] || fail "--timeout 0.3 --retries 2: the run took $ms ms"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 -1 15 "sleep 20")"

# Bad values.
for v in x 0% -1 10x %; do
	run "$MPRUN" --timeout "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --timeout: '$v' "
	[ -e "$T/ran" ] && fail "--timeout $v ran a task"
	rm -f "$T/ran"
done

done_testing
