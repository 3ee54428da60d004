#!/bin/sh
# --resume (needs --joblog): every task whose Seq has a row in the joblog is
# skipped (not run, no output, not counted in the exit status); the others
# run and their rows are appended, the header only when the file was empty.
# A missing or empty joblog means nothing was done.  A row that cannot be
# parsed is an error naming the file and line.
. "$(dirname "$0")/lib.sh"

# A first run over three values, one failing.
run "$MPRUN" -j1 --joblog "$T/jl" "$TH" -o {} -x {} ::: 0 5 0
check_rc 1
check_out "$(lines 0 5 0)"

# The same input and two more: only Seq 4 and 5 run, failed or not.
run "$MPRUN" -j1 --resume --joblog "$T/jl" "$TH" -o {} -x {} ::: 0 5 0 0 6
check_rc 1
check_out "$(lines 0 6)"
check_err ""
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -o 0 -x 0")
$(jlrow 2 5 0 "$TH -o 5 -x 5")
$(jlrow 3 0 0 "$TH -o 0 -x 0")
$(jlrow 4 0 0 "$TH -o 0 -x 0")
$(jlrow 5 6 0 "$TH -o 6 -x 6")"

# Everything done: nothing runs, status 0, the joblog is unchanged.
cp "$T/jl" "$T/jl.before"
expect 0 "" "" "$MPRUN" --resume --joblog "$T/jl" \
    touch "$T/ran" {} ::: 0 5 0 0 6
[ -e "$T/ran" ] && fail "--resume ran a task that had a row"
check_file_is "joblog after a run with nothing to do" "$T/jl.before" "$T/jl"

# The Seq is the input position whatever the command: a joblog of another
# command skips the same positions, and several workers change nothing.
seq 10 >"$T/in"
run "$MPRUN" -j3 --resume --joblog "$T/jl" echo <"$T/in"
check_rc 0
check_out "$(lines 6 7 8 9 10)"
[ "$(tail -n +2 "$T/jl" | cut -f 1 | sort -n | tr '\n' ' ')" = \
    "1 2 3 4 5 6 7 8 9 10 " ] || fail "resumed joblog rows: $(cat "$T/jl")"
[ "$(grep -c '^Seq' "$T/jl")" -eq 1 ] || fail "a second header was written"

# A joblog that does not exist, or is empty: everything runs, the header
# is written.
expect_out "$(lines a b)" "$MPRUN" -j1 --resume --joblog "$T/new" echo ::: a b
check_joblog "$T/new" "$JOBLOG_HEADER
$(jlrow 1 0 0 "echo a")
$(jlrow 2 0 0 "echo b")"
: >"$T/empty"
expect_out "$(lines a b)" "$MPRUN" -j1 --resume --joblog "$T/empty" \
    echo ::: a b
check_joblog "$T/empty" "$JOBLOG_HEADER
$(jlrow 1 0 0 "echo a")
$(jlrow 2 0 0 "echo b")"

# --joblog +FILE with --resume is the same.
expect_out "c" "$MPRUN" --resume --joblog "+$T/empty" echo ::: a b c
[ "$(count_lines "$T/empty")" -eq 4 ] || fail "+FILE --resume: $(cat "$T/empty")"

# A joblog GNU parallel wrote (JobRuntime padded, Receive counted, a raw
# TAB in a command): its rows count.
printf '%s\n' "$JOBLOG_HEADER" >"$T/gnu"
printf '1\t:\t1795308069.242\t     0.000\t0\t2\t0\t0\techo a\n' >>"$T/gnu"
printf '3\t:\t1795308069.250\t     0.002\t0\t2\t1\t0\tprintf %%s. '"'"'x\ty'"'"'\n' \
    >>"$T/gnu"
expect_out "$(lines b d)" "$MPRUN" -j1 --resume --joblog "$T/gnu" \
    echo ::: a b c d

# Without --joblog: a usage error.
expect 255 "" "$(lines "mprun: --resume needs --joblog" "Try 'mprun --help'.")" \
    "$MPRUN" --resume touch "$T/ran" ::: x
[ -e "$T/ran" ] && fail "--resume without --joblog ran a task"

# A row that is not one: the file, the line, 255, nothing runs.
printf '%s\n1\t:\t1.000\t     0.000\t0\t0\t0\t0\techo a\nrubbish\n' \
    "$JOBLOG_HEADER" >"$T/bad"
cp "$T/bad" "$T/bad.before"
expect 255 "" "mprun: $T/bad: line 3: not a joblog row" \
    "$MPRUN" --resume --joblog "$T/bad" touch "$T/ran" ::: x y z
[ -e "$T/ran" ] && fail "a bad joblog row still ran a task"
check_file_is "a bad joblog after the error" "$T/bad.before" "$T/bad"
printf '%s\nx\t:\t1.000\t     0.000\t0\t0\t0\t0\techo a\n' \
    "$JOBLOG_HEADER" >"$T/bad"
expect 255 "" "mprun: $T/bad: line 2: not a joblog row" \
    "$MPRUN" --resume --joblog "$T/bad" touch "$T/ran" ::: x

done_testing
