#!/bin/sh
# make-seeds.sh - writes the seed corpus of each fuzz target into
# tests/fuzz/corpus/{proto,template,input}/, replacing what is there.
#
# Usage: tests/fuzz/make-seeds.sh
#
# The seeds are small, valid or nearly valid inputs of each target's input
# format (see the top of tests/fuzz/fuzz_*.c), one behaviour each, so that
# the fuzzer starts from every feature rather than finding them by chance.
# The output is the same every run: the files are committed, and this
# script is how to review or regenerate them.  Needs python3 (which
# scripts/install-deps.sh installs for the tests).

set -eu

cd "$(dirname "$0")"
exec python3 - <<'EOF'
import os
import shutil
import struct

def write(target, name, data):
    os.makedirs(os.path.join("corpus", target), exist_ok=True)
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)

for target in ("proto", "template", "input"):
    shutil.rmtree(os.path.join("corpus", target), ignore_errors=True)

# --- proto: a stream of frames, as a pipe delivers them.
# Header: u32 payload length, u8 type, 3 zero bytes, u64 sequence number.
HELLO, TASKS, START, OUT, DONE, RETIRE, STOP, KILL, SIGNAL = range(1, 10)
EXEC, SHELL = 0, 1

def frame(ftype, seq, payload=b"", pad=b"\0\0\0"):
    return struct.pack("<IB", len(payload), ftype) + pad + \
        struct.pack("<Q", seq) + payload

def task(seq, mode, args, argc=None):
    strings = b"".join(a + b"\0" for a in args)
    if argc is None:
        argc = len(args)
    return struct.pack("<QB3xII", seq, mode, argc, len(strings)) + strings

def done(status, sig, start_us, runtime_us):
    return struct.pack("<iiqq", status, sig, start_us, runtime_us)

hello = b'{"version":1,"slot":1,"maxtasks":0,"init":null,' \
    b'"termseq":[[15,200],[9,0]]}'
write("proto", "hello", frame(HELLO, 0, hello))
write("proto", "tasks-exec", frame(TASKS, 0,
    task(1, EXEC, [b"echo", b"a b"]) + task(2, EXEC, [b"echo", b""])))
write("proto", "tasks-shell", frame(TASKS, 0,
    task(7, SHELL, [b"echo 'x' | wc -c"])))
write("proto", "task-run", frame(START, 1, struct.pack("<I", 4242)) +
    frame(OUT, 1, b"\x01hello\n") + frame(OUT, 1, b"\x02oops\n") +
    frame(DONE, 1, done(0, 0, 1700000000000000, 1234)))
write("proto", "done-signalled", frame(DONE, 3,
    done(-1, 9, 1700000000000000, 5000000)))
write("proto", "control", frame(RETIRE, 0) + frame(STOP, 0) +
    frame(KILL, 5) + frame(SIGNAL, 0, struct.pack("<I", 15)))
write("proto", "partial", frame(OUT, 2, b"\x01abcdef")[:20])
write("proto", "bad-type", frame(0, 0) + frame(TASKS, 0))
write("proto", "bad-padding", frame(STOP, 0, pad=b"\0\1\0"))
write("proto", "too-long", struct.pack("<IB3xQ", 16 * 1024 * 1024 + 1,
    OUT, 1))
write("proto", "tasks-bad", frame(TASKS, 0,
    task(1, EXEC, [b"a", b"b"], argc=3)) +
    frame(TASKS, 0, task(2, SHELL, [b"a", b"b"])) +
    frame(TASKS, 0, struct.pack("<QB3xII", 3, EXEC, 1, 2) + b"ab"))
write("proto", "out-binary", frame(OUT, 9, b"\x01\0\xff\n\0") +
    frame(SIGNAL, 0, struct.pack("<I", 65)) + frame(START, 9, b"\0"))

# --- template: flags, words and values byte, seq, slot, then
# NUL-separated strings: [-I string] words... values...
def tmpl(flags, nwords, strings, nwhole=0, seq=1, slot=1):
    return bytes([flags, nwords | nwhole << 3, seq, slot]) + \
        b"\0".join(strings)

