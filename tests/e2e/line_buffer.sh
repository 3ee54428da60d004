#!/bin/sh
# --line-buffer: whole lines as soon as they are complete, from whichever
# task printed them; lines of different tasks interleave but a line never
# splits; with -k as well, input order is kept and the head task streams.
# Timings leave 500 ms between events.
. "$(dirname "$0")/lib.sh"

a='echo a1; sleep 1; echo a2'
b='sleep 0.5; echo b1; sleep 1; echo b2'
expect_out "$(lines a1 b1 a2 b2)" "$MPRUN" -j2 --line-buffer ::: "$a" "$b"
expect_out "$(lines a1 b1 a2 b2)" "$MPRUN" -j2 --lb ::: "$a" "$b"

# Without it (the default --group), each task's output is one unit.
expect_out "$(lines a1 a2 b1 b2)" "$MPRUN" -j2 ::: "$a" "$b"
expect_out "$(lines a1 a2 b1 b2)" "$MPRUN" -j2 --group ::: "$a" "$b"

# A line is never split, even when another task's line comes meanwhile.
expect_out "$(lines other partial)" "$MPRUN" -j2 --lb \
    ::: 'printf par; sleep 1; echo tial' 'sleep 0.5; echo other'

# A last line without a newline is still printed when its task ends.
printf 'x\nnoeol' >"$T/exp"
run "$MPRUN" --lb ::: 'echo x; printf noeol'
check_rc 0
check_out_file "$T/exp"

# With -k, order is kept: b's lines wait for a to finish...
expect_out "$(lines a1 a2 b1 b2)" "$MPRUN" -k -j2 --lb ::: "$a" "$b"

# ...while a line of a later task comes out at once without -k: "b"
# arrives long before the first task ends.
start=$(now_ms)
"$MPRUN" -j2 --lb ::: 'sleep 3' 'echo b' | {
	IFS= read -r line
	echo "$line $(($(now_ms) - start))" >"$T/first"
	cat >/dev/null
}
read -r line ms <"$T/first"
if [ "$line" != b ] || [ "$ms" -ge 2000 ]; then
	fail "--lb: first line '$line' after $ms ms (want 'b', < 2000)"
fi

# With -k, the head task still streams line by line: a1 long before a2.
start=$(now_ms)
"$MPRUN" -k -j2 --lb ::: 'echo a1; sleep 3; echo a2' 'echo b1' | {
	IFS= read -r line
	echo "$line $(($(now_ms) - start))" >"$T/first"
	cat >/dev/null
}
read -r line ms <"$T/first"
if [ "$line" != a1 ] || [ "$ms" -ge 2000 ]; then
	fail "-k --lb: first line '$line' after $ms ms (want 'a1', < 2000)"
fi

# Tags go at the start of whole lines only.
tab=$(printf '\t')
expect_out "$(lines "2${tab}other" "1${tab}partial")" \
    "$MPRUN" -j2 --lb --tagstring {#} \
    ::: 'printf par; sleep 1; echo tial' 'sleep 0.5; echo other'

# stdout and stderr lines both pass whole, each to its own stream.
expect 0 "$(lines o1 o2)" "$(lines e1)" "$MPRUN" --lb "$TH" -o o1 -e e1 -o o2 \
    ::: x

# Many tasks with many lines: all lines arrive whole.
run "$MPRUN" -j4 --lb "$TH" -o {}-1 -s 10 -o {}-2 -n 1024 -o {}-3 ::: $(seq 40)
check_rc 0
grep -v '^x*$' "$T/out" | sort >"$T/got"
for i in $(seq 40); do
	printf '%s\n' "$i-1" "$i-2" "$i-3"
done | sort >"$T/exp"
cmp -s "$T/got" "$T/exp" || fail "--lb lost or split lines"
[ "$(grep -c '^x*$' "$T/out")" -eq $((40 * 16)) ] ||
	fail "--lb: the -n 1024 lines are not all whole"

done_testing
