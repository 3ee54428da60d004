#!/bin/sh
# Input is read lazily, a bounded window ahead of dispatch: output starts
# at once however long the input is, endless input works, and a reader
# that stops early ends the run promptly.
. "$(dirname "$0")/lib.sh"

# first_line SECONDS PIPELINE [WANT]: runs PIPELINE (sh) under a time
# limit and checks that it prints WANT (default 1) within SECONDS; a WANT
# of "any" takes any record number.
first_line()
{
	lastcmd=$2
	_start=$(now_ms)
	_out=$(timeout -k 5 "$1" sh -c "$2")
	_ms=$(($(now_ms) - _start))
	case ${3:-1}:$_out in
	any:[1-9]|any:[1-9]*[0-9]|"$_out:$_out")
		;;
	*)
		fail "'$2' printed '$_out' (in $_ms ms), expected ${3:-1}"
		return
		;;
	esac
	[ "$_ms" -lt $(($1 * 1000)) ] || fail "'$2' took $_ms ms"
}

first_line 10 'seq 1000000 | "$MPRUN" echo | head -n 1'
first_line 10 'seq 10000000 | "$MPRUN" echo | head -n 1'
first_line 10 'seq 10000000 | "$MPRUN" -j2 echo | head -n 1'
# (-u prints whatever comes first.)
first_line 10 'seq 10000000 | "$MPRUN" -u echo | head -n 1' any

# Endless input.
run sh -c 'yes | "$MPRUN" echo | head -n 3'
check_rc 0
check_out "$(lines y y y)"
run sh -c 'yes | "$MPRUN" -j4 --unordered echo | head -n 3'
check_rc 0
check_out "$(lines y y y)"
run sh -c 'yes | tr "\n" "\0" | "$MPRUN" -0 echo x | head -n 1'
check_rc 0
check_out "x y"

# A slow producer: each record runs as soon as it arrives.
run sh -c '(echo a; sleep 2; echo b) | "$MPRUN" "$TH" -o {} | {
	IFS= read -r l; echo "$l $(date +%s)"
	IFS= read -r l; echo "$l $(date +%s)"; }'
check_rc 0
set -- $(cat "$T/out")
if [ "$1" != a ] || [ "$3" != b ] || [ $(($4 - $2)) -lt 1 ]; then
	fail "records did not run as they arrived: $(tr '\n' ' ' <"$T/out")"
fi

# mprun does not read far ahead: with a task that never ends at the head,
# it holds only a bounded part of 10 million records (memory stays low).
start_bg sh -c 'seq 10000000 | "$MPRUN" -j1 "sleep 30; echo {}" &
    echo $! >"$T/mppid"; wait'
sleep 2
mp=$(cat "$T/mppid")
if [ -r "/proc/$mp/status" ]; then
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$mp/status")
	[ "$rss" -lt 100000 ] || fail "mprun holds $rss kB after 2 s"
fi
kill "$mp" 2>/dev/null

done_testing
