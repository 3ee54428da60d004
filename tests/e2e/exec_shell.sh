#!/bin/sh
# mprun runs a command directly (execvp) when it has no shell syntax and
# its first word is not a builtin or reserved word, otherwise through
# /bin/sh -c; the results must be the same either way.
. "$(dirname "$0")/lib.sh"

set -- plain 'a b' '' "it's" '$x' '*' "$(printf 'l1\nl2')" '-n' \
    "$(printf '\377')" '\t'
printf '%s\n' "$@" >"$T/exp"

# exec: a plain command.
run "$MPRUN" "$TH" -p -- {} ::: "$@"
check_rc 0
check_out_file "$T/exp"
cp "$T/out" "$T/exec.out"

# shell: the same command with shell syntax that changes nothing.
for extra in '; true' '&& :' '2>/dev/null' '| cat'; do
	run "$MPRUN" "$TH" -p -- {} "$extra" ::: "$@"
	check_rc 0
	check_out_file "$T/exec.out"
done
run "$MPRUN" "{ $TH" -p -- {} "; }" ::: "$@"
check_rc 0
check_out_file "$T/exec.out"

# A builtin as the first word: the shell runs it.
expect_out "$(lines a b)" "$MPRUN" printf '%s\\n' ::: a b
expect_out "/" "$MPRUN" cd {} '&& pwd' ::: /
expect 1 "" "" "$MPRUN" false ::: x
expect_out "x" "$MPRUN" true '&& echo' ::: x

# Exit statuses the same both ways.
expect 3 "" "" "$MPRUN" "$TH" -x {} ::: 1 2 3
expect 3 "" "" "$MPRUN" "$TH" -x {} '; exit $?' ::: 1 2 3

# Environment variables: a variable assignment needs the shell.
expect_out "val" "$MPRUN" V=val sh -c "'echo \$V'" ::: x

# PATH lookup on the exec path.
mkdir "$T/bin"
printf '#!/bin/sh\necho "mine $*"\n' >"$T/bin/mycmd"
chmod +x "$T/bin/mycmd"
PATH=$T/bin:$PATH run "$MPRUN" mycmd ::: a
check_rc 0
check_out "mine a"
PATH=$T/bin:$PATH run "$MPRUN" mycmd {} '| cat' ::: a
check_rc 0
check_out "mine a"

# A script without #! runs with /bin/sh, as execvp does.
printf 'echo "nohashbang $1"\n' >"$T/bin/nohb"
chmod +x "$T/bin/nohb"
expect_out "nohashbang a" "$MPRUN" "$T/bin/nohb" ::: a

done_testing