Q, REPL, REPL_EMPTY, REPL_OWN = 0x01, 0x02, 0x04, 0x06
COLS, PREFIX, NOCMD = 0x08, 0x10, 0x20
write("template", "echo", tmpl(REPL, 2, [b"echo", b"{}", b"a b", b"it's"]))
write("template", "path-forms", tmpl(0, 6,
    [b"echo", b"{}", b"{.}", b"{/}", b"{//}", b"{/.}", b"/x/y.tar.gz",
    b"a/b//", b"noext", b"/"]))
write("template", "columns", tmpl(COLS, 4,
    [b"cp", b"{1}", b"{2}.{-1}", b"{3/}", b"a:b:c", b"a", b"b", b"c/d"],
    nwhole=1))
write("template", "seq-slot", tmpl(PREFIX, 3,
    [b"job{#}", b"slot={%}", b"{}", b"v"], seq=42, slot=3))
write("template", "quote-q", tmpl(Q, 3,
    [b"sh", b"-c", b"echo {} > out", b"x;y", b"A=b"]))
write("template", "shell-syntax", tmpl(0, 1,
    [b"echo {} | wc -c && test -n \"$HOME\"", b"$(rm -rf /)"]))
write("template", "no-command", tmpl(0, 0, [b"echo hi", b"ls -l"]))
write("template", "own-replace", tmpl(REPL_OWN, 3,
    [b"XX", b"mv", b"XX", b"XX.bak", b"f 1", b"{}"]))
write("template", "builtin", tmpl(0, 2, [b"cd", b"{}", b"/tmp"]))
write("template", "reserved-value", tmpl(NOCMD, 2,
    [b"{}", b"x", b"if"]))
write("template", "no-replacement", tmpl(REPL_EMPTY, 2,
    [b"printf", b"%s\\n", b"a", b"b c", b"", b"d'e"]))
write("template", "assignment", tmpl(0, 2, [b"A={}", b"env", b"1"]))
write("template", "newlines", tmpl(0, 3,
    [b"echo", b"{/}", b"{/.}", b"a/b\nc/d.e\nf", b"\n/\n"]))
write("template", "literal-braces", tmpl(0, 3,
    [b"awk", b"{print $1}", b"{0} {-} {1x} {99999999999}", b"v"]))

# --- input: an 8-byte header (see fuzz_input.c), then the file's data.
def inp(data, delim=0, cut=0, sep=0, arg5=0, arg6=0, pick=0, flags=0,
        rawdelim=0):
    return bytes([delim | flags, rawdelim, cut & 0xff, cut >> 8, sep, arg5,
        arg6, pick]) + data

NL, NUL, COLON, RAW = 0, 1, 2, 3
LOADED, ARGS1, ARGS2, LINK1, LINK2 = 0x04, 0x08, 0x10, 0x20, 0x40
write("input", "lines", inp(b"a\nbb\nccc\n", cut=4))
write("input", "no-last-newline", inp(b"one\ntwo", cut=5))
write("input", "nul", inp(b"x\0y\0\0z\0", delim=NUL, cut=3))
write("input", "colsep", inp(b"a:b:c\nd::e\n:\n", sep=1, cut=7))
write("input", "colsep-double", inp(b"a::b:::c\n::\n", sep=4, cut=2))
write("input", "colsep-own", inp(b"1xy2xyx3\n", sep=6, arg5=ord("x"),
    arg6=ord("y"), cut=3))
write("input", "product", inp(b"p\nq\n", flags=ARGS1 | ARGS2,
    pick=0b11100110, cut=1))
write("input", "linked", inp(b"p\nq\nr\n", flags=ARGS1 | ARGS2 | LINK2,
    pick=0b01011011, cut=2))
write("input", "loaded", inp(b"u\nv\n", flags=LOADED | ARGS1, pick=0b10,
    cut=2))
write("input", "maxargs", inp(b"1\n2\n3\n4\n5\n", sep=7, arg5=1, cut=5))
write("input", "empty", inp(b""))
write("input", "only-delims", inp(b"\n\n\n", cut=1))
write("input", "crlf", inp(b"a\r\nb\r\n", cut=2, sep=3))
write("input", "raw-delim", inp(b"a\xffb\xff\xff", delim=RAW,
    rawdelim=0xff, cut=2))
write("input", "long-record", inp(b"x" * 3000 + b"\ny\n", cut=1500))
EOF
