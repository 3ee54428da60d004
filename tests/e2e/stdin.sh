#!/bin/sh
# Records from stdin when there is no :::, :::: or -a: one per line, the
# last one counted without a final newline, an empty line as an empty
# argument, spaces and tabs kept, long lines, no input at all.
. "$(dirname "$0")/lib.sh"

printf 'a\nb\n' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" echo <"$T/in"

printf 'a\nb' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" echo <"$T/in"

# Empty lines are empty arguments (th -p prints each argument on a line).
printf 'a\n\nb\n\n' >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"
printf '\n' >"$T/in"
expect_out "x-" "$MPRUN" echo x-{} <"$T/in"

# No input: no task.
: >"$T/in"
expect_out "" "$MPRUN" echo <"$T/in"

# Whitespace inside a record is part of it: one argument.
printf ' lead\ta  b\t\ntrail \n' >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"

# A 100 kB record (one argument can be up to 128 kB on Linux).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%c", 97 + i % 26;
    printf "\n" }' >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"

# Many records, in order.
seq 3000 >"$T/in"
run "$MPRUN" echo <"$T/in"
check_rc 0
check_out_file "$T/in"

# stdin through a pipe, read as it comes.
run sh -c '(echo a; sleep 0.3; echo b) | "$MPRUN" echo'
check_rc 0
check_out "$(lines a b)"

done_testing
