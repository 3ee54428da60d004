#!/bin/sh
# jobserver.sh - mprun as a client of GNU make's jobserver.
#
# Under make -jN, mprun started with no -j runs one task on its implicit
# slot and one more per token it reads from make's pipe, and gives every
# token back however it ends.  Concurrency is measured with a lock-dir
# counter: each task makes a directory in $T/run, counts the entries,
# records the count, sleeps and removes its directory, so the largest
# count recorded is at most the largest number of tasks that ran at once.
# make checks at exit that it got all its tokens back ("INTERNAL: Exiting
# with N jobserver tokens available; should be M!").  A named pipe that
# this script fills with tokens stands in for make where exact bytes
# must be checked (and for the fifo form, on a make older than 4.4).

. "$(dirname "$0")/lib.sh"

need make mkfifo dd

# Nothing of an outer make (make check) may leak in.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR
export MPRUN

mkdir "$T/run"
RUNDIR=$T/run
COUNTS=$T/counts
TASK=$T/task.sh
export RUNDIR COUNTS TASK
cat >"$TASK" <<'EOF'
# One task: be counted while running.
d=$RUNDIR/$$.$1
mkdir "$d" || exit 99
ls "$RUNDIR" | wc -l >>"$COUNTS"
sleep "${SLEEP:-0.3}"
ls "$RUNDIR" | wc -l >>"$COUNTS"
rmdir "$d"
EOF

# The pool mprun makes by default (the CPUs it may use).
POOL=$("$MPRUN" echo {%} ::: $(seq 1 200) | sort -n | tail -n 1)

# maxrun: the most tasks seen running at once since the last reset.
maxrun()
{
	if [ -s "$COUNTS" ]; then
		sort -n "$COUNTS" | tail -n 1 | tr -d ' '
	else
		echo 0
	fi
}

# reset: forgets the counts (and the tasks a killed run left behind).
reset()
{
	rm -f "$COUNTS"
	rm -rf "$RUNDIR"
	mkdir "$RUNDIR"
}

# check_max LABEL LOW HIGH: the most tasks at once is in [LOW, HIGH].
check_max()
{
	_m=$(maxrun)
	if [ "$_m" -lt "$2" ] || [ "$_m" -gt "$3" ]; then
		fail "$1: at most $_m tasks at once, expected $2..$3"
	fi
}

# min A B: the smaller number.
min()
{
	if [ "$1" -lt "$2" ]; then
		echo "$1"
	else
		echo "$2"
	fi
}

# check_make_tokens LABEL: make's output ($T/err) does not say that
# tokens were lost (or that there were too many).
check_make_tokens()
{
	if grep -q 'jobserver' "$T/err"; then
		fail "$1: make says:"
		sed 's/^/    /' "$T/err"
	fi
}

# tokens_back: the bytes in our stand-in fifo, sorted, one a line.
tokens_back()
{
	dd bs=64 count=1 iflag=nonblock <&8 2>/dev/null | od -An -c |
	    tr -s ' ' '\n' | sed '/^$/d' | sort
}

# check_tokens LABEL EXPECTED: the stand-in fifo holds exactly the bytes
# of EXPECTED (in any order), no more and no fewer.
check_tokens()
{
	_got=$(tokens_back | tr -d '\n')
	_want=$(printf '%s' "$2" | od -An -c | tr -s ' ' '\n' | sed '/^$/d' |
	    sort | tr -d '\n')
	if [ "$_got" != "$_want" ]; then
		fail "$1: tokens back '$_got', expected '$_want'"
	fi
}

# Recipes start mprun with no -j; "+" passes make's pipe to them (make
# before 4.4 passes it to recursive commands only).
cat >"$T/Makefile" <<'EOF'
all: a b c
a b c:
	+@$(MPRUN) sh $(TASK) ::: 1 2 3 4 5 6
one:
	+@$(MPRUN) sh $(TASK) ::: 1 2 3 4 5 6
