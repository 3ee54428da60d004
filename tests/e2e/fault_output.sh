#!/bin/sh
# A task writing 512 MiB: every byte comes out (NULs included: it is
# /dev/zero), under every output mode, while mprun's own memory stays
# bounded (VmHWM of the parent, read while it runs): well under the
# 64 MiB it may hold for a task that streams, even when the reader of
# stdout pauses, and bounded by that limit (plus buffers) when the 512 MiB
# wait for their turn and spill to $TMPDIR.
# A partial line is no exception: --line-buffer must not hold a 512 MiB
# line in memory either.  Then stdout on a file system that fills up
# half-way (the first writes succeed): status 255 and one message.  And
# a SIGKILL while output is spilled leaves no file behind.
# (/dev/full is in devfull.sh, the joblog and the spill file on a full
# file system in full_tmpfs.sh, 200 MB checksums in large_output.sh.)
# test: alone
# (The runner runs it with nothing else: it moves gigabytes through pipes
# and the spill file, and mprun's memory is measured.)
. "$(dirname "$0")/lib.sh"

# Eight times what mprun may hold in memory, twice the bound on its peak
# when output spills: more would only take longer (it was 1 GiB, 13 GiB
# through pipes in all, close to the 120 s a script has).
BIG=536870912

# big_run READER COMMAND...: runs COMMAND in the background with its stdout
# going through a FIFO to the sh command READER (its output in $T/read);
# waits for both, COMMAND's status in $rc and its peak memory in $hwm (kB).
big_run()
{
	_reader=$1
	shift
	rm -f "$T/fifo"
	mkfifo "$T/fifo" || fail "mkfifo"
	sh -c "$_reader" <"$T/fifo" >"$T/read" &
	_rpid=$!
	start_bg sh -c 'exec "$@" >"$T/fifo"' sh "$@"
	wait_bg_hwm
	wait "$_rpid"
}

# check_read TEXT: the reader printed exactly TEXT.
check_read()
{
	mktext "$T/.want" "$1"
	check_file_is "what the reader got" "$T/.want" "$T/read"
}

# check_hwm KB: the peak memory of the last big_run was under KB kB.
check_hwm()
{
	if sanitized; then
		return
	elif [ "$hwm" -eq 0 ]; then
		fail "no VmHWM read for: $lastcmd"
	elif [ "$hwm" -ge "$1" ]; then
		fail "mprun's peak memory $hwm kB, not under $1 kB: $lastcmd"
	fi
}

[ -r /proc/self/status ] || skip "no /proc"
if sanitized; then
	# ASan checks every byte moved: gigabytes of it would not fit the
	# suite's 120 s.  Memory bounds are not checked there anyway.
	echo "note: a sanitizer build: memory bounds not checked, 256 MiB"
	BIG=268435456
fi

zero_sum=$(head -c $BIG /dev/zero | cksum)
lines_sum=$("$TH" -n $BIG | cksum)

# The head task streams: nothing is held.
for mode in --group --unordered --ungroup; do
	big_run cksum "$MPRUN" $mode "head -c $BIG /dev/zero; : {}" ::: 1
	check_rc 0
	check_err ""
	check_read "$zero_sum"
	check_hwm 65536
done
big_run cksum "$MPRUN" --line-buffer "$TH" -n $BIG ::: 1
check_rc 0
check_err ""
check_read "$lines_sum"
check_hwm 65536

# A reader that pauses: mprun must stop reading its workers (back-
# pressure) rather than queue what the task writes meanwhile.
big_run 'sleep 3; cksum' "$MPRUN" "head -c $BIG /dev/zero; : {}" ::: 1
check_rc 0
check_err ""
check_read "$zero_sum"
check_hwm 65536
big_run 'sleep 3; cksum' "$MPRUN" -u "$TH" -n $BIG ::: 1
check_rc 0
check_err ""
check_read "$lines_sum"
check_hwm 65536

# --tag: one line (no newline in 512 MiB of NULs), one tag.
big_run cksum "$MPRUN" --tag "head -c $BIG /dev/zero; : {}" ::: 1
check_rc 0
check_err ""
check_read "$({ printf '1\t'; head -c $BIG /dev/zero; } | cksum)"
check_hwm 65536

# Held back while the head task sleeps: the 512 MiB spill to $TMPDIR and
# comes back whole; in memory, no more than the limit and its buffers.
big_run cksum "$MPRUN" -j2 ::: "sleep 1" "head -c $BIG /dev/zero"
check_rc 0
check_err ""
check_read "$zero_sum"
check_hwm 262144
[ -z "$(ls -A "$TMPDIR")" ] || fail "files left in TMPDIR: $(ls -A "$TMPDIR")"

big_run cksum "$MPRUN" -j2 -k --line-buffer ::: "sleep 1" "$TH -n $BIG"
check_rc 0
check_err ""
check_read "$lines_sum"
check_hwm 262144

# SIGKILLed while 80 MB are spilled: the spill file was unlinked when it
# was made, so nothing is left in $TMPDIR.
spilling()
{
	ls -l "/proc/$bgpid/fd" 2>/dev/null | grep -q "$TMPDIR/.*(deleted)"
}
start_bg "$MPRUN" -j2 ::: "sleep 30" "$TH -n 80000000"
wait_for 10 spilling || fail "no spill file seen"
kill -9 "$bgpid"
wait_bg
[ -z "$(ls -A "$TMPDIR")" ] ||
	fail "files left in TMPDIR after SIGKILL: $(ls -A "$TMPDIR")"

# A 512 MiB line with no newline under --line-buffer, at the head or
# held back: it may be split or spilled, but not held in memory.
half=$((BIG < 536870912 ? BIG / 2 : 536870912))
if [ "$half" -eq "$BIG" ]; then
	half_sum=$zero_sum
else
	half_sum=$(head -c $half /dev/zero | cksum)
fi
big_run cksum "$MPRUN" --line-buffer "head -c $half /dev/zero; : {}" ::: 1
check_rc 0
check_err ""
check_read "$half_sum"
check_hwm 262144
big_run cksum "$MPRUN" -j2 --line-buffer ::: "sleep 1" \
    "head -c $half /dev/zero"
check_rc 0
check_err ""
check_read "$half_sum"
check_hwm 262144

# stdout on a file system that fills up: the first writes succeed, then
# ENOSPC.  Needs a small tmpfs in a private mount namespace (root and
# unshare); skipped otherwise.
if command -v unshare >/dev/null 2>&1 && mkdir "$T/fs" &&
    unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$T/fs" \
    2>/dev/null; then
	for mode in --group --ungroup --line-buffer; do
		lastcmd="mprun $mode -j2 th -n 200000 ::: 1 2 3 >FULL-TMPFS/out"
		rc=0
		unshare -m sh -c 'mount -t tmpfs -o size=256k tmpfs "$1" ||
		    exit 99
		    shift
		    "$@" >"$T/fs/out" 2>"$T/err"
		    echo $? >"$T/status"' sh "$T/fs" \
		    timeout -k 5 60 "$MPRUN" $mode -j2 "$TH" -n 200000 \
		    ::: 1 2 3 || rc=$?
		[ "$rc" -eq 0 ] || fail "the tmpfs script failed ($rc)"
		rc=$(cat "$T/status" 2>/dev/null || echo none)
		check_rc 255
		check_err "mprun: write error on stdout:\
 No space left on device"
	done
else
	echo "note: no tmpfs: stdout on a full file system not tested"
fi

done_testing
