#!/bin/sh
# run.sh - runs libFuzzer targets for a bounded time each; `make fuzz`
# builds them and calls this.
#
# Usage: tests/fuzz/run.sh SECONDS BINARY...
#
# Each BINARY (tests/fuzz/bin/fuzz_NAME) runs for SECONDS with
# -max_total_time on a copy of tests/fuzz/corpus/NAME/ in a temporary
# directory, so the committed seeds are never written to.  Prints one line
# per target: executions, new corpus units, and whether it crashed.  A
# crash, leak or timeout keeps that target's directory (the reproducer,
# crash-* or leak-* or timeout-*, and the log) and names it; minimise one
# with `BINARY -minimize_crash=1 -runs=10000 FILE`.  Exits 1 if any target
# failed, else 0.

set -u

if [ $# -lt 2 ]; then
	echo "usage: tests/fuzz/run.sh seconds binary..." >&2
	exit 1
fi
secs=$1
shift
corpora="$(cd "$(dirname "$0")" && pwd)/corpus"
failed=0

for bin in "$@"; do
	name=$(basename "$bin")
	target=${name#fuzz_}
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mprun-fuzz-$target.XXXXXX") || exit 1
	mkdir "$dir/corpus"
	if [ -d "$corpora/$target" ]; then
		cp "$corpora/$target"/* "$dir/corpus/" 2>/dev/null
	fi
	# -timeout: one input taking this long is a hang, and a failure.
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	units=$(sed -n 's/^stat::new_units_added: *//p' "$dir/log")
	found=
	for f in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
		[ -e "$f" ] && found="$found $f"
	done
	if [ "$status" -eq 0 ] && [ -z "$found" ]; then
		printf '%s: %s executions in %s s, %s new units, %s\n' \
		    "$name" "${execs:-?}" "$secs" "${units:-?}" "nothing found"
		rm -rf "$dir"
		continue
	fi
	failed=1
	printf '%s: FAILED (status %s) after %s executions:%s\n' "$name" \
	    "$status" "${execs:-?}" "${found:- no reproducer}"
	# The report, from its first line, without libFuzzer's own frames.
	sed -n '/==ERROR\|runtime error\|check failed\|^SUMMARY/,$p' \
	    "$dir/log" | grep -v 'fuzzer::\|libc_start\| in _start ' |
	    head -30 | sed 's/^/    /'
	printf '    log: %s/log\n' "$dir"
done
exit "$failed"
