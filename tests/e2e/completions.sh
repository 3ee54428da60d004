#!/bin/sh
# The bash and zsh completions (scripts/completions) know every option of
# src/options.c's getopt table, with the right argument kind, and no
# other; every long option of `mprun --help` is among them; both files
# parse; and the bash one really completes, called as bash calls it.
# The zsh checks are skipped when zsh is not installed.
. "$(dirname "$0")/lib.sh"

need bash
BASHC=$SRCDIR/scripts/completions/mprun.bash
ZSHC=$SRCDIR/scripts/completions/_mprun
OPTSC=$SRCDIR/src/options.c
for f in "$BASHC" "$ZSHC" "$OPTSC"; do
	[ -r "$f" ] || { fail "cannot read $f"; done_testing; }
done

# The getopt table: "name required|no" lines, and the short letters, each
# followed by ':' when it takes an argument.
sed -n '/options_long\[\] = {/,/^};/p' "$OPTSC" |
    sed -n 's/^[[:space:]]*{ "\([a-z][a-z-]*\)",[[:space:]]*\([a-z]*\)_argument.*/\1 \2/p' \
    >"$T/table"
[ "$(count_lines "$T/table")" -ge 30 ] ||
	fail "could not read the options table of $OPTSC"
short=$(sed -n 's/.*options_short\[\] = "+:\{0,1\}\([^"]*\)";.*/\1/p' "$OPTSC")
[ -n "$short" ] || fail "could not read options_short of $OPTSC"
cut -d ' ' -f 1 "$T/table" | sed 's/^/--/' | sort >"$T/table.long"
# -0 -a: ... one per line, "x" or "x:".
printf '%s\n' "$short" | sed 's/\(.\)\(:\{0,1\}\)/\1\2\n/g' | sed '/^$/d' \
    >"$T/table.short"
sed 's/:$//; s/^/-/' "$T/table.short" | sort >"$T/table.shortnames"

# Every long option of the usage is in the table.
"$MPRUN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help.long"
[ -s "$T/help.long" ] || fail "no long option in mprun --help"
comm -23 "$T/help.long" "$T/table.long" >"$T/x"
[ -s "$T/x" ] && fail "in --help, not in the table: $(cat "$T/x")"

# bash: the file parses, and completing "-" offers exactly the table's
# options, short and long.
bash -n "$BASHC" || fail "bash -n $BASHC"
# bcomplete WORD...: the completions bash's completion function offers for
# the last WORD of "mprun WORD...", one per line, sorted.
bcomplete()
{
	bash --norc --noprofile -c '
	    . "$1" || exit 1
	    shift
	    COMP_WORDS=(mprun "$@")
	    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	    COMP_LINE="${COMP_WORDS[*]}"
	    COMP_POINT=${#COMP_LINE}
	    COMPREPLY=()
	    _mprun mprun "${COMP_WORDS[COMP_CWORD]}" \
	        "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
	    for w in "${COMPREPLY[@]}"; do
	        printf "%s\n" "$w"
	    done' bash "$BASHC" "$@" | sort -u
}
bcomplete -- >"$T/bash.long"
cmp -s "$T/table.long" "$T/bash.long" || {
	fail "bash completes --, not as the table:"
	comm -3 "$T/table.long" "$T/bash.long" | sed 's/^/    /'
}
bcomplete - | grep -v -- '^--' >"$T/bash.short"
cmp -s "$T/table.shortnames" "$T/bash.short" || {
	fail "bash completes -, not as the table:"
	comm -3 "$T/table.shortnames" "$T/bash.short" | sed 's/^/    /'
}
comm -23 "$T/help.long" "$T/bash.long" >"$T/x"
[ -s "$T/x" ] && fail "in --help, not completed by bash: $(cat "$T/x")"
# The issue's example.
bcomplete --jo >"$T/got"
lines --joblog --jobs >"$T/want"
check_file_is "bash: mprun --jo" "$T/want" "$T/got"

# The argument kinds: after an option that takes an argument and its value,
# the next word is the command; after one that takes none, the next word
# already is.  A command name: "printf" is always there.
while read -r name kind; do
	if [ "$kind" = required ]; then
		bcomplete "--$name" x printf >"$T/got"
	else
		bcomplete "--$name" printf >"$T/got"
	fi
	grep -qx printf "$T/got" ||
		fail "bash: after --$name ($kind argument), no command"
done <"$T/table"
while read -r opt; do
	case $opt in
	h|V)
		continue	# they exit
		;;
	*:)
		bcomplete "-${opt%:}" x printf >"$T/got"
		;;
	*)
		bcomplete "-$opt" printf >"$T/got"
		;;
	esac
	grep -qx printf "$T/got" || fail "bash: after -${opt%:}, no command"
