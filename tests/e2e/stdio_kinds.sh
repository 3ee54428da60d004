#!/bin/sh
# mprun reads its stdin and writes its stdout and stderr from its one
# thread, whatever they are, without blocking its loop on a pipe or a
# terminal and without setting O_NONBLOCK on a description it shares:
# regular files, pipes, FIFOs, /dev/null, a terminal, a socket, a closed
# descriptor, and a pipe or terminal of another user, which it may not
# reopen as its own.  A stdin whose writer never closes it does not hold
# up the end of a run that needs no more of it.
. "$(dirname "$0")/lib.sh"

need python3
PTYRUN=$SRCDIR/tests/helpers/ptyrun.py
# 9 kB of input, more than a read or PIPE_BUF takes at once, in 200
# records (it was 2,000 records of a number each: 20,000 tasks in all,
# near two minutes of a 2-CPU machine).
seq 200 | sed 's/$/-abcdefghijklmnopqrstuvwxyzabcdefghijklm/' >"$T/in"
sed 's/^/x /' "$T/in" >"$T/want"

# stdin: a regular file, a pipe, a FIFO, /dev/null.
run "$MPRUN" -j2 echo x <"$T/in"
check_rc 0
check_out_file "$T/want"
check_err ""
run sh -c 'cat "$0" | "$@"' "$T/in" "$MPRUN" -j2 echo x
check_rc 0
check_out_file "$T/want"
check_err ""
mkfifo "$T/fifo"
cat "$T/in" >"$T/fifo" &
run sh -c 'exec "$@" <"$0"' "$T/fifo" "$MPRUN" -j2 echo x
wait
check_rc 0
check_out_file "$T/want"
check_err ""
expect 0 "" "" "$MPRUN" echo x </dev/null
# -a FIFO: a file mprun opens itself.
cat "$T/in" >"$T/fifo" &
run "$MPRUN" -j2 -a "$T/fifo" echo x
wait
check_rc 0
check_out_file "$T/want"
# Closed, or a directory: an error, not an empty input.
expect 255 "" "mprun: stdin: Bad file descriptor" \
    sh -c 'exec "$@" <&-' sh "$MPRUN" echo x
expect 255 "" "mprun: stdin: Is a directory" \
    sh -c 'exec "$@" <"$0"' "$T" "$MPRUN" echo x

# A terminal, lines typed and then the end-of-file character.
run python3 "$PTYRUN" -i 'a\nb\n\x04' 20 "$MPRUN" -j2 echo t
check_rc 0
check_out "$(lines 't a' 't b')"

# A socket, both ways, fed and read at once: its description (which the
# script holds too) stays blocking.
cat >"$T/sock.py" <<'END'
import fcntl, os, socket, subprocess, sys, threading
mprun, path = sys.argv[1], sys.argv[2]
ia, ib = socket.socketpair()
oa, ob = socket.socketpair()
p = subprocess.Popen([mprun, "-j2", "echo", "s"], stdin=ib, stdout=ob)
data = open(path, "rb").read()
def feed():
    ia.sendall(data[:5000])
    ia.sendall(data[5000:])
    ia.close()
threading.Thread(target=feed).start()
oa.settimeout(0.2)
out = b""
while True:
    try:
        d = oa.recv(65536)
    except socket.timeout:
        if p.poll() is not None:
            break
        continue
    out += d
rc = p.wait()
bad = [n for n, s in (("stdin", ib), ("stdout", ob))
       if fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK]
sys.stdout.buffer.write(out)
if bad:
    print("O_NONBLOCK on " + " ".join(bad), file=sys.stderr)
sys.exit(rc or (3 if bad else 0))
END
run python3 "$T/sock.py" "$MPRUN" "$T/in"
check_rc 0
sed 's/^x /s /' "$T/want" >"$T/swant"
check_out_file "$T/swant"
check_err ""

# stdout a regular file shared with the shell: the offset moves on.
run sh -c '{ "$@"; echo after; } >"$0"' "$T/file" "$MPRUN" echo x ::: 1 2
check_rc 0
printf 'x 1\nx 2\nafter\n' >"$T/fwant"
check_file_is "shared file" "$T/fwant" "$T/file"
# stdout and stderr a terminal.
run python3 "$PTYRUN" 20 "$MPRUN" -j2 'echo o{}; echo e{} >&2' ::: 1 2
check_rc 0
check_out "$(lines o1 e1 o2 e2)"

# A reader slower than the tasks: 2 MB through a pipe, in order.
run sh -c '"$@" | (sleep 1; cat)' sh "$MPRUN" -j4 \
    'head -c 500000 /dev/zero | tr "\0" {}; echo' ::: a b c d
check_rc 0
for c in a b c d; do
	head -c 500000 /dev/zero | tr '\0' $c
	echo
done >"$T/big"
check_out_file "$T/big"

# A stdin that stays open: a run that needs no more of it ends anyway.
{ echo 1; echo 2; exec sleep 60; } >"$T/fifo" &
bgpids="$bgpids $!"
run sh -c 'exec "$@" <"$0"' "$T/fifo" "$MPRUN" -j1 --halt now,fail=1 false
check_rc 1
check_err "mprun: halting: task 1 failed: false 1"

# Another user's pipes and terminal, which mprun may not reopen: read
# only what is there, written a pipe's page at a time.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null
then
	chmod 755 "$T"
	chmod 1777 "$TMPDIR"
	chmod 644 "$T/in"
	run sh -c 'cat "$0" | setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups "$@" | (sleep 1; cat)' "$T/in" "$MPRUN" -j2 \
	    'head -c 3000 /dev/zero | tr "\0" {}; echo'
	check_rc 0
	check_err ""
	while read -r n; do
		head -c 3000 /dev/zero | tr '\0' "$n"
		echo
	done <"$T/in" >"$T/nwant"
	check_out_file "$T/nwant"
	run python3 "$PTYRUN" -i 'a\nb\n\x04' 20 setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups "$MPRUN" -j2 echo t
	check_rc 0
	check_out "$(lines 't a' 't b')"
else
	echo "note: not root: another user's pipes not tried"
fi

done_testing
