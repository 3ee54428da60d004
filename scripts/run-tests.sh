#!/bin/sh
# run-tests.sh - runs mprun's test suite and reports it as TAP.
#
# Usage: scripts/run-tests.sh [pattern]
#
# Runs every tests/unit/test_* binary, counting each of its "ok" and "not
# ok" lines as one test (a binary that exits non-zero without a "not ok"
# line counts as one failure), then every tests/e2e/*.sh script (but the
# sourced lib.sh) with sh, no stdin and a 120 s timeout: exit 0 passes, 77
# skips, anything else (a timeout included) fails, and a failed script's
# output is shown.  With a pattern, only the e2e scripts whose names
# contain it run.  The environment has MPRUN, TH and SRCDIR as absolute
# paths.  The last line is "N passed, N failed" (", N skipped" when some
# were); the exit status is 0 if and only if nothing failed.

SRCDIR=$(cd "$(dirname "$0")/.." && pwd) || exit 1
MPRUN=$SRCDIR/mprun
TH=$SRCDIR/tests/helpers/th
export SRCDIR MPRUN TH

pattern=${1-}
timeout_secs=120
n=0
passed=0
failed=0
skipped=0

logdir=$(mktemp -d "${TMPDIR:-/tmp}/mprun-tests.XXXXXX") || exit 1
trap 'rm -rf "$logdir"' EXIT
trap 'rm -rf "$logdir"; exit 130' INT
trap 'rm -rf "$logdir"; exit 143' TERM

# pass NAME, fail NAME, skip NAME [REASON]: one TAP line and the counts.
pass() {
	n=$((n + 1))
	passed=$((passed + 1))
	printf 'ok %d - %s\n' "$n" "$1"
}
fail() {
	n=$((n + 1))
	failed=$((failed + 1))
	printf 'not ok %d - %s\n' "$n" "$1"
}
skip() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	printf 'ok %d - %s # SKIP%s\n' "$n" "$1" "${2:+ $2}"
}

# show FILE: prints a log as TAP diagnostics.
show() {
	sed 's/^/# /' "$1"
}

if command -v timeout >/dev/null 2>&1; then
	run_timeout="timeout -k 10 $timeout_secs"
else
	run_timeout=
fi

cd "$SRCDIR" || exit 1

# Unit tests: re-number each binary's own TAP lines into ours.
if [ -z "$pattern" ]; then
	for t in tests/unit/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		case $t in *.c|*.o|*.h|*.dSYM) continue ;; esac
		name=unit/${t##*/}
		log=$logdir/${t##*/}.log
		$run_timeout "./$t" >"$log" 2>&1 </dev/null
		status=$?
		nbad=0
		# Read the results back without a pipeline, so the counts
		# survive (a pipeline's last part may run in a subshell).
		while IFS= read -r line; do
			case $line in
			"not ok "*)
				nbad=$((nbad + 1))
				rest=${line#not ok }
				fail "$name: ${rest#* - }"
				;;
			"ok "*"# SKIP"*|"ok "*"# skip"*)
				rest=${line#ok }
				skip "$name: ${rest#* - }"
				;;
			"ok "*)
				rest=${line#ok }
				pass "$name: ${rest#* - }"
				;;
			esac
		done <"$log"
		if [ "$status" -ne 0 ] && [ "$nbad" -eq 0 ]; then
			if [ "$status" -eq 124 ]; then
				fail "$name: timed out after ${timeout_secs}s"
			else
				fail "$name: exited with status $status"
			fi
			tail -n 20 "$log" | sed 's/^/# /'
		fi
	done
fi

# End-to-end scripts.
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	base=${t##*/}
	[ "$base" = lib.sh ] && continue
	case $base in *"$pattern"*) ;; *) continue ;; esac
	name=e2e/${base%.sh}
	log=$logdir/$base.log
	$run_timeout sh "$t" >"$log" 2>&1 </dev/null
	status=$?
	case $status in
	0)
		pass "$name"
		;;
	77)
		reason=$(tail -n 1 "$log")
		skip "$name" "$reason"
		;;
	124)
		fail "$name: timed out after ${timeout_secs}s"
		show "$log"
		;;
	*)
		fail "$name: exit status $status"
		show "$log"
		;;
	esac
done

echo "1..$n"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
