#!/bin/sh
# A 10 MB input line: its task fails with one clear message ("mprun: task
# N: an argument of BYTES bytes is over the system's limit ..." or
# "command line of BYTES bytes ...", exit status 126 in the joblog),
# once, even under --retries; every other task runs and its output is
# there; the run ends promptly.  Where the record does not have to fit on
# a command line (--worker, which gets it on stdin, and --dry-run, which
# only prints it) it goes through whole.  (Invalid UTF-8 and a last line
# with no newline are in bytes.sh, stdin.sh and files.sh; a 100 kB record
# in stdin.sh.)
. "$(dirname "$0")/lib.sh"

# A hang (a task failed again and again, say) must not eat the whole
# script's time: each run is killed after 15 s.
RUN_TIMEOUT=15

# The limits of execve here (long_cmdline.sh tests them): one argument,
# and ARG_MAX, of which the kernel never allows more than 6 MiB.
strmax=$(($(getconf PAGESIZE) * 32 - 1))
argmax=$(getconf ARG_MAX)
[ "$argmax" -le 6291456 ] || argmax=6291456
toobig="is over the system's limit of $strmax bytes for one argument (MAX_ARG_STRLEN)"

# Records a, 10,000,000 x's, b.
{
	echo a
	head -c 10000000 /dev/zero | tr '\0' x
	echo
	echo b
} >"$T/in"

# in_time SECONDS: the last run took under SECONDS (a generous bound: no
# hang, no spinning).
in_time()
{
	[ "$ms" -lt $(($1 * 1000)) ] || fail "took $ms ms: $lastcmd"
}

start=$(now_ms)
run "$MPRUN" -j1 --joblog "$T/jl" echo <"$T/in"
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines a b)"
check_err "mprun: task 2: an argument of 10000000 bytes $toobig"
in_time 15
# The row's Command is 10 MB long: compare the rows' first 40 bytes.
joblog_mask "$T/jl" | cut -c 1-40 >"$T/jl.short"
{
	echo "$JOBLOG_HEADER"
	jlrow 1 0 0 "echo a"
	jlrow 2 126 0 "echo $(head -c 40 "$T/in" | tail -n 1)"
	jlrow 3 0 0 "echo b"
} | cut -c 1-40 >"$T/want"
check_file_is "joblog (40 columns)" "$T/want" "$T/jl.short"
# Its Starttime is when it failed, like the others', not 0.
awk -F'\t' 'NR > 1 && $3 < 1000000000 { bad = 1 } END { exit bad }' \
    "$T/jl" || fail "a joblog row with no Starttime: $(cut -f 1-4 "$T/jl")"

# The same with several workers, through the shell, and under --retries
# (the too-long task is not retried: it cannot get shorter).
start=$(now_ms)
run "$MPRUN" -j2 --retries 3 'echo {#}; : {}' <"$T/in"
ms=$(elapsed_ms "$start")
check_rc 1
check_out "$(lines 1 3)"
check_err "mprun: task 2: command line of 10000010 bytes is over the system's limit of $argmax bytes (ARG_MAX, with the environment)"
in_time 15

# Among many records, with -0, from a ::: argument: the same.
{
	seq 1 50 | tr '\n' '\0'
	head -c 10000000 /dev/zero | tr '\0' y
	printf '\0'
	seq 52 100 | tr '\n' '\0'
} >"$T/in0"
start=$(now_ms)
run "$MPRUN" -0 -j3 "$TH" -o {#} -- {} <"$T/in0"
ms=$(elapsed_ms "$start")
check_rc 1
seq 100 | grep -vx 51 >"$T/want"
check_out_file "$T/want"
check_err "mprun: task 51: an argument of 10000000 bytes $toobig"
[ "$(count_lines "$T/err")" -eq 1 ] || fail "not one line on stderr: -0"
in_time 15
# From a :::: file, crossed with a ::: source: both of its tasks fail.
start=$(now_ms)
run "$MPRUN" -j2 echo {2} {1} :::: "$T/in" ::: p q
ms=$(elapsed_ms "$start")
check_rc 2
check_out "$(lines "p a" "q a" "p b" "q b")"
check_err "$(lines "mprun: task 3: an argument of 10000000 bytes $toobig" \
    "mprun: task 4: an argument of 10000000 bytes $toobig")"
in_time 15

# A persistent worker gets the record on its stdin: no limit there.
head -c 10000000 /dev/zero | tr '\0' x >"$T/x"
{
	echo a
	cat "$T/x"
	echo
	echo b
} >"$T/want"
start=$(now_ms)
run "$MPRUN" -j2 --worker cat <"$T/in"
ms=$(elapsed_ms "$start")
check_rc 0
check_out_file "$T/want"
check_err ""
in_time 15

# --dry-run prints it.
{
	echo "echo a"
	printf 'echo '
	cat "$T/x"
	echo
	echo "echo b"
} >"$T/want"
run "$MPRUN" --dry-run echo <"$T/in"
check_rc 0
check_out_file "$T/want"
check_err ""

done_testing
