#!/bin/sh
# The default pool size follows the CPU affinity mask: under taskset -c 0
# tasks run one at a time, all in slot 1.
. "$(dirname "$0")/lib.sh"

need taskset
taskset -c 0 true 2>/dev/null || skip "taskset -c 0 does not work here"

# Each task logs its start and end; one at a time means the log strictly
# alternates.
run taskset -c 0 "$MPRUN" "echo start {} >>$T/log; sleep 0.2; \
echo end {} >>$T/log; echo {%}" ::: 1 2 3 4 5
check_rc 0
check_out "$(lines 1 1 1 1 1)"
for i in 1 2 3 4 5; do
	printf 'start %s\nend %s\n' "$i" "$i"
done >"$T/exp"
check_file_is "task log" "$T/exp" "$T/log"

# With two CPUs (when there are two to use), two at a time.
if taskset -c 0,1 true 2>/dev/null && [ "$(taskset -c 0,1 nproc)" -ge 2 ]; then
	run taskset -c 0,1 "$MPRUN" --chunksize 1 \
	    sh -c "'sleep 0.5; echo \$1'" sh {%} ::: 1 2 3 4
	check_rc 0
	# A cgroup CPU quota below 2 CPUs would make it 1.
	case $(sort -u "$T/out" | tr '\n' ' ') in
	'1 2 '|'1 ')
		;;
	*)
		fail "taskset -c 0,1: slots $(sort -u "$T/out" | tr '\n' ' ')"
		;;
	esac
fi

done_testing
