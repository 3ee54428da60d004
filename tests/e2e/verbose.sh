#!/bin/sh
# -v prints each command line to stderr as it is dispatched, quoted as the
# shell would run it (like xargs -t); stdout is unchanged.
. "$(dirname "$0")/lib.sh"

expect 0 "$(lines a 'b c')" "$(lines 'echo a' "echo 'b c'")" \
    "$MPRUN" -j1 -v echo ::: a 'b c'
expect 0 "$(lines a 'b c')" "$(lines 'echo a' "echo 'b c'")" \
    "$MPRUN" -j1 --verbose echo ::: a 'b c'
expect 0 "x-1" "echo x-1" "$MPRUN" -v echo x-{#} ::: a
expect 0 "it's" "echo 'it'\\''s'" "$MPRUN" -v echo ::: "it's"

done_testing
