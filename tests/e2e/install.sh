#!/bin/sh
# `make install DESTDIR=... PREFIX=/usr` puts the binary, the manual and
# the bash and zsh completions in place, with their modes, and `make
# uninstall` takes every one of them away again.  make runs in $SRCDIR but
# writes only under $T: -o mprun keeps it from relinking the binary there.
. "$(dirname "$0")/lib.sh"

need make install
[ -x "$SRCDIR/mprun" ] || skip "no $SRCDIR/mprun (run make)"
[ -f "$SRCDIR/Makefile" ] || skip "no Makefile in $SRCDIR"

# mk TARGET VAR=VALUE...: make in $SRCDIR, away from any outer make's
# jobserver and flags, with the binary taken as it is.
mk()
{
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$SRCDIR" --no-print-directory -s -o mprun "$@"
	check_rc 0
}

R=$T/root
mk install DESTDIR="$R" PREFIX=/usr
# installed PATH MODE SOURCE: PATH is under $R with MODE and SOURCE's bytes.
installed()
{
	if [ ! -f "$R$1" ]; then
		fail "make install: no $1"
		return
	fi
	_m=$(stat -c %a "$R$1")
	[ "$_m" = "$2" ] || fail "make install: $1 has mode $_m, not $2"
	cmp -s "$SRCDIR/$3" "$R$1" || fail "make install: $1 is not $3"
}
installed /usr/bin/mprun 755 mprun
installed /usr/share/man/man1/mprun.1 644 man/mprun.1
installed /usr/share/bash-completion/completions/mprun 644 \
    scripts/completions/mprun.bash
installed /usr/share/zsh/site-functions/_mprun 644 scripts/completions/_mprun
# Nothing else.
(cd "$R" && find . -type f | sort) >"$T/files"
lines ./usr/bin/mprun ./usr/share/bash-completion/completions/mprun \
    ./usr/share/man/man1/mprun.1 ./usr/share/zsh/site-functions/_mprun \
    >"$T/want"
check_file_is "installed files" "$T/want" "$T/files"

# The installed binary runs.
run "$R/usr/bin/mprun" echo ::: ok
check_rc 0
check_out "ok"

# Each directory can be set on its own.
mk install DESTDIR="$T/root2" PREFIX=/opt/m BASHCOMPDIR=/etc/bc \
    ZSHCOMPDIR=/z
for f in /opt/m/bin/mprun /opt/m/share/man/man1/mprun.1 /etc/bc/mprun \
    /z/_mprun; do
	[ -f "$T/root2$f" ] || fail "make install with directories: no $f"
done

# uninstall removes every file it installed.
mk uninstall DESTDIR="$R" PREFIX=/usr
(cd "$R" && find . -type f) >"$T/files"
[ -s "$T/files" ] && fail "make uninstall left: $(cat "$T/files")"

done_testing
