#!/bin/sh
# Long command lines.  Linux takes no single argument of MAX_ARG_STRLEN
# (32 pages: 128 KiB) bytes or more, and no argv and environment of more
# than ARG_MAX in all.  A shell command line longer than one argument can
# hold goes to /bin/sh in pieces, joined back and eval'd, and runs as it
# would with "sh -c": output, $0, $#, IFS, exit status and signals the
# same.  A command over ARG_MAX, or an exec'd command one of whose
# arguments is too long, fails before it starts with a message that names
# the task, the size and the limit (status 126, in --joblog and --json).
. "$(dirname "$0")/lib.sh"

need getconf

# Each test runs with the default 8 MiB stack, so that ARG_MAX (a quarter
# of it, at most 6 MiB) is known.
# lrun ARGS...: run with that stack limit; ARG_MAX is then in $argmax.
lrun()
{
	run sh -c 'ulimit -s 8192 2>/dev/null; getconf ARG_MAX >"$T/argmax"
	    exec "$@"' sh "$@"
	argmax=$(cat "$T/argmax")
	# The kernel never allows more than 3/4 of 8 MiB.
	[ "$argmax" -le 6291456 ] || argmax=6291456
}

strmax=$(($(getconf PAGESIZE) * 32 - 1))

# mkrec FILE BYTES: a record of BYTES bytes full of shell syntax (quotes,
# $, backslash, globs, tabs), no newline.
mkrec()
{
	_p=$(printf 'a b$c"d\\e'"'"'f*g;h|i&j<k>l(m)n{o}p\t%%q ')
	awk -v p="$_p" -v n="$2" 'BEGIN {
		s = p
		while (length(s) < n)
			s = s s
		printf "%s", substr(s, 1, n)
	}' >"$1"
}

mkrec "$T/r1m" 1000000
# Plain letters, which go into the command line as they are.
head -c 2500000 /dev/zero | tr '\0' x >"$T/r2500k"

# A shell command line of about 1 MB (a builtin and a pipe): it runs, and
# its output is exact.
lrun "$MPRUN" 'printf %s {} | wc -c' :::: "$T/r1m"
check_rc 0
check_out 1000000
check_err ""
lrun "$MPRUN" 'printf %s {}; printf "\n%s\n" done' :::: "$T/r1m"
check_rc 0
{
	cat "$T/r1m"
	printf '\ndone\n'
} >"$T/want"
check_out_file "$T/want"
check_err ""

# The command sees what "sh -c" gives it: $0 sh, no positional parameters,
# IFS space, tab, newline (so words split as usual), no variable of ours.
cat >"$T/probe" <<'EOF'
printf '%s|%s|%s|' "$0" "$#" "${__mprun_cmd+set}"; printf %s "$IFS" | od -An -c; w='x y	z'; for i in $w; do printf '[%s]' "$i"; done; echo
EOF
probe=$(cat "$T/probe")
lrun "$MPRUN" "$probe"'; : {}' ::: short
check_rc 0
cp "$T/out" "$T/probe.short"
lrun "$MPRUN" "$probe"'; : {}' :::: "$T/r1m"
check_rc 0
check_out_file "$T/probe.short"
check_err ""

# Exit statuses and signals, short and long, in the joblog.
for how in 'exit 3' 'kill -TERM $$' 'sh -c "exit 5"' 'nonexistent_x_y'; do
	lrun "$MPRUN" --joblog "$T/jl.short" "$how; : {}" ::: short
	rc_short=$rc
	lrun "$MPRUN" --joblog "$T/jl.long" "$how; : {}" :::: "$T/r1m"
	[ "$rc" -eq "$rc_short" ] ||
	    fail "$how: status $rc when long, $rc_short when short"
	cut -f 7,8 "$T/jl.short" >"$T/jl.s"
	cut -f 7,8 "$T/jl.long" >"$T/jl.l"
	check_file_is "$how: Exitval and Signal" "$T/jl.s" "$T/jl.l"
done

# Near ARG_MAX: a shell command line of 1.9 MB (15 pieces) still runs.
if [ "$(getconf PAGESIZE)" -eq 4096 ]; then
	mkrec "$T/r1900k" 1900000
	lrun "$MPRUN" 'printf %s {} | wc -c' :::: "$T/r1900k"
	if [ "$argmax" -ge 2097152 ]; then
		check_rc 0
		check_out 1900000
		check_err ""
	fi
fi

# Over ARG_MAX: the task fails before it starts; the others run.
printf 'a\n' >"$T/in"
cat "$T/r2500k" >>"$T/in"
printf '\nb\n' >>"$T/in"
lrun "$MPRUN" -j1 --joblog "$T/jl" 'printf %s {} | wc -c' :::: "$T/in"
check_rc 1
check_out "$(lines 1 1)"
check_err "mprun: task 2: command line of 2500018 bytes is over the system's limit of $argmax bytes (ARG_MAX, with the environment)"
joblog_mask "$T/jl" | cut -f 1-8 >"$T/jl.8"
{
	echo "$JOBLOG_HEADER"
	jlrow 1 0 0 "printf %s a | wc -c"
	jlrow 2 126 0 x
	jlrow 3 0 0 "printf %s b | wc -c"
} | cut -f 1-8 >"$T/want"
check_file_is "joblog" "$T/want" "$T/jl.8"
lrun "$MPRUN" -j1 --json 'printf %s {} | wc -c' :::: "$T/r2500k"
check_rc 1
check_err ""
grep -q '"seq":1,.*"exit":126,"signal":0,.*"stderr":"mprun: task 1: command line of 2500018 bytes is over the system'"'"'s limit of '"$argmax"' bytes (ARG_MAX, with the environment)\\n"}$' "$T/out" ||
    fail "--json: $(cut -c 1-100 "$T/out") ... $(tail -c 200 "$T/out")"

# An exec'd external command takes no argument of MAX_ARG_STRLEN bytes:
# the longest one it can take works, one byte more fails.
head -c "$strmax" /dev/zero | tr '\0' x >"$T/arg"
lrun "$MPRUN" /bin/echo {} :::: "$T/arg"
check_rc 0
{
	cat "$T/arg"
	echo
} >"$T/want"
check_out_file "$T/want"
check_err ""
printf z >>"$T/arg"
lrun "$MPRUN" --joblog "$T/jl" /bin/echo {} :::: "$T/arg"
check_rc 1
check_out ""
check_err "mprun: task 1: an argument of $((strmax + 1)) bytes is over the system's limit of $strmax bytes for one argument (MAX_ARG_STRLEN)"
joblog_mask "$T/jl" | cut -f 1-8 >"$T/jl.8"
{
	echo "$JOBLOG_HEADER"
	jlrow 1 126 0 x
} | cut -f 1-8 >"$T/want"
check_file_is "joblog" "$T/want" "$T/jl.8"
# echo runs as /bin/echo: the same.
lrun "$MPRUN" echo {} :::: "$T/arg"
check_rc 1
check_err "mprun: task 1: an argument of $((strmax + 1)) bytes is over the system's limit of $strmax bytes for one argument (MAX_ARG_STRLEN)"

done_testing
