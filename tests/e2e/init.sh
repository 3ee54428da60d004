#!/bin/sh
# --init cmd: run with /bin/sh -c once in each new worker before its first
# task ({%} is the slot); its stdout and stderr go to mprun's stderr.  If
# it fails, mprun says so once, and each task that worker gets fails with
# status 255 and "mprun: task not run: --init failed in slot N".
. "$(dirname "$0")/lib.sh"

expect 0 "$(lines a b c)" "init 1" \
    "$MPRUN" -j1 --init 'echo init {%}' echo ::: a b c
expect 0 "$(lines a b c)" "$(lines "init out 1" "init err 1")" \
    "$MPRUN" -j1 --init 'echo init out {%}; echo init err {%} >&2' echo \
    ::: a b c

# Before the first task: the tasks see what it made.
expect 0 "$(lines ready ready)" "" \
    "$MPRUN" -j1 --init "echo ready >$T/flag" "cat $T/flag; : {}" ::: a b

# Once per new worker: three workers over six tasks with a quota of two.
run "$MPRUN" -j1 --maxtasksperchild 2 --init 'echo init {%}' echo ::: $(seq 6)
check_rc 0
check_out_file "$(seq 6 >"$T/exp"; echo "$T/exp")"
check_err "$(lines "init 1" "init 1" "init 1")"

# Each slot's own value of {%}.
run "$MPRUN" -j3 --chunksize 1 --init 'echo init {%}' \
    sh -c "'sleep 0.5'" ::: 1 2 3
check_rc 0
check_out ""
sort "$T/err" >"$T/got"
check_file_is "sorted stderr" "$(lines "init 1" "init 2" "init 3" \
    >"$T/exp"; echo "$T/exp")" "$T/got"

# Failure.
expect 2 "" "$(lines "mprun: --init in slot 1 failed: exit 3" \
    "mprun: task not run: --init failed in slot 1" \
    "mprun: task not run: --init failed in slot 1")" \
    "$MPRUN" -j1 --init 'exit 3' echo ::: a b
expect 2 "" "$(lines "oops" "mprun: --init in slot 1 failed: exit 1" \
    "mprun: task not run: --init failed in slot 1" \
    "mprun: task not run: --init failed in slot 1")" \
    "$MPRUN" -j1 --init 'echo oops; false' echo ::: a b

# The failed tasks are counted (status 255 each: not zero).
seq 150 >"$T/in"
run "$MPRUN" -j1 --init 'exit 1' echo <"$T/in"
check_rc 101
check_out ""
[ "$(grep -c '^mprun: --init in slot 1 failed: exit 1$' "$T/err")" -eq 1 ] ||
	fail "--init failure not reported exactly once"
[ "$(grep -c '^mprun: task not run: --init failed in slot 1$' "$T/err")" \
    -eq 150 ] || fail "not 150 task-not-run lines"

# A failing init in a recycled worker: every new worker reports it.
run "$MPRUN" -j1 --maxtasksperchild 1 --init 'exit 4' echo ::: a b
check_rc 2
[ "$(grep -c '^mprun: --init in slot 1 failed: exit 4$' "$T/err")" -eq 2 ] ||
	fail "two workers, two --init failures expected"

# Only the slot whose init fails: tasks of the other slot succeed.
run "$MPRUN" -j2 --chunksize 1 --init '[ {%} = 1 ]' \
    sh -c "'sleep 0.5; echo ok'" ::: 1 2
check_rc 1
check_out "ok"
check_err_match "^mprun: --init in slot 2 failed: exit 1$"
check_err_match "^mprun: task not run: --init failed in slot 2$"

done_testing