done <"$T/table.short"
# Bundles and --opt=value.
bcomplete -kj 4 printf | grep -qx printf || fail "bash: -kj 4 printf"
bcomplete -j4 printf | grep -qx printf || fail "bash: -j4 printf"
bcomplete --jobs = 4 printf | grep -qx printf || fail "bash: --jobs=4 printf"

# File names where a file is wanted, values, and nothing special elsewhere.
mkdir "$T/dir"
: >"$T/dir/tasks.txt"
for opt in -a --arg-file --joblog --junit; do
	bcomplete "$opt" "$T/dir/ta" >"$T/got"
	lines "$T/dir/tasks.txt" >"$T/want"
	check_file_is "bash: $opt" "$T/want" "$T/got"
done
bcomplete --joblog = "$T/dir/ta" >"$T/got"
grep -qx "$T/dir/tasks.txt" "$T/got" || fail "bash: --joblog=FILE"
bcomplete echo :::: "$T/dir/ta" >"$T/got"
grep -qx "$T/dir/tasks.txt" "$T/got" || fail "bash: :::: FILE"
bcomplete --worker-protocol j >"$T/got"
grep -qx json "$T/got" || fail "bash: --worker-protocol j"
bcomplete --init printf >"$T/got"
grep -qx printf "$T/got" || fail "bash: --init command"
# After the command its own options are not mprun's; after ::: anything
# goes (both left to bash's default completion).
bcomplete echo --jo >"$T/got"
[ -s "$T/got" ] && fail "bash: mprun echo --jo offered $(cat "$T/got")"
bcomplete echo ::: --jo >"$T/got"
[ -s "$T/got" ] && fail "bash: mprun echo ::: --jo offered $(cat "$T/got")"

# zsh: the file parses, and its _arguments specs name every option of the
# table, with an argument exactly when the option takes one.
sed -n '/^[[:space:]]*args=(/,/^[[:space:]]*)$/p' "$ZSHC" >"$T/zargs"
[ -s "$T/zargs" ] || fail "no args=( ... ) in $ZSHC"
grep -o -- "--[a-z][a-z-]*" "$T/zargs" | sort -u >"$T/zsh.long"
cmp -s "$T/table.long" "$T/zsh.long" || {
	fail "the zsh completion's long options are not the table's:"
	comm -3 "$T/table.long" "$T/zsh.long" | sed 's/^/    /'
}
comm -23 "$T/help.long" "$T/zsh.long" >"$T/x"
[ -s "$T/x" ] && fail "in --help, not in the zsh completion: $(cat "$T/x")"
grep -o -- "[{,'( ]-[0-9A-Za-z][]+,}[ )]" "$T/zargs" | cut -c 2-3 |
    sort -u >"$T/zsh.short"
cmp -s "$T/table.shortnames" "$T/zsh.short" || {
	fail "the zsh completion's short options are not the table's:"
	comm -3 "$T/table.shortnames" "$T/zsh.short" | sed 's/^/    /'
}
while read -r name kind; do
	if [ "$kind" = required ]; then
		grep -q -- "--$name=[]}[]" "$T/zargs" ||
			fail "zsh: --$name takes an argument: want --$name="
	elif grep -q -- "--$name=" "$T/zargs"; then
		fail "zsh: --$name takes no argument: not --$name="
	fi
done <"$T/table"
while read -r opt; do
	case $opt in
	*:)
		grep -q -- "-${opt%:}+" "$T/zargs" ||
			fail "zsh: -${opt%:} takes an argument: want -${opt%:}+"
		;;
	*)
		grep -q -- "-$opt+" "$T/zargs" &&
			fail "zsh: -$opt takes no argument: not -$opt+"
		;;
	esac
done <"$T/table.short"
head -n 1 "$ZSHC" | grep -qx '#compdef mprun' ||
	fail "zsh: the first line is not #compdef mprun"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$ZSHC" || fail "zsh -n $ZSHC"
else
	echo "note: zsh is not installed: zsh -n not run"
fi

done_testing
