#!/bin/sh
# --retries N: a failed task runs again, up to N times in all; only the last
# attempt's output (stdout and stderr) is emitted, the joblog gets one row
# (the last attempt's) and the exit status counts the task once, by its
# last attempt.  --retries 1 (the default) never retries.
. "$(dirname "$0")/lib.sh"

# Task {#} counts its attempts in c.{#} and succeeds from attempt {} on.
cmd='n=$(cat c.{#} 2>/dev/null || echo 0); n=$((n + 1)); echo $n >c.{#}; echo {}:$n; echo err{}:$n >&2; test $n -ge {}'
# cmdfor SEQ VALUE: the command line of task SEQ with VALUE.
cmdfor()
{
	printf '%s\n' "$cmd" | sed "s/{#}/$1/g; s/{}/$2/g"
}
# attempts SEQ: how many times task SEQ ran.
attempts()
{
	cat "c.$1" 2>/dev/null || echo 0
}

run "$MPRUN" -j2 --retries 3 --joblog "$T/jl" "$cmd" ::: 1 2 9 3
check_rc 1
check_out "$(lines 1:1 2:2 9:3 3:3)"
check_err "$(lines err1:1 err2:2 err9:3 err3:3)"
[ "$(attempts 1)$(attempts 2)$(attempts 3)$(attempts 4)" = 1233 ] ||
	fail "attempts: $(attempts 1) $(attempts 2) $(attempts 3) $(attempts 4)"
check_joblog_sorted "$T/jl" "$JOBLOG_HEADER
$(jlrow 1 0 0 "$(cmdfor 1 1)")
$(jlrow 2 0 0 "$(cmdfor 2 2)")
$(jlrow 3 1 0 "$(cmdfor 3 9)")
$(jlrow 4 0 0 "$(cmdfor 4 3)")"

# Ordered output is kept: a task retried while later ones finish.
rm -f c.*
run "$MPRUN" -j3 --retries 2 "$cmd" ::: 2 1 1 1 1 1
check_rc 0
check_out "$(lines 2:2 1:1 1:1 1:1 1:1 1:1)"
check_err "$(lines err2:2 err1:1 err1:1 err1:1 err1:1 err1:1)"

# --unordered too: one result per task, the last attempt's.
rm -f c.*
run "$MPRUN" -j2 --unordered --retries 3 "$cmd" ::: 3 2
check_rc 0
sort "$T/out" >"$T/sorted"
lines 2:2 3:3 >"$T/want"
check_file_is "--unordered --retries stdout" "$T/want" "$T/sorted"

# --retries 1 and the default: one attempt.
for r in "--retries 1" ""; do
	rm -f c.*
	run "$MPRUN" -j1 $r "$cmd" ::: 2 1
	check_rc 1
	check_out "$(lines 2:1 1:1)"
	check_err "$(lines err2:1 err1:1)"
	[ "$(attempts 1)" = 1 ] || fail "$r: task 1 ran $(attempts 1) times"
done

# A task killed by a signal is retried as well; when every attempt fails,
# the exit status counts it once.
rm -f c.*
run "$MPRUN" -j1 --retries 2 \
    'n=$(cat c.{#} 2>/dev/null || echo 0); n=$((n + 1)); echo $n >c.{#}; echo try$n; test $n -ge {} || kill -9 $$' \
    ::: 2 5 5
check_rc 2
check_out "$(lines try2 try2 try2)"
[ "$(attempts 1)$(attempts 2)$(attempts 3)" = 222 ] ||
	fail "killed tasks: attempts $(attempts 1) $(attempts 2) $(attempts 3)"

# --halt counts a task as failed only when its last attempt has failed.
# (The tasks take 0.2 s, so that the worker holds no queue of them.)
rm -f c.*
run "$MPRUN" -j1 --retries 2 --halt now,fail=1 "sleep 0.2; $cmd" ::: 2 1 2
check_rc 0
check_out "$(lines 2:2 1:1 2:2)"
rm -f c.*
run "$MPRUN" -j1 --retries 2 --halt now,fail=1 "sleep 0.2; $cmd" ::: 1 3 1
check_rc 1
check_out "$(lines 1:1 3:2)"
check_err_match "^mprun: halting: task 2 failed: "

# Many failing tasks, several retries: the count is by task.
seq 30 >"$T/in"
run "$MPRUN" -j4 --retries 3 false <"$T/in"
check_rc 30

# Bad values.
for v in 0 x -1; do
	run "$MPRUN" --retries "$v" touch "$T/ran" ::: x
	check_rc 255
	check_out ""
	check_err_match "^mprun: --retries: '$v' "
	[ -e "$T/ran" ] && fail "--retries $v ran a task"
	rm -f "$T/ran"
done

done_testing
