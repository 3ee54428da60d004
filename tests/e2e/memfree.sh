#!/bin/sh
# --memfree SIZE: no task starts while MemAvailable (/proc/meminfo) is below
# SIZE (bytes, or k, M, G, T: powers of 1024).  More than the machine has:
# nothing ever starts (mprun waits, re-checking, until it is stopped); a
# small value changes nothing.
. "$(dirname "$0")/lib.sh"

[ -r /proc/meminfo ] || skip "no /proc/meminfo"
avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
[ -n "$avail" ] || skip "no MemAvailable in /proc/meminfo"

# Far more than there is: nothing runs, no output; SIGTERM ends it (143).
for size in 1000T 1125899906842624 100000G; do
	rm -f "$T/ran"
	start_bg "$MPRUN" --memfree "$size" touch "$T/ran" ::: 1 2
	sleep 2
	alive "$bgpid" || fail "--memfree $size: mprun exited"
	[ -e "$T/ran" ] && fail "--memfree $size: a task ran"
	kill -s TERM "$bgpid"
	wait_bg
	check_rc 143
	check_out ""
	[ -e "$T/ran" ] && fail "--memfree $size: a task ran after SIGTERM"
done

# The same through timeout(1), as a CI job would be bounded.
run timeout --preserve-status 3 "$MPRUN" --memfree 1000T echo ::: a
check_rc 143
check_out ""

# Little: everything runs as usual.
for size in 1 1k 10M; do
	expect_out "$(lines a b c)" "$MPRUN" -j2 --memfree "$size" echo ::: a b c
done
# --worker: every record waits for the memory as a task's start would.
for size in 1 10M; do
	expect_out "$(lines A B C)" "$MPRUN" -j2 --memfree "$size" \
	    --worker 'tr a-z A-Z' ::: a b c
done
start_bg "$MPRUN" --memfree 1000T --worker cat ::: 1 2
sleep 1
alive "$bgpid" || fail "--worker --memfree 1000T: mprun exited"
kill -s TERM "$bgpid"
wait_bg
check_rc 143
check_out ""
# Half of what is available now (in kB) also runs.
expect_out "$(lines a b)" "$MPRUN" --memfree "$((avail / 2))k" echo ::: a b

# Bad values.
for v in x -1 1Q; do
	run "$MPRUN" --memfree "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --memfree: '$v' "
	[ -e "$T/ran" ] && fail "--memfree $v ran a task"
	rm -f "$T/ran"
done

done_testing
