# lib.sh - helpers shared by mprun's end-to-end tests.
#
# Every tests/e2e/*.sh script sources this file first:
#
#	. "$(dirname "$0")/lib.sh"
#
# It finds the binaries (MPRUN, TH and SRCDIR come from scripts/run-tests.sh;
# without them the paths are worked out from the script's location, so a
# single test can be run by hand with `sh tests/e2e/order.sh`), makes a
# temporary directory $T, changes into it (so a stray glob or relative path
# can only touch it) and removes it on exit.  A test calls run/expect* and
# check_* as many times as it likes; each failure is printed with the
# command and a diff, and done_testing exits 1 if any check failed, else 0.
# skip exits 77.  Scripts get no stdin, so stdin is /dev/null unless a test
# redirects it.

# scripts/run-tests.sh runs every tests/e2e/*.sh, this file too: run on its
# own it tests nothing, so it passes quietly.
case ${0##*/} in
lib.sh)
	exit 0
	;;
esac

LC_ALL=C
export LC_ALL
# A developer's default options would change every test, and a make
# jobserver (make -jN check) would limit every mprun in them.
unset MPRUN_OPTS MAKEFLAGS MFLAGS MAKELEVEL

TEST=${0##*/}
TEST=${TEST%.sh}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MPRUN=${MPRUN:-$SRCDIR/mprun}
TH=${TH:-$SRCDIR/tests/helpers/th}
# The tests run in their own directory: make the paths absolute.
case $MPRUN in
/*)
	;;
*/*)
	MPRUN=$PWD/$MPRUN
	;;
*)
	MPRUN=$(command -v "$MPRUN") || MPRUN=/nonexistent/mprun
	;;
