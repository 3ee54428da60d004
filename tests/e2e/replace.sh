#!/bin/sh
# Replacement strings: {} {.} {/} {//} {/.} {#} {%} and the column forms
# {n} {n.} {n/} {n//} {n/.} with negative n, checked against GNU
# parallel's results; several sources in {}; text around them; unknown
# brace text left alone.
. "$(dirname "$0")/lib.sh"

# One argument per line: th -p prints its arguments.
x() {
	expect_out "$(lines "$@")" "$MPRUN" "$TH" -p -- {} {.} {/} {//} {/.} \
	    ::: "$v"
}
v=a.b/c.d.e;	x a.b/c.d.e a.b/c.d c.d.e a.b c.d
v=/x/y.z;	x /x/y.z /x/y y.z /x y
v=./q;		x ./q ./q q . q
v=a;		x a a a . a
v=/top;		x /top /top top / top
v='a b/c d.e';	x 'a b/c d.e' 'a b/c d' 'c d.e' 'a b' 'c d'
v=dir.d/file;	x dir.d/file dir.d/file file dir.d file

# Text around a replacement string: one word.
expect_out "pre-a.b-mid-a-post" "$MPRUN" "$TH" -p -- pre-{}-mid-{.}-post \
    ::: a.b

# {#} is the sequence number, from 1, in input order.
expect_out "$(lines '1 a' '2 b' '3 c')" "$MPRUN" echo {#} {} ::: a b c
seq 100 >"$T/exp"
run "$MPRUN" echo {#} ::: $(seq 100 | sed 's/^/x/')
check_rc 0
check_out_file "$T/exp"

# {%} is the worker slot: always 1 with -j1, within 1..3 with -j3.
expect_out "$(lines 1 1 1)" "$MPRUN" -j1 echo {%} ::: a b c
run "$MPRUN" -j3 echo {%} ::: $(seq 30)
check_rc 0
if [ "$(count_lines "$T/out")" -ne 30 ] ||
    [ -n "$(grep -v '^[123]$' "$T/out")" ]; then
	fail "{%} with -j3 is not within 1..3"
	cat "$T/out"
fi

# Column (source) forms, negative n counting from the last source.
expect_out "$(lines a.x d/e.f d/e.f a.x a e.f d e)" \
    "$MPRUN" "$TH" -p -- {1} {2} {-1} {-2} {1.} {2/} {2//} {2/.} \
    ::: a.x ::: d/e.f
expect_out "$(lines e.f d e d/e)" \
    "$MPRUN" "$TH" -p -- {-1/} {-1//} {-1/.} {-1.} ::: a.x ::: d/e.f

# {n} past the last source is empty.
expect_out "$(lines a '' z)" "$MPRUN" "$TH" -p -- {1} {3} z ::: a ::: b

# {} with several sources: each value, joined by spaces; {.} per value.
expect_out "$(lines a b)" "$MPRUN" "$TH" -p -- {} ::: a ::: b
expect_out "a b" "$MPRUN" echo {.} ::: a.x ::: b.y

# Brace text that is no replacement string is literal (the braces make
# mprun use a shell, and /bin/sh gives them no meaning).
expect_out "{x} {1x} {.x} a" "$MPRUN" echo {x} {1x} {.x} ::: a
expect_out "$(lines '{x}' '{' '}' a)" "$MPRUN" "$TH" -p -- {x} { } ::: a

done_testing