explicit:
	+@$(MPRUN) -j4 sh $(TASK) ::: 1 2 3 4 5 6 7 8
fds:
	+@echo "$$MAKEFLAGS" >$(T)/makeflags; \
	    $(MPRUN) sh $(T)/fds.sh ::: 1 >$(T)/fds
failing:
	+@$(MPRUN) $(TH) -s 300 -x 3 ::: 1 2 3 4; test $$? = 4
timeout:
	+@$(MPRUN) --timeout 0.3 $(TH) -s 5000 ::: 1 2 3 4 2>/dev/null; \
	    test $$? = 4
interrupted:
	+@echo $$$$ >$(T)/pid; exec $(MPRUN) sh $(TASK) ::: 1 2 3 4 5 6
EOF
export T
# A task that lists its open fds (sh keeps its script on fd 10 or above).
echo 'ls "/proc/$$/fd"' >"$T/fds.sh"

# Three recipes at once under make -j3: 3 tasks at most in all, and more
# than one (each mprun has its implicit slot).
run make -j3 -f "$T/Makefile" all
check_rc 0
check_make_tokens "make -j3, three recipes"
check_max "make -j3, three recipes" 2 3
[ "$(ls "$RUNDIR" | wc -l)" -eq 0 ] || fail "tasks left in $RUNDIR"

# Two recipes under make -j2: 2 at once (without the jobserver, a pool
# each).
reset
run make -j2 -f "$T/Makefile" a b
check_rc 0
check_make_tokens "make -j2, two recipes"
check_max "make -j2, two recipes" 2 2

# One recipe under make -j3: mprun takes tokens, up to its pool.
reset
run make -j3 -f "$T/Makefile" one
check_rc 0
check_make_tokens "make -j3, one recipe"
check_max "make -j3, one recipe" "$(min "$POOL" 3)" 3

# An explicit -j wins: 4 at once under make -j3.
reset
run make -j3 -f "$T/Makefile" explicit
check_rc 0
check_make_tokens "make -j3, mprun -j4"
check_max "make -j3, mprun -j4" 4 4

# Tasks hold make's fds, at the numbers MAKEFLAGS names, as make's
# recursive children do (jobserver_submake.sh runs sub-makes).
run make -j3 -f "$T/Makefile" fds
check_rc 0
fds=$(sed -n 's/.*--jobserver-auth=\([0-9]*\),\([0-9]*\).*/\1 \2/p' \
    "$T/makeflags")
if [ -z "$fds" ]; then
	fail "no --jobserver-auth=R,W in MAKEFLAGS: $(cat "$T/makeflags")"
fi
for fd in $fds; do
	if ! grep -qx "$fd" "$T/fds"; then
		fail "a task did not inherit make's fd $fd"
	fi
done

# Failed tasks and tasks that timed out give their tokens back.
run make -j3 -f "$T/Makefile" failing
check_rc 0
check_make_tokens "failing tasks"
run make -j3 -f "$T/Makefile" timeout
check_rc 0
check_make_tokens "tasks timed out"

# SIGINT mid-run: mprun dies by it, and make gets every token back.
reset
rm -f "$T/pid"
start_bg make -j3 -f "$T/Makefile" interrupted
wait_for 10 test -s "$COUNTS" || fail "the tasks never started"
sleep 0.1
kill -INT "$(cat "$T/pid")"
wait_bg
mv "$T/err" "$T/err.make"
grep -v 'Interrupt' "$T/err.make" >"$T/err"
check_make_tokens "SIGINT"
[ "$rc" -ne 0 ] || fail "make did not see the recipe interrupted"

# The harness would notice: a SIGKILLed mprun cannot give its tokens back.
if [ "$POOL" -ge 2 ]; then
	reset
	rm -f "$T/pid"
	start_bg make -j3 -f "$T/Makefile" interrupted
	wait_for 10 sh -c '[ "$(ls "$RUNDIR" | wc -l)" -ge 2 ]' ||
	    fail "two tasks never ran at once"
	kill -KILL "$(cat "$T/pid")"
	wait_bg
	grep -q 'jobserver tokens' "$T/err" ||
	    fail "make did not notice a lost token: $(cat "$T/err")"