esac
case $TH in
/*)
	;;
*)
	TH=$PWD/$TH
	;;
esac
export SRCDIR MPRUN TH

failures=0
bgpids=

if [ ! -x "$MPRUN" ]; then
	echo "$TEST: no mprun binary at $MPRUN (run make)"
	exit 1
fi
if [ ! -x "$TH" ]; then
	echo "$TEST: no test helper at $TH (run make check)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/mprun-e2e.XXXXXX") || exit 1
# Spill files and anything else mprun puts in $TMPDIR stay in $T as well.
mkdir "$T/tmp" || exit 1
TMPDIR=$T/tmp
export T TMPDIR

# cleanup: kills what the test left running in the background and removes
# $T; the script's exit status is kept.
cleanup()
{
	for _p in $bgpids; do
		kill -9 "$_p" 2>/dev/null
	done
	cd / && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

exec </dev/null
cd "$T" || exit 1

# fail MESSAGE: records a failed check.
fail()
{
	printf 'FAIL: %.500s\n' "$*"
	failures=$((failures + 1))
}

# skip REASON: the whole test cannot run here.
skip()
{
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# need COMMAND...: skips the test unless every COMMAND is installed.
need()
{
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "$_c is not installed"
	done
}

# done_testing: the last line of every test.
done_testing()
{
	if [ "$failures" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$TEST" "$failures"
		exit 1
	fi
	printf '%s: ok\n' "$TEST"
	exit 0
}

# show_diff EXPECTED-FILE ACTUAL-FILE: prints how they differ, readably even
# for binary data.
show_diff()
{
	if command -v diff >/dev/null 2>&1 && [ "$(wc -c <"$1")" -lt 65536 ] &&
	    [ "$(wc -c <"$2")" -lt 65536 ]; then
		diff -u -a "$1" "$2" | sed -n '3,60p' | sed 's/^/    /'
	else
		printf '    expected %s bytes, got %s bytes\n' \
		    "$(wc -c <"$1")" "$(wc -c <"$2")"
		cmp "$1" "$2" 2>&1 | sed 's/^/    /'
	fi
	if [ "$(wc -c <"$1")" -lt 512 ] && [ "$(wc -c <"$2")" -lt 512 ]; then
		echo "    expected (od -c):"
		od -c "$1" | sed 's/^/      /'
		echo "    got (od -c):"
		od -c "$2" | sed 's/^/      /'
	fi
}

# run COMMAND...: runs COMMAND (with a time limit) with its stdout in
# $T/out, its stderr in $T/err and its exit status in $rc.  Redirect the
# call's stdin to give it input: run "$MPRUN" echo <"$T/in".
run()
{
	lastcmd="$*"
	rc=0
	timeout -k 5 "${RUN_TIMEOUT:-60}" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		printf 'note: status %d: timed out? (%s)\n' "$rc" "$lastcmd"
	fi
}

# mktext FILE TEXT: writes TEXT plus a newline to FILE, or nothing at all
# when TEXT is empty.
mktext()
{
	if [ -n "$2" ]; then
		printf '%s\n' "$2" >"$1"
	else
		: >"$1"
	fi
}

# check_file_is LABEL EXPECTED-FILE ACTUAL-FILE: exact byte comparison.
check_file_is()
{
	if ! cmp -s "$2" "$3"; then
		fail "$1 of: $lastcmd"
		show_diff "$2" "$3"
		return 1
	fi
	return 0
}

# check_out TEXT: the last run's stdout is exactly TEXT and a newline ("":
# nothing).
check_out()
{
	mktext "$T/.want" "$1"
	check_file_is stdout "$T/.want" "$T/out"
}

# check_err TEXT: the same for stderr.
check_err()
{
	mktext "$T/.want" "$1"
	check_file_is stderr "$T/.want" "$T/err"
}

# check_out_file FILE: the last run's stdout has exactly FILE's bytes.
check_out_file()
{
	check_file_is stdout "$1" "$T/out"
}

# check_rc STATUS: the last run's exit status.
check_rc()
{
	if [ "$rc" -ne "$1" ]; then
		fail "exit status $rc, expected $1, of: $lastcmd"
		if [ -s "$T/err" ]; then
			echo "    stderr:"
			head -c 2000 "$T/err" | sed 's/^/      /'
		fi
		return 1
	fi
	return 0
}

# check_err_match ERE: some line of the last run's stderr matches ERE.
check_err_match()
{
	if ! grep -Eq -- "$1" "$T/err"; then
		fail "no stderr line matches /$1/ in: $lastcmd"
		echo "    stderr:"
		head -c 2000 "$T/err" | sed 's/^/      /'
		return 1
	fi
	return 0
}

# expect_out TEXT COMMAND...: COMMAND exits 0, prints exactly TEXT and a
# newline on stdout and nothing on stderr.
expect_out()
{
	_exp=$1
	shift
	run "$@"
	check_rc 0
	check_out "$_exp"
	check_err ""
}

# expect STATUS OUT ERR COMMAND...: COMMAND exits with STATUS and prints
# exactly OUT and ERR (each plus a newline, "" for nothing).
expect()
{
	_st=$1
	_o=$2
	_e=$3
	shift 3
	run "$@"
	check_rc "$_st"
	check_out "$_o"
	check_err "$_e"
}

# lines WORD...: each WORD on its own line, to build expected output (in
# "$(lines ...)" trailing empty lines are lost: use check_out_file then).
lines()
{
	printf '%s\n' "$@"
}

# now_ms: milliseconds since the epoch.
now_ms()
{
	date +%s%3N
}

# wait_for SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds
# (status 0) or SECONDS pass (status 1).
wait_for()
{
	_limit=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -ge "$_limit" ] && return 1
		sleep 0.05
	done
	return 0
}

# alive PID: the process exists and is not a zombie.
alive()
{
	_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_st in
	Z*|'')
		return 1
		;;
	esac
	return 0
}

# dead PID: the process is gone (or a zombie).
dead()
{
	! alive "$1"
}

# workers_of PID: the pids of mprun PID's workers.  They are children of
# its fork server (comm "mprun-zygote"), or of mprun itself when workers
# are started with exec (MPRUN_EXEC_WORKERS).
workers_of()
{
	for _c in $(pgrep -P "$1"); do
		if [ "$(ps -o comm= -p "$_c")" = mprun-zygote ]; then
			pgrep -P "$_c"
		else
			echo "$_c"
		fi
	done
}

# helpers_of PID: every process mprun PID started for itself: the fork
# server, if any, and the workers.
helpers_of()
{
	pgrep -P "$1"
	for _c in $(pgrep -P "$1"); do
		[ "$(ps -o comm= -p "$_c")" != mprun-zygote ] || pgrep -P "$_c"
	done
}

# group_alive PGID: some process of that process group is not a zombie.
group_alive()
{
	ps -e -o pgid= -o stat= | awk -v g="$1" '
	    $1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# group_dead PGID: no live process is left in that process group.
group_dead()
{
	! group_alive "$1"
}

# start_bg COMMAND...: starts COMMAND in the background with SIGINT and
# SIGQUIT at their default dispositions (a non-interactive shell starts
# background jobs with them ignored), stdout in $T/out, stderr in $T/err;
# its pid (COMMAND's own: env and perl exec it) is in $bgpid.
start_bg()
{
	lastcmd="$*"
	if env --default-signal=INT true 2>/dev/null; then
		env --default-signal=INT,QUIT "$@" >"$T/out" 2>"$T/err" &
	else
		perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT";
		    exec @ARGV or die' \
		    -- "$@" >"$T/out" 2>"$T/err" &
	fi
	bgpid=$!
	bgpids="$bgpids $bgpid"
}

# wait_bg: waits for the background command of start_bg; its status in $rc.
wait_bg()
{
	rc=0
	wait "$bgpid" || rc=$?
}

# slots: the distinct worker slots in the last run's stdout (one {%} per
# line), sorted numerically, one per line.
slots()
{
	sort -n -u "$T/out"
}

# count_lines FILE: the number of lines of FILE.
count_lines()
{
	wc -l <"$1" | tr -d ' '
}

# Job control helpers.

# joblog_mask FILE: prints the --joblog FILE with each row's Starttime
# replaced by S and its JobRuntime by R, once their formats are checked
# (Starttime "%.3f" epoch seconds, JobRuntime "%10.3f"); a row whose
# fields do not have the expected shape is printed as "BAD: row".
joblog_mask()
{
	if [ ! -f "$1" ]; then
		echo "MISSING: $1"
		return
	fi
	awk -F '\t' -v OFS='\t' '
	NR == 1 {
		print
		next
	}
	NF < 9 || $3 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ ||
	    $4 !~ /^ *[0-9]+\.[0-9][0-9][0-9]$/ || length($4) != 10 {
		print "BAD: " $0
		next
	}
	{
		$3 = "S"
		$4 = "R"
		print
	}' "$1"
}

# joblog_sorted FILE: joblog_mask FILE with the rows (not the header)
# sorted by Seq, for runs whose completion order is not fixed.
joblog_sorted()
{
	joblog_mask "$1" >"$T/.jlm"
	head -n 1 "$T/.jlm"
	tail -n +2 "$T/.jlm" | sort -t "$(printf '\t')" -k 1,1n
}

# check_joblog FILE TEXT: FILE, masked by joblog_mask, is exactly TEXT
# (the rows with TABs) and a newline.
check_joblog()
{
	joblog_mask "$1" >"$T/.jl"
	mktext "$T/.want" "$2"
	check_file_is "joblog $1" "$T/.want" "$T/.jl"
}

# check_joblog_sorted FILE TEXT: the same with the rows sorted by Seq.
check_joblog_sorted()
{
	joblog_sorted "$1" >"$T/.jl"
	mktext "$T/.want" "$2"
	check_file_is "joblog $1 (sorted)" "$T/.want" "$T/.jl"
}

# JOBLOG_HEADER: the first line of every joblog.
JOBLOG_HEADER=$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')

# jlrow SEQ EXITVAL SIGNAL COMMAND: one masked joblog row, as joblog_mask
# prints it.
jlrow()
{
	printf '%s\t:\tS\tR\t0\t0\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"
}

# json_mask FILE: prints the --json lines of FILE with the values of
# "start" and "runtime" replaced by S and R, once checked to be numbers
# with exactly 3 decimals (a line where they are not is printed as is).
json_mask()
{
	sed -E 's/"start":[0-9]+\.[0-9]{3},"runtime":[0-9]+\.[0-9]{3},/"start":S,"runtime":R,/' "$1"
}

# elapsed_ms START: milliseconds since START (a now_ms value).
elapsed_ms()
{
	echo $(($(now_ms) - $1))
}

# pstat PID: the process state letter of PID (R, S, T, Z, ...), or
# nothing when it is gone.
pstat()
{
	ps -o stat= -p "$1" 2>/dev/null | cut -c 1
}

# stopped PID: the process is stopped (state T).
stopped()
{
	[ "$(pstat "$1")" = T ]
}

# not_stopped PID: the process exists and is not stopped.
not_stopped()
{
	_s=$(pstat "$1")
	[ -n "$_s" ] && [ "$_s" != T ]
}

# Fault suite helpers.

# vm_hwm PID: the peak resident set size of PID in kB (VmHWM in
# /proc/PID/status), or nothing once it has exited.
vm_hwm()
{
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# wait_bg_hwm: like wait_bg, but reads the VmHWM of the background command
# of start_bg every 50 ms until it exits; the last value read (VmHWM only
# grows, so it is the peak, give or take the last 50 ms) goes in $hwm, in
# kB (0 when none could be read).
wait_bg_hwm()
{
	hwm=0
	while _v=$(vm_hwm "$bgpid") && [ -n "$_v" ]; do
		hwm=$_v
		sleep 0.05
	done
	wait_bg
}

# zygote_of PID: the pid of mprun PID's fork server, or nothing.
zygote_of()
{
	pgrep -x -P "$1" mprun-zygote | head -n 1
}

# zombies_of PID: the zombie children of mprun PID and of its fork server,
# one "pid comm" per line.
zombies_of()
{
	for _p in "$1" $(zygote_of "$1"); do
		ps -o pid= -o stat= -o comm= --ppid "$_p" 2>/dev/null |
		    awk '$2 ~ /^Z/ { print $1, $3 }'
	done
}

# no_zombies PID: mprun PID and its fork server have no zombie child.
no_zombies()
{
	[ -z "$(zombies_of "$1")" ]
}

# fd_list PID: the open file descriptors of PID, one "fd target" per line
# in fd order, pipe, socket and anon_inode numbers left out (so the lists
# of two moments compare equal when the same kinds of files are open).
fd_list()
{
	for _fd in $(ls "/proc/$1/fd" 2>/dev/null | sort -n); do
		_t=$(readlink "/proc/$1/fd/$_fd" 2>/dev/null) || continue
		printf '%s %s\n' "$_fd" "$_t"
	done | sed -E 's/^([0-9]+ [a-z_]+):\[[0-9]+\]$/\1/'
}

# sanitized: mprun was built with AddressSanitizer (make asan), whose
# shadow memory and quarantine make its resident size meaningless: memory
# bounds are then not checked.
sanitized()
{
	grep -q __asan_init "$MPRUN" 2>/dev/null
}
