#!/bin/sh
# -j/--jobs/-P: the pool size.  N; +N / -N relative to the default (at
# least 1); N% of the default (rounded up, at least 1); 0 = 256.  The
# default is the CPUs this process may use, so under `taskset -c 0` it is
# 1 and the relative forms are exact.  Bad values are usage errors.
. "$(dirname "$0")/lib.sh"

# pool_size ARGS...: runs N tasks (N = $n) that each take 0.6 s, one per
# dispatch, and prints how many distinct worker slots ran them and the
# highest slot; with N above the pool size every slot gets a task.
pool_size()
{
	run "$@" --chunksize 1 sh -c "'sleep 0.6; echo \$1'" sh {%} \
	    ::: $(seq "$n")
	check_rc 0
	printf '%s %s\n' "$(sort -u "$T/out" | count_lines /dev/stdin)" \
	    "$(sort -n "$T/out" | tail -n 1)"
}

# expect_pool SIZE ARGS...: the pool of mprun ARGS has SIZE workers.
expect_pool()
{
	_want=$1
	shift
	n=$((_want + 1))
	_got=$(pool_size "$@")
	if [ "$_got" != "$_want $_want" ]; then
		fail "pool of '$*': got (slots, highest) $_got, expected $_want"
	fi
}

expect_pool 1 "$MPRUN" -j 1
expect_pool 3 "$MPRUN" -j 3
expect_pool 3 "$MPRUN" -j3
expect_pool 3 "$MPRUN" --jobs 3
expect_pool 3 "$MPRUN" --jobs=3
expect_pool 3 "$MPRUN" -P 3

# -j 0: as many as possible (256): 20 tasks run at once.
n=20
got=$(pool_size "$MPRUN" -j 0)
[ "$got" = "20 20" ] || fail "-j 0: (slots, highest) $got, expected 20 20"

if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	ts="taskset -c 0"
	expect_pool 1 $ts "$MPRUN"
	expect_pool 3 $ts "$MPRUN" -j +2
	expect_pool 1 $ts "$MPRUN" -j -1
	expect_pool 1 $ts "$MPRUN" -j -5
	expect_pool 3 $ts "$MPRUN" -j 300%
	expect_pool 2 $ts "$MPRUN" -j 150%
	expect_pool 1 $ts "$MPRUN" -j 50%
	expect_pool 1 $ts "$MPRUN" -j 1%
	expect_pool 4 $ts "$MPRUN" -j 4
else
	echo "note: taskset missing: relative -j forms not checked"
fi

# Bad values.
for v in x 3x '' 1.5 %; do
	expect 255 "" "$(lines "mprun: -j: '$v' is not a number" \
	    "Try 'mprun --help'.")" "$MPRUN" -j "$v" echo ::: a
done
expect 255 "" "$(lines "mprun: -j: 'x' is not a number" \
    "Try 'mprun --help'.")" "$MPRUN" -jx echo ::: a
run "$MPRUN" -j -x echo ::: a
check_rc 255
check_out ""
check_err_match "^Try 'mprun --help'\.$"
run "$MPRUN" -j
check_rc 255
check_out ""
check_err_match "^Try 'mprun --help'\.$"

# Capped by the open-file limit (two descriptors a worker), with a
# warning; everything still runs.
run sh -c 'ulimit -n 32 && exec "$MPRUN" -j 100 echo {%} ::: $(seq 200)'
check_rc 0
[ "$(count_lines "$T/out")" -eq 200 ] || fail "-j 100 under ulimit -n 32: \
not 200 lines"
[ "$(sort -n "$T/out" | tail -n 1)" -le 16 ] ||
	fail "-j 100 under ulimit -n 32: slot $(sort -n "$T/out" | tail -n 1)"
check_err_match "^mprun: "

done_testing
