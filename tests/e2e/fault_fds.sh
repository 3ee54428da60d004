#!/bin/sh
# No descriptor leaks and no zombies.  --maxtasksperchild 1 over 2,000
# tasks (2,000 workers in turn): mprun and its fork server hold the same
# descriptors at the end as at the start (/proc/PID/fd), and neither has a
# zombie child or more children than at the start.  And a task sees only
# its stdin, stdout and stderr, never a descriptor of mprun's (pipes,
# joblog, input file, spill file), under every mode.
# test: alone
# (The runner runs it with nothing else: 2,300 workers started in turn
# load the machine, and the helpers and descriptors are counted at moments
# it picks.)
. "$(dirname "$0")/lib.sh"

[ -d /proc/self/fd ] || skip "no /proc"

# both_busy: mprun has two workers, each with a task.
both_busy()
{
	_busy=0
	for _w in $(workers_of "$bgpid"); do
		[ -z "$(pgrep -P "$_w")" ] || _busy=$((_busy + 1))
	done
	[ "$_busy" -eq 2 ]
}

# settled: mprun (and its fork server) hold no more descriptors than at
# the start, and have no more helpers.
settled()
{
	[ "$(fd_list "$bgpid" | count_lines /dev/stdin)" -le \
	    "$(count_lines "$T/fd.start")" ] || return 1
	[ -z "$zyg" ] || [ "$(fd_list "$zyg" | count_lines /dev/stdin)" -le \
	    "$(count_lines "$T/zfd.start")" ] || return 1
	[ "$(helpers_of "$bgpid" | count_lines /dev/stdin)" -le "$nkids" ]
}

