#!/bin/sh
# install-deps.sh - installs what building and testing mprun needs, on
# Debian and Ubuntu.
#
# Usage: scripts/install-deps.sh
#
# Checks each dependency (a C compiler and make, pkg-config, libuv and
# cJSON with their headers, mandoc for the man page lint, OpenSSH client
# and server for the remote-worker test, python3, taskset and pgrep for the
# tests, clang and its libFuzzer runtime for make fuzz)
# and installs with apt-get only the packages whose part is missing,
# running `apt-get update` once first, and only then.  Safe to run again:
# with everything present it does nothing.  Uses sudo when not run as
# root.  Needs no terminal and reads no stdin.

set -u

# have COMMAND: COMMAND is on PATH.
have()
{
	command -v "$1" >/dev/null 2>&1
}

# pc_has MODULE: pkg-config knows MODULE (its -dev package is installed).
pc_has()
{
	have pkg-config && pkg-config --exists "$1" 2>/dev/null
}

missing=
# want PACKAGE CHECK...: PACKAGE is needed unless CHECK succeeds.
want()
{
	_pkg=$1
	shift
	if ! "$@"; then
		missing="$missing $_pkg"
	fi
}

have_cc_make()
{
	have cc && have make
}
have_procps()
{
	have pgrep && have ps
}

# make fuzz links with -fsanitize=fuzzer, whose runtime Debian ships apart
# from clang (libclang-rt-N-dev, only recommended): try a trivial target.
have_libfuzzer()
{
	have clang || return 1
	_dir=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *, size_t);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$_dir/f.c"
	clang -fsanitize=fuzzer,address,undefined -o "$_dir/f" "$_dir/f.c" \
	    >/dev/null 2>&1
	_status=$?
	rm -rf "$_dir"
	return $_status
}

want build-essential have_cc_make
want pkg-config have pkg-config
want libuv1-dev pc_has libuv
want libcjson-dev pc_has libcjson
want mandoc have mandoc
want openssh-server test -x /usr/sbin/sshd
want openssh-client have ssh
want python3 have python3
want util-linux have taskset
want procps have_procps
want clang have clang
want libclang-rt-dev have_libfuzzer

if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi

echo "install-deps: installing:$missing"
if ! have apt-get; then
	echo "install-deps: no apt-get here; please install:$missing" >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=
elif have sudo; then
	# -n: fail rather than ask for a password nobody can type.
	as_root="sudo -n"
else
	echo "install-deps: not root and no sudo; as root, run:" >&2
	echo "    apt-get install$missing" >&2
	exit 1
fi

# Plain words: the package list is split on purpose.
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get -q update </dev/null ||
    exit 1
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
    --no-install-recommends install $missing </dev/null || exit 1

echo "install-deps: done"
