#!/bin/sh
# The open file limit, at the minimum the man page gives for each mode
# and one below it.  mprun counts every descriptor the run will hold
# (those open when it starts, its own, each worker's) before it starts
# anything: it runs, lowers -j with one warning, or refuses at once with
# the number it needs.  It used to count a fixed reserve: with one more
# descriptor inherited, or --joblog, it lowered -j to 1 and then failed
# with "too many open files".
. "$(dirname "$0")/lib.sh"

need perl

seq 50 >"$T/in"
# perl rather than python3: it starts in a tenth of the time (more where
# python3 is a pyenv shim), and nofds runs two dozen times.
cat >"$T/nofds.pl" <<'END'
use POSIX ();
POSIX::close($_) for 3 .. (1 << 16) - 1;
exec @ARGV or die "exec $ARGV[0]: $!\n";
END

# nofds LIMIT COMMAND...: COMMAND with only fds 0-2 open (whatever the
# test runner left open is closed) and the open file limit at LIMIT.
nofds()
{
	_lim=$1
	shift
	run perl "$T/nofds.pl" sh -c 'ulimit -n "$0" && exec "$@"' \
	    "$_lim" "$@"
}

# too_low LIMIT NEED OPEN: the last run refused with the one message.
too_low()
{
	check_rc 255
	check_out ""
	check_err "mprun: the open file limit ($1) is too low: mprun needs $2 ($3 of them open when it started)"
}

# at_min LIMIT COMMAND...: at LIMIT COMMAND runs every task with no
# warning; at LIMIT - 1 it is refused.
at_min()
{
	_min=$1
	shift
	nofds "$_min" "$@" <"$T/in"
	check_rc 0
	check_out_file "$T/in"
	check_err ""
	nofds $((_min - 1)) "$@" <"$T/in"
	too_low $((_min - 1)) "$_min" 3
}

# Workers of mprun's own: 17; with --joblog, --junit, both: one more each.
at_min 17 "$MPRUN" -j1 echo
at_min 18 "$MPRUN" -j1 --joblog "$T/jl" echo
at_min 18 "$MPRUN" -j1 --junit "$T/junit.xml" echo
at_min 19 "$MPRUN" -j1 --joblog "$T/jl" --junit "$T/junit.xml" echo
# Started with exec rather than by the fork server: the same.
at_min 17 env MPRUN_EXEC_WORKERS=1 "$MPRUN" -j1 echo
# A fresh worker starts while the old one exits: two workers' pipes.
at_min 19 "$MPRUN" -j1 --maxtasksperchild 1 echo
# Persistent workers: 19.
at_min 19 "$MPRUN" -j1 --worker 'while read -r x; do echo "$x"; done'

# Each worker more takes 2 (3 with --worker): -j8 at the minimum is
# lowered to 1, two more make room for a second worker.
nofds 17 "$MPRUN" -j8 echo <"$T/in"
check_rc 0
check_out_file "$T/in"
check_err "mprun: -j 8: lowered to 1 (open file limit 17)"
nofds 19 "$MPRUN" -j8 echo <"$T/in"
check_rc 0
check_out_file "$T/in"
check_err "mprun: -j 8: lowered to 2 (open file limit 19)"
nofds 22 "$MPRUN" -j8 --worker 'while read -r x; do echo "$x"; done' \
    <"$T/in"
check_rc 0
check_out_file "$T/in"
check_err "mprun: -j 8: lowered to 2 (open file limit 22)"

# A descriptor the caller leaves open counts: one more.
nofds 18 sh -c 'exec 5</dev/null; exec "$@"' sh "$MPRUN" -j1 echo \
    <"$T/in"
check_rc 0
check_out_file "$T/in"
check_err ""
nofds 17 sh -c 'exec 5</dev/null; exec "$@"' sh "$MPRUN" -j1 echo \
    <"$T/in"
too_low 17 18 4

# The runs of the report, stdin a pipe (nbio reads it through a
# descriptor of its own): --worker -j8 with fd 5 open needs 21, and
# --joblog -j50 needs 19.  Before, the first lowered -j to 1 at 19 and
# 20 and then failed, and the second the same at 18.  Where mprun
# refuses, seq may find the pipe closed: its complaint is not ours.
wloop='while read -r x; do echo w$x; done'
sed 's/^/w/' "$T/in" >"$T/win"
nofds 21 sh -c 'exec 5</dev/null; seq 50 | "$@"' sh "$MPRUN" -j8 \
    --worker "$wloop"
check_rc 0
check_out_file "$T/win"
check_err "mprun: -j 8: lowered to 1 (open file limit 21)"
nofds 20 sh -c 'exec 5</dev/null; seq 50 2>/dev/null | "$@"' sh "$MPRUN" -j8 \
    --worker "$wloop"
too_low 20 21 4
nofds 19 sh -c 'seq 50 | "$@"' sh "$MPRUN" -j50 --joblog "$T/jl" echo
check_rc 0
check_out_file "$T/in"
check_err "mprun: -j 50: lowered to 1 (open file limit 19)"
[ "$(count_lines "$T/jl")" -eq 51 ] || fail "not 50 joblog rows"
nofds 18 sh -c 'seq 50 2>/dev/null | "$@"' sh "$MPRUN" -j50 --joblog "$T/jl" echo
too_low 18 19 3

# Output that spills to a temporary file while a fresh worker starts:
# the peak the count is for.  -j2 --maxtasksperchild 1 needs 23; task 1
# holds the head while task 2 writes 70 MB, which spill.
nofds 23 "$MPRUN" -j2 --maxtasksperchild 1 'sh -c {}' \
    ::: 'sleep 1; echo a' 'head -c 70000000 /dev/zero | tr "\0" b; echo' \
    'echo c' 'echo d'
check_rc 0
check_err ""
[ "$(head -n 1 "$T/out")" = a ] || fail "spill run: no 'a' first"
[ "$(tail -n 2 "$T/out" | tr '\n' ' ')" = "c d " ] ||
	fail "spill run: no 'c d' last"
[ "$(wc -c <"$T/out")" -eq 70000007 ] || fail "spill run: bytes lost"
# One below, there is room for one worker of the two.
nofds 22 "$MPRUN" -j2 --maxtasksperchild 1 echo ::: a
check_rc 0
check_out a
check_err "mprun: -j 2: lowered to 1 (open file limit 22)"

done_testing
