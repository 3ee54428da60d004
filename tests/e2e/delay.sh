#!/bin/sh
# --delay DURATION: at least DURATION between the starts of two tasks, even
# with several workers free (the Starttime column of the joblog shows it).
. "$(dirname "$0")/lib.sh"

# check_gaps FILE MIN: the joblog's start times, sorted, are at least MIN
# seconds apart.
check_gaps()
{
	tail -n +2 "$1" | cut -f 3 | sort -n | awk -v min="$2" '
	    NR > 1 && $1 - prev < min {
		printf "starts %.3f and %.3f are %.3f s apart\n", prev, $1,
		    $1 - prev
		bad = 1
	    }
	    { prev = $1 }
	    END { exit bad }' >"$T/gaps" ||
		fail "--delay: $(cat "$T/gaps")"
}

start=$(now_ms)
run "$MPRUN" -j4 --delay 0.3 --joblog "$T/jl" "$TH" -o {} ::: 1 2 3 4 5
ms=$(elapsed_ms "$start")
check_rc 0
check_out "$(lines 1 2 3 4 5)"
check_err ""
[ "$(count_lines "$T/jl")" -eq 6 ] || fail "--delay: joblog: $(cat "$T/jl")"
# The next task is sent 0.3 s after the last one started (its START),
# so the start times in the joblog are 0.3 s apart however long a worker
# takes to start a task (a millisecond aside, for the clocks' rounding).
check_gaps "$T/jl" 0.299
[ "$ms" -ge 1150 ] || fail "--delay 0.3 over 5 tasks took only $ms ms"
[ "$ms" -lt 10000 ] || fail "--delay 0.3 over 5 tasks took $ms ms"

# Units, and long tasks: the delay is between starts, not after ends.
start=$(now_ms)
run "$MPRUN" -j3 --delay 200ms --joblog "$T/jl" "$TH" -s 1000 -o {} ::: 1 2 3
ms=$(elapsed_ms "$start")
check_rc 0
check_out "$(lines 1 2 3)"
check_gaps "$T/jl" 0.199
[ "$ms" -lt 2500 ] || fail "--delay 200ms: tasks did not overlap ($ms ms)"

# With one worker the gap is still there between quick tasks.
run "$MPRUN" -j1 --delay 0.25 --joblog "$T/jl" true ::: 1 2 3
check_rc 0
check_gaps "$T/jl" 0.249

# --worker: a record starts when it is written to a worker, and the
# records are written that far apart, to the worker that holds the
# fewest; each worker keeps what it was sent, so a filter that answers
# only at EOF (sed) gets every record, then EOF.
wloop='while read -r x; do echo "[$x]"; done'
run "$MPRUN" -j2 --delay 0.3 --joblog "$T/jl" --worker "$wloop" ::: a b c d
check_rc 0
check_out "$(lines [a] [b] [c] [d])"
check_err ""
[ "$(count_lines "$T/jl")" -eq 5 ] || fail "--worker --delay: joblog: $(cat "$T/jl")"
check_gaps "$T/jl" 0.299
run "$MPRUN" -j2 --delay 0.2 --joblog "$T/jl" --worker 'sed s/^/s/' ::: a b c
check_rc 0
check_out "$(lines sa sb sc)"
check_err ""
check_gaps "$T/jl" 0.199
jloop='while read -r l; do s=${l#*\"seq\":}; s=${s%%,*}
printf "{\"seq\":%s,\"ok\":true,\"result\":\"r%s\"}\n" "$s" "$s"; done'
run "$MPRUN" -j1 --delay 0.2 --joblog "$T/jl" --worker-protocol json \
    --worker "$jloop" ::: a b c
check_rc 0
check_out "$(lines r1 r2 r3)"
check_gaps "$T/jl" 0.199

# Bad values.
for v in x -1 1y; do
	run "$MPRUN" --delay "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --delay: '$v' "
	[ -e "$T/ran" ] && fail "--delay $v ran a task"
	rm -f "$T/ran"
done

done_testing
