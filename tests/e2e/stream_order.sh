#!/bin/sh
# When mprun's stdout and stderr are one file (2>&1, >f 2>&1, one pipe),
# a task's stdout and stderr reach it in exactly the order the task wrote
# them, however many tasks run and in every output mode that prints the
# task's output: its stderr shares its stdout pipe.  When they are two
# files, each gets its own stream complete and in order.  --json and
# --junit, which keep a task's stderr apart, still do.
. "$(dirname "$0")/lib.sh"

cmd='echo 1; echo 2 >&2; echo 3'
seq 200 >"$T/args"
for i in $(seq 200); do
	printf '1\n2\n3 %s\n' "$i"
done >"$T/want"

# Into one pipe, a file, and through the pool's launcher (the setting
# travels to the worker in its HELLO).
mkdir "$T/bin"
ln -s "$MPRUN" "$T/bin/mprun"
run sh -c '"$MPRUN" -j2 "$1" :::: "$T/args" 2>&1' sh "$cmd"
check_rc 0
check_out_file "$T/want"
run sh -c '"$MPRUN" -j2 "$1" :::: "$T/args" >"$T/f" 2>&1; cat "$T/f"' \
    sh "$cmd"
check_rc 0
check_out_file "$T/want"
run sh -c '"$MPRUN" -j2 "$1" :::: "$T/args" 2>&1 | cat' sh "$cmd"
check_rc 0
check_out_file "$T/want"
run sh -c 'PATH=$T/bin:$PATH "$MPRUN" -j2 --launcher env "$1" \
    :::: "$T/args" 2>&1' sh "$cmd"
check_rc 0
check_out_file "$T/want"

# The same with --tag (each line tagged once), --line-buffer -k,
# --retries (output held until final), and one task at a time with
# --ungroup.
awk '{ printf "%s\t1\n%s\t2\n%s\t3 %s\n", $1, $1, $1, $1 }' "$T/args" \
    >"$T/want.tag"
run sh -c '"$MPRUN" -j2 --tag "$1" :::: "$T/args" 2>&1' sh "$cmd"
check_rc 0
check_out_file "$T/want.tag"
for opt in --line-buffer --retries=2; do
	run sh -c '"$MPRUN" -j2 -k "$2" "$1" :::: "$T/args" 2>&1' sh "$cmd" \
	    "$opt"
	check_rc 0
	check_out_file "$T/want"
done
run sh -c '"$MPRUN" -j1 --ungroup "$1" :::: "$T/args" 2>&1' sh "$cmd"
check_rc 0
check_out_file "$T/want"

# --unordered: tasks come in any order, each one's lines together and in
# the order written.
run sh -c '"$MPRUN" -j2 --unordered "$1" :::: "$T/args" 2>&1' sh "$cmd"
check_rc 0
awk 'NR % 3 == 1 && $0 != "1" || NR % 3 == 2 && $0 != "2" ||
    NR % 3 == 0 && $1 != "3" { bad = 1 } END { exit bad || NR != 600 }' \
    "$T/out" || fail "--unordered: lines out of order: $(head -c 300 "$T/out")"
sort "$T/out" >"$T/got.sorted"
sort "$T/want" >"$T/want.sorted"
check_file_is "--unordered lines" "$T/want.sorted" "$T/got.sorted"

# A line made of both streams is one line, as the task wrote it.
run sh -c '"$MPRUN" --line-buffer "printf a; printf b >&2; echo c; : {}" \
    ::: 1 2>&1'
check_rc 0
check_out "abc"

# Two files: each has its stream's bytes, all of them, in order.
run "$MPRUN" -j2 'echo 1 {}; echo 2 {} >&2; echo 3 {}' :::: "$T/args"
check_rc 0
awk '{ printf "1 %s\n3 %s\n", $1, $1 }' "$T/args" >"$T/want.out"
awk '{ printf "2 %s\n", $1 }' "$T/args" >"$T/want.err"
check_out_file "$T/want.out"
check_file_is stderr "$T/want.err" "$T/err"

# --json keeps them apart, even into one file.
run sh -c '"$MPRUN" --json "$1" ::: a 2>&1' sh "$cmd"
check_rc 0
grep -q '"stdout":"1\\n3 a\\n","stderr":"2\\n"}$' "$T/out" ||
	fail "--json: $(cat "$T/out")"
# So does --junit: the failure's text is the stderr tail alone.
run sh -c '"$MPRUN" --junit "$T/r.xml" "$1; exit 1" ::: a 2>&1' sh "$cmd"
check_rc 1
grep -q '^2$' "$T/out" || fail "--junit: stderr lost: $(cat "$T/out")"
grep -q '<failure message="exit status 1" type="exit">2$' "$T/r.xml" ||
	fail "--junit: stderr tail: $(cat "$T/r.xml")"

# Where the task's fds 1 and 2 lead: one pipe for both, and /dev/null for
# both when that is where they would go.
where='a=$(readlink /proc/$$/fd/1) b=$(readlink /proc/$$/fd/2);
    printf "%s\n" "$a" "$b" >"$T/where"; : {}'
run sh -c '"$MPRUN" "$1" ::: a 2>&1' sh "$where"
check_rc 0
[ "$(sed -n 1p "$T/where")" = "$(sed -n 2p "$T/where")" ] ||
	fail "2>&1: the task's fds 1 and 2 differ: $(cat "$T/where")"
case $(sed -n 1p "$T/where") in
pipe:*)
	;;
*)
	fail "2>&1: the task's fd 1 is not a pipe: $(cat "$T/where")"
	;;
esac
run sh -c '"$MPRUN" "$1" ::: a >/dev/null 2>&1' sh "$where"
check_rc 0
[ "$(cat "$T/where")" = "$(lines /dev/null /dev/null)" ] ||
	fail ">/dev/null 2>&1: $(cat "$T/where")"

# Started with both closed: their stand-ins are one file, but writing to
# stdout is an error and to stderr is not, so the task's stderr is not
# taken for stdout.
run sh -c 'exec >&- 2>&-; "$MPRUN" "echo e >&2; : {}" ::: a; echo $? >"$T/st"'
[ "$(cat "$T/st")" = 0 ] || fail "stdout and stderr closed: status $(cat "$T/st")"

done_testing
