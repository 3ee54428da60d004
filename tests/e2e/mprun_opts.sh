#!/bin/sh
# MPRUN_OPTS: default options, split like shell words (quotes and
# backslashes, no expansion), parsed before the command line's, which wins;
# only options may be in it, and its errors name it (status 255, nothing
# runs).  The internal worker mode ignores it.
. "$(dirname "$0")/lib.sh"

# opts VALUE ARGS...: runs mprun ARGS with MPRUN_OPTS set to VALUE.
opts()
{
	_v=$1
	shift
	run env MPRUN_OPTS="$_v" "$MPRUN" "$@"
}

# Unset, empty or blank: no options.
unset MPRUN_OPTS
expect_out "a" "$MPRUN" echo ::: a
for v in "" " " "$(printf ' \t\n ')"; do
	opts "$v" echo ::: a
	check_rc 0
	check_out "a"
	check_err ""
done

# Quoting: single quotes, double quotes, backslashes, any blanks.
opts "--tagstring 'x {}' -j2" echo ::: a b
check_rc 0
check_out "$(printf 'x a\ta\nx b\tb')"
opts '--tagstring "<{}>"' echo ::: a
check_out "$(printf '<a>\ta')"
opts '--tagstring \<{}\ \>' echo ::: a
check_out "$(printf '<a >\ta')"
opts "$(printf -- '-j\t2\n--tagstring\n"$HOME \\"q\\"" \n')" echo ::: a
check_rc 0
check_out "$(printf '$HOME "q"\ta')"
opts "--tagstring=' {}:'" echo ::: a
check_out "$(printf ' a:\ta')"
opts "--tagstring ''" echo ::: a
check_out "$(printf '\ta')"
# Short options bundled, and separate.
opts "-kj1 -q" printf '%s\n' ::: 'a b'
check_rc 0
check_out "a b"

# The command line wins: a later option overrides an earlier one.
opts "--tagstring A" --tagstring B echo ::: a
check_out "$(printf 'B\ta')"
opts "-j3" -j1 echo '{%}' ::: a b c d
check_rc 0
check_out "$(lines 1 1 1 1)"
opts "-j1" echo '{%}' ::: a b c
check_out "$(lines 1 1 1)"
opts "--joblog $T/jl" echo ::: a
check_rc 0
[ -s "$T/jl" ] || fail "MPRUN_OPTS --joblog wrote no joblog"
# Options that add up do: -a files from both, -v.
printf 'f1\n' >"$T/f1"
printf 'f2\n' >"$T/f2"
opts "-a $T/f1" -a "$T/f2" echo
check_rc 0
check_out "$(lines 'f1 f2')"
opts "-v" -v --dry-run echo ::: a
check_rc 0
# Combined with the command line's, checks across both apply.
opts "--resume" --joblog "$T/jl2" echo ::: a
check_rc 0
check_out "a"

# usage_error_env VALUE MESSAGE ARGS...: MPRUN_OPTS=VALUE mprun ARGS prints
# "mprun: MESSAGE" and the hint, runs nothing, exits 255.
usage_error_env()
{
	_v=$1
	_m=$2
	shift 2
	opts "$_v" "$@"
	check_rc 255
	check_out ""
	check_err "$(lines "mprun: $_m" "Try 'mprun --help'.")"
	[ -e "$T/ran" ] && fail "a bad MPRUN_OPTS ran a task: $_v"
	rm -f "$T/ran"
}
usage_error_env "--tagstring 'x" "MPRUN_OPTS: unterminated quote" \
    touch "$T/ran"
usage_error_env '--tagstring "x' "MPRUN_OPTS: unterminated quote" \
    touch "$T/ran"
usage_error_env "-k 'a\"b" "MPRUN_OPTS: unterminated quote" touch "$T/ran"
usage_error_env "foo" "MPRUN_OPTS: 'foo' is not an option" touch "$T/ran"
usage_error_env "-k echo" "MPRUN_OPTS: 'echo' is not an option" \
    touch "$T/ran"
usage_error_env "-k ::: x" "MPRUN_OPTS: ':::' is not an option" \
    touch "$T/ran"
usage_error_env ":::: f" "MPRUN_OPTS: '::::' is not an option" \
    touch "$T/ran"
usage_error_env "-k --" "MPRUN_OPTS: '--' is not an option" touch "$T/ran"
usage_error_env "-" "MPRUN_OPTS: '-' is not an option" touch "$T/ran"
usage_error_env "''" "MPRUN_OPTS: '' is not an option" touch "$T/ran"
# An option at the end cannot take its argument from the command line.
usage_error_env "-j" "MPRUN_OPTS: option requires an argument -- 'j'" \
    2 touch "$T/ran"
usage_error_env "--tagstring" \
    "MPRUN_OPTS: option '--tagstring' requires an argument" \
    X touch "$T/ran"
# Bad options and values in it say where they come from.
usage_error_env "--bogus" "MPRUN_OPTS: unrecognized option '--bogus'" \
    touch "$T/ran"
usage_error_env "-Z" "MPRUN_OPTS: invalid option -- 'Z'" touch "$T/ran"
usage_error_env "-j x" "MPRUN_OPTS: -j: 'x' is not a number" touch "$T/ran"
usage_error_env "--timeout x" "MPRUN_OPTS: --timeout: 'x' is not a duration" \
    touch "$T/ran"
usage_error_env "--json=1" \
    "MPRUN_OPTS: option '--json' doesn't allow an argument" touch "$T/ran"
# ... and the command line's errors do not.
usage_error_env "--tag" "-j: 'x' is not a number" -j x touch "$T/ran"
usage_error_env "-j 2" "-j: 'x' is not a number" -j x touch "$T/ran"
usage_error_env "-k" "unrecognized option '--bogus'" --bogus touch "$T/ran"

# -h and -V in it work as on the command line.
opts "-V" echo ::: a
check_rc 0
check_out "mprun 0.1.0"

# The internal worker mode ignores it: workers started with exec work.
run env MPRUN_OPTS="--tag" MPRUN_EXEC_WORKERS=1 "$MPRUN" -j2 echo ::: a b
check_rc 0
check_out "$(printf 'a\ta\nb\tb')"
run env MPRUN_OPTS="--bogus" "$MPRUN" --worker-mode
check_rc 255
grep -q MPRUN_OPTS "$T/err" && fail "--worker-mode parsed MPRUN_OPTS"

# Tasks inherit it, as tasks of GNU parallel inherit $PARALLEL.
opts "--tag" 'printenv MPRUN_OPTS #' ::: a
check_out "$(printf 'a\t--tag')"

done_testing
