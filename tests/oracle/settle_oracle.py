#!/usr/bin/env python3
"""Independent oracle of Tripartite settlement (SPEC §3, §6), written from the SPEC text and
docs/settlement.md only. Python 3.11+ standard library, exact arithmetic (fractions.Fraction).

Usage:
  settle_oracle.py --season-dir DIR --out OUTDIR STEP...

STEP is one of
  run:YYYY-MM-DD      a settlement run as of that date; its files go to OUTDIR/step<k>/
                      (settlement.csv, payouts.csv, remittances.csv) or, when the run would
                      settle nothing, OUTDIR/step<k>/NOTHING (an empty marker)
  report:YYYY-MM-DD   the loan report as of that date, given the runs done so far,
                      written to OUTDIR/step<k>/loans.csv
  import:DIR          (re-)import a season folder: new deliveries / loans / prices are added
                      (records already known are kept); in a floor_market season a new market
                      price dated on or before the last run refuses the whole folder
                      (OUTDIR/step<k>/ERROR)
k is the 1-based index of the step.
"""
import argparse
import calendar
import csv
import datetime as dt
import io
import os
import sys
import tomllib
from fractions import Fraction as F

EXPONENT = {c: 2 for c in "KES TZS GHS NGN ETB ZMW MWK USD EUR INR".split()}
EXPONENT.update({c: 0 for c in "UGX RWF XOF XAF VND".split()})


# ---------------------------------------------------------------- numbers
def dec(s, what="value"):
    if not isinstance(s, str):
        raise SystemExit(f"oracle: {what}: expected a decimal string, got {s!r}")
    return F(s)


def round_half_even(x: F, places: int) -> F:
    """x rounded half-even to `places` decimals, as an exact Fraction."""
    scale = 10 ** places
    q = x * scale
    n = q.numerator // q.denominator  # floor
    r = q - n
    if r > F(1, 2) or (r == F(1, 2) and n % 2 == 1):
        n += 1
    return F(n, scale)


def floor_to(x: F, places: int) -> F:
    scale = 10 ** places
    q = x * scale
    return F(q.numerator // q.denominator, scale)


def fmt(x: F, places: int) -> str:
    """Exact decimal string with exactly `places` decimals (x must be representable)."""
    scale = 10 ** places
    q = x * scale
    assert q.denominator == 1, (x, places)
    n = q.numerator
    sign = "-" if n < 0 else ""
    n = abs(n)
    if places == 0:
        return f"{sign}{n}"
    s = str(n).rjust(places + 1, "0")
    return f"{sign}{s[:-places]}.{s[-places:]}"


def parse_date(s) -> dt.date:
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------- day counts
def yearfrac(start: dt.date, end: dt.date, basis: str) -> F:
    if end <= start:
        return F(0)
    if basis == "ACT/365F":
        return F((end - start).days, 365)
    if basis == "ACT/360":
        return F((end - start).days, 360)
    if basis == "30/360":
        # ISDA 30/360 bond basis: D1 31 -> 30; D2 31 -> 30 when D1 is (now) 30.
        d1, d2 = start.day, end.day
        if d1 == 31:
            d1 = 30
        if d2 == 31 and d1 == 30:
            d2 = 30
        days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
        return F(days, 360)
    raise SystemExit(f"oracle: unknown day_count {basis}")


# ---------------------------------------------------------------- csv
def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def out_field(v: str) -> str:
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(out_field(str(x)) for x in r) + "\n")


