#!/usr/bin/env python3
"""records.py - the property test of the records: random records through
every mode of mprun, checked task by task.

Usage: records.py MPRUN TH ROUNDS [SEED]

Each round makes random records (any bytes but the separator, NULs and
newlines included, lengths from 0 to 20000), picks a separator (newline,
-0 or -d with a random byte), a mode, -j, the order and how the records
are given (stdin, ::::, -a), runs mprun with --json and checks, for every
task, that it got exactly its records and printed exactly what they
should make, or that it failed with the documented message when its
records cannot be carried; and that the exit status counts those
failures.  Plain runs (no --json) check the concatenated output and
stderr as well.  On a failure it prints the seed, round and command, and
exits 1.
"""

import base64
import json
import os
import random
import subprocess
import sys
import tempfile

NUL_MSG = b"its input holds a NUL byte, which a command line cannot carry"
NL_MSG = (b"its record holds a newline, which the --worker line protocol "
          b"cannot carry; use --worker-protocol json")
NULREC_MSG = (b"its record holds a NUL byte, which the --worker line "
              b"protocol cannot carry; use --worker-protocol json")

JSON_WORKER = r'''
import base64, json, sys
for line in sys.stdin:
    m = json.loads(line)
    if "args" in m:
        a = [x.encode() for x in m["args"]]
    else:
        a = [base64.b64decode(x) for x in m["args_base64"]]
    print(json.dumps({"seq": m["seq"], "ok": True,
                      "result": b"|".join(a).hex()}), flush=True)
'''


class Failure(Exception):
    pass


def record(rng, sep):
    """One random record that does not hold sep."""
    r = rng.random()
    if r < 0.1:
        n = 0
    elif r < 0.85:
        n = rng.randint(1, 40)
    elif r < 0.98:
        n = rng.randint(41, 3000)
    else:
        n = rng.randint(3001, 20000)
    pools = [
        b"abcdefghijklmnopqrstuvwxyz0123456789",
        b" \t'\"\\$`!*?[]{}()<>|&;#~=%^,.:/-_+@",
        bytes(range(0x80, 0x100)),
        bytes(range(1, 0x20)),
        b"\0\n",
    ]
    weights = [60, 20, 8, 6, 6]
    out = bytearray()
    for _ in range(n):
        pool = rng.choices(pools, weights)[0]
        out.append(pool[rng.randrange(len(pool))])
    return bytes(out).replace(sep, b"")


def get(obj, key):
    """A --json string member, decoded from base64 if need be."""
    if key in obj:
        return obj[key].encode()
    return base64.b64decode(obj[key + "_base64"])


def args_of(obj):
    if "args" in obj:
        return [a.encode() for a in obj["args"]]
    return [base64.b64decode(a) for a in obj["args_base64"]]


def expected(mode, recs, sep_opt):
    """What one task of these records makes: (status, stdout, message)."""
    if mode in ("exec", "shell", "append", "n3"):
        if any(b"\0" in r for r in recs):
            return 126, b"", NUL_MSG
        return 0, b"".join(r + b"\n" for r in recs), None
    if mode == "worker":
        rec = recs[0]
        wsep = b"\0" if sep_opt == ["-0"] else b"\n"
        if wsep in rec:
            return 126, b"", NL_MSG if wsep == b"\n" else NULREC_MSG
        # The worker turns the record back into one line.
        return 0, rec.replace(b"\n", b"") + b"\n" \
            if wsep == b"\0" else rec + b"\n", None
    if mode == "wjson":
        return 0, recs[0].hex().encode() + b"\n", None
    raise ValueError(mode)


def command(mode, th, sep_opt, tmp):
    if mode == "exec":
        return [th, "-p", "--", "{}"]
    if mode == "shell":
        return [th + " -p -- {} | cat"]
    if mode == "append":
        return [th, "-p", "--"]
    if mode == "n3":
        return ["-n", "3", th, "-p", "--"]
    if mode == "worker":
        if sep_opt == ["-0"]:
            # Records end in NUL; answers are lines: drop newlines in
            # the record, then make the NUL the newline.
            return ["--worker", "tr -d '\\n' | tr '\\000' '\\n'"]
        return ["--worker", "cat"]
    if mode == "wjson":
        path = os.path.join(tmp, "w.py")
        with open(path, "w") as f:
            f.write(JSON_WORKER)
        return ["--worker-protocol", "json", "--worker",
                "python3 " + path]
    raise ValueError(mode)


