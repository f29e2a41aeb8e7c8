#!/usr/bin/env python3
"""Randomised terms for the settlement oracle: a generated season with its terms and loans
rewritten at random (currency incl. zero-decimal, floor_market with prices on delivery dates,
random products, deduction order / duplicates / rates that exhaust gross, loans disbursed
during the harvest, several loans per farmer on one date), then diff_run.py on random runs
and reports.

Usage: fuzz_mutate.py FIRST LAST --bin TRIPARTITE --keys KEYDIR --work WORKDIR
Seasons and ledgers go under WORKDIR; a seed that agrees is removed again. Prints only
differences and a summary; exit 1 when a seed differs."""
import csv
import os
import random
import shutil
import subprocess
import tomllib
from fractions import Fraction

import seeded

a = seeded.parse_args(__doc__)
first, last, binp = a.first, a.last, a.bin
fails = 0


for seed in range(first, last + 1):
    rnd = random.Random(1000 + seed)
    sd = os.path.join(a.work, f"fuzz{seed}")
    shutil.rmtree(sd, ignore_errors=True)
    subprocess.run([binp, "generate", "--farmers", str(rnd.choice([50, 200, 400])), "--deliveries-per-farmer",
                    str(rnd.choice([1, 2, 4])), "--seed", str(seed), "--out", sd], check=True, capture_output=True)
    with open(os.path.join(sd, "coalition.toml"), encoding="utf-8") as f:
        t = tomllib.loads(f.read())
    cur = rnd.choice(["KES", "UGX", "XOF", "USD"])
    zero = cur in ("UGX", "XOF")
    parties = t["party"]
    ids = lambda role: [p["id"] for p in parties if p["role"] == role]
    out = [f'[season]\nid = "FZ{seed}"\ncurrency = "{cur}"\ncommodity = "maize"\n']
    for p in parties:
        out.append(f'[[party]]\nid = "{p["id"]}"\nrole = "{p["role"]}"\nname = "{p["name"]}"\n')
    with open(os.path.join(sd, "deliveries.csv"), encoding="utf-8", newline="") as f:
        dels = list(csv.DictReader(f))
    ddates = sorted({d["delivered_on"] for d in dels})
    target = rnd.choice(["13.5", "14", "0", "15.000", "12.25"])
    scale = 30 if zero else 1
    if rnd.random() < 0.5:
        out.append(f'[price]\nmethod = "fixed"\nbase_per_kg = "{rnd.choice(["38.50", "41.125", "0.005", "1234.56789"]) if not zero else rnd.choice(["1250", "1100.5", "999.999"])}"\nmoisture_target_pct = "{target}"\n')
        market = None
    else:
        out.append(f'[price]\nmethod = "floor_market"\nfloor_per_kg = "{35 * scale}.{rnd.randrange(100):02d}"\nmarket_discount = "{rnd.choice(["0", "0.05", "0.125", "0.33333333"])}"\nmoisture_target_pct = "{target}"\n')
        mdates = sorted(set(["2026-06-01"] + rnd.sample(ddates, min(len(ddates), rnd.randrange(1, 15)))))
        market = [(d, f"{rnd.randrange(30 * scale, 50 * scale)}.{rnd.randrange(1000):03d}") for d in mdates]
    out.append('[price.grade]\nA = "1.05"\nB = "1"\nC = "0.87654321"\n')
    prods = []
    for i in range(3):
        pid = f"P{i}"
        prods.append(pid)
        out.append(f'[[loan_product]]\nid = "{pid}"\nannual_rate = "{rnd.choice(["0.18", "0.12", "0.2475", "0", "0.09999999"])}"\n'
                   f'method = "{rnd.choice(["declining", "flat"])}"\nday_count = "{rnd.choice(["ACT/365F", "ACT/360", "30/360"])}"\n'
                   f'origination_fee = "{rnd.choice(["0.02", "0", "0.015", "0.0125"])}"\n')
    auth = ids("authority")
    share_parties = ids("input_supplier") + ids("service_provider") + ids("coordinator") + ids("agent")[:3]
    kinds = ["levy", "coalition_fee", "agent_commission", "loan_repayment"] + rnd.sample(["levy", "coalition_fee", "agent_commission", "loan_repayment"], rnd.randrange(0, 3))
    rnd.shuffle(kinds)
    for k in kinds:
        out.append(f'[[deduction]]\nkind = "{k}"\n')
        if k == "levy":
            out.append(f'to = "{rnd.choice(auth)}"\nrate = "{rnd.choice(["0.01", "0.005", "0.015", "0.5"])}"\n')
        elif k == "coalition_fee":
            if rnd.random() < 0.5:
                out.append(f'rate = "{rnd.choice(["0.02", "0.025", "0.3"])}"\n')
            else:
                out.append(f'per_kg = "{rnd.choice(["0.40", "0.005", "3", "0.12345678"]) if not zero else rnd.choice(["12", "7.5"])}"\n')
            ps = rnd.sample(share_parties, rnd.randrange(2, 5))
            n = len(ps)
            if rnd.random() < 0.5:
                sh = [f"{1 / n:.8f}"] * (n - 1)
                sh.append(f"{1 - float(sh[0]) * (n - 1):.8f}")
            else:
                cuts = sorted(rnd.sample(range(1, 100), n - 1))
                vals = [b - a for a, b in zip([0] + cuts, cuts + [100])]
                sh = [f"0.{v:02d}" for v in vals]
            assert sum(Fraction(x) for x in sh) == 1, sh
            out.append("shares = { " + ", ".join(f'{p} = "{s}"' for p, s in zip(ps, sh)) + " }\n")
        elif k == "agent_commission":
            out.append(f'per_kg = "{rnd.choice(["0.50", "0.333", "2"]) if not zero else rnd.choice(["15", "12.5"])}"\n')
        else:
            out.append(f'max_share_of_gross = "{rnd.choice(["0.70", "0.5", "1", "0.33333333", "0.05"])}"\n')
    with open(os.path.join(sd, "coalition.toml"), "w", encoding="utf-8") as f:
        f.write("".join(out))
    if market:
        with open(os.path.join(sd, "market_prices.csv"), "w") as f:
            f.write("date,price_per_kg\n" + "".join(f"{d},{p}\n" for d, p in market))
    with open(os.path.join(sd, "loans.csv"), encoding="utf-8", newline="") as f:
        loans = list(csv.DictReader(f))
    extra = []
    for i, l in enumerate(loans):
        l["product_id"] = rnd.choice(prods)
        p = l["principal"]
        if zero:
            l["principal"] = str(int(float(p)) * scale)
        r = rnd.random()
        if r < 0.3:  # disbursed during the harvest
            l["disbursed_on"] = rnd.choice(ddates)
            l["due_on"] = max(l["due_on"], l["disbursed_on"])
        if r > 0.8:  # a second loan same farmer, same date
            e = dict(l)
            e["loan_id"] = l["loan_id"][:-1] + "X" + l["loan_id"][-1]
            e["lender_id"] = rnd.choice(ids("lender"))
            extra.append(e)
        if rnd.random() < 0.2:
            l["due_on"] = l["disbursed_on"] = rnd.choice(["2026-03-31", "2026-02-28", "2026-01-31", "2026-05-30"])
    loans += extra
    with open(os.path.join(sd, "loans.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(loans[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(loans)
    days = ddates + ["2026-08-31", "2026-10-31", "2026-09-30", "2026-02-28"]
    runs = sorted(rnd.sample(ddates, rnd.randrange(1, 4))) + [ddates[-1]]
    steps = []
    for r in runs:
        steps += ["run:" + r, "report:" + rnd.choice(days), "report:" + r]
    steps += ["report:" + d for d in rnd.sample(days, 3) + ["2027-01-31"]]
    if not seeded.agrees(a, sd, steps):
        fails += 1
        print(f"  (fuzz seed {seed}: {cur} {kinds} runs {runs})", flush=True)
seeded.finish("randomised terms", a, fails)
