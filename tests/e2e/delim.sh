#!/bin/sh
# Record separators: -0/--null (NUL), -d with one character or one of the
# escapes \n \t \0 \\ \xHH; records may then contain newlines; the last
# record counts without a final separator; empty records are empty
# arguments; the separator applies to :::: and -a files as well.
. "$(dirname "$0")/lib.sh"

# th -p prints each argument followed by a newline.
printf 'a\000b c\000' >"$T/in"
expect_out "$(lines a 'b c')" "$MPRUN" -0 "$TH" -p -- <"$T/in"
expect_out "$(lines a 'b c')" "$MPRUN" --null "$TH" -p -- <"$T/in"

# A record holding newlines; the last one without a NUL after it.
printf 'x\ny\000z' >"$T/in"
expect_out "$(lines x y z)" "$MPRUN" -0 "$TH" -p -- <"$T/in"
printf 'x\ny\000z' >"$T/in"
expect_out "$(lines Lx yR LzR)" "$MPRUN" -0 "$TH" -p -- L{}R <"$T/in"

# Empty records.
printf 'a\000\000b\000' >"$T/in"
printf 'a\n\nb\n' >"$T/exp"
run "$MPRUN" -0 "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/exp"

# -d with a plain character.
printf 'a:b::c' >"$T/in"
printf 'a\nb\n\nc\n' >"$T/exp"
run "$MPRUN" -d : "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/exp"
run "$MPRUN" --delimiter : "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/exp"

# With -d, newlines are ordinary bytes.
printf 'a\nb,c\n' >"$T/in"
printf 'a\nb\nc\n\n' >"$T/exp"
run "$MPRUN" -d , "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/exp"

# The escapes.
printf 'a\tb\t' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" -d '\t' "$TH" -p -- <"$T/in"
printf 'a\000b' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" -d '\0' "$TH" -p -- <"$T/in"
printf 'a\nb\n' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" -d '\n' "$TH" -p -- <"$T/in"
printf 'a\\b\\' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" -d '\\' "$TH" -p -- <"$T/in"
printf 'aAbAc' >"$T/in"
expect_out "$(lines a b c)" "$MPRUN" -d '\x41' "$TH" -p -- <"$T/in"
printf 'a\377b' >"$T/in"
expect_out "$(lines a b)" "$MPRUN" -d '\xff' "$TH" -p -- <"$T/in"

# The separator applies to files.
printf 'f 1\000f 2\000' >"$T/f"
expect_out "$(lines 'f 1' 'f 2')" "$MPRUN" -0 "$TH" -p -- :::: "$T/f"
expect_out "$(lines 'f 1' 'f 2')" "$MPRUN" -0 -a "$T/f" "$TH" -p --
printf 'p;q' >"$T/f"
expect_out "$(lines 'p x' 'p y' 'q x' 'q y')" \
    "$MPRUN" -d ';' echo :::: "$T/f" ::: x y

# A bad separator is a usage error.
run "$MPRUN" -d ab echo ::: x
check_rc 255
check_out ""
check_err_match "^mprun: "

done_testing
