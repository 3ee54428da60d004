#!/bin/sh
# An input file that cannot be read is mprun's own error: one message
# "mprun: FILE: why", status 255, nothing run.
. "$(dirname "$0")/lib.sh"

expect 255 "" "mprun: no/such/file: No such file or directory" \
    "$MPRUN" touch "$T/ran" :::: no/such/file
expect 255 "" "mprun: no/such/file: No such file or directory" \
    "$MPRUN" -a no/such/file touch "$T/ran"
printf 'a\n' >"$T/f"
expect 255 "" "mprun: $T/nothere: No such file or directory" \
    "$MPRUN" touch "$T/ran" :::: "$T/f" "$T/nothere"
expect 255 "" "mprun: $T/nothere: No such file or directory" \
    "$MPRUN" touch "$T/ran" ::: x :::: "$T/nothere"
[ -e "$T/ran" ] && fail "a task ran despite a missing input file"

# A directory cannot be read either.
mkdir "$T/dir"
run "$MPRUN" echo :::: "$T/dir"
check_rc 255
check_out ""
check_err_match "^mprun: $T/dir: "

done_testing
