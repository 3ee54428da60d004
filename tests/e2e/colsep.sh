#!/bin/sh
# --colsep: records split into columns {1} {2} ... at every occurrence of a
# fixed string (not a regular expression, unlike GNU parallel); {} stays
# the whole record; missing columns are empty; {-1} is the last column.
. "$(dirname "$0")/lib.sh"

printf 'a,b,c\nd,e,f\n' >"$T/in"
expect_out "$(lines 'c a' 'f d')" "$MPRUN" --colsep , echo {3} {1} <"$T/in"
expect_out "$(lines 'a,b,c c' 'd,e,f f')" \
    "$MPRUN" --colsep , echo {} {-1} <"$T/in"

# Column values keep their spaces: each is one argument.
printf 'a b,c  d\n' >"$T/in"
expect_out "$(lines 'c  d' 'a b')" "$MPRUN" --colsep , "$TH" -p -- {2} {1} \
    <"$T/in"
expect_out "a b,c  d" "$MPRUN" --colsep , "$TH" -p -- {} <"$T/in"

# No replacement string: the record is appended whole ({} is the record).
expect_out "a b,c  d" "$MPRUN" --colsep , "$TH" -p -- <"$T/in"

# Empty and missing columns are empty arguments.
printf 'a,,c\n' >"$T/in"
expect_out "$(lines a '' c '' end)" \
    "$MPRUN" --colsep , "$TH" -p -- {1} {2} {3} {4} end <"$T/in"

# The separator is a fixed string: regex characters are literal.
printf 'a.b|c\n' >"$T/in"
expect_out "$(lines a 'b|c')" "$MPRUN" --colsep . "$TH" -p -- {1} {2} <"$T/in"
expect_out "$(lines a.b c)" "$MPRUN" --colsep '|' "$TH" -p -- {1} {2} \
    <"$T/in"
printf 'x*y\n' >"$T/in"
expect_out "$(lines x y)" "$MPRUN" --colsep '*' "$TH" -p -- {1} {2} <"$T/in"

# A separator of several characters.
printf 'a::b:c::\n' >"$T/in"
expect_out "$(lines a b:c '' end)" \
    "$MPRUN" --colsep :: "$TH" -p -- {1} {2} {3} end <"$T/in"

# Tabs (the usual TSV case), from a file and with -a.
printf 'k1\tv1\nk2\tv2\n' >"$T/tsv"
expect_out "$(lines k1=v1 k2=v2)" \
    "$MPRUN" --colsep "$(printf '\t')" echo {1}={2} :::: "$T/tsv"
expect_out "$(lines k1=v1 k2=v2)" \
    "$MPRUN" --colsep "$(printf '\t')" -a "$T/tsv" echo {1}={2}

# Column forms of the path replacement strings.
printf 'dir/f.txt,/x/y.tar.gz\n' >"$T/in"
expect_out "$(lines dir/f f.txt dir f /x/y.tar y.tar.gz /x y.tar)" \
    "$MPRUN" --colsep , "$TH" -p -- {1.} {1/} {1//} {1/.} \
    {2.} {2/} {2//} {2/.} <"$T/in"

done_testing
