#!/bin/sh
# --nice N (-20..19): tasks (and --init) run at niceness N, as nice(1) and
# ps -o ni show it (absolute, as in GNU parallel: not added to mprun's own);
# lowering it without the privilege to is a warning, and tasks run anyway.
. "$(dirname "$0")/lib.sh"

base=$(nice)
[ "$base" -le 2 ] || skip "already at niceness $base"

expect_out 5 "$MPRUN" -j1 --nice 5 'nice; : {}' ::: 1
# Absolute: mprun itself at niceness base + 1 changes nothing.
expect_out 5 nice -n 1 "$MPRUN" -j1 --nice 5 'nice; : {}' ::: 1
# Run directly (no shell): the process itself has it.
expect_out "$(lines 7 7)" \
    "$MPRUN" -j2 -q --nice 7 cut -d ' ' -f 19 ::: /proc/self/stat /proc/self/stat
# As ps sees it, every task, every worker.
run "$MPRUN" -j3 --nice 3 'ps -o ni= -p $$; : {}' ::: 1 2 3 4 5 6
check_rc 0
check_err ""
tr -d ' ' <"$T/out" >"$T/ni"
lines 3 3 3 3 3 3 >"$T/want"
check_file_is "ps -o ni" "$T/want" "$T/ni"
expect_out 19 "$MPRUN" --nice 19 'nice; : {}' ::: 1

# --init has it too.
run "$MPRUN" -j1 --nice 4 --init 'echo init $(nice) >&2' 'nice; : {}' ::: 1
check_rc 0
check_out 4
check_err "init 4"

# 0 leaves it alone; so does no --nice.
expect_out "$base" "$MPRUN" --nice 0 'nice; : {}' ::: 1
expect_out "$base" "$MPRUN" 'nice; : {}' ::: 1
expect_out "$((base + 1))" nice -n 1 "$MPRUN" --nice 0 'nice; : {}' ::: 1

# Negative: root may; anyone else gets one warning (one worker) and the
# tasks still run, at mprun's niceness.
if [ "$(id -u)" -eq 0 ]; then
	expect_out -3 "$MPRUN" --nice -3 'nice; : {}' ::: 1
	if command -v setpriv >/dev/null 2>&1 &&
	    setpriv --reuid 65534 --regid 65534 --clear-groups true 2>/dev/null; then
		# nobody needs a TMPDIR it may write, or mprun warns.
		chmod 755 "$T"
		chmod 1777 "$TMPDIR"
		run setpriv --reuid 65534 --regid 65534 --clear-groups \
		    "$MPRUN" -j1 --nice -3 'nice; : {}' ::: 1
		check_rc 0
		check_out "$base"
		check_err "mprun: --nice -3: Permission denied"
	fi
else
	run "$MPRUN" -j1 --nice -3 'nice; : {}' ::: 1
	check_rc 0
	check_out "$base"
	check_err "mprun: --nice -3: Permission denied"
fi

# Out of range or not a number: usage errors.
for v in 20 -21 x; do
	run "$MPRUN" --nice "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --nice: '$v' "
	[ -e "$T/ran" ] && fail "--nice $v ran a task"
	rm -f "$T/ran"
done

done_testing
