#!/bin/sh
# --progress, --eta, --bar: a progress line on stderr, redrawn at most 10
# times a second ("\r" LINE "\033[K"), only when stderr is a terminal
# unless --progress-force is given, and erased ("\r\033[K") at the end.
# stdout is not touched.
. "$(dirname "$0")/lib.sh"

esc=$(printf '\033')
cr=$(printf '\r')

# check_progress OPTION ERE: the last run's stdout is the tasks' output,
# its stderr only progress lines, one of which matches ERE, and it ends
# with the erasing "\r\033[K".
check_progress()
{
	check_rc 0
	check_out "$(lines 1 2 3 4 5)"
	if [ "$(tail -c 4 "$T/err" | od -An -c | tr -d ' \n')" != '\r033[K' ]; then
		fail "$1: stderr does not end with \\r\\033[K"
		od -c "$T/err" | tail -n 5 | sed 's/^/    /'
	fi
	# Split at the carriage returns: every piece is empty or a line
	# ending with ESC [ K, and holds no newline.
	tr '\r' '\n' <"$T/err" | sed '/^$/d' >"$T/pieces"
	if grep -v "${esc}\\[K\$" "$T/pieces" >"$T/bad"; then
		fail "$1: stderr holds more than progress lines"
		od -c "$T/bad" | head -n 10 | sed 's/^/    /'
	fi
	sed "s/${esc}\\[K\$//" "$T/pieces" >"$T/texts"
	if ! grep -Eq -- "$2" "$T/texts"; then
		fail "$1: no progress line matches /$2/"
		head -n 5 "$T/texts" | sed 's/^/    /'
	fi
	# At most 10 redraws a second (the run takes about a second): allow
	# some slack, but not a redraw per task event.
	_n=$(count_lines "$T/texts")
	[ "$_n" -le 40 ] || fail "$1: $_n redraws"
}

progress='[0-9]+ done, [0-9]+ failed, [0-9]+ running, [0-9]+ queued, [0-9]+\.[0-9]/s'

# Five tasks of 200 ms, one at a time: about a second of redraws.
run "$MPRUN" -j1 --progress --progress-force "$TH" -s 200 -o {} ::: 1 2 3 4 5
check_progress --progress "$progress"
# The counts move: some line shows a finished task.
grep -Eq '[1-5] done, 0 failed' "$T/texts" ||
	fail "--progress: no line shows a finished task"

run "$MPRUN" -j1 --eta --progress-force "$TH" -s 200 -o {} ::: 1 2 3 4 5
check_progress --eta "$progress, ETA [0-9]+(s|m[0-9]+s|h[0-9]+m)"

run "$MPRUN" -j1 --bar --progress-force "$TH" -s 200 -o {} ::: 1 2 3 4 5
check_progress --bar '\[[#.]+\] +[0-9]+% [0-9]/5'
# The bar fits in 80 columns when the width is unknown.
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$T/texts" ||
	fail "--bar: a line longer than 80 columns"

# Persistent workers send no START: the tasks a worker holds and has not
# answered count as running.
run "$MPRUN" -j1 --progress --progress-force --worker \
    'while read x; do sleep 0.2; echo $x; done' ::: 1 2 3 4 5
check_progress "--progress --worker" "$progress"
grep -Eq '0 done, 0 failed, [1-5] running' "$T/texts" ||
	fail "--progress --worker: no line shows a running task"

# Failures are counted.
run "$MPRUN" -j1 --progress --progress-force "$TH" -s 200 -x 1 ::: 1 2 3
check_rc 3
tr '\r' '\n' <"$T/err" | grep -Eq '[1-3] done, [1-3] failed' ||
	fail "--progress: failures not counted"

# The total unknown (standard input): --bar is like --progress.
lines 1 2 3 4 5 >"$T/in"
run sh -c '{ sleep 0.5; cat "$1"; } | "$2" -j1 --bar --progress-force \
    "$3" -s 200 -o {}' sh "$T/in" "$MPRUN" "$TH"
check_progress "--bar, stdin" "$progress"

# Not a terminal and not forced: nothing at all on stderr.
for opt in --progress --eta --bar; do
	expect_out "$(lines 1 2 3)" "$MPRUN" -j1 $opt "$TH" -s 150 -o {} ::: 1 2 3
done

# On a terminal (a pty from script(1)), shown without --progress-force;
# the tasks' output still comes whole.
if command -v script >/dev/null 2>&1; then
	RUN_TIMEOUT=30 run script -qec \
	    "'$MPRUN' -j1 --progress '$TH' -s 200 -o {} ::: 1 2 3 4 5" /dev/null
	check_rc 0
	tr '\r' '\n' <"$T/out" | grep -Eq "$progress" ||
		fail "--progress on a terminal: no progress line"
	tr '\r' '\n' <"$T/out" | sed "s/.*${esc}\\[K//; /^\$/d" >"$T/got"
	lines 1 2 3 4 5 >"$T/want"
	check_file_is "output on a terminal" "$T/want" "$T/got"
fi

done_testing