def one_round(rng, mprun, th, tmp, rnd):
    kind = rng.choice(["nl", "nul", "byte"])
    if kind == "nl":
        sep, sep_opt = b"\n", []
    elif kind == "nul":
        sep, sep_opt = b"\0", ["-0"]
    else:
        c = rng.choice([b",", b"\t", b"x", b"\x01", b"\xff", b" "])
        sep, sep_opt = c, ["-d", c]
    mode = rng.choice(["exec", "shell", "append", "n3", "worker", "wjson"])
    nrec = rng.randint(1, 120)
    recs = [record(rng, sep) for _ in range(nrec)]
    data = sep.join(recs)
    terminated = rng.random() < 0.7
    if terminated:
        data += sep         # else the last record has no separator
    # The last record, if empty and unterminated, is no record at all.
    if not terminated and recs[-1] == b"":
        recs = recs[:-1]
        if not recs:
            return
    inpath = os.path.join(tmp, "in")
    with open(inpath, "wb") as f:
        f.write(data)
    how = rng.choice(["stdin", "file", "a"])
    opts = ["-j", str(rng.randint(1, 4))]
    ordered = rng.random() < 0.7
    if not ordered:
        opts.append("--unordered")
    use_json = rng.random() < 0.7
    if use_json:
        opts.append("--json")
    argv = [mprun] + opts + sep_opt
    if how == "a":
        argv += ["-a", inpath]
    argv += command(mode, th, sep_opt, tmp)
    if how == "file":
        argv += ["::::", inpath]
    argv = [a if isinstance(a, bytes) else os.fsencode(a) for a in argv]
    stdin = open(inpath, "rb") if how == "stdin" else subprocess.DEVNULL
    try:
        p = subprocess.run(argv, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    desc = "round %d: %r (input %s, %d records)" % (rnd, argv, how,
                                                     len(recs))

    # The tasks: one record each, or three with -n 3.
    per = 3 if mode == "n3" else 1
    tasks = [recs[i:i + per] for i in range(0, len(recs), per)]
    exp = [expected(mode, t, sep_opt) for t in tasks]
    nfailed = sum(1 for e in exp if e[0] != 0)
    want_rc = 0 if nfailed == 0 else min(nfailed, 101)
    if p.returncode != want_rc:
        raise Failure("%s: exit status %d, expected %d; stderr: %r" %
                      (desc, p.returncode, want_rc, p.stderr[:600]))

    if use_json:
        lines = p.stdout.split(b"\n")
        if lines[-1] != b"":
            raise Failure("%s: --json output does not end in a newline" %
                          desc)
        objs = [json.loads(l) for l in lines[:-1]]
        if len(objs) != len(tasks):
            raise Failure("%s: %d JSON lines for %d tasks" %
                          (desc, len(objs), len(tasks)))
        seqs = [o["seq"] for o in objs]
        if ordered and seqs != list(range(1, len(tasks) + 1)):
            raise Failure("%s: tasks out of order: %r" % (desc, seqs))
        if sorted(seqs) != list(range(1, len(tasks) + 1)):
            raise Failure("%s: tasks lost or duplicated: %r" %
                          (desc, sorted(seqs)))
        for o in objs:
            i = o["seq"] - 1
            st, out, msg = exp[i]
            if args_of(o) != tasks[i]:
                raise Failure("%s: task %d got args %r, expected %r" %
                              (desc, i + 1, args_of(o)[:3], tasks[i][:3]))
            if o["exit"] != st or get(o, "stdout") != out:
                raise Failure("%s: task %d: exit %d stdout %r, expected "
                              "%d %r" % (desc, i + 1, o["exit"],
                                         get(o, "stdout")[:200], st,
                                         out[:200]))
            want_err = b"" if msg is None else \
                b"mprun: task %d: " % (i + 1) + msg + b"\n"
            if get(o, "stderr") != want_err:
                raise Failure("%s: task %d: stderr %r, expected %r" %
                              (desc, i + 1, get(o, "stderr"), want_err))
        if p.stderr != b"":
            raise Failure("%s: mprun's stderr: %r" % (desc, p.stderr[:600]))
        return

    # Plain output: in order, or at least the same lines in any order.
    want_out = b"".join(e[1] for e in exp)
    want_err = b"".join(b"mprun: task %d: " % (i + 1) + e[2] + b"\n"
                        for i, e in enumerate(exp) if e[2] is not None)
    if ordered:
        if p.stdout != want_out:
            raise Failure("%s: stdout differs (%d bytes, expected %d)" %
                          (desc, len(p.stdout), len(want_out)))
        if p.stderr != want_err:
            raise Failure("%s: stderr %r, expected %r" %
                          (desc, p.stderr[:600], want_err[:600]))
    else:
        # Each task's output is one unit; compare as sorted units.
        if sorted(p.stdout) != sorted(want_out):
            raise Failure("%s: stdout bytes differ" % desc)
        if sorted(p.stderr.split(b"\n")) != sorted(want_err.split(b"\n")):
            raise Failure("%s: stderr %r, expected %r" %
                          (desc, p.stderr[:600], want_err[:600]))


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: records.py MPRUN TH ROUNDS [SEED]")
    mprun, th, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else \
        int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(rounds):
            try:
                one_round(rng, mprun, th, tmp, rnd)
            except Failure as e:
                print("FAIL (seed %d): %s" % (seed, e))
                keep = os.environ.get("RECORDS_KEEP")
                if keep:
                    subprocess.run(["cp", "-r", tmp, keep])
                sys.exit(1)
    print("records: %d rounds, seed %d" % (rounds, seed))


if __name__ == "__main__":
    main()