fi

# Real make with its named pipe (make 4.4), and with a pipe on demand.
for style in fifo pipe; do
	if ! make --jobserver-style=$style --version >/dev/null 2>&1; then
		continue
	fi
	reset
	run make --jobserver-style=$style -j3 -f "$T/Makefile" all
	check_rc 0
	check_make_tokens "make --jobserver-style=$style -j3"
	check_max "make --jobserver-style=$style -j3" 2 3
done

# Closed fds: no jobserver, silently; -v says so.
reset
MAKEFLAGS=" -j3 --jobserver-auth=98,99" run "$MPRUN" sh "$TASK" ::: 1 2 3 4
check_rc 0
check_err ""
check_max "closed fds" "$(min "$POOL" 4)" "$POOL"
MAKEFLAGS=" -j3 --jobserver-auth=98,99" run "$MPRUN" -v true ::: 1
check_rc 0
check_err_match 'jobserver.*98,99.*without'
MAKEFLAGS=" -j3 --jobserver-auth=fifo:$T/nonexistent" run "$MPRUN" true ::: 1
check_rc 0
check_err ""
MAKEFLAGS=" -j3 --jobserver-auth=fifo:$T/nonexistent" run "$MPRUN" -v \
    true ::: 1
check_rc 0
check_err_match 'jobserver.*nonexistent.*without'

# A stand-in for make: a named pipe on fd 8 holding tokens.
mkfifo "$T/fifo"
exec 8<>"$T/fifo"

# Each form, with no token free: one task at a time, on the implicit slot
# (the last --jobserver-auth wins; the flags end at "--").
for auth in "--jobserver-auth=fifo:$T/fifo" "--jobserver-auth=8,8" \
    "--jobserver-fds=8,8" "--jobserver-auth=98,99 --jobserver-auth=8,8"; do
	reset
	MAKEFLAGS="k -j2 $auth -- V=x" run "$MPRUN" sh "$TASK" ::: 1 2 3 4
	check_rc 0
	check_max "$auth, no token" 1 1
	check_tokens "$auth, no token" ""
done

# Two tokens (odd bytes, which must come back as they are): 3 at most.
for auth in "--jobserver-auth=fifo:$T/fifo" "--jobserver-auth=8,8"; do
	reset
	printf 'x\001' >&8
	MAKEFLAGS="-j3 $auth" run "$MPRUN" sh "$TASK" ::: 1 2 3 4 5 6
	check_rc 0
	check_err ""
	check_max "$auth, two tokens" "$(min "$POOL" 3)" 3
	check_tokens "$auth, two tokens" "$(printf 'x\001')"
done

# An explicit -j ignores the jobserver (and takes nothing from it).
reset
printf 'ab' >&8
MAKEFLAGS="-j3 --jobserver-auth=8,8" run "$MPRUN" -j4 sh "$TASK" ::: \
    1 2 3 4
check_rc 0
check_max "-j4 beats the jobserver" 4 4
check_tokens "-j4 beats the jobserver" "ab"

# Tasks inherit the jobserver's fds, whether their worker was forked by
# the zygote or started with exec, and with -j too; a --worker, which is
# no recursive child, does not.
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" sh "$T/fds.sh" ::: 1
check_rc 0
if ! grep -qx 8 "$T/out"; then
	fail "a task did not inherit the jobserver's fd 8"
fi
check_tokens "fds" "ab"
MPRUN_EXEC_WORKERS=1 MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" \
    sh "$T/fds.sh" ::: 1
if ! grep -qx 8 "$T/out"; then
	fail "a task did not inherit the jobserver's fd 8 (exec workers)"
