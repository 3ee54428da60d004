#!/bin/sh
# --joblog, kill -9, --resume loses nothing: a joblog row is
# written only once its task's output has been written, so the resume
# runs again exactly the tasks whose output did not get out.  Before,
# rows were written as tasks finished: tasks 2-100, finished but held
# behind a slow task 1, had rows, printed nothing, and the resume skipped
# them.
. "$(dirname "$0")/lib.sh"

# resume_case SLOW: task SLOW sleeps 30 s; every other task is quick.
# The first run is killed with SIGKILL once every task has started and
# the output before SLOW is out; the resume's output must complete it.
resume_case()
{
	rm -f "$T/jl" "$T/side"
	C="echo {} >>$T/side; [ {} = $1 ] && sleep 30; echo out{}"
	seq 100 >"$T/in"
	start_bg sh -c 'exec "$@" <"$T/in"' sh "$MPRUN" -j4 --joblog "$T/jl" "$C"
	wait_for 30 sh -c "[ \$(wc -l <$T/side) -ge 100 ]" ||
		fail "slow $1: not every task started"
	wait_for 30 sh -c "[ \$(wc -l <$T/out) -ge $(($1 - 1)) ]" ||
		fail "slow $1: the output before task $1 is not out"
	sleep 0.3
	kill -9 "$bgpid"
	wait_bg
	cp "$T/out" "$T/o1"
	# Rows: exactly the tasks whose output is out.
	tail -n +2 "$T/jl" | cut -f 1 >"$T/rows"
	if [ "$1" -gt 1 ]; then
		seq $(($1 - 1)) >"$T/want"
	else
		: >"$T/want"
	fi
	check_file_is "rows of slow $1" "$T/want" "$T/rows"

	# The resume: task SLOW is quick now.
	C="echo {} >>$T/side; echo out{}"
	run sh -c 'exec "$@" <"$T/in"' sh "$MPRUN" -j4 --joblog "$T/jl" \
	    --resume "$C"
	check_rc 0
	check_err ""
	cat "$T/o1" "$T/out" >"$T/both"
	seq 100 | sed 's/^/out/' >"$T/want"
	check_file_is "both runs' output, slow $1" "$T/want" "$T/both"
	tail -n +2 "$T/jl" | cut -f 1 >"$T/rows"
	seq 100 >"$T/want"
	check_file_is "rows after the resume, slow $1" "$T/want" "$T/rows"
}

resume_case 1
resume_case 50

done_testing