# ---------------------------------------------------------------- season
class Season:
    def __init__(self):
        self.deliveries = {}   # id -> dict
        self.loans = {}        # id -> Loan
        self.farmers = {}
        self.market = []       # sorted (date, price)
        self.terms = None

    def load(self, d, last_run_as_of=None):
        """Import a season folder. last_run_as_of: the as_of of the season's last run, if any.
        Like the binary's import, all or nothing: a refused folder changes nothing."""
        mp = os.path.join(d, "market_prices.csv")
        if (self.terms is not None and self.method == "floor_market" and last_run_as_of is not None
                and os.path.exists(mp)):
            # a new price dated on or before the last run would change what it paid: refused
            known = dict(self.market)
            for r in read_csv(mp):
                day = parse_date(r["date"])
                if day not in known and day <= last_run_as_of:
                    raise OracleError(f"market price {day} is on or before the last run ({last_run_as_of})")
        t = tomllib.loads(open(os.path.join(d, "coalition.toml"), encoding="utf-8-sig").read())  # a BOM is accepted (SPEC §2)
        if self.terms is None:
            self.terms = t
            s = t["season"]
            self.id = s["id"]
            self.currency = s["currency"]
            self.dp = EXPONENT[self.currency]
            self.roles = {p["id"]: p["role"] for p in t["party"]}
            pr = t["price"]
            self.method = pr["method"]
            self.target = dec(pr["moisture_target_pct"])
            self.grades = {g: dec(v) for g, v in pr["grade"].items()}
            if self.method == "fixed":
                self.base = dec(pr["base_per_kg"])
            else:
                self.floor = dec(pr["floor_per_kg"])
                self.discount = dec(pr["market_discount"])
            self.products = {}
            for p in t.get("loan_product", []):
                self.products[p["id"]] = dict(rate=dec(p["annual_rate"]), method=p["method"],
                                              day_count=p["day_count"],
                                              fee=dec(p["origination_fee"]))
            self.deductions = []
            for dd in t.get("deduction", []):
                k = dd["kind"]
                e = {"kind": k}
                if k == "levy":
                    e.update(to=dd["to"], rate=dec(dd["rate"]))
                elif k == "coalition_fee":
                    if "rate" in dd:
                        e["rate"] = dec(dd["rate"])
                    else:
                        e["per_kg"] = dec(dd["per_kg"])
                    e["shares"] = {p: dec(v) for p, v in dd["shares"].items()}
                elif k == "agent_commission":
                    e["per_kg"] = dec(dd["per_kg"])
                elif k == "loan_repayment":
                    e["cap"] = dec(dd["max_share_of_gross"])
                self.deductions.append(e)
        for r in read_csv(os.path.join(d, "farmers.csv")):
            self.farmers.setdefault(r["farmer_id"], r)
        lp = os.path.join(d, "loans.csv")
        if os.path.exists(lp):
            for r in read_csv(lp):
                if r["loan_id"] in self.loans:
                    continue
                self.loans[r["loan_id"]] = Loan(self, r)
        if os.path.exists(mp):
            known = dict(self.market)
            for r in read_csv(mp):
                known.setdefault(parse_date(r["date"]), dec(r["price_per_kg"]))
            self.market = sorted(known.items())
        for r in read_csv(os.path.join(d, "deliveries.csv")):
            if r["delivery_id"] in self.deliveries:
                continue
            r = dict(r)
            r["date"] = parse_date(r["delivered_on"])
            r["settled"] = False
            self.deliveries[r["delivery_id"]] = r

    # step 1
    def payable(self, dl) -> F:
        w = dec(dl["weight_kg"])
        m = dl["moisture_pct"].strip()
        if m == "":
            return w
        m = dec(m)
        if m > self.target:
            return round_half_even(w * (100 - m) / (100 - self.target), 3)
        return w

    # step 2
    def unit_price(self, dl) -> F:
        if self.method == "fixed":
            p = self.base
        else:
            market = None
            for d, v in self.market:
                if d <= dl["date"]:
                    market = v
                else:
                    break
            if market is None:
                raise OracleError(f"no market price on or before delivery {dl['delivery_id']}")
            p = max(self.floor, market * (1 - self.discount))
        return p * self.grades[dl["grade"]]


class OracleError(Exception):
    pass


class Loan:
    def __init__(self, season, r):
        self.id = r["loan_id"]
        self.farmer = r["farmer_id"]
        self.lender = r["lender_id"]
        self.product = season.products[r["product_id"]]
        self.principal = dec(r["principal"])
        self.disbursed = parse_date(r["disbursed_on"])
        self.due = parse_date(r["due_on"])
        dp = season.dp
        self.dp = dp
        self.fee_charged = round_half_even(self.principal * self.product["fee"], dp)
        # state (charged by runs)
        self.interest_charged = F(0)
        self.paid_fees = F(0)
        self.paid_interest = F(0)
        self.paid_principal = F(0)
        self.accrued_to = self.disbursed

    def clone(self):
        c = object.__new__(Loan)
        c.__dict__.update(self.__dict__)
        return c

    @property
    def owed_fees(self):
        return self.fee_charged - self.paid_fees

    @property
    def owed_interest(self):
        return self.interest_charged - self.paid_interest

    @property
    def owed_principal(self):
        return self.principal - self.paid_principal

    def owed(self):
        return self.owed_fees + self.owed_interest + self.owed_principal

    def interest_for(self, to: dt.date) -> F:
        p = self.product
        if p["method"] == "declining":
            base = self.owed_principal
        else:  # flat: original principal while any principal is outstanding (at period start)
            base = self.principal if self.owed_principal > 0 else F(0)
        yf = yearfrac(self.accrued_to, to, p["day_count"])
        return round_half_even(base * p["rate"] * yf, self.dp)

    def accrue(self, to: dt.date):
        if to > self.accrued_to:
            self.interest_charged += self.interest_for(to)
            self.accrued_to = to

    def pay(self, amount: F) -> F:
        """pay up to amount: fees, interest, principal. Returns the amount used."""
        used = F(0)
        for attr, owed in (("paid_fees", self.owed_fees), ("paid_interest", self.owed_interest),
                           ("paid_principal", self.owed_principal)):
            x = min(owed, amount - used)
            if x > 0:
                setattr(self, attr, getattr(self, attr) + x)
                used += x
        return used


