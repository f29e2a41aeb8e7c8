#!/usr/bin/env python3
"""Generated seasons for the settlement oracle: for each seed, `tripartite generate` makes a
season (200-2000 farmers, 2-3 deliveries each), then diff_run.py compares the binary with the
oracle over 2-3 settlement runs spread over the harvest (sometimes one repeated) and loan
reports around the due dates.

Usage: batch_generated.py FIRST LAST --bin TRIPARTITE --keys KEYDIR --work WORKDIR
Seasons and ledgers go under WORKDIR; a seed that agrees is removed again. Prints only
differences and a summary; exit 1 when a seed differs."""
import os
import random
import shutil
import subprocess

import seeded

a = seeded.parse_args(__doc__)
days = [f"2026-{m:02d}-{d:02d}" for m in (6, 7, 8, 9, 10, 11) for d in range(1, 31)] + ["2026-08-31", "2026-10-31"]
fails = 0
for seed in range(a.first, a.last + 1):
    rnd = random.Random(seed)
    farmers = rnd.choice([200, 500, 800, 1000, 1500, 2000])
    per = rnd.choice([2, 3])
    sd = os.path.join(a.work, f"gen{seed}")
    shutil.rmtree(sd, ignore_errors=True)
    subprocess.run([a.bin, "generate", "--farmers", str(farmers), "--deliveries-per-farmer", str(per),
                    "--seed", str(seed), "--out", sd], check=True, capture_output=True)
    nruns = rnd.choice([2, 3])
    runs = sorted(rnd.sample([d for d in days if "2026-07-01" <= d <= "2026-10-31"], nruns - 1)) + ["2026-11-30"]
    if rnd.random() < 0.3:
        runs.insert(rnd.randrange(len(runs)), runs[rnd.randrange(len(runs))])
        runs.sort()
    reports = sorted(set(rnd.sample(days, 3) + ["2026-09-30", "2026-10-01", "2026-10-31", "2026-12-01", "2027-03-01"]))
    steps = []
    for r in runs:
        steps.append("run:" + r)
        steps.append("report:" + r)
    steps += ["report:" + d for d in reports]
    if not seeded.agrees(a, sd, steps):
        fails += 1
        print(f"  (seed {seed}: {farmers} farmers x {per} deliveries, runs {runs})", flush=True)
seeded.finish("generated seasons", a, fails)
