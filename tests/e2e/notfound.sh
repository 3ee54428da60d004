#!/bin/sh
# A command that cannot be found fails with 127 and "mprun: NAME: command
# not found" on that task's stderr (through the shell: the shell's own
# message); one that cannot be executed fails with 126.  The task's exit
# status is seen here through a shell wrapper (sh -c '...; echo $?').
. "$(dirname "$0")/lib.sh"

nf=mprun-no-such-command-$$

expect 1 "" "mprun: $nf: command not found" "$MPRUN" "$nf" ::: a
expect 2 "" "$(lines "mprun: $nf: command not found" \
    "mprun: $nf: command not found")" "$MPRUN" "$nf" ::: a b

# Records as commands run through the shell.
run "$MPRUN" ::: 'echo one' "$nf" 'echo three'
check_rc 1
check_out "$(lines one three)"
check_err_match "$nf"

# Other tasks are unaffected.
run "$MPRUN" {} ::: true "$nf" true
check_rc 1
check_out ""
check_err "mprun: $nf: command not found"

# Through the shell: the shell says so, status 127 as well.
run "$MPRUN" "$nf" {} '2>/dev/null; echo status $?' ::: a
check_rc 0
check_out "status 127"
run "$MPRUN" "$nf" '; true' ::: a
check_rc 0
check_err_match "$nf"

# A path that does not exist.
expect 1 "" "mprun: $T/nothere: command not found" "$MPRUN" "$T/nothere" ::: a

# Not executable: 126, a message naming it.
printf '#!/bin/sh\necho hi\n' >"$T/noexec"
chmod 644 "$T/noexec"
run "$MPRUN" "$T/noexec" ::: a
check_rc 1
check_out ""
check_err_match "^mprun: $T/noexec: "
[ "$(count_lines "$T/err")" -eq 1 ] || fail "one line of stderr expected"

# A directory.
mkdir "$T/dir"
run "$MPRUN" "$T/dir" ::: a
check_rc 1
check_err_match "^mprun: $T/dir: "

# The statuses themselves, seen by a shell wrapper mprun runs directly.
run "$MPRUN" sh -c "'$nf; echo \$?'" ::: x
check_rc 0
check_out 127

done_testing
