#!/bin/sh
# Output that would only go to /dev/null is not copied: a task gets
# /dev/null itself as its stdout (or stderr) when mprun's is /dev/null,
# except stderr with --json, whose objects carry it.  Exit statuses and
# the joblog are unchanged.
. "$(dirname "$0")/lib.sh"

# Each task says on its other stream where its fd 1 or 2 points.
where1='d=$(readlink /proc/$$/fd/1); if [ "$d" = /dev/null ]; then echo direct; else echo piped; fi >&2; : {}'
where2='d=$(readlink /proc/$$/fd/2); if [ "$d" = /dev/null ]; then echo direct; else echo piped; fi; : {}'

run sh -c '"$MPRUN" -j2 "$1" ::: 1 2 >/dev/null' sh "$where1"
check_rc 0
check_out ""
check_err "$(lines direct direct)"

run "$MPRUN" -j2 "$where1" ::: 1 2
check_rc 0
check_err "$(lines piped piped)"

run sh -c '"$MPRUN" -j2 "$1" ::: 1 2 2>/dev/null' sh "$where2"
check_rc 0
check_out "$(lines direct direct)"

run "$MPRUN" -j2 "$where2" ::: 1 2
check_rc 0
check_out "$(lines piped piped)"

# --json carries stderr: it is still captured when fd 2 is /dev/null.
run sh -c '"$MPRUN" --json "echo e{} >&2" ::: 1 2>/dev/null'
check_rc 0
grep -q '"stderr":"e1\\n"' "$T/out" || fail "--json lost stderr: $(cat "$T/out")"

# Statuses, the joblog and the failure count do not depend on it.
run sh -c '"$MPRUN" -j2 --joblog "$T/jl" "echo x; exit {}" ::: 0 3 4 >/dev/null'
check_rc 2
[ "$(awk 'NR > 1 { print $1, $7 }' "$T/jl" | sort)" = "$(lines '1 0' '2 3' '3 4')" ] ||
	fail "joblog: $(cat "$T/jl")"

done_testing
