#!/bin/sh
# --resume-failed (needs --joblog): like --resume, but a task whose last row
# shows a non-zero Exitval or Signal runs again; only tasks whose last row
# shows success are skipped.  Seq numbers are the input positions, stable
# from one run to the next whatever -j.
. "$(dirname "$0")/lib.sh"

# Tasks "bad" fail until the file "flag" exists.
cmd='echo {#}:{}; test {} = good || test -e flag'
run "$MPRUN" -j3 --joblog "$T/jl" "$cmd" ::: good bad good bad
check_rc 2
check_out "$(lines 1:good 2:bad 3:good 4:bad)"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "echo 1:good; test good = good || test -e flag")
$(jlrow 2 1 0 "echo 2:bad; test bad = good || test -e flag")
$(jlrow 3 0 0 "echo 3:good; test good = good || test -e flag")
$(jlrow 4 1 0 "echo 4:bad; test bad = good || test -e flag")"

# Still failing: 2 and 4 run again, and fail again.
run "$MPRUN" -j2 --resume-failed --joblog "$T/jl" "$cmd" ::: good bad good bad
check_rc 2
check_out "$(lines 2:bad 4:bad)"
check_err ""

# Now they succeed; their new rows are appended, no second header.
touch "$T/flag"
run "$MPRUN" -j1 --resume-failed --joblog "$T/jl" "$cmd" ::: good bad good bad
check_rc 0
check_out "$(lines 2:bad 4:bad)"
check_err ""
[ "$(grep -c '^Seq' "$T/jl")" -eq 1 ] || fail "a second header was written"
joblog_mask "$T/jl" | tail -n 2 >"$T/last"
lines "$(jlrow 2 0 0 "echo 2:bad; test bad = good || test -e flag")" \
    "$(jlrow 4 0 0 "echo 4:bad; test bad = good || test -e flag")" \
    >"$T/want"
check_file_is "the rows appended by --resume-failed" "$T/want" "$T/last"
[ "$(count_lines "$T/jl")" -eq 9 ] ||
	fail "expected a header and 8 rows: $(cat "$T/jl")"

# The last row of a Seq wins: all succeeded now, nothing runs; a new
# value at the end does (and fails).
rm "$T/flag"
expect 1 "5:bad" "" "$MPRUN" --resume-failed --joblog "$T/jl" "$cmd" \
    ::: good bad good bad bad

# A later failure row after a success: the task runs again.  A row with a
# signal (Exitval 0, Signal 9) failed too.
{
	printf '%s\n' "$JOBLOG_HEADER"
	printf '1\t:\t1.000\t     0.000\t0\t0\t0\t0\techo a\n'
	printf '1\t:\t2.000\t     0.000\t0\t0\t1\t0\techo a\n'
	printf '2\t:\t1.000\t     0.000\t0\t0\t0\t9\techo b\n'
	printf '3\t:\t1.000\t     0.000\t0\t0\t0\t0\techo c\n'
	printf '4\t:\t1.000\t     0.000\t0\t0\t-1\t15\techo d\n'
} >"$T/hand"
cp "$T/hand" "$T/hand2"
expect_out "$(lines a b d e)" "$MPRUN" -j1 --resume-failed \
    --joblog "$T/hand" echo ::: a b c d e
# --resume on the same file: every Seq with a row is done.
expect_out "e" "$MPRUN" -j1 --resume --joblog "$T/hand2" echo ::: a b c d e

# Without --joblog: a usage error.
expect 255 "" \
    "$(lines "mprun: --resume-failed needs --joblog" "Try 'mprun --help'.")" \
    "$MPRUN" --resume-failed touch "$T/ran" ::: x
[ -e "$T/ran" ] && fail "--resume-failed without --joblog ran a task"

done_testing
