#!/bin/sh
# The process limit (ulimit -u, RLIMIT_NPROC), which counts every process
# and thread of the user on the machine.  mprun starts no thread (it
# used to abort, "Aborted" and status 134, when libuv could not start
# its thread pool), and when fewer processes can be had than -j asks, it
# lowers -j with one warning and runs every task; when not even one task
# can run, it says so in one message and exits 255, never 0 with
# records lost.  Root ignores the limit, so the runs drop to nobody;
# the limits are set relative to what nobody runs already.
# test: alone
# (The runner runs it with nothing else: it sets the process limit
# relative to what user nobody runs, and other tests run as nobody.)
. "$(dirname "$0")/lib.sh"

need setpriv prlimit
[ "$(id -u)" -eq 0 ] || skip "needs root to run as nobody"
setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null ||
	skip "setpriv cannot drop to nobody here"
# Sanitizers start threads of their own (LeakSanitizer at exit).
if sanitized; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	export ASAN_OPTIONS
fi

# nobody needs to read what we give it and a TMPDIR it may write.
chmod 755 "$T"
chmod 1777 "$TMPDIR"
seq 300 >"$T/in"
chmod 644 "$T/in"

# as_nobody N COMMAND...: COMMAND as nobody, allowed N processes beyond
# those nobody has already (once the last run's workers have all gone).
as_nobody()
{
	wait_for 10 sh -c '! pgrep -u nobody mprun >/dev/null' ||
		fail "processes of an earlier run are left"
	_n=$(($(ps -u nobody -o pid= | wc -l) + $1))
	shift
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    prlimit --nproc="$_n" "$@"
}

# lowered_to JOBS [FILE]: the N of each line "mprun: -j JOBS: lowered to N
# (cannot start more processes: ...)" of FILE (the last run's stderr).
lowered_to()
{
	sed -n "s/^mprun: -j $1: lowered to \([0-9]*\) (cannot start more processes: Resource temporarily unavailable)\$/\1/p" \
	    "${2:-$T/err}"
}

# check_lowered JOBS: stderr is exactly one such line, N in 1..JOBS-1.
# Under ASan a pool that settled may find fewer processes later and say
# so again: then every line is such a warning, the last N the lowest.
check_lowered()
{
	_n=$(lowered_to "$1" | tail -n 1)
	_lines=1
	if sanitized; then
		_lines=$(lowered_to "$1" | wc -l)
	fi
	if [ "$(count_lines "$T/err")" -ne "$_lines" ] || [ -z "$_n" ] ||
	    [ "$_n" -lt 1 ] || [ "$_n" -ge "$1" ]; then
		fail "not one 'lowered' warning for -j $1: $lastcmd"
		sed 's/^/    /' "$T/err"
	fi
}

# check_lowered_steps JOBS: stderr is one or more such lines, each lower
# than the one before (a fresh worker for each task needs a process
# while the old one exits, and may come short later in the run).
check_lowered_steps()
{
	_last=$1
	while IFS= read -r _line; do
		printf '%s\n' "$_line" >"$T/.line"
		_n=$(lowered_to "$1" "$T/.line")
		if [ -z "$_n" ] || [ "$_n" -lt 1 ] || [ "$_n" -ge "$_last" ]; then
			fail "bad 'lowered' warnings for -j $1: $lastcmd"
			sed 's/^/    /' "$T/err"
			return
		fi
		_last=$_n
	done <"$T/err"
	[ -s "$T/err" ] || fail "no 'lowered' warning: $lastcmd"
}

# The parent starts no thread: none to read a pipe that has nothing yet,
# none to write.
mkfifo "$T/fifo"
start_bg sh -c 'exec "$@" <"$0"' "$T/fifo" "$MPRUN" -j2 echo
exec 7>"$T/fifo"
echo a >&7
wait_for 10 grep -q a "$T/out" || fail "no output while the input is open"
[ "$(ls "/proc/$bgpid/task" | wc -l)" -eq 1 ] ||
	fail "mprun runs $(ls "/proc/$bgpid/task" | wc -l) threads"
exec 7>&-
wait_bg
check_rc 0
check_out a
check_err ""

# mprun alone: not even the first worker.
as_nobody 1 "$MPRUN" -j2 'echo {}' <"$T/in"
check_rc 255
check_out ""
check_err "mprun: cannot start a worker: resource temporarily unavailable"

# mprun, its fork server and one worker: no task can start.
as_nobody 3 "$MPRUN" -j2 'echo {}' <"$T/in"
check_rc 255
check_out ""
check_err "mprun: cannot start a task: Resource temporarily unavailable"

# One more, and one worker runs every task.  Before, -j2 under these
# limits aborted (134) with no output and nothing on stderr.
for k in 4 5; do
	as_nobody $k "$MPRUN" -j2 'echo {}' <"$T/in"
	check_rc 0
	check_out_file "$T/in"
	check_err "mprun: -j 2: lowered to 1 (cannot start more processes: Resource temporarily unavailable)"
done
# Enough for -j2: nothing to say.
as_nobody 8 "$MPRUN" -j2 'echo {}' <"$T/in"
check_rc 0
check_out_file "$T/in"
check_err ""

# -j8 with room for a few: one warning, every task (before: 255, "cannot
# start a worker", no output; or tasks failed with "Resource temporarily
# unavailable").
for k in 4 6 10 14; do
	as_nobody $k "$MPRUN" -j8 'echo {}' <"$T/in"
	check_rc 0
	check_out_file "$T/in"
	check_lowered 8
done
# A fresh worker for every task: each must find its process.
as_nobody 6 "$MPRUN" -j8 --maxtasksperchild 1 --joblog "$TMPDIR/jl" echo \
    <"$T/in"
check_rc 0
check_out_file "$T/in"
check_lowered_steps 8
[ "$(count_lines "$TMPDIR/jl")" -eq 301 ] || fail "not 300 joblog rows"
# Workers started with exec rather than by the fork server.
as_nobody 6 env MPRUN_EXEC_WORKERS=1 "$MPRUN" -j8 echo <"$T/in"
check_rc 0
check_out_file "$T/in"
check_lowered 8
# A task given back unstarted is no attempt: each runs once.
as_nobody 6 "$MPRUN" -j8 --retries 2 --joblog "$TMPDIR/jl" echo <"$T/in"
check_rc 0
check_out_file "$T/in"
check_lowered 8
[ "$(count_lines "$TMPDIR/jl")" -eq 301 ] || fail "not 300 joblog rows (retries)"

# Persistent workers (a shell loop: one process each).
as_nobody 1 "$MPRUN" -j8 --worker 'while read -r x; do echo "$x"; done' \
    <"$T/in"
check_rc 255
check_out ""
check_err "mprun: --worker: cannot start /bin/sh: resource temporarily unavailable"
for k in 2 4; do
	as_nobody $k "$MPRUN" -j8 \
	    --worker 'while read -r x; do echo "$x"; done' <"$T/in"
	check_rc 0
	check_out_file "$T/in"
	check_lowered 8
done

done_testing
