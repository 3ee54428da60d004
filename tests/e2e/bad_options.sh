#!/bin/sh
# A bad option gets one line naming it as it was typed (getopt's wording,
# never a stray byte for a long option) and "Try 'mprun --help'.", status
# 255, and nothing runs; an unambiguous prefix of a long option is that
# option, as with getopt_long.
. "$(dirname "$0")/lib.sh"

# bad MESSAGE ARGS...: mprun ARGS prints "mprun: MESSAGE" and the hint.
bad()
{
	_m=$1
	shift
	expect 255 "" "$(lines "mprun: $_m" "Try 'mprun --help'.")" \
	    "$MPRUN" "$@"
	[ -e "$T/ran" ] && fail "a bad option ran a task: $*"
	rm -f "$T/ran"
}

bad "unrecognized option '--foo'" --foo touch "$T/ran" ::: x
bad "unrecognized option '--foo=1'" --foo=1 touch "$T/ran" ::: x
bad "unrecognized option '--worker-mode'" -k --worker-mode
bad "invalid option -- 'Z'" -Z touch "$T/ran" ::: x
bad "invalid option -- 'Z'" -kZ touch "$T/ran" ::: x
bad "invalid option -- 'Z'" --tag -Zk touch "$T/ran" ::: x
bad "option requires an argument -- 'j'" -j
bad "option requires an argument -- 'j'" -kj
bad "option '--jobs' requires an argument" --jobs
bad "option '--tagstring' requires an argument" --tagstring
bad "option '--tagstring' requires an argument" --tags
bad "option '--worker' requires an argument" --worker
bad "option '--json' doesn't allow an argument" --json=1 touch "$T/ran" \
    ::: x
bad "option '--help' doesn't allow an argument" --help=1
bad "option '--jo' is ambiguous; possibilities: '--joblog' '--jobs'" \
    --jo 2 touch "$T/ran" ::: x
bad "option '--re' is ambiguous; possibilities: '--remote-mprun'\
 '--resume' '--resume-failed' '--retries'" --re touch "$T/ran" ::: x

# Prefixes that name one option are that option (--l, once --lb and
# --line-buffer, now names --launcher too).
expect_out "$(printf 'a\ta')" "$MPRUN" --tagstr '{}' echo ::: a
expect_out "a" "$MPRUN" --li echo ::: a
expect_out "a" "$MPRUN" --worker-p line --worker cat ::: a

done_testing
