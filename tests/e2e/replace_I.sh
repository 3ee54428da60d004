#!/bin/sh
# -I replstr: replstr takes the place of {} (only {}: {.} {#} and the others
# keep their names, and {} becomes literal text).
. "$(dirname "$0")/lib.sh"

expect_out "pre-a-post" "$MPRUN" -I XX echo pre-XX-post ::: a
expect_out "$(lines a.b a {} 1)" "$MPRUN" -I XX "$TH" -p -- XX {.} {} {#} \
    ::: a.b
expect_out "$(lines 'a b' 'a b')" "$MPRUN" -I @@ "$TH" -p -- @@ @@ ::: 'a b'
expect_out "x,y" "$MPRUN" -I '{in}' echo '{in},y' ::: x

# With replstr in the command nothing is appended; without it, the value
# is appended as usual.
expect_out "a" "$MPRUN" -I XX echo XX ::: a
expect_out "{} a" "$MPRUN" -I XX echo {} ::: a

done_testing
