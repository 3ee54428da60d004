#!/bin/sh
# No task outlives its end, let alone mprun.  A task is over once it has
# exited and its output pipes are at EOF (a background process that keeps
# them open keeps it running, and what it writes is the task's); what is
# then left in its process group (a background process that closed its
# output or never had it) gets the termseq before the task's result is
# counted, so it is gone when the next task starts in the slot, and gone
# when mprun exits.  The same holds under --timeout, SIGINT, --retries,
# for exec'd and launched workers, and for what a --worker leaves in its
# group.  A process that left the group on purpose (setsid: a daemon) is
# left alone; the worker is its subreaper and reaps it if it exits while
# the worker lives.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"

# leave NAME [noterm]: leaves a process behind in the task's group, its
# stdin, stdout and stderr on /dev/null (ignoring SIGTERM with noterm);
# its pid is in $T/pids/NAME once leave returns.
cat >"$T/leave" <<'EOF'
#!/bin/sh
[ "$2" = noterm ] && trap '' TERM
sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec sleep 60' \
    "$T/pids/$1" </dev/null >/dev/null 2>&1 &
while [ ! -s "$T/pids/$1" ]; do
	sleep 0.02
done
EOF
chmod +x "$T/leave"

# check_gone NAME...: the processes named were killed (a zombie waiting
# for init counts as gone); any that is not is killed here.
check_gone()
{
	for _n in "$@"; do
		if [ ! -s "$T/pids/$_n" ]; then
			fail "no pid for $_n: it did not start"
			continue
		fi
		_p=$(cat "$T/pids/$_n")
		if alive "$_p"; then
			fail "$_n (pid $_p) outlived its task: $lastcmd"
			kill -9 "$_p" 2>/dev/null
		fi
	done
}

# Each task leaves a sleep behind and exits 0.
run "$MPRUN" -j2 "$T/leave a{}; echo started {}" ::: 1 2
check_rc 0
check_out "$(lines 'started 1' 'started 2')"
check_err ""
check_gone a1 a2

# Workers started with exec (no fork server) do the same.
MPRUN_EXEC_WORKERS=1 run "$MPRUN" -j2 "$T/leave x{}; echo started {}" ::: 1 2
check_rc 0
check_out "$(lines 'started 1' 'started 2')"
check_gone x1 x2

# It is gone when the task ends, not only when mprun does: the next task
# in the slot no longer finds it.
cat >"$T/isgone" <<'EOF'
#!/bin/sh
if kill -0 "$(cat "$T/pids/$1")" 2>/dev/null; then
	echo alive
else
	echo gone
fi
EOF
chmod +x "$T/isgone"
run "$MPRUN" -j1 ::: "$T/leave b; echo a" "$T/isgone b"
check_rc 0
check_out "$(lines a gone)"
check_gone b

# One that ignores SIGTERM gets the rest of the termseq: SIGKILL.
run "$MPRUN" -j1 ::: "$T/leave c noterm; echo a" "echo b"
check_rc 0
check_out "$(lines a b)"
check_err ""
check_gone c

# A background process that keeps the task's stdout keeps the task going:
# what it writes is the task's output, and the next task waits.
run "$MPRUN" -j1 ::: \
    "sh -c 'until [ -e $T/go ]; do sleep 0.02; done; echo late' & echo a
    : >$T/go" "echo b"
check_rc 0
check_out "$(lines a late b)"
check_err ""

# A daemon (setsid, output closed) is left alone, on purpose.  While the
# worker lives it is the daemon's parent (its subreaper), and a daemon
# that exits is reaped, not left a zombie.
cat >"$T/daemon" <<'EOF'
#!/bin/sh
echo $$ >"$T/pids/$1.tmp" && mv "$T/pids/$1.tmp" "$T/pids/$1" &&
    exec sleep 60
EOF
chmod +x "$T/daemon"
start_bg "$MPRUN" -j1 ::: \
    "for d in d1 d2; do setsid $T/daemon \$d </dev/null >/dev/null 2>&1 &
    done; echo a" "until [ -e $T/release ]; do sleep 0.02; done; echo b"
wait_for 20 test -s "$T/pids/d1" -a -s "$T/pids/d2" ||
	fail "the daemons did not start"
d1=$(cat "$T/pids/d1" 2>/dev/null)
d2=$(cat "$T/pids/d2" 2>/dev/null)
worker=$(workers_of "$bgpid")
# ppid_is PID PPID: PID's parent is PPID.
ppid_is()
{
	[ "$(ps -o ppid= -p "$1" | tr -d ' ')" = "$2" ]
}
wait_for 20 ppid_is "$d1" "$worker" ||
	fail "daemon $d1: parent $(ps -o ppid= -p "$d1"), not worker $worker"
kill "$d1"
# gone_entirely PID: no such process, not even a zombie.
gone_entirely()
{
	[ -z "$(ps -o pid= -p "$1")" ]
}
wait_for 20 gone_entirely "$d1" ||
	fail "daemon $d1 was not reaped: $(ps -o stat= -p "$d1")"
: >"$T/release"
wait_bg
check_rc 0
check_out "$(lines a b)"
check_err ""
alive "$d2" || fail "the daemon $d2 did not outlive mprun"
kill -9 "$d2" 2>/dev/null

# --timeout: the task and what it left (deaf to SIGTERM) are killed.
run "$MPRUN" --timeout 1 "$T/leave t{} noterm; exec sleep 30" ::: 1
check_rc 1
check_err_match "^mprun: task 1 timed out after 1 s: "
check_gone t1

# SIGINT: the same.
start_bg "$MPRUN" "$T/leave i{} noterm; exec sleep 30" ::: 1
wait_for 20 test -s "$T/pids/i1" || fail "task i1 did not start"
kill -s INT "$bgpid"
wait_bg
check_rc 130
check_gone i1

# --retries: each attempt's leftovers are gone before the next attempt.
run "$MPRUN" --retries 2 \
    "n=\$(ls $T/pids | grep -c '^r'); $T/leave r\$n; exit 1" ::: 1
check_rc 1
check_gone r0 r1

# A worker started by --launcher (as one on another host) does the same.
run "$MPRUN" -j1 --launcher env --remote-mprun "$MPRUN" \
    "$T/leave l{}; echo {}" ::: 1
check_rc 0
check_out 1
check_gone l1

# A --worker is a task too: what it leaves in its process group is
# stopped once it has exited and closed its output.
run "$MPRUN" -j1 --worker "$T/leave w; cat" ::: a b
check_rc 0
check_out "$(lines a b)"
check_err ""
check_gone w

done_testing
