#!/bin/sh
# --joblog FILE: GNU parallel's TSV, a header then one row per task, written
# as each task finishes (completion order, not output order): Seq, Host
# ":", Starttime "%.3f", JobRuntime "%10.3f", Send 0, Receive 0, Exitval
# (0 when killed by a signal), Signal, Command (the command line as the
# shell would run it, with backslash, TAB and newline escaped so a row is
# one line).  "-" is rejected; a file that cannot be opened is an error.
. "$(dirname "$0")/lib.sh"

# Header and rows; the exit status still counts the failures.
run "$MPRUN" -j1 --joblog "$T/jl" "$TH" -o {} -x {} ::: 0 3 0
check_rc 1
check_out "$(lines 0 3 0)"
check_err ""
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -o 0 -x 0")
$(jlrow 2 3 0 "$TH -o 3 -x 3")
$(jlrow 3 0 0 "$TH -o 0 -x 0")"

# Killed by a signal: Exitval 0 and the signal, as GNU parallel writes.
run "$MPRUN" -j1 --joblog "$T/jl" "$TH" -k {} ::: 9 15
check_rc 2
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 9 "$TH -k 9")
$(jlrow 2 0 15 "$TH -k 15")"

# An existing file is truncated (without +).  A row is written once its
# task's output is out, so rows come in output order: input order here,
# as under GNU parallel -k, and completion order with --unordered.
run "$MPRUN" -j2 --joblog "$T/jl" "$TH" -s {} -o {} ::: 700 0
check_rc 0
check_out "$(lines 700 0)"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -s 700 -o 700")
$(jlrow 2 0 0 "$TH -s 0 -o 0")"
run "$MPRUN" -j2 --unordered --joblog "$T/jl2" "$TH" -s {} -o {} ::: 700 0
check_rc 0
check_out "$(lines 0 700)"
check_joblog "$T/jl2" "$JOBLOG_HEADER
$(jlrow 2 0 0 "$TH -s 0 -o 0")
$(jlrow 1 0 0 "$TH -s 700 -o 700")"

# The runtime is the task's: a 700 ms task shows at least 0.690 s.
rt=$(awk -F '\t' '$1 == 1 { print $4 + 0 }' "$T/jl")
awk -v r="$rt" 'BEGIN { exit !(r >= 0.69 && r < 5) }' ||
	fail "task 1 slept 700 ms but its JobRuntime is '$rt'"
# The start time is now, give or take a minute.
st=$(awk -F '\t' '$1 == 1 { print int($3) }' "$T/jl")
now=$(date +%s)
if [ "$st" -le $((now - 60)) ] || [ "$st" -gt "$now" ]; then
	fail "task 1's Starttime $st is not about now ($now)"
fi

# Through the shell, and a no-command run: the command line as sh runs it.
run "$MPRUN" -j1 --joblog "$T/jl" 'echo {} | tr a b' ::: "x y" a
check_rc 0
check_out "$(lines "x y" b)"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "echo 'x y' | tr a b")
$(jlrow 2 0 0 "echo a | tr a b")"
run "$MPRUN" -j1 --joblog "$T/jl" ::: "exit 4" "true"
check_rc 1
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 4 0 "exit 4")
$(jlrow 2 0 0 "true")"

# TAB, newline and backslash in the command line are escaped (GNU parallel
# writes them raw).
tab=$(printf '\t')
nl='
'
run "$MPRUN" -j1 --joblog "$T/jl" printf '%s.' ::: "a${tab}b" "c${nl}d" 'e\f'
check_rc 0
printf 'a\tb.c\nd.e\\f.' >"$T/want"
check_out_file "$T/want"
printf '%s\n' "$JOBLOG_HEADER" >"$T/want"
printf '%s\t:\tS\tR\t0\t0\t0\t0\t%s\n' \
    1 "printf %s. 'a\\tb'" 2 "printf %s. 'c\\nd'" 3 "printf %s. 'e\\\\f'" \
    >>"$T/want"
joblog_mask "$T/jl" >"$T/got"
check_file_is "escaped joblog" "$T/want" "$T/got"
[ "$(count_lines "$T/jl")" -eq 4 ] || fail "escaped rows are not one line each"

# Many tasks, several workers: one row per task, every Seq once.
seq 200 >"$T/in"
run "$MPRUN" -j4 --joblog "$T/jl" true <"$T/in"
check_rc 0
joblog_mask "$T/jl" >"$T/got"
grep -q '^BAD' "$T/got" && fail "malformed joblog rows with -j4"
tail -n +2 "$T/jl" | cut -f 1 | sort -n >"$T/seqs"
check_file_is "joblog seqs" "$T/in" "$T/seqs"

# SIGTERM: the joblog is completed, with the finished task and the one
# stopped by the termseq (Exitval 0, Signal 15).
start_bg "$MPRUN" -j2 --joblog "$T/jl" ::: "echo quick" \
    "touch $T/started; exec sleep 30"
wait_for 10 test -e "$T/started" || fail "SIGTERM: the task did not start"
sleep 0.3
kill -s TERM "$bgpid"
wait_bg
check_rc 143
check_out "quick"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "echo quick")
$(jlrow 2 0 15 "touch $T/started; exec sleep 30")"

# "-" is not the standard output: rejected, nothing runs.
run "$MPRUN" --joblog - touch "$T/ran" ::: x
check_rc 255
check_out ""
check_err_match "^mprun: --joblog: '-' is not supported: give a file$"
[ -e "$T/ran" ] && fail "--joblog - ran a task"
rm -f "$T/ran"

# A joblog that cannot be opened: its name and why, 255, nothing runs.
expect 255 "" "mprun: $T/nodir/jl: No such file or directory" \
    "$MPRUN" --joblog "$T/nodir/jl" touch "$T/ran" ::: x
[ -e "$T/ran" ] && fail "a joblog that cannot be opened ran a task"
mkdir "$T/dir"
expect 255 "" "mprun: $T/dir: Is a directory" \
    "$MPRUN" --joblog "$T/dir" touch "$T/ran" ::: x
[ -e "$T/ran" ] && fail "a joblog that is a directory ran a task"

done_testing
