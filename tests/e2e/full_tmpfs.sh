#!/bin/sh
# Writes to a full file system are errors, not silent losses: a joblog row
# that does not fit ("mprun: --joblog FILE: No space left on device", 255,
# the run stops) and held-back output spilled to a full $TMPDIR (255 and a
# message).  Needs a small tmpfs, mounted in a private mount namespace
# (root and unshare(1)); skipped otherwise.
. "$(dirname "$0")/lib.sh"

need unshare
mkdir "$T/probe" "$T/fs"
unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$T/probe" \
    2>/dev/null || skip "cannot mount a tmpfs (not root?)"

# in_tmpfs SIZE SCRIPT [ARG...]: runs the sh SCRIPT with a tmpfs of SIZE
# mounted on $T/fs, in its own mount namespace ($1 is $T/fs, the ARGs
# follow).
in_tmpfs()
{
	_size=$1
	_script=$2
	shift 2
	unshare -m sh -c 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99
	    _s=$3
	    shift 3
	    eval "$_s"' sh "$_size" "$T/fs" "$_script" "$@"
}

# A joblog on a file system with one free page: the header fits, the
# first row (a 6000-byte command line) does not.
long=$(head -c 6000 /dev/zero | tr '\0' y)
lastcmd="mprun --joblog FULL/jl (a full tmpfs)"
rc=0
in_tmpfs 256k '
	dd if=/dev/zero of="$T/fs/fill" bs=4096 2>/dev/null
	truncate -s -4096 "$T/fs/fill" || exit 98
	"$MPRUN" -j1 --joblog "$T/fs/jl" "$TH" -s 100 -o {#} -- {} \
	    ::: "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
	cp "$T/fs/jl" "$T/jl.copy"
' $long $long $long $long $long $long $long $long $long $long || rc=$?
[ "$rc" -eq 0 ] || fail "the tmpfs script failed ($rc)"
rc=$(cat "$T/status" 2>/dev/null || echo none)
check_rc 255
check_err "mprun: --joblog $T/fs/jl: No space left on device"
[ "$(count_lines "$T/out")" -lt 10 ] ||
	fail "the run went on after the joblog failed: $(count_lines "$T/out") tasks"
head -n 1 "$T/jl.copy" >"$T/head"
mktext "$T/want" "$JOBLOG_HEADER"
check_file_is "the joblog header on the full file system" "$T/want" "$T/head"

# Spilling held-back output to a full $TMPDIR: task 2's 80 MB wait for
# the slow task 1, more than the 64 MiB kept in memory.  Into a pipe: with
# stdout on /dev/null, the tasks would write there directly.
lastcmd="TMPDIR=FULL mprun ::: 'wait for 2; th -o one' 'th -n 80000000'"
rc=0
# Task 1 waits for task 2 to end (not for a time: a sanitizer build on a
# busy machine takes seconds over the 80 MB).
WAIT2="until [ -e $T/done2 ]; do sleep 0.05; done; $TH -o one"
rm -f "$T/done2"
in_tmpfs 1m '
	mkdir "$T/fs/tmp"
	{
		TMPDIR=$T/fs/tmp "$MPRUN" -j2 ::: "$1" \
		    "$TH -n 80000000; touch $T/done2" 2>"$T/err"
		echo $? >"$T/status"
	} | wc -c >"$T/bytes"
' "$WAIT2" || rc=$?
[ "$rc" -eq 0 ] || fail "the tmpfs script failed ($rc)"
rc=$(cat "$T/status" 2>/dev/null || echo none)
check_rc 255
check_err_match '^mprun: .*No space left on device$'
[ "$(count_lines "$T/err")" -eq 1 ] || fail "not one line on stderr: $(cat "$T/err")"
# Task 2's output can no longer be whole: none of it is written, rather
# than the 64 MiB that were held in memory; task 1 was stopped.
[ "$(cat "$T/bytes")" -eq 0 ] ||
	fail "a shortened output was written: $(cat "$T/bytes") bytes"

# The same with room enough works, byte for byte.
lastcmd="TMPDIR=BIG mprun ::: 'wait for 2; th -o one' 'th -n 80000000'"
rc=0
rm -f "$T/done2"
in_tmpfs 200m '
	mkdir "$T/fs/tmp"
	{
		TMPDIR=$T/fs/tmp "$MPRUN" -j2 ::: "$1" \
		    "$TH -n 80000000; touch $T/done2" 2>"$T/err"
		echo $? >"$T/status"
	} | cksum >"$T/out"
' "$WAIT2" || rc=$?
rc=$(cat "$T/status" 2>/dev/null || echo none)
check_rc 0
check_err ""
{ "$TH" -o one; "$TH" -n 80000000; } | cksum >"$T/want"
check_out_file "$T/want"

done_testing
