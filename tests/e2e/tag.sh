#!/bin/sh
# --tag prefixes each output line with the task's arguments ({} unquoted,
# several sources joined by a space) and a TAB; --tagstring with the
# expanded string and a TAB.  Empty lines are tagged too; a last line
# without a newline is tagged and left without one.
. "$(dirname "$0")/lib.sh"

tab=$(printf '\t')

expect_out "$(lines "a${tab}x" "a${tab}y" "b c${tab}x" "b c${tab}y")" \
    "$MPRUN" --tag "$TH" -o x -o y ::: a 'b c'
expect_out "$(lines "a 1${tab}a 1" "a 2${tab}a 2")" \
    "$MPRUN" --tag echo ::: a ::: 1 2
expect_out "$(lines "\$x;${tab}\$x;")" "$MPRUN" --tag echo ::: '$x;'

printf 'a\tx\na\t\na\ty\n' >"$T/exp"
run "$MPRUN" --tag "$TH" -o x -o "''" -o y ::: a
check_rc 0
check_out_file "$T/exp"

# No final newline.
printf 'a\toutb\tout' >"$T/exp"
run "$MPRUN" --tag printf out ::: a b
check_rc 0
check_out_file "$T/exp"

# stderr lines are tagged as well.
run "$MPRUN" --tag "$TH" -o out -e err ::: a
check_rc 0
check_out "a${tab}out"
check_err "a${tab}err"

# --tagstring, with replacement strings.
expect_out "$(lines "T1-a${tab}x" "T2-b${tab}x")" \
    "$MPRUN" --tagstring 'T{#}-{}' "$TH" -o x ::: a b
expect_out "$(lines "2-1${tab}x" "2-1${tab}y")" \
    "$MPRUN" --tagstring '{2}-{1}' "$TH" -o x -o y ::: 1 ::: 2
expect_out "$(lines "f a f/a${tab}x")" \
    "$MPRUN" --tagstring '{//} {/.} {.}' "$TH" -o x ::: f/a.b
expect_out "$(lines "plain${tab}x")" "$MPRUN" --tagstring plain "$TH" -o x \
    ::: a

# Tags in --unordered and --line-buffer modes too.
expect_out "$(lines "100${tab}x" "600${tab}x")" \
    "$MPRUN" --unordered -j2 --tag "$TH" -s {} -o x ::: 600 100
expect_out "$(lines "a${tab}x" "a${tab}y")" \
    "$MPRUN" --line-buffer --tag "$TH" -o x -o y ::: a

done_testing
