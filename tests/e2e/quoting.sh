#!/bin/sh
# Values are quoted for /bin/sh: no input can inject shell syntax.  Every
# nasty value must come out byte for byte, whether it is appended, replaces
# {} inside a word, goes through a shell (shell syntax in the command) or
# comes from stdin with -0; and nothing it names may run.
. "$(dirname "$0")/lib.sh"

set -- \
    'a b' '  two  spaces  ' "$(printf 'tab\there')" \
    "it's" 'say "hi"' "'" '"' "''" \
    '$(touch pwned1)' '`touch pwned2`' ';touch pwned3' '&& touch pwned4' \
    '| touch pwned5' '> pwned6' '< nofile' '$HOME' '${HOME}' '$((1+1))' \
    '*' '?' '[a-z]*' '~' '~root' '!x' '#x' 'a#b' '(x)' '{x}' '{a,b}' \
    'a\b' '\' '\\n' '\$x' \
    "$(printf 'line1\nline2')" "$(printf 'trail\n.')" \
    "$(printf '\377\376 bad utf8')" "$(printf 'ctl\001\033[31m')" \
    '-n' '--' '-' '=' 'a=b' 'x|y&z' "'\\''" '%s%d' 'é ü'

# The expected output: each value on its own line.
printf '%s\n' "$@" >"$T/exp"

# Appended (exec path: no shell syntax in the command).
run "$MPRUN" "$TH" -p -- ::: "$@"
check_rc 0
check_out_file "$T/exp"

# {} as a whole word.
run "$MPRUN" "$TH" -p -- {} ::: "$@"
check_rc 0
check_out_file "$T/exp"

# Through /bin/sh: the '&& true' forces a shell.
run "$MPRUN" "$TH" -p -- {} '&& true' ::: "$@"
check_rc 0
check_out_file "$T/exp"

# Inside a word, around text.
for v in "$@"; do
	printf '<%s>\n' "$v"
done >"$T/exp2"
run "$MPRUN" "$TH" -p -- '\<'{}'\>' ::: "$@"
check_rc 0
check_out_file "$T/exp2"

# From stdin, NUL-separated (so values with newlines work).
printf '%s\000' "$@" >"$T/in"
run "$MPRUN" -0 "$TH" -p -- {} <"$T/in"
check_rc 0
check_out_file "$T/exp"

# From stdin, one per line: the same minus the values with newlines.
for v in "$@"; do
	case $v in
	*'
'*)
		;;
	*)
		printf '%s\n' "$v"
		;;
	esac
done >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"

# With -n, several nasty values in one command line.
run "$MPRUN" -n 7 "$TH" -p -- ::: "$@"
check_rc 0
check_out_file "$T/exp"

# Column values with --colsep.
printf '%s\n' '$(touch pwned7),`touch pwned8`;x' >"$T/in"
expect_out "$(lines '`touch pwned8`;x' '$(touch pwned7)')" \
    "$MPRUN" --colsep , "$TH" -p -- {2} {1} <"$T/in"

# Nothing got to run.
for f in pwned1 pwned2 pwned3 pwned4 pwned5 pwned6 pwned7 pwned8; do
	if [ -e "$T/$f" ]; then
		fail "a value ran a command: $f exists"
	fi
done

done_testing
