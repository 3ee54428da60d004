#!/bin/sh
# The job-control options are in the usage (--help), and their usage
# errors print one message and the hint, exit 255 and run nothing.
. "$(dirname "$0")/lib.sh"

run "$MPRUN" --help
check_rc 0
check_err ""
for opt in "--bar" "--delay duration" "--dry-run" "--eta" "--halt spec" \
    "--joblog file" "--json" "--memfree size" "--nice n" "--progress" \
    "--progress-force" "--resume" "--resume-failed" "--retries n" \
    "--timeout duration"; do
	grep -q -e "\\[$opt\\]" "$T/out" || fail "--help does not show [$opt]"
done
# Every usage line fits in 80 columns.
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$T/out" ||
	fail "a --help line is longer than 80 columns"

# usage_error MESSAGE ARGS...: as in usage.sh.
usage_error()
{
	_msg=$1
	shift
	expect 255 "" "$(lines "$_msg" "Try 'mprun --help'.")" "$MPRUN" "$@"
	[ -e "$T/ran" ] && fail "a usage error ran a task: $*"
	rm -f "$T/ran"
}
usage_error "mprun: --resume needs --joblog" --resume touch "$T/ran" ::: x
usage_error "mprun: --resume-failed needs --joblog" --resume-failed \
    touch "$T/ran" ::: x
usage_error "mprun: --json cannot be combined with --tag" --json --tag \
    touch "$T/ran" ::: x
usage_error "mprun: --json cannot be combined with --tag" --tag --json \
    touch "$T/ran" ::: x
usage_error "mprun: --retries: 'x' is not a number" --retries x \
    touch "$T/ran" ::: x
usage_error "mprun: --retries: '0' is too small" --retries 0 \
    touch "$T/ran" ::: x
usage_error "mprun: --nice: '20' is too large" --nice 20 touch "$T/ran" ::: x
usage_error "mprun: --nice: '-21' is too small" --nice -21 touch "$T/ran" ::: x
usage_error "mprun: --nice: 'x' is not a number" --nice x touch "$T/ran" ::: x
usage_error "mprun: --timeout: 'x' is not a duration" --timeout x \
    touch "$T/ran" ::: x
usage_error "mprun: --delay: 'x' is not a duration" --delay x \
    touch "$T/ran" ::: x
usage_error "mprun: --memfree: 'x' is not a size" --memfree x \
    touch "$T/ran" ::: x

# "--joblog -": rejected before anything runs.
run "$MPRUN" --joblog - touch "$T/ran" ::: x
check_rc 255
check_out ""
check_err_match "^mprun: --joblog: '-' is not supported: give a file$"
[ -e "$T/ran" ] && fail "--joblog - ran a task"
rm -f "$T/ran"

# A missing argument: getopt's message, the hint, 255.
for opt in --joblog --timeout --retries --halt --delay --memfree --nice; do
	run "$MPRUN" $opt
	check_rc 255
	check_out ""
	check_err_match "^mprun: "
	check_err_match "^Try 'mprun --help'\\.$"
done

done_testing
