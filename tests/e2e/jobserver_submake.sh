#!/bin/sh
# Sub-makes run by mprun under make -jN share make's job slots, as make's
# own recursive children do: a task gets make's jobserver (the pipe's fds,
# at the numbers MAKEFLAGS names), and runs on the slot mprun holds for
# it.  So "+mprun $(MAKE) -C {} ::: d1 d2" under make -j4 runs the
# sub-makes' jobs in parallel, never more than 4 at once in all, with no
# "jobserver unavailable" warning, and make gets every token back (make
# 4.3 warns "INTERNAL: Exiting with N jobserver tokens available" if
# not).  Workers on other machines (--launcher, -S) cannot be given fds:
# their tasks see MAKEFLAGS without the jobserver and without -j, as the
# children of a make that cannot pass its jobserver do, and run -j1 on
# their slot, silently.
#
# Concurrency is measured as in jobserver.sh, with lock-dir counters: one
# over every sub-make job, one per sub-make; the largest count recorded is
# at most the largest number of jobs that ran at once.
. "$(dirname "$0")/lib.sh"

need make

# Nothing of an outer make (make check) may leak in.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR
export MPRUN

RUNDIR=$T/run
TASK=$T/task.sh
export RUNDIR TASK
cat >"$TASK" <<'EOF'
# One sub-make job ($1: its directory): be counted while running.
for c in all "$1"; do
	mkdir -p "$RUNDIR/$c"
	mkdir "$RUNDIR/$c/$$" || exit 99
	ls "$RUNDIR/$c" | wc -l >>"$RUNDIR/$c.counts"
done
sleep 0.3
for c in all "$1"; do
	ls "$RUNDIR/$c" | wc -l >>"$RUNDIR/$c.counts"
	rmdir "$RUNDIR/$c/$$"
done
EOF

for d in d1 d2; do
	mkdir "$T/$d"
	cat >"$T/$d/Makefile" <<EOF
all: t1 t2 t3 t4
	@echo $d done
t1 t2 t3 t4:
	@sh \$(TASK) $d
EOF
done

cat >"$T/Makefile" <<'EOF'
# Only a "+" line gets make 4.3's pipe.
sub:
	+@$(MPRUN) $(MAKE) -s -C {} ::: d1 d2
sub-j2:
	+@$(MPRUN) -j2 $(MAKE) -s -C {} ::: d1 d2
sub-launcher:
	+@$(MPRUN) --launcher env $(MAKE) -s -C {} ::: d1 d2
EOF

# maxrun NAME: the most jobs seen at once in counter NAME (all, d1, d2).
maxrun()
{
	if [ -s "$RUNDIR/$1.counts" ]; then
		sort -n "$RUNDIR/$1.counts" | tail -n 1 | tr -d ' '
	else
		echo 0
	fi
}

# submake TARGET MAX: runs make -j4 TARGET; checks the status, the output
# (each sub-make's, whole, in input order), that nothing was said on
# stderr (no "jobserver unavailable", every token back) and that no more
# than MAX jobs ran at once.  $par is the most jobs one sub-make ran at
# once.
submake()
{
	rm -rf "$RUNDIR"
	mkdir "$RUNDIR"
	run make -j4 -s -C "$T" "$1"
	check_rc 0
	check_out "$(lines "d1 done" "d2 done")"
	check_err ""
	all=$(maxrun all)
	[ "$all" -le "$2" ] ||
	    fail "$1: $all jobs at once under make -j4, expected $2 at most"
	par=$(maxrun d1)
	[ "$(maxrun d2)" -le "$par" ] || par=$(maxrun d2)
}

# The sub-makes run their jobs in parallel (in at least one of a few
# runs: no timing is assumed), never more than 4 in all, with workers
# forked by the fork server and started with exec.  With an explicit -j2
# mprun takes no token, but its tasks still get make's jobserver, as from
# GNU parallel or xargs -P: 2 sub-makes on the slots -j2 gives them, and
# the 3 tokens of make -j4 for the jobs they run beyond their first.
for how in fork exec; do
	if [ "$how" = exec ]; then
		MPRUN_EXEC_WORKERS=1
		export MPRUN_EXEC_WORKERS
	fi
	for target in sub sub-j2; do
		max=4
		[ "$target" = sub ] || max=5
		best=0
		for try in 1 2 3 4 5; do
			submake "$target" "$max"
			[ "$par" -le "$best" ] || best=$par
			[ "$best" -lt 2 ] || break
		done
		[ "$best" -ge 2 ] ||
		    fail "$target ($how): the sub-makes never ran 2 jobs at once"
	done
	unset MPRUN_EXEC_WORKERS
done

# The jobserver's fds reach the task at make's numbers.
cat >"$T/Makefile.fds" <<'EOF'
fds:
	+@echo "$$MAKEFLAGS" >$(T)/makeflags; \
	    $(MPRUN) 'ls /proc/$$$$/fd; : {}' ::: 1 >$(T)/fds
EOF
export T
run make -j3 -f "$T/Makefile.fds" fds
check_rc 0
check_err ""
fds=$(sed -n 's/.*--jobserver-auth=\([0-9]*\),\([0-9]*\).*/\1 \2/p' \
    "$T/makeflags")
[ -n "$fds" ] || fail "no --jobserver-auth=R,W in: $(cat "$T/makeflags")"
for fd in $fds; do
	grep -qx "$fd" "$T/fds" || fail "the task does not have make's fd $fd"
done

# Through a launcher, no jobserver and no -j in MAKEFLAGS: the sub-makes
# run one job at a time, silently.
rm -rf "$RUNDIR"
mkdir "$RUNDIR" "$T/bin"
ln -s "$MPRUN" "$T/bin/mprun"
PATH=$T/bin:$PATH run make -j4 -s -C "$T" sub-launcher
check_rc 0
check_out "$(lines "d1 done" "d2 done")"
check_err ""
[ "$(maxrun d1)" -eq 1 ] && [ "$(maxrun d2)" -eq 1 ] ||
    fail "--launcher: a sub-make ran $(maxrun d1)/$(maxrun d2) jobs at once"
cat >"$T/Makefile.flags" <<'EOF'
flags:
	+@$(MPRUN) -j1 --launcher env 'echo "[$$MAKEFLAGS]"; : {}' ::: 1
EOF
PATH=$T/bin:$PATH run make -j4 -k -f "$T/Makefile.flags" flags V=1
check_rc 0
check_out "[k -- V=1]"
check_err ""

done_testing
