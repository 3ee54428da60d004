#!/bin/sh
# mprun never sets O_NONBLOCK on its stdin, stdout or stderr: those open
# file descriptions are shared with the shell and the other programs of a
# pipeline, which would then get EAGAIN.  A small python3 program gives
# mprun pipes, watches their flags while it runs and checks them after it
# exits, under every output mode.
. "$(dirname "$0")/lib.sh"

need python3

cat >"$T/check.py" <<'END'
import fcntl, os, subprocess, sys, time

def nonblock(fd):
    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK

bad = 0
mprun, th = sys.argv[1], sys.argv[2]
for mode in ([], ["--unordered"], ["--line-buffer"], ["--ungroup"],
             ["-k", "--line-buffer"]):
    for src in ("args", "stdin"):
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        cmd = [mprun, "-j2"] + mode + [th, "-s", "{}", "-o", "o", "-e", "e"]
        if src == "args":
            cmd += [":::", "300", "100", "200"]
        p = subprocess.Popen(cmd, stdin=in_r, stdout=out_w, stderr=err_w)
        if src == "stdin":
            os.write(in_w, b"300\n100\n")
        seen = set()
        t0 = time.time()
        while p.poll() is None and time.time() - t0 < 30:
            # Each checks the open file description mprun got.
            for name, fd in (("stdin", in_r), ("stdout", out_w),
                             ("stderr", err_w)):
                if nonblock(fd):
                    seen.add(name)
            if src == "stdin" and time.time() - t0 > 0.2 and in_w >= 0:
                os.write(in_w, b"200\n")
                os.close(in_w)
                in_w = -1
            time.sleep(0.005)
        if p.poll() is None:
            p.kill()
            print("FAIL: %s %s: mprun did not finish" % (mode, src))
            bad += 1
        for name, fd in (("stdin", in_r), ("stdout", out_w),
                         ("stderr", err_w)):
            if nonblock(fd):
                seen.add(name + " (after exit)")
        if seen:
            print("FAIL: %s %s: O_NONBLOCK on %s" %
                  (" ".join(mode) or "--group", src, ", ".join(sorted(seen))))
            bad += 1
        os.close(out_w)
        os.close(err_w)
        out = os.read(out_r, 65536)
        if out != b"o\no\no\n":
            print("FAIL: %s %s: stdout %r" % (mode, src, out))
            bad += 1
        for fd in (in_r, out_r, err_r):
            os.close(fd)
        if in_w >= 0:
            os.close(in_w)
sys.exit(1 if bad else 0)
END

run python3 "$T/check.py" "$MPRUN" "$TH"
check_rc 0
if [ "$rc" -ne 0 ]; then
	cat "$T/out" "$T/err"
fi

# The shell's view: after mprun, the pipe it wrote to is still blocking
# for the next command writing to it.
run sh -c '{ "$MPRUN" -j2 -u "$TH" -n 100000 ::: 1 2 3; python3 -c "
import fcntl, os, sys
sys.exit(1 if fcntl.fcntl(1, fcntl.F_GETFL) & os.O_NONBLOCK else 0)"
    echo $? >"$T/status"; } | cat >/dev/null'
check_rc 0
[ "$(cat "$T/status")" = 0 ] || fail "O_NONBLOCK left on a pipe after mprun"

done_testing
