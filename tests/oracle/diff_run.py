#!/usr/bin/env python3
"""Differential test of one season: run the `tripartite` binary and settle_oracle.py on the
same season folder and steps, and compare every output file byte for byte. Also checks the
binary's own consistency: `settle --rewrite-files` gives each run's files again,
`verify --replay` and `report balances` succeed.

Usage: diff_run.py --bin TRIPARTITE --keys KEYDIR --work WORKDIR --season-dir DIR STEP...
STEP: run:DATE | report:DATE | import:DIR  (see settle_oracle.py)
KEYDIR holds (or receives, made with `tripartite keygen`) a key pair per signing party.
WORKDIR (new, or one diff_run.py made before) is emptied and receives the ledger and both
sides' outputs.
Exit 0 when everything agrees, 1 when something differs (the differences are printed),
2 when the season could not be imported or the oracle failed.
"""
import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "settle_oracle.py")


def signers(season_dir):
    with open(os.path.join(season_dir, "coalition.toml"), encoding="utf-8-sig") as f:  # a BOM is accepted (SPEC §2)
        t = tomllib.loads(f.read())
    parties = t["party"]
    return (t["season"]["id"],
            [p["id"] for p in parties if p["role"] in ("coordinator", "offtaker", "lender")],
            [p["id"] for p in parties if p["role"] == "offtaker"][0])


def sh(args):
    return subprocess.run(args, capture_output=True, text=True)


def write(path, text):
    with open(path, "w", newline="") as f:
        f.write(text)


def read(path):
    with open(path, newline="") as f:
        return f.read()


