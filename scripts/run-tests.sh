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
#
# The e2e scripts run concurrently, by the mprun just built (see "End-to-end
# scripts" below), except those with a line "# test: alone", which run one
# at a time before the others start.  TEST_JOBS sets how many run at once
# (1: all of them one after the other, as before); TEST_TIMES=1 adds a "#
# time" line after each script's result, with how long it took.

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

# Where python3 is a shim (pyenv's is a bash script that works out which
# python to run), each start costs over half a second of CPU, and the
# scripts start it some sixty times: they get the interpreter the shim
# picks, found once, first in their PATH.
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) &&
    [ -x "$py" ] && [ "$py" != "$(command -v python3)" ]; then
	mkdir "$logdir/bin" && ln -s "$py" "$logdir/bin/python3" &&
	    PATH=$logdir/bin:$PATH
fi

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
#
# Most scripts only wait (for a sleep, a timeout, a signal to land), so
# they run side by side, and mprun runs them: the suite uses the binary
# it tests the way a Makefile would, one task per script, its -j the
# number at once.  Each task runs the script under the timeout with its
# output in a log and prints one line, "SCRIPT STATUS MILLISECONDS";
# mprun prints those lines in the order of the list, as each is known, and
# report() below turns them into TAP.  A script that needs the machine to
# itself (it measures time or load, counts a user's processes, or moves
# gigabytes) says so with a line "# test: alone"; those run one at a time
# first, with nothing else running.  A script missing from mprun's output
# (mprun failed) fails, and so does a batch run that does not exit 0.

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ -n "${TEST_JOBS-}" ]; then
	jobs=$TEST_JOBS
elif grep -q __asan_init "$MPRUN" 2>/dev/null; then
	# Under the sanitizers every mprun costs several times the CPU.
	jobs=$ncpu
else
	jobs=$((ncpu * 2))
fi

: >"$logdir/alone"
: >"$logdir/batch"
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	base=${t##*/}
	[ "$base" = lib.sh ] && continue
	case $base in *"$pattern"*) ;; *) continue ;; esac
	if [ "$jobs" -le 1 ] || grep -q '^# test: alone$' "$t"; then
		echo "$t" >>"$logdir/alone"
	else
		echo "$t" >>"$logdir/batch"
	fi
done

# What one task runs, a script in the log directory: $1 the e2e script,
# $2 the log directory.  The slot and sequence mprun gives its tasks are
# not the e2e script's business.
cat >"$logdir/run-one" <<EOF
unset MPRUN_SEQ MPRUN_SLOT PARALLEL_SEQ PARALLEL_JOBSLOT
b=\${1##*/}
s=\$(date +%s%N)
$run_timeout sh "\$1" >"\$2/\$b.log" 2>&1 </dev/null
st=\$?
e=\$(date +%s%N)
echo "\$b \$st \$(((e - s) / 1000000))"
EOF

# report: reads "SCRIPT STATUS MILLISECONDS" lines, prints their TAP, then
# the plan and the counts; its status is the suite's.
report() {
	: >"$logdir/seen"
	while read -r base status ms; do
		echo "$base" >>"$logdir/seen"
		name=e2e/${base%.sh}
		log=$logdir/$base.log
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
		batch)
			fail "mprun running the e2e scripts: exit status $ms"
			show "$logdir/batch.err"
			;;
		*)
			fail "$name: exit status $status"
			show "$log"
			;;
		esac
		if [ -n "${TEST_TIMES-}" ] && [ "$status" != batch ]; then
			printf '# time %s %d.%01d s\n' "$name" $((ms / 1000)) \
			    $((ms % 1000 / 100))
		fi
	done
	cat "$logdir/alone" "$logdir/batch" | while read -r t; do
		grep -qx "${t##*/}" "$logdir/seen" || echo "${t##*/}"
	done >"$logdir/lost"
	while read -r base; do
		fail "e2e/${base%.sh}: no result"
		[ ! -s "$logdir/$base.log" ] || show "$logdir/$base.log"
	done <"$logdir/lost"

	echo "1..$n"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}

{
	while read -r t; do
		sh "$logdir/run-one" "$t" "$logdir" </dev/null
	done <"$logdir/alone"
	if [ -s "$logdir/batch" ]; then
		# A developer's MPRUN_OPTS would change this run's output,
		# and the suite's concurrency is its own, not make's -j.
		(
			unset MPRUN_OPTS MAKEFLAGS MFLAGS MAKELEVEL
			exec "$MPRUN" -j "$jobs" sh "$logdir/run-one" {} \
			    "$logdir" :::: "$logdir/batch"
		) 2>"$logdir/batch.err" </dev/null
		st=$?
		[ "$st" -eq 0 ] || echo "batch batch $st"
	fi
} | report