fi
check_tokens "fds, exec workers" ""
MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" -j2 sh "$T/fds.sh" ::: 1
if ! grep -qx 8 "$T/out"; then
	fail "a task did not inherit the jobserver's fd 8 (-j2)"
fi
MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" --worker \
    'read -r x; ls /proc/$$/fd | tr "\n" " "; echo' ::: 1
check_rc 0
if grep -qw 8 "$T/out"; then
	fail "a --worker inherited the jobserver's fd 8: $(cat "$T/out")"
fi
# Nor does its MAKEFLAGS name them (or -j): a make it runs stays quiet.
MAKEFLAGS="k -j4 --jobserver-auth=8,8 -- V=1" run "$MPRUN" --worker \
    'read -r x; echo "[$MAKEFLAGS]"' ::: 1
check_rc 0
check_out "[k -- V=1]"
check_tokens "fds, -j2 and --worker" ""

# A token goes back as soon as its task ends, not when mprun does: here
# the short tasks end while the long one still runs on the implicit slot.
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=8,8" start_bg "$MPRUN" "$TH" -s {} ::: \
    4000 100 100 100
sleep 1.5
alive "$bgpid" || fail "the long task ended too soon"
check_tokens "tokens back while the last task runs" "ab"
wait_bg
check_rc 0
check_tokens "no token more at the end" ""

# Tokens come back when tasks fail, time out, or mprun fails itself.
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=fifo:$T/fifo" run "$MPRUN" "$TH" -s 200 -x 3 \
    ::: 1 2 3 4
check_rc 4
check_tokens "failing tasks" "ab"
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=fifo:$T/fifo" run "$MPRUN" --timeout 0.2 \
    "$TH" -s 5000 ::: 1 2 3 4
check_rc 4
check_tokens "timeouts" "ab"
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=fifo:$T/fifo" run "$MPRUN" --joblog /dev/full \
    "$TH" -s 200 ::: 1 2 3 4
check_rc 255
check_tokens "mprun's own error" "ab"

# SIGINT while tasks hold tokens, and while mprun waits for one.
for toks in ab ''; do
	reset
	printf '%s' "$toks" >&8
	MAKEFLAGS="--jobserver-auth=8,8" SLEEP=10 start_bg "$MPRUN" \
	    sh "$TASK" ::: 1 2 3 4 5 6
	want=$(min "$POOL" $((${#toks} + 1)))
	wait_for 10 sh -c "[ \"\$(ls \"$RUNDIR\" | wc -l)\" -ge $want ]" ||
	    fail "SIGINT with tokens '$toks': tasks did not start"
	kill -INT "$bgpid"
	wait_bg
	check_rc 130
	check_tokens "SIGINT with tokens '$toks'" "$toks"
done

# A second SIGINT kills at once, and the tokens still go back.
reset
echo 'trap "" TERM; sleep 10' >"$T/deaf.sh"
printf 'ab' >&8
MAKEFLAGS="--jobserver-auth=8,8" start_bg "$MPRUN" sh "$T/deaf.sh" ::: \
    1 2 3 4
sleep 0.5
kill -INT "$bgpid"
sleep 0.3
kill -INT "$bgpid"
wait_bg
check_rc 130
check_tokens "second SIGINT" "ab"

# --worker: persistent workers hold a slot for each task they hold.
reset
printf 'ab' >&8
cat >"$T/pw.sh" <<'EOF'
while read -r x; do
	sh "$TASK" "$x"
	echo "$x"
done
EOF
MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" --unordered \
    --worker "sh $T/pw.sh" ::: 1 2 3 4 5 6
check_rc 0
check_max "--worker, two tokens" 1 3
check_tokens "--worker, two tokens" "ab"
reset
MAKEFLAGS="--jobserver-auth=8,8" run "$MPRUN" --unordered \
    --worker "sh $T/pw.sh" ::: 1 2 3
check_rc 0
check_max "--worker, no token" 1 1
check_tokens "--worker, no token" ""

done_testing
