#!/bin/sh
# mprun started with stdin, stdout or stderr closed must not crash or mix
# its own pipes up with them (a pipe opened then would get fd 0, 1 or 2):
# what is not needed works as usual, and a closed stdout it must write to
# is a write error (255), a closed stdin it must read an input error (255).
. "$(dirname "$0")/lib.sh"

# stdin is not needed with :::.
run sh -c 'exec <&-; "$MPRUN" echo ::: a b'
check_rc 0
check_out "$(lines a b)"
check_err ""

# stderr closed: the output is still right.
run sh -c 'exec 2>&-; "$MPRUN" echo ::: a b; echo "status $?"'
check_rc 0
check_out "$(lines a b 'status 0')"
run sh -c 'exec 2>&-; "$MPRUN" -j2 "$TH" -s {} -o {} ::: 300 0 100;
    echo "status $?"'
check_rc 0
check_out "$(lines 300 0 100 'status 0')"

# Both closed.
run sh -c 'exec <&- 2>&-; "$MPRUN" echo ::: a; echo "status $?"'
check_rc 0
check_out "$(lines a 'status 0')"

# stdout closed: a write error, reported on stderr.
run sh -c 'exec >&-; "$MPRUN" echo ::: a'
check_rc 255
check_err_match '^mprun: '
run sh -c 'exec >&-; "$MPRUN" true ::: a'
case $rc in
0|255)
	;;
*)
	fail "stdout closed, no output: status $rc, expected 0 or 255"
	;;
esac

# stdin closed and records to read from it: an input error.
run sh -c 'exec <&-; "$MPRUN" echo'
check_rc 255
check_out ""
check_err_match '^mprun: stdin: '

# The tasks still get /dev/null, not a closed stdin.
run sh -c 'exec <&-; "$MPRUN" "$TH" -r ::: 1'
check_rc 0
check_out "$(lines stdin=devnull pgrp=own mask=empty sigdfl=yes)"

done_testing