def ensure_keys(binary, keydir, parties):
    os.makedirs(keydir, exist_ok=True)
    for p in parties:
        k = os.path.join(keydir, p + ".pem")
        if not os.path.exists(k):
            r = sh([binary, "keygen", "--party", p, "--out", k])
            if r.returncode != 0:
                raise SystemExit(f"keygen {p} failed: {r.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--season-dir", required=True)
    ap.add_argument("--quiet", action="store_true", help="print nothing when everything agrees")
    ap.add_argument("steps", nargs="+")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    sd = os.path.abspath(a.season_dir)
    work = os.path.abspath(a.work)
    marker = os.path.join(work, ".diff_run")
    if os.path.isdir(work) and os.listdir(work) and not os.path.exists(marker):
        raise SystemExit(f"{work}: not empty and not a diff_run.py work folder; not touching it")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    write(marker, "")
    season_id, parties, ot = signers(sd)
    # only the season's signing parties' keys: import --keys signs with every key it finds
    keys = os.path.join(work, "keys")
    os.makedirs(keys)
    ensure_keys(binary, a.keys, parties)
    for p in parties:
        for ext in ("", ".pub"):
            src = os.path.join(os.path.abspath(a.keys), p + ".pem" + ext)
            os.symlink(src, os.path.join(keys, p + ".pem" + ext))
    db = os.path.join(work, "ledger.db")
    bout = os.path.join(work, "bin")
    oout = os.path.join(work, "oracle")
    r = sh([binary, "init", "--db", db])
    if r.returncode != 0:
        print(f"{sd}: INIT FAILED ({r.returncode}): {r.stderr.strip()}")
        return 2
    r = sh([binary, "import", "--db", db, "--season-dir", sd, "--keys", keys])
    if r.returncode != 0:
        print(f"{sd}: IMPORT FAILED ({r.returncode}): {r.stderr.strip()}")
        return 2
    for k, step in enumerate(a.steps, 1):
        kind, _, arg = step.partition(":")
        d = os.path.join(bout, f"step{k}")
        os.makedirs(d, exist_ok=True)
        if kind == "run":
            r = sh([binary, "settle", "--db", db, "--season", season_id, "--as-of", arg,
                    "--key", os.path.join(keys, ot + ".pem"), "--out", d])
            if r.returncode != 0:
                write(os.path.join(d, "ERROR"), f"exit {r.returncode}: {r.stderr}")
            elif "nothing to settle" in r.stdout + r.stderr:
                write(os.path.join(d, "NOTHING"), "")
        elif kind == "report":
            r = sh([binary, "report", "loans", "--db", db, "--as-of", arg, "--format", "csv"])
            if r.returncode != 0:
                write(os.path.join(d, "ERROR"), f"exit {r.returncode}: {r.stderr}")
            else:
                write(os.path.join(d, "loans.csv"), r.stdout)
        elif kind == "import":
            r = sh([binary, "import", "--db", db, "--season-dir", os.path.abspath(arg), "--keys", keys])
            if r.returncode != 0:
                write(os.path.join(d, "ERROR"), f"exit {r.returncode}: {r.stderr}")
        else:
            raise SystemExit(f"unknown step {step}")
    # the binary's own consistency: every run's files re-derived from the log, and verify --replay
    extra_bad = []
    for k, step in enumerate(a.steps, 1):
        d = os.path.join(bout, f"step{k}")
        if step.startswith("run:") and os.path.exists(os.path.join(d, "settlement.csv")):
            run_id = read(os.path.join(d, "settlement.csv")).split("\n")[1].split(",")[0]
            rd = os.path.join(work, "rewrite", f"step{k}")
            r = sh([binary, "settle", "--db", db, "--season", season_id, "--rewrite-files", run_id, "--out", rd])
            for n in ("settlement.csv", "payouts.csv", "remittances.csv"):
                if r.returncode != 0 or not filecmp.cmp(os.path.join(d, n), os.path.join(rd, n), shallow=False):
                    extra_bad.append(f"--rewrite-files {run_id}: {n} differs from the run's file "
                                     f"({r.returncode} {r.stderr.strip()})")
    r = sh([binary, "verify", "--db", db, "--replay"])
    if r.returncode != 0:
        extra_bad.append(f"verify --replay: exit {r.returncode}: {r.stdout.strip()} {r.stderr.strip()}")
    r = sh([binary, "report", "balances", "--db", db, "--format", "csv"])
    if r.returncode != 0:
        extra_bad.append(f"report balances: exit {r.returncode}: {r.stderr.strip()}")
    for x in extra_bad:
        print(f"{os.path.basename(sd)}: BINARY SELF-CHECK: {x}")
    r = sh([sys.executable, ORACLE, "--season-dir", sd, "--out", oout] + a.steps)
    if r.returncode != 0:
        print(f"{sd}: ORACLE FAILED: {r.stderr}")
        return 2
    bad = len(extra_bad)
    for k, step in enumerate(a.steps, 1):
        bd, od = os.path.join(bout, f"step{k}"), os.path.join(oout, f"step{k}")
        names = sorted(set(os.listdir(bd)) | set(os.listdir(od)))
        for n in names:
            bf, of = os.path.join(bd, n), os.path.join(od, n)
            if not os.path.exists(bf) or not os.path.exists(of):
                bad += 1
                print(f"DIFF {os.path.basename(sd)} step{k} {step} {n}: only in "
                      f"{'oracle' if os.path.exists(of) else 'binary'}")
                for x in (bf, of):
                    if os.path.exists(x) and n == "ERROR":
                        print("   ", read(x).strip())
                continue
            if n in ("ERROR", "NOTHING"):  # both sides refused / had nothing: the messages differ by design
                continue
            if not filecmp.cmp(bf, of, shallow=False):
                bad += 1
                bl = read(bf).splitlines(keepends=True)
                ol = read(of).splitlines(keepends=True)
                print(f"DIFF {os.path.basename(sd)} step{k} {step} {n}:")
                dl = list(difflib.unified_diff(bl, ol, "binary", "oracle", n=0))
                for line in dl[:40]:
                    print("   ", line.rstrip("\r\n"))
                if len(dl) > 40:
                    print(f"    ... {len(dl) - 40} more diff lines")
    if not a.quiet or bad:
        print(f"{os.path.basename(sd)}: {len(a.steps)} steps, {'OK' if not bad else str(bad) + ' differing file(s)'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
