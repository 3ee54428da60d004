#!/bin/sh
# -u/--ungroup: output as it arrives, with no grouping (tasks may mix
# mid-line); nothing is lost.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines parother tial)" "$MPRUN" -j2 -u \
    ::: 'printf par; sleep 1; echo tial' 'sleep 0.5; echo other'
expect_out "$(lines parother tial)" "$MPRUN" -j2 --ungroup \
    ::: 'printf par; sleep 1; echo tial' 'sleep 0.5; echo other'

# A later task's output comes out at once.
start=$(now_ms)
"$MPRUN" -j2 -u ::: 'sleep 3' 'echo b' | {
	IFS= read -r line
	echo "$line $(($(now_ms) - start))" >"$T/first"
	cat >/dev/null
}
read -r line ms <"$T/first"
if [ "$line" != b ] || [ "$ms" -ge 2000 ]; then
	fail "-u: first line '$line' after $ms ms (want 'b', < 2000)"
fi

# Nothing lost, stderr on stderr.
run "$MPRUN" -j4 -u "$TH" -n 100000 -e {} ::: $(seq 20)
check_rc 0
[ "$(wc -c <"$T/out")" -eq 2000000 ] || fail "-u: stdout is not 2000000 bytes"
[ "$(tr -d 'x\n' <"$T/out" | wc -c)" -eq 0 ] || fail "-u: stdout has junk"
seq 20 >"$T/exp"
sort -n "$T/err" | cmp -s - "$T/exp" || fail "-u: stderr lines lost"

done_testing
