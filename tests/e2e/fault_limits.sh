#!/bin/sh
# Resource limits.  Under "ulimit -n 32", -j 50 cannot have 50 workers'
# pipes: mprun lowers -j with one warning ("mprun: -j 50: lowered to N
# (open file limit 32)") and runs every task, even with a worker per task
# (--maxtasksperchild 1), where a leaked descriptor would soon run out;
# when the soft limit alone is low it raises it and says nothing; a -j
# that fits gets no warning; a limit too low for even one worker fails
# clearly (255), never hangs.  A million tasks keep mprun's memory bounded
# (VmHWM of the parent, read while it runs).
. "$(dirname "$0")/lib.sh"

RUN_TIMEOUT=30
seq 200 >"$T/in"

# lowered_to: the N of the last run's "lowered to N" warning (0: none).
lowered_to()
{
	sed -n 's/^mprun: -j [0-9]*: lowered to \([0-9]*\) (.*$/\1/p' "$T/err" |
	    head -n 1 | grep . || echo 0
}

# check_lowered JOBS LIMIT: stderr is exactly the one warning, and -j was
# lowered to some N in 1..JOBS-1 (in $lowered).
check_lowered()
{
	lowered=$(lowered_to)
	check_err "mprun: -j $1: lowered to $lowered (open file limit $2)"
	if [ "$lowered" -lt 1 ] || [ "$lowered" -ge "$1" ]; then
		fail "-j $1 under ulimit -n $2: lowered to '$lowered'"
	fi
}

# -j 50 under ulimit -n 32 (hard and soft).
run sh -c 'ulimit -n 32 && exec "$@"' sh "$MPRUN" -j50 'echo {%}; : {}' \
    <"$T/in"
check_rc 0
check_lowered 50 32
[ "$(count_lines "$T/out")" -eq 200 ] || fail "not 200 tasks run"
# The slots used ({%}) respect the lowered -j.
[ "$(slots | tail -n 1)" -le "$lowered" ] ||
	fail "slot $(slots | tail -n 1) used, above the lowered -j $lowered"

run sh -c 'ulimit -n 32 && exec "$@"' sh "$MPRUN" -j50 echo <"$T/in"
check_rc 0
check_out_file "$T/in"
check_lowered 50 32

# A fresh worker for every task, 300 of them: nothing runs out.  The
# limit leaves room for a few descriptors beyond the lowered -j, so a leak
# of one a worker would run out within the first dozen workers.
seq 300 >"$T/in300"
run sh -c 'ulimit -n 32 && exec "$@"' sh "$MPRUN" -j50 \
    --maxtasksperchild 1 --joblog "$T/jl" echo <"$T/in300"
check_rc 0
check_out_file "$T/in300"
check_lowered 50 32
[ "$(count_lines "$T/jl")" -eq 301 ] || fail "not 300 joblog rows"

# Persistent workers need a descriptor more each.
run sh -c 'ulimit -n 32 && exec "$@"' sh "$MPRUN" -j50 --worker cat \
    <"$T/in"
check_rc 0
check_out_file "$T/in"
check_lowered 50 32

# Only the soft limit is low: mprun raises it to what it needs, silently.
run sh -c 'ulimit -S -n 32 && exec "$@"' sh "$MPRUN" -j50 \
    'echo {%}; sleep 0.2; : {}' ::: $(seq 50)
check_rc 0
check_err ""
[ "$(slots | count_lines /dev/stdin)" -eq 50 ] ||
	fail "-j 50, soft limit 32: $(slots | count_lines /dev/stdin) slots"

# A -j that fits needs no warning, whatever the limit.
run sh -c 'ulimit -n 32 && exec "$@"' sh "$MPRUN" -j4 echo ::: a
check_rc 0
check_out "a"
check_err ""
run sh -c 'ulimit -n 20 && exec "$@"' sh "$MPRUN" -j1 echo ::: a
check_rc 0
check_out "a"
check_err ""

# Too low for even one worker: a clear error, at once.
for n in 16 10; do
	start=$(now_ms)
	run sh -c 'ulimit -n '$n' && exec "$@"' sh "$MPRUN" -j50 echo ::: a b
	ms=$(elapsed_ms "$start")
	check_rc 255
	check_out ""
	tail -n 1 "$T/err" |
	    grep -Eq '^mprun: .*([Tt]oo many open files|open file limit)' ||
		fail "ulimit -n $n: no clear last message: $(cat "$T/err")"
	[ "$ms" -lt 10000 ] || fail "ulimit -n $n: took $ms ms"
done

# A million tasks.  Persistent workers run them all (cat answers each
# record); mprun reads its input lazily and forgets what it emitted, so
# its memory stays well under 64 MiB.
[ -r /proc/self/status ] || skip "no /proc"
sanitized && echo "note: a sanitizer build: memory bounds not checked"

# check_hwm KB: mprun's peak memory ($hwm, kB) was read and is under KB.
check_hwm()
{
	if sanitized; then
		return
	elif [ -z "$hwm" ] || [ "$hwm" -eq 0 ]; then
		fail "no VmHWM read for: $lastcmd"
	elif [ "$hwm" -ge "$1" ]; then
		fail "mprun's peak memory $hwm kB, not under $1 kB: $lastcmd"
	fi
}

seq 1000000 >"$T/in1m"
cksum <"$T/in1m" >"$T/want"
start_bg sh -c 'exec "$@" <"$T/in1m"' sh "$MPRUN" -j2 --joblog "$T/jl" \
    --worker cat
wait_bg_hwm
lastcmd="mprun -j2 --joblog FILE --worker cat <(seq 1000000)"
check_rc 0
cksum <"$T/out" >"$T/got"
check_file_is "1,000,000 results" "$T/want" "$T/got"
[ "$(count_lines "$T/jl")" -eq 1000001 ] || fail "not 1,000,000 joblog rows"
check_hwm 65536

sed 's/^/echo /' "$T/in1m" | cksum >"$T/want"
start_bg "$MPRUN" --dry-run echo :::: "$T/in1m"
wait_bg_hwm
lastcmd="mprun --dry-run echo :::: (1,000,000 lines)"
check_rc 0
cksum <"$T/out" >"$T/got"
check_file_is "1,000,000 dry-run lines" "$T/want" "$T/got"
check_hwm 65536

# Commands: a million is too many to run here (a few thousand a second),
# so mprun runs them for 5 s, with a joblog, and is stopped; meanwhile
# its memory stays low as well.
start_bg sh -c 'exec "$@" <"$T/in1m"' sh "$MPRUN" -j2 --joblog "$T/jl" true
sleep 5
hwm=$(vm_hwm "$bgpid")
kill -s TERM "$bgpid"
wait_bg
lastcmd="mprun -j2 --joblog FILE true <(seq 1000000), stopped after 5 s"
check_rc 143
[ "$(count_lines "$T/jl")" -gt 1 ] || fail "no task ran in 5 s"
check_hwm 65536

done_testing
