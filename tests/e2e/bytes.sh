#!/bin/sh
# Output is byte-exact: NUL bytes, invalid UTF-8, no final newline (the
# next task's output then follows on the same line), \r, on stdout and
# stderr, whether streamed or held back; input records too.
. "$(dirname "$0")/lib.sh"

printf 'a\000b\377c\r\n\376' >"$T/exp"
run "$MPRUN" "printf 'a\\000b\\377c\\r\\n\\376'" ::: 1
check_rc 0
check_out_file "$T/exp"

# Three tasks, the later ones held back while the first sleeps.
printf 'a\000b\377c\r\n\376' >"$T/one"
cat "$T/one" "$T/one" "$T/one" >"$T/exp"
run "$MPRUN" -j3 "sleep {}; printf 'a\\000b\\377c\\r\\n\\376'" ::: 0.5 0 0
check_rc 0
check_out_file "$T/exp"

# The same on stderr.
run "$MPRUN" -j3 "sleep {}; printf 'a\\000b\\377c\\r\\n\\376' >&2" ::: 0.5 0 0
check_rc 0
check_out ""
check_file_is stderr "$T/exp" "$T/err"

# No final newline: outputs run together.
printf 'xyz' >"$T/exp"
run "$MPRUN" printf ::: x y z
check_rc 0
check_out_file "$T/exp"

# Empty output.
expect_out "" "$MPRUN" true ::: 1 2 3

# Records with invalid UTF-8 and control bytes go through unchanged.
printf '\377\376\n\001\033[0m\n\302\n' >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"

# Every byte value but NUL and newline in one record.
awk 'BEGIN { for (i = 1; i < 256; i++) if (i != 10) printf "%c", i;
    printf "\n" }' >"$T/in"
run "$MPRUN" "$TH" -p -- <"$T/in"
check_rc 0
check_out_file "$T/in"
run "$MPRUN" "$TH" -p -- {} '&& true' <"$T/in"
check_rc 0
check_out_file "$T/in"

# All 256 byte values as output, under every output mode.
awk 'BEGIN { for (i = 0; i < 256; i++) printf "\\%03o", i }' >"$T/fmt"
printf "$(cat "$T/fmt")" >"$T/exp"
for mode in --group --unordered --line-buffer --ungroup; do
	run "$MPRUN" $mode "printf '$(cat "$T/fmt")'" ::: 1
	check_rc 0
	check_out_file "$T/exp"
done

done_testing
