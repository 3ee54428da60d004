#!/bin/sh
# Large outputs: 200 MB through a pipe (checksum), and held-back output
# beyond the 64 MiB memory limit, which spills to an unlinked file in
# $TMPDIR and must come back intact, in order, leaving nothing behind.
# test: alone
# (The runner runs it with nothing else: it moves over a gigabyte through
# pipes and the spill file.)
. "$(dirname "$0")/lib.sh"

# 2 x 100 MB; the second task's output is held while the first streams.
"$TH" -n 100000000 | cksum >"$T/one"
cat "$T/one" "$T/one" >"$T/exp"
run sh -c '"$MPRUN" -j2 "$TH" -n 100000000 ::: 1 2 | (
    head -c 100000000 | cksum; cksum)'
check_rc 0
check_out_file "$T/exp"

# The head task sleeps while three others print 40 MB each: 120 MB held
# back, more than the 64 MiB kept in memory.
mkdir "$T/spill"
{
	"$TH" -o head
	"$TH" -n 40000000 -o 2
	"$TH" -n 40000000 -o 3
	"$TH" -n 40000000 -o 4
} | cksum >"$T/exp"
run env TMPDIR="$T/spill" sh -c '"$MPRUN" -j4 ::: "sleep 2; $TH -o head" \
    "$TH -n 40000000 -o 2" "$TH -n 40000000 -o 3" "$TH -n 40000000 -o 4" |
    cksum'
check_rc 0
check_out_file "$T/exp"
if [ -n "$(ls -A "$T/spill")" ]; then
	fail "spill files left in TMPDIR: $(ls -A "$T/spill")"
fi

# --unordered and --ungroup, 2 x 100 MB.
"$TH" -n 100000000 | cksum >"$T/one"
cat "$T/one" "$T/one" >"$T/exp"
for mode in --unordered --line-buffer; do
	run sh -c '"$MPRUN" '$mode' -j2 "$TH" -n 100000000 ::: 1 2 | (
	    head -c 100000000 | cksum; cksum)'
	check_rc 0
	check_out_file "$T/exp"
done
run sh -c '"$MPRUN" -u -j2 "$TH" -n 100000000 ::: 1 2 | wc -c'
check_rc 0
check_out 200000000

# Held-back stderr beyond the memory limit.
"$TH" -n 80000000 | cksum >"$T/exp"
run env TMPDIR="$T/spill" sh -c '"$MPRUN" -j2 ::: "sleep 2" \
    "$TH -n 80000000 >&2" 2>&1 >/dev/null | cksum'
check_rc 0
check_out_file "$T/exp"

# While the head task sleeps, the held-back 80 MB sit in an unlinked file
# in $TMPDIR (seen through /proc/PID/fd).
spill_open()
{
	ls -l "/proc/$bgpid/fd" 2>/dev/null | grep -q "$T/spill/.*(deleted)"
}
if [ -d /proc/self/fd ]; then
	start_bg env TMPDIR="$T/spill" "$MPRUN" -j2 \
	    ::: "sleep 4; echo head" "$TH -n 80000000"
	wait_for 4 spill_open || fail "no unlinked spill file in TMPDIR seen"
	wait_bg
	check_rc 0
	[ "$(wc -c <"$T/out")" -eq 80000005 ] || fail "80 MB + head expected"
	[ -z "$(ls -A "$T/spill")" ] || fail "spill files left in TMPDIR"
	rm -f "$T/out"
fi

# The same with the output going to a file.
run env TMPDIR="$T/spill" "$MPRUN" -j3 "$TH" -s {} -n 50000000 ::: 1500 0 0
check_rc 0
[ "$(wc -c <"$T/out")" -eq 150000000 ] || fail "150 MB expected"
[ "$(tr -d 'x\n' <"$T/out" | wc -c)" -eq 0 ] || fail "junk in the output"
rm -f "$T/out"

done_testing