# churn_test TASKS: -j2 --maxtasksperchild 1 over TASKS tasks of th, the
# first two sleeping 3 s and the last two 5 s, so the descriptors are
# counted at the start and at the end with both slots busy.
churn_test()
{
	{
		echo 3000
		echo 3000
		yes 0 | head -n $(($1 - 4))
		echo 5000
		echo 5000
	} >"$T/in"
	start_bg sh -c 'exec "$@" <"$T/in"' sh "$MPRUN" -j2 \
	    --maxtasksperchild 1 "$TH" -o {#} -s {}
	lastcmd="mprun -j2 --maxtasksperchild 1 th -o {#} -s {} ($1 tasks)"
	# Task 1 is at the head: its "1" is out at once; then both workers
	# run a task (under load the second can take a while).
	wait_for 10 test -s "$T/out" || fail "$lastcmd: task 1 did not start"
	wait_for 10 both_busy || fail "$lastcmd: task 2 did not start"
	sleep 0.2
	zyg=$(zygote_of "$bgpid")
	fd_list "$bgpid" >"$T/fd.start"
	[ -z "$zyg" ] || fd_list "$zyg" >"$T/zfd.start"
	nkids=$(helpers_of "$bgpid" | count_lines /dev/stdin)
	# The next to last task at the head: all the others are done.
	if ! wait_for 100 grep -qx $(($1 - 1)) "$T/out"; then
		fail "$lastcmd: task $(($1 - 1)) did not start in 100 s"
	fi
	# Which pipes and sockets are open varies with the moment (a worker
	# being made, or one exiting, which under load can take a while); a
	# leak shows as more of them at the end, and stays.
	wait_for 3 both_busy
	wait_for 3 settled
	fd_list "$bgpid" >"$T/fd.end"
	[ -z "$zyg" ] || fd_list "$zyg" >"$T/zfd.end"
	alive "$bgpid" ||
		fail "$lastcmd: mprun ended before the end was counted"
	for _w in mprun zygote; do
		if [ $_w = mprun ]; then
			_f=$T/fd
		else
			[ -n "$zyg" ] || continue
			_f=$T/zfd
		fi
		if [ "$(count_lines "$_f.end")" -gt \
		    "$(count_lines "$_f.start")" ]; then
			fail "$lastcmd: $_w has more descriptors at the end"
			echo "    at the start:"
			sed 's/^/      /' "$_f.start"
			echo "    at the end:"
			sed 's/^/      /' "$_f.end"
		fi
	done
	wait_for 2 no_zombies "$bgpid" ||
		fail "$lastcmd: zombies: $(zombies_of "$bgpid" | tr '\n' ' ')"
	n=$(helpers_of "$bgpid" | count_lines /dev/stdin)
	[ "$n" -le "$nkids" ] ||
		fail "$lastcmd: $n helpers at the end, $nkids at the start"
	wait_bg
	check_rc 0
	check_err ""
	seq "$1" >"$T/want"
	check_out_file "$T/want"
}

# Every worker runs the same code to start and to end, so a descriptor or
# a zombie it leaves shows as a count that grows with the workers; a leak
# of one a worker, or one in a few hundred, shows as several here.  2,000
# is also past the usual soft limit of 1,024 descriptors.  (It was 10,000,
# some 60 s of a lone 2-CPU machine's time, and a timeout under load, for
# leaks rarer than one worker in 2,000.)  Under ASan each worker's start
# costs several times as much: fewer.
if sanitized; then
	churn_test 400
else
	churn_test 2000
fi
# Workers started with exec rather than by the fork server: fewer tasks
# (each costs an exec of mprun).
MPRUN_EXEC_WORKERS=1
export MPRUN_EXEC_WORKERS
if sanitized; then
	churn_test 100
else
	churn_test 300
fi
unset MPRUN_EXEC_WORKERS

# What a task sees, started from a process with only 0, 1 and 2 open (ls
# opens the directory as 3; env X={} only keeps the value from being
# appended).
cat >"$T/closefds" <<'EOF'
#!/usr/bin/perl
use POSIX ();
POSIX::close($_) for 3 .. 1023;
exec @ARGV or die "exec: $!\n";
EOF
chmod +x "$T/closefds"
closefds=$T/closefds
fds=$(lines 0 1 2 3)

expect_out "$fds" "$closefds" "$MPRUN" env X={} ls /proc/self/fd ::: 1
expect_out "$fds" "$closefds" "$MPRUN" 'ls /proc/self/fd; : {}' ::: 1
for mode in --group --unordered --ungroup --line-buffer --tag; do
	run "$closefds" "$MPRUN" -j3 $mode env X={} ls /proc/self/fd ::: a
	check_rc 0
	check_err ""
	if [ "$mode" = --tag ]; then
		check_out "$(printf '%s\n' 0 1 2 3 | sed 's/^/a\t/')"
	else
		check_out "$fds"
	fi
done
printf 'x\ny\n' >"$T/in"
expect_out "$fds
$fds" "$closefds" "$MPRUN" -j2 --joblog "$T/jl" --maxtasksperchild 1 \
    env X={} ls /proc/self/fd :::: "$T/in"
expect_out "$fds
$fds" "$closefds" "$MPRUN" -j2 --joblog "$T/jl" 'ls /proc/self/fd; : {}' \
    <"$T/in"
# --init and a persistent worker (which has its task stream on stdin).
run "$closefds" "$MPRUN" -j1 --init 'ls /proc/self/fd' true ::: 1
check_rc 0
check_out ""
check_err "$fds"
run "$closefds" "$MPRUN" -j1 --worker 'ls /proc/self/fd >&2; cat' ::: 1
check_rc 0
check_out "1"
check_err "$fds"
# While output is spilled: task 2's 80 MB wait for task 1 in an unlinked
# file in $TMPDIR; task 3 starts in task 2's slot after that.
run "$closefds" "$MPRUN" -j2 ::: "sleep 2" "$TH -n 80000000" "ls /proc/self/fd"
check_rc 0
check_err ""
{
	"$TH" -n 80000000
	echo "$fds"
} >"$T/want"
check_out_file "$T/want"

done_testing
