#!/usr/bin/env python3
"""Re-encode a season folder for the settlement oracle: CSV columns shuffled, CRLF or LF line
ends, a BOM or none, every field quoted or only where needed, TOML with literal strings, a
BOM and CRLF. The settlement of the copy must be byte-identical to that of the original.

Usage: make_variants.py SRC DST SEED   (DST is replaced)"""
import csv
import io
import os
import random
import shutil
import sys

if len(sys.argv) != 4:
    sys.exit(__doc__)
src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(seed)
shutil.rmtree(dst, ignore_errors=True)
os.makedirs(dst)
for n in sorted(os.listdir(src)):
    p = os.path.join(src, n)
    if n.endswith(".csv"):
        with open(p, encoding="utf-8-sig", newline="") as f:
            text = f.read()
        rows = list(csv.DictReader(io.StringIO(text)))
        cols = list(rows[0].keys()) if rows else text.splitlines()[0].split(",")
        rnd.shuffle(cols)
        buf = io.StringIO()
        w = csv.writer(buf, quoting=rnd.choice([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]), lineterminator=rnd.choice(["\r\n", "\n"]))
        w.writerow(cols)
        for r in rows:
            w.writerow([r[c] for c in cols])
        with open(os.path.join(dst, n), "w", encoding="utf-8-sig" if rnd.random() < 0.5 else "utf-8", newline="") as f:
            f.write(buf.getvalue())
    elif n.endswith(".toml"):
        with open(p, encoding="utf-8") as f:
            t = f.read().replace('"', "'")
        with open(os.path.join(dst, n), "w", encoding="utf-8-sig", newline="") as f:
            f.write(t.replace("\n", "\r\n"))
