#!/bin/sh
# -h/--help print the usage (the man page's SYNOPSIS) on stdout and exit 0;
# -V/--version print "mprun 0.1.0"; usage errors print one message and
# "Try 'mprun --help'." on stderr and exit 255, running nothing.
. "$(dirname "$0")/lib.sh"

# The usage is the man page's SYNOPSIS: the same words in the same order
# (line breaks and indentation aside), as mandoc renders the page.
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tascii "$SRCDIR/man/mprun.1" 2>/dev/null | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' '\n' | sed '/^$/d' >"$T/synopsis"
	[ -s "$T/synopsis" ] || fail "no SYNOPSIS in the man page"
else
	"$MPRUN" --help | sed 's/^usage://' | tr -s ' \t\n' '\n' |
	    sed '/^$/d' >"$T/synopsis"
fi
for opt in -h --help; do
	run "$MPRUN" $opt
	check_rc 0
	check_err ""
	sed 's/^usage://' "$T/out" | tr -s ' \t\n' '\n' | sed '/^$/d' \
	    >"$T/got"
	check_file_is "usage ($opt)" "$T/synopsis" "$T/got"
done
# -h wins over everything else and runs nothing.
run "$MPRUN" -h touch "$T/ran" ::: x
check_rc 0
[ -e "$T/ran" ] && fail "-h ran the command"

expect 0 "mprun 0.1.0" "" "$MPRUN" -V
expect 0 "mprun 0.1.0" "" "$MPRUN" --version

# usage_error MESSAGE ARGS...: mprun ARGS prints MESSAGE and the hint,
# runs nothing, exits 255.
usage_error()
{
	_msg=$1
	shift
	expect 255 "" "$(lines "$_msg" "Try 'mprun --help'.")" "$MPRUN" "$@"
	[ -e "$T/ran" ] && fail "a usage error ran a task: $*"
	rm -f "$T/ran"
}
usage_error "mprun: unrecognized option '--foo'" --foo touch "$T/ran" ::: x
usage_error "mprun: unrecognized option '--foo=1'" --foo=1 touch "$T/ran" \
    ::: x
usage_error "mprun: -j: 'x' is not a number" -j x touch "$T/ran" ::: x
usage_error "mprun: --chunksize: 'x' is not a number" --chunksize x \
    touch "$T/ran" ::: x
usage_error "mprun: --maxtasksperchild: 'x' is not a number" \
    --maxtasksperchild x touch "$T/ran" ::: x
usage_error "mprun: -n: 'x' is not a number" -n x touch "$T/ran" ::: x
usage_error "mprun: -N: 'x' is not a number" -N x touch "$T/ran" ::: x
usage_error "mprun: --termseq: 'FOO' is not a termination sequence" \
    --termseq FOO touch "$T/ran" ::: x

# getopt's own messages for a missing argument or an unknown letter: the
# exact wording is getopt's; the status and the hint are ours.
for args in "-j" "-a" "-Z" "--colsep" "--init" "--tagstring"; do
	run "$MPRUN" $args
	check_rc 255
	check_out ""
	check_err_match "^mprun: "
	check_err_match "^Try 'mprun --help'\.$"
	[ "$(count_lines "$T/err")" -eq 2 ] ||
		fail "$args: not exactly two lines on stderr"
done

# Options end at the command: later dashes belong to the command.
expect_out "-j x a" "$MPRUN" echo -j x ::: a
expect_out "--foo a" "$MPRUN" echo --foo ::: a

done_testing
