#!/bin/sh
# --joblog +FILE appends: the header is written only when the file is new
# or empty; the rows of each run follow the earlier ones.  Without the +,
# the file is rewritten.
. "$(dirname "$0")/lib.sh"

# A new file: header and rows.
run "$MPRUN" -j1 --joblog "+$T/jl" "$TH" -o {} ::: a b
check_rc 0
check_out "$(lines a b)"
check_err ""
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -o a")
$(jlrow 2 0 0 "$TH -o b")"

# Again: no second header, the new rows after the old ones (Seq restarts
# at 1: it is the input position).
run "$MPRUN" -j1 --joblog "+$T/jl" "$TH" -o {} -x {#} ::: c
check_rc 1
check_out "c"
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$TH -o a")
$(jlrow 2 0 0 "$TH -o b")
$(jlrow 1 1 0 "$TH -o c -x 1")"

# An empty file gets the header.
: >"$T/empty"
run "$MPRUN" --joblog "+$T/empty" true ::: 1
check_rc 0
check_joblog "$T/empty" "$JOBLOG_HEADER
$(jlrow 1 0 0 "true 1")"

# A file with something else in it is appended to as it is.
printf 'old line\n' >"$T/other"
run "$MPRUN" --joblog "+$T/other" true ::: 1
check_rc 0
check_joblog "$T/other" "old line
$(jlrow 1 0 0 "true 1")"

# Without +, an existing joblog is replaced.
run "$MPRUN" --joblog "$T/jl" true ::: 1
check_rc 0
check_joblog "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "true 1")"

# A file literally named "+x" needs a path: ./+x is not an append.
run "$MPRUN" --joblog "./+x" true ::: 1
check_rc 0
[ -s "$T/+x" ] || fail "--joblog ./+x did not write ./+x"

done_testing
