#!/bin/sh
# ::: argument sources: one source, several sources (cartesian product, the
# last source varying fastest), :::+ linking (the n-th values go together,
# the shortest source wins), {n} naming the sources, and stdin being left
# alone when ::: is given.
. "$(dirname "$0")/lib.sh"

expect_out "$(lines a b c)" "$MPRUN" echo ::: a b c

expect_out "$(lines 'a 1' 'a 2' 'b 1' 'b 2')" \
    "$MPRUN" echo ::: a b ::: 1 2

expect_out "$(lines 'a 1 x' 'a 1 y' 'a 2 x' 'a 2 y' \
    'b 1 x' 'b 1 y' 'b 2 x' 'b 2 y')" \
    "$MPRUN" echo ::: a b ::: 1 2 ::: x y

# Linked: shortest wins, whichever side is shorter.
expect_out "$(lines 'a 1' 'b 2')" "$MPRUN" echo ::: a b c :::+ 1 2
expect_out "$(lines 'a 1' 'b 2')" "$MPRUN" echo ::: a b :::+ 1 2 3
expect_out "$(lines 'a 1 p' 'b 2 q' 'c 3 r')" \
    "$MPRUN" echo ::: a b c :::+ 1 2 3 :::+ p q r

# A linked pair is one source in the product.
expect_out "$(lines 'a 1 x' 'a 1 y' 'b 2 x' 'b 2 y')" \
    "$MPRUN" echo ::: a b :::+ 1 2 3 ::: x y
expect_out "$(lines 'x a 1' 'x b 2' 'y a 1' 'y b 2')" \
    "$MPRUN" echo ::: x y ::: a b :::+ 1 2

# {n} names the sources; {-1} the last one.
expect_out "$(lines '1-a' '2-a' '1-b' '2-b')" \
    "$MPRUN" echo {2}-{1} ::: a b ::: 1 2
expect_out "$(lines 'z/a' 'z/b')" "$MPRUN" echo {-1}/{1} ::: a b ::: z

# Arguments that look like options or like ::: separators of other tools.
expect_out "$(lines -n --foo -- -)" "$MPRUN" "$TH" -p -- ::: -n --foo -- -

# With :::, stdin is not read.
printf 'from-stdin\n' >"$T/in"
expect_out "a" "$MPRUN" echo ::: a <"$T/in"

# Many values.
seq 1000 >"$T/exp"
run "$MPRUN" echo ::: $(seq 1000)
check_rc 0
check_out_file "$T/exp"

done_testing
