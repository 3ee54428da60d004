#!/bin/sh
# -q: each command word is quoted whole (after its replacement strings are
# replaced by the raw values), so word boundaries stay as given and shell
# syntax in the command is not interpreted.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines '<a>' '<b c>')" "$MPRUN" -q printf '<%s>\n' ::: a 'b c'
expect_out "$(lines '<a>' '<b c>')" "$MPRUN" --quote printf '<%s>\n' \
    ::: a 'b c'

# Without -q the same command is a shell command line, where '<' is a
# redirection (from a file named %s that does not exist).
run "$MPRUN" printf '<%s>\n' ::: a
check_rc 1
check_out ""

# Word boundaries kept, spaces included.
expect_out "$(lines 'a  b' x)" "$MPRUN" -q "$TH" -p -- 'a  b' {} ::: x
expect_out "$(lines 'a  b' x)" "$MPRUN" -q "$TH" -p -- 'a  b' ::: x

# Shell syntax in the command is literal text.
expect_out "$(lines 'x;' '$HOME' '|' 'v')" \
    "$MPRUN" -q "$TH" -p -- 'x;' '$HOME' '|' ::: v
expect_out "$(lines 'pre v post')" "$MPRUN" -q "$TH" -p -- 'pre {} post' ::: v

# A script for sh -c stays one word; the value lands in it raw.
expect_out "$(lines 'got: 1 b')" \
    "$MPRUN" -q sh -c 'echo got: {#} "$1"' sh {} ::: b
expect_out "$(lines 'a b')" "$MPRUN" -q sh -c 'echo "$@"' sh ::: a ::: b

done_testing
