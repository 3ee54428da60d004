#!/bin/sh
# A $TMPDIR that cannot hold the spill file (missing, not a directory, not
# writable) is found before any task runs, with one warning naming it, and
# /tmp is used instead: the run works, even past the 64 MiB held in
# memory.  Only when output can be held at all (not --ungroup, not
# --dry-run).  A spill file that cannot be made later names the directory
# it tried.
. "$(dirname "$0")/lib.sh"

# Missing, and a regular file.
run env "TMPDIR=$T/missing" "$MPRUN" echo ::: a
check_rc 0
check_out "a"
check_err "mprun: TMPDIR: $T/missing: No such file or directory; spilling to /tmp instead"
: >"$T/file"
run env "TMPDIR=$T/file" "$MPRUN" -j2 --unordered echo ::: a
check_rc 0
check_out "a"
check_err "mprun: TMPDIR: $T/file: Not a directory; spilling to /tmp instead"
run env "TMPDIR=$T/file" "$MPRUN" --line-buffer echo ::: a
check_rc 0
check_err "mprun: TMPDIR: $T/file: Not a directory; spilling to /tmp instead"

# Not writable: needs someone other than root, for whom the permission
# bits do not count.
mkdir "$T/ro"
chmod 555 "$T/ro"
asuser=
if [ "$(id -u)" -eq 0 ]; then
	asuser=none
	if command -v setpriv >/dev/null 2>&1; then
		chmod 755 "$T"
		asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
		$asuser test -x "$MPRUN" || asuser=none
	fi
fi
if [ "$asuser" != none ]; then
	run $asuser env "TMPDIR=$T/ro" "$MPRUN" echo ::: a
	check_rc 0
	check_out "a"
	check_err "mprun: TMPDIR: $T/ro: Permission denied; spilling to /tmp instead"
else
	echo "note: no unprivileged user: TMPDIR not writable not tested"
fi

# Nothing is held with --ungroup or --dry-run: no warning.  An empty
# TMPDIR means /tmp, silently.
expect 0 "a" "" env "TMPDIR=$T/missing" "$MPRUN" --ungroup echo ::: a
expect 0 "echo a" "" env "TMPDIR=$T/missing" "$MPRUN" --dry-run echo ::: a
expect 0 "a" "" env TMPDIR= "$MPRUN" echo ::: a

# Past 64 MiB: task 2's 75 MB wait for task 1, which waits until task 2
# has written them all.  They spill to /tmp and come back whole.  (Into a
# pipe: into /dev/null the tasks would write there directly.)
head='while [ ! -e "$T/done" ]; do sleep 0.05; done; echo one; : {}'
big='"$TH" -n 75000000 && touch "$T/done"; : {}'
lastcmd="TMPDIR=MISSING mprun ::: 'wait; echo one' 'th -n 75000000'"
rc=0
{
	TMPDIR=$T/missing "$MPRUN" -j2 ::: "$head" "$big" 2>"$T/err"
	echo $? >"$T/status"
} | cksum >"$T/out"
rc=$(cat "$T/status")
check_rc 0
check_err "mprun: TMPDIR: $T/missing: No such file or directory; spilling to /tmp instead"
{ echo one; "$TH" -n 75000000; } | cksum >"$T/want"
check_out_file "$T/want"

# A TMPDIR that goes away during the run: the error names it.  Task 1
# removes it, task 2 waits for that before it writes.
rm -f "$T/done"
mkdir "$T/gone"
head='rmdir "$T/gone"; while [ ! -e "$T/done" ]; do sleep 0.05; done; : {}'
big='while [ -d "$T/gone" ]; do sleep 0.05; done;
    "$TH" -n 75000000 && touch "$T/done"; : {}'
lastcmd="TMPDIR=GONE mprun ::: 'rmdir TMPDIR; wait' 'th -n 75000000'"
rc=0
{
	TMPDIR=$T/gone "$MPRUN" -j2 ::: "$head" "$big" 2>"$T/err"
	echo $? >"$T/status"
} | cat >/dev/null
rc=$(cat "$T/status")
check_rc 255
# (On a loaded machine, the stop that follows may take long enough to be
# reported too.)
check_err_match "^mprun: creating a spill file in $T/gone: No such file or directory\$"

done_testing