def largest_remainder(total_units: int, shares: dict) -> dict:
    exact = {p: total_units * s for p, s in shares.items()}
    fl = {p: (e.numerator // e.denominator) for p, e in exact.items()}
    left = total_units - sum(fl.values())
    order = sorted(shares, key=lambda p: (-(exact[p] - fl[p]), p.encode()))
    for p in order[:left]:
        fl[p] += 1
    assert sum(fl.values()) == total_units
    return fl


class Engine:
    def __init__(self, season: Season):
        self.s = season
        self.runs = []  # list of (as_of, {loan_id: Loan snapshot after the run})
        self.n = 0

    def run(self, as_of: dt.date):
        s = self.s
        if self.runs and as_of < self.runs[-1][0]:
            raise OracleError("as_of before the season's last run")
        todo = [d for d in s.deliveries.values() if not d["settled"] and d["date"] <= as_of]
        if not todo:
            return None
        # compute everything first: a price error must post nothing
        by_farmer = {}
        for d in todo:
            by_farmer.setdefault(d["farmer_id"], []).append(d)
        plans = {}
        for f, ds in by_farmer.items():
            vals = []
            for d in ds:
                pk = s.payable(d)
                up = s.unit_price(d)
                vals.append((d, pk, round_half_even(pk * up, s.dp)))
            plans[f] = vals
        self.n += 1
        run_id = f"{s.id}-R{self.n}"
        dp = s.dp
        settlement, payouts = [], []
        remit = {}

        def owe(party, amt):
            if amt:
                remit[party] = remit.get(party, F(0)) + amt

        for f in sorted(plans, key=lambda x: x.encode()):
            vals = plans[f]
            gross = sum((v for _, _, v in vals), F(0))
            total_kg = sum((pk for _, pk, _ in vals), F(0))
            agent_kg = {}
            for d, pk, _ in vals:
                a = d["agent_id"].strip()
                if a:
                    agent_kg[a] = agent_kg.get(a, F(0)) + pk
            loans = sorted((l for l in s.loans.values() if l.farmer == f and l.disbursed <= as_of),
                           key=lambda l: (l.disbursed, l.id.encode()))
            for l in loans:
                l.accrue(as_of)
            remaining = gross
            cols = dict(levy=F(0), coalition_fee=F(0), agent_commission=F(0), loan_repayment=F(0))
            for e in s.deductions:
                k = e["kind"]
                if k == "levy":
                    take = min(round_half_even(gross * e["rate"], dp), remaining)
                    remaining -= take
                    cols["levy"] += take
                    owe(e["to"], take)
                elif k == "coalition_fee":
                    amt = gross * e["rate"] if "rate" in e else total_kg * e["per_kg"]
                    take = min(round_half_even(amt, dp), remaining)
                    remaining -= take
                    cols["coalition_fee"] += take
                    units = int(take * 10 ** dp)
                    for p, u in largest_remainder(units, e["shares"]).items():
                        owe(p, F(u, 10 ** dp))
                elif k == "agent_commission":
                    for a in sorted(agent_kg, key=lambda x: x.encode()):
                        take = min(round_half_even(agent_kg[a] * e["per_kg"], dp), remaining)
                        remaining -= take
                        cols["agent_commission"] += take
                        owe(a, take)
                elif k == "loan_repayment":
                    avail = min(floor_to(gross * e["cap"], dp), remaining)
                    for l in loans:
                        if avail <= 0:
                            break
                        used = l.pay(avail)
                        avail -= used
                        remaining -= used
                        cols["loan_repayment"] += used
                        owe(l.lender, used)
            net = remaining
            assert net >= 0
            outstanding = sum((l.owed() for l in loans), F(0))
            settlement.append([run_id, f, fmt(gross, dp), fmt(cols["levy"], dp),
                               fmt(cols["coalition_fee"], dp), fmt(cols["agent_commission"], dp),
                               fmt(cols["loan_repayment"], dp), fmt(net, dp), fmt(outstanding, dp)])
            if net > 0:
                fr = s.farmers[f]
                payouts.append([f, fr["payout_method"], fr["payout_account"], fmt(net, dp),
                                s.currency, f"{run_id}-{f}"])
        for d in todo:
            d["settled"] = True
        rem_rows = [[p, s.roles[p], fmt(a, dp), s.currency]
                    for p, a in sorted(remit.items(), key=lambda x: x[0].encode()) if a > 0]
        self.runs.append((as_of, {lid: l.clone() for lid, l in s.loans.items()}))
        return dict(settlement=settlement, payouts=payouts, remittances=rem_rows)

    def report(self, date: dt.date):
        s = self.s
        dp = s.dp
        snap = None
        for as_of, st in self.runs:
            if as_of <= date:
                snap = st
        rows = []
        for lid in sorted(s.loans, key=lambda x: x.encode()):
            base = s.loans[lid]
            if base.disbursed > date:
                continue
            l = snap[lid].clone() if (snap is not None and lid in snap) else _raw(base)
            extra = l.interest_for(date) if date > l.accrued_to else F(0)
            interest = l.interest_charged + extra
            outstanding = l.owed() + extra
            if outstanding == 0:
                status, days = "repaid", 0
            elif date > l.due:
                status, days = "arrears", (date - l.due).days
            else:
                status, days = "open", 0
            rows.append([l.id, l.farmer, l.lender, fmt(l.principal, dp), fmt(l.fee_charged, dp),
                         fmt(interest, dp), fmt(l.paid_fees, dp), fmt(l.paid_interest, dp),
                         fmt(l.paid_principal, dp), fmt(outstanding, dp), status,
                         l.due.isoformat(), str(days)])
        return rows


def _raw(loan):
    """A fresh (never-settled) copy of a loan."""
    c = loan.clone()
    c.interest_charged = F(0)
    c.paid_fees = c.paid_interest = c.paid_principal = F(0)
    c.accrued_to = c.disbursed
    return c


SETTLEMENT_H = "run_id,farmer_id,gross,levy,coalition_fee,agent_commission,loan_repayment,net_payout,loan_outstanding_after".split(",")
PAYOUT_H = "farmer_id,payout_method,payout_account,amount,currency,reference".split(",")
REMIT_H = "party_id,role,amount,currency".split(",")
LOANS_H = "loan_id,farmer_id,lender_id,principal,fees_charged,interest_accrued,repaid_fees,repaid_interest,repaid_principal,outstanding,status,due_on,days_past_due".split(",")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--season-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("steps", nargs="+")
    a = ap.parse_args(argv)
    s = Season()
    s.load(a.season_dir)
    eng = Engine(s)
    os.makedirs(a.out, exist_ok=True)
    for k, step in enumerate(a.steps, 1):
        kind, _, arg = step.partition(":")
        d = os.path.join(a.out, f"step{k}")
        os.makedirs(d, exist_ok=True)
        if kind == "run":
            try:
                res = eng.run(parse_date(arg))
            except OracleError as e:
                open(os.path.join(d, "ERROR"), "w").write(str(e) + "\n")
                continue
            if res is None:
                open(os.path.join(d, "NOTHING"), "w").close()
                continue
            write_csv(os.path.join(d, "settlement.csv"), SETTLEMENT_H, res["settlement"])
            write_csv(os.path.join(d, "payouts.csv"), PAYOUT_H, res["payouts"])
            write_csv(os.path.join(d, "remittances.csv"), REMIT_H, res["remittances"])
        elif kind == "report":
            write_csv(os.path.join(d, "loans.csv"), LOANS_H, eng.report(parse_date(arg)))
        elif kind == "import":
            try:
                s.load(arg, eng.runs[-1][0] if eng.runs else None)
            except OracleError as e:
                open(os.path.join(d, "ERROR"), "w").write(str(e) + "\n")
        else:
            raise SystemExit(f"oracle: unknown step {step}")


if __name__ == "__main__":
    main()
