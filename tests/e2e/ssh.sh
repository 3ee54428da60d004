#!/bin/sh
# -S/--sshlogin and --sshloginfile run workers as "ssh HOST mprun
# --worker-mode", here against a real OpenSSH server on loopback (started
# on a free port with a generated host key and a throwaway client key,
# stopped at the end): results and order as a local run, the joblog's
# Host column, slots from the remote CPU count, a remote worker killed
# mid-chunk losing no task, and a bad host dropped with a warning.
. "$(dirname "$0")/lib.sh"

need ssh ssh-keygen python3
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip "no $SSHD (apt-get install openssh-server)"

# The server and the client keys, all in $T.
mkdir "$T/ssh" "$T/bin"
chmod 700 "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_key" ||
	skip "ssh-keygen cannot make a host key"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/id" ||
	skip "ssh-keygen cannot make a client key"
cp "$T/ssh/id.pub" "$T/ssh/authorized_keys"
chmod 600 "$T/ssh/authorized_keys"
port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
cat >"$T/ssh/sshd_config" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $T/ssh/host_key
AuthorizedKeysFile $T/ssh/authorized_keys
PidFile $T/ssh/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers $(id -un)
EOC
[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null ||
	skip "cannot create /run/sshd"
"$SSHD" -f "$T/ssh/sshd_config" -D -e 2>"$T/ssh/log" &
sshd_pid=$!
bgpids="$bgpids $sshd_pid"

# The remote side finds this mprun first on its PATH.
ln -s "$MPRUN" "$T/bin/mprun"
# The host is $1 and stays there; the command is the rest.
cat >"$T/ssh/ssh" <<EOC
#!/bin/sh
host=\$1
shift
exec ssh -q -i $T/ssh/id -p $port -o BatchMode=yes -T \\
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \\
    -o LogLevel=ERROR "\$host" env PATH=$T/bin:\\\$PATH "\$@"
EOC
chmod +x "$T/ssh/ssh"
SSH=$T/ssh/ssh

ok=0
for _i in $(seq 1 50); do
	if "$SSH" 127.0.0.1 true 2>/dev/null; then
		ok=1
		break
	fi
	alive "$sshd_pid" || break
	sleep 0.1
done
if [ "$ok" -eq 0 ]; then
	sed 's/^/    sshd: /' "$T/ssh/log"
	skip "sshd cannot start or accept a login here"
fi

cmd='echo {}; exit $(( {} == 4 ))'
run "$MPRUN" -j3 "$cmd" ::: 1 2 3 4 5 6 7 8 9 10
cp "$T/out" "$T/local.out"
local_rc=$rc

# Results, order and exit status as a local run; the Host column.
run "$MPRUN" --ssh "$SSH" -S 2/127.0.0.1 --joblog "$T/jl" "$cmd" \
    ::: 1 2 3 4 5 6 7 8 9 10
check_rc "$local_rc"
check_out "$(cat "$T/local.out")"
check_err ""
[ "$(cut -f2 "$T/jl" | sed 1d | sort -u)" = 127.0.0.1 ] ||
	fail "Host column: $(cut -f2 "$T/jl" | tr '\n' ' ')"
[ "$(sed 1d "$T/jl" | wc -l)" -eq 10 ] || fail "not 10 joblog rows"

# MPRUN_SSH does what --ssh does; N defaults to the remote CPU count
# (here the same machine's), and slots number every worker: local ones
# first, then the host's.
# (nproc: mprun's count is never more.)
ncpu=$(nproc)
MPRUN_SSH=$SSH run "$MPRUN" -S 1/:,localhost --chunksize 1 \
    'sleep 0.3; echo {%}' ::: $(seq 1 $((ncpu + 1)))
check_rc 0
check_err ""
[ "$(slots | tail -n 1)" -le $((ncpu + 1)) ] ||
	fail "slots beyond 1 + $ncpu: $(slots | tr '\n' ' ')"
[ "$(slots | wc -l)" -ge 2 ] || fail "only one slot used: $(slots)"

# --sshloginfile, with comments and blank lines, and a mix of hosts.
printf '# hosts\n\n1/127.0.0.1\n1/localhost # the same\n' >"$T/hosts"
run "$MPRUN" --ssh "$SSH" --sshloginfile "$T/hosts" --joblog "$T/jl" \
    "$cmd" ::: 1 2 3 4 5 6 7 8 9 10
check_rc "$local_rc"
check_out "$(cat "$T/local.out")"
[ "$(cut -f2 "$T/jl" | sed 1d | sort -u | tr '\n' ' ')" = \
    "127.0.0.1 localhost " ] ||
	fail "Host column: $(cut -f2 "$T/jl" | sed 1d | sort -u)"

# A remote worker killed mid-chunk loses no task: the task it ran fails,
# the rest of its chunk runs on the next worker; and the task does not
# run on there: the worker's guardian ends its group.
rm -rf "$T/pid"
mkdir "$T/pid"
start_bg "$MPRUN" --ssh "$SSH" -S 1/127.0.0.1 --chunksize 4 \
    "echo \$\$ >$T/pid/g{#}; echo \$PPID >$T/pid/{#};
     sleep \$(( {#} == 1 ? 30 : 0 )).1; echo {#}" \
    ::: 1 2 3 4 5 6
wait_for 20 test -s "$T/pid/1" || fail "task 1 did not start"
kill -9 "$(cat "$T/pid/1")"
wait_bg
check_rc 1
check_out "$(lines 2 3 4 5 6)"
check_err_match '^mprun: worker in slot 1 on 127.0.0.1 died (.*): task 1 failed$'
wait_for 10 group_dead "$(cat "$T/pid/g1")" ||
	fail "the killed remote worker's task is still running"
# The same with --retries: the task runs again.
rm -f "$T/pid/"*
start_bg "$MPRUN" --ssh "$SSH" -S 1/127.0.0.1 --chunksize 4 --retries 2 \
    "echo \$PPID >>$T/pid/{#}; sleep \$(( {#} == 1 ? 5 : 0 )).1; echo {#}" \
    ::: 1 2 3 4
wait_for 20 test -s "$T/pid/1" || fail "task 1 did not start"
kill -9 "$(head -n 1 "$T/pid/1")"
# The retry sleeps again; let it.
wait_bg
check_rc 0
check_out "$(lines 1 2 3 4)"

# --timeout and Ctrl-C (SIGINT to mprun's whole group) stop the remote
# tasks through their worker: the task's group is gone afterwards.
rm -f "$T/pid/"*
run "$MPRUN" --ssh "$SSH" -S 1/127.0.0.1 --timeout 0.5 \
    "echo \$\$ >$T/pid/{#}; exec sleep 30" ::: 1
check_rc 1
wait_for 2 group_dead "$(cat "$T/pid/1")" || fail "--timeout: task alive"
if command -v setsid >/dev/null 2>&1; then
	rm -f "$T/pid/"*
	start_bg setsid "$MPRUN" --ssh "$SSH" -S 2/127.0.0.1 ::: "echo done1" \
	    "echo \$\$ >$T/pid/2; exec sleep 60" \
	    "echo \$\$ >$T/pid/3; exec sleep 60"
	wait_for 20 test -s "$T/pid/2" -a -s "$T/pid/3" ||
		fail "Ctrl-C: tasks did not start"
	sleep 0.2
	pgid=$(ps -o pgid= -p "$bgpid" | tr -d ' ')
	if [ "$pgid" = "$bgpid" ]; then
		kill -s INT -- "-$pgid"
		wait_bg
		check_rc 130
		check_out "done1"
		for p in 2 3; do
			wait_for 2 group_dead "$(cat "$T/pid/$p")" ||
				fail "Ctrl-C: task $p's process group is alive"
		done
	else
		kill -s KILL "$bgpid"
		echo "note: setsid did not make mprun a group leader"
	fi
fi

# A host that cannot be reached is dropped with a warning; the others run
# everything.
run "$MPRUN" --ssh "$SSH" --sshlogin 2/127.0.0.1,1/nonexistent.invalid \
    "$cmd" ::: 1 2 3 4 5 6 7 8 9 10
check_rc "$local_rc"
check_out "$(cat "$T/local.out")"
check_err_match '^mprun: host nonexistent.invalid failed 3 times in a row; taking it out of the rotation$'
# Unknown slot count: the probe fails, the host is not used.
run "$MPRUN" --ssh "$SSH" -S 127.0.0.1,nonexistent.invalid \
    "$cmd" ::: 1 2 3 4 5 6 7 8 9 10
check_rc "$local_rc"
check_out "$(cat "$T/local.out")"
check_err_match '^mprun: host nonexistent.invalid: cannot start a worker: .*; not using it$'
# With no host left, the run ends in an error.
run "$MPRUN" --ssh "$SSH" -S 1/nonexistent.invalid echo ::: a b
check_rc 255
check_out ""
check_err_match '^mprun: no host is left to run tasks on$'
run "$MPRUN" --ssh "$SSH" -S nonexistent.invalid echo ::: a b
check_rc 255
check_err_match '^mprun: no host to run tasks on$'

# A remote mprun of another protocol version is a clear error.
cat >"$T/bin/oldmprun" <<'EOC'
#!/bin/sh
exec python3 -c '
import json, struct, sys
h = sys.stdin.buffer.read(16)
n = struct.unpack("<I", h[:4])[0]
sys.stdin.buffer.read(n)
p = json.dumps({"version": 999, "pid": 1, "ncpu": 1}).encode()
sys.stdout.buffer.write(struct.pack("<IB3xQ", len(p), 1, 0) + p)
sys.stdout.buffer.flush()
sys.stdin.buffer.read()
'
EOC
chmod +x "$T/bin/oldmprun"
run "$MPRUN" --ssh "$SSH" --remote-mprun oldmprun -S 127.0.0.1 echo ::: a
check_rc 255
check_out ""
check_err_match 'protocol version 999, this one'
run "$MPRUN" --ssh "$SSH" --remote-mprun oldmprun -S 1/127.0.0.1 echo ::: a
check_rc 255
check_out ""
check_err_match 'protocol version 999, expected'

kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null
done_testing
