#!/bin/sh
# A write error on stdout is mprun's own error: status 255 and a message
# naming it, whether the output is small or streams for a while.
. "$(dirname "$0")/lib.sh"

[ -w /dev/full ] || skip "no /dev/full"

for args in "echo ::: a" "$TH -n 10000000 ::: 1" \
    "-j2 $TH -n 1000000 ::: 1 2 3" \
    "-u $TH -n 1000000 ::: 1" "--lb $TH -n 1000000 ::: 1"; do
	lastcmd="$MPRUN $args >/dev/full"
	rc=0
	timeout 60 "$MPRUN" $args >/dev/full 2>"$T/err" || rc=$?
	check_rc 255
	check_err_match '^mprun: .*No space left on device$'
	[ "$(count_lines "$T/err")" -eq 1 ] ||
		fail "not one line on stderr for: $lastcmd"
done

done_testing
