#!/bin/sh
# Each task runs with stdin on /dev/null, in its own process group, with
# an empty signal mask and default signal dispositions, whatever mprun
# itself inherited (ignored or blocked signals, stdin with data on it).
. "$(dirname "$0")/lib.sh"

want=$(lines stdin=devnull pgrp=own mask=empty sigdfl=yes)

expect_out "$want" "$MPRUN" "$TH" -r ::: 1
printf '1\n' >"$T/in"
expect_out "$want" "$MPRUN" "$TH" -r <"$T/in"
expect_out "$want" "$MPRUN" "$TH" -r :::: - <"$T/in"

# Under every output mode, several tasks.
for mode in --group --unordered --line-buffer --ungroup; do
	expect_out "$want
$want" "$MPRUN" -j1 $mode "$TH" -r ::: 1 2
done

# mprun started with SIGINT, SIGTERM, SIGPIPE and SIGQUIT ignored: that
# does not reach the tasks.
run perl -e '$SIG{INT} = $SIG{TERM} = $SIG{PIPE} = $SIG{QUIT} = "IGNORE";
    exec @ARGV or die' "$MPRUN" "$TH" -r ::: 1
check_rc 0
check_out "$want"
check_err ""

# mprun started with signals blocked (SIGCHLD too, which an event loop
# needs to see its workers exit): it must still work, and the tasks get an
# empty mask.
for sig in SIGUSR1 SIGTERM SIGCHLD; do
	RUN_TIMEOUT=20 run perl -e 'use POSIX;
	    my $s = eval "POSIX::$ARGV[0]()";
	    sigprocmask(SIG_BLOCK, POSIX::SigSet->new($s));
	    shift; exec @ARGV or die' "$sig" "$MPRUN" "$TH" -r ::: 1
	check_rc 0
	check_out "$want"
	check_err ""
done

# Through /bin/sh as well: the shell is the group leader; stdin and the
# mask still as they should be.
run "$MPRUN" "$TH -r | cat; : {}" ::: 1
check_rc 0
check_out "$(lines stdin=devnull pgrp=inherited mask=empty sigdfl=yes)"
expect_out "$(lines own own)" "$MPRUN" \
    "test \$(ps -o pgid= -p \$\$) -eq \$\$ && echo own; : {}" ::: 1 2

# A task reading stdin gets EOF at once.
expect_out "0" "$MPRUN" "wc -c | tr -d ' '; : {}" <"$T/in"

# Each task its own group, different from mprun's and from each other's.
run "$MPRUN" -j2 "ps -o pgid= -p \$\$; sleep 0.3; : {}" ::: 1 2
check_rc 0
[ "$(sort -u "$T/out" | count_lines /dev/stdin)" -eq 2 ] ||
	fail "two concurrent tasks share a process group"
grep -qx "[[:space:]]*$(ps -o pgid= -p $$ | tr -d ' ')" "$T/out" &&
	fail "a task is in the test's process group"

done_testing
