#!/bin/sh
# Every write of the job-control features is checked: a joblog that cannot
# be written ("mprun: --joblog FILE: why"), --json or --dry-run lines to a
# full stdout: one message, status 255, and the run stops.
. "$(dirname "$0")/lib.sh"

[ -w /dev/full ] || skip "no /dev/full"

# The joblog: the header is the first write.
for jl in /dev/full +/dev/full; do
	run "$MPRUN" --joblog "$jl" echo ::: a b
	check_rc 255
	check_err "mprun: --joblog /dev/full: No space left on device"
done
# With --resume (a joblog that reads as empty, then the header).
run "$MPRUN" --resume --joblog /dev/full echo ::: a
check_rc 255
check_err "mprun: --joblog /dev/full: No space left on device"

# --json to a full stdout: small, many lines, large objects.
for args in "echo ::: a" "-j2 echo {} ::: $(seq 1000 | tr '\n' ' ')" \
    "$TH -n 5000000 ::: 1" "--unordered -j2 $TH -n 1000000 ::: 1 2 3"; do
	lastcmd="$MPRUN --json $args >/dev/full"
	rc=0
	timeout 60 "$MPRUN" --json $args >/dev/full 2>"$T/err" || rc=$?
	check_rc 255
	check_err_match '^mprun: .*No space left on device$'
	[ "$(count_lines "$T/err")" -eq 1 ] ||
		fail "not one line on stderr for: $lastcmd"
done

# --dry-run to a full stdout.
for args in "echo ::: a" "echo {} ::: $(seq 1000 | tr '\n' ' ')"; do
	lastcmd="$MPRUN --dry-run $args >/dev/full"
	rc=0
	timeout 60 "$MPRUN" --dry-run $args >/dev/full 2>"$T/err" || rc=$?
	check_rc 255
	check_err_match '^mprun: .*No space left on device$'
	[ "$(count_lines "$T/err")" -eq 1 ] ||
		fail "not one line on stderr for: $lastcmd"
done
seq 100000 >"$T/in"
lastcmd="$MPRUN --dry-run echo <in >/dev/full"
rc=0
timeout 60 "$MPRUN" --dry-run echo <"$T/in" >/dev/full 2>"$T/err" || rc=$?
check_rc 255
[ "$(count_lines "$T/err")" -eq 1 ] || fail "not one line on stderr for: $lastcmd"

done_testing
