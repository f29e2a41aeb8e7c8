#!/usr/bin/env python3
"""Hand-made edge seasons for the settlement oracle: floor_market price dates, several levies
and coalition fees, largest-remainder ties, day counts around month ends and leap days, loans
(several per farmer, disbursed late, imported after a run), zero-decimal currency, moisture,
deductions exceeding gross, repeated and empty runs, half-even ties, amounts near the
import's upper limits.

Usage: make_edges.py OUTDIR
Writes one season folder per case into OUTDIR and prints one line per case,
`<folder> <step>...` (the steps for diff_run.py; consumed by run_edges.sh)."""
import os
import shutil
import sys

if len(sys.argv) != 2:
    sys.exit(__doc__)
OUT = os.path.abspath(sys.argv[1])
CASES = []

PARTIES = """
[[party]]
id = "COAL"
role = "coordinator"
name = "Coalition"
[[party]]
id = "OT1"
role = "offtaker"
name = "Offtaker"
[[party]]
id = "BANK1"
role = "lender"
name = "Bank one"
[[party]]
id = "BANK2"
role = "lender"
name = "Bank two"
[[party]]
id = "SUP1"
role = "input_supplier"
name = "Supplier"
[[party]]
id = "TRN1"
role = "service_provider"
name = "Trainer"
[[party]]
id = "CESS"
role = "authority"
name = "Cess"
[[party]]
id = "MKT"
role = "authority"
name = "Market levy"
[[party]]
id = "AG1"
role = "agent"
name = "Agent 1"
[[party]]
id = "AG2"
role = "agent"
name = "Agent 2"
[[party]]
id = "AG10"
role = "agent"
name = "Agent 10"
"""

PRODUCTS = """
[[loan_product]]
id = "DECL365"
annual_rate = "0.18"
method = "declining"
day_count = "ACT/365F"
origination_fee = "0.02"
[[loan_product]]
id = "DECL360"
annual_rate = "0.24"
method = "declining"
day_count = "ACT/360"
origination_fee = "0"
[[loan_product]]
id = "DECL30"
annual_rate = "0.15"
method = "declining"
day_count = "30/360"
origination_fee = "0.01"
[[loan_product]]
id = "FLAT30"
annual_rate = "0.12"
method = "flat"
day_count = "30/360"
origination_fee = "0.015"
[[loan_product]]
id = "FLAT365"
annual_rate = "0.20"
method = "flat"
day_count = "ACT/365F"
origination_fee = "0.005"
[[loan_product]]
id = "FLAT360"
annual_rate = "0.10"
method = "flat"
day_count = "ACT/360"
origination_fee = "0"
"""

STD_DED = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.01"
[[deduction]]
kind = "coalition_fee"
rate = "0.02"
shares = { SUP1 = "0.40", TRN1 = "0.35", COAL = "0.25" }
[[deduction]]
kind = "agent_commission"
per_kg = "0.50"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.70"
"""


def toml(sid="E", currency="KES", price=None, deductions=STD_DED, extra_parties="",
         grades=('1.05', '1.00', '0.90')):
    price = price or 'method = "fixed"\nbase_per_kg = "38.50"\nmoisture_target_pct = "13.5"\n'
    grade = '[price.grade]\nA = "%s"\nB = "%s"\nC = "%s"\n' % grades
    return (f'[season]\nid = "{sid}"\ncurrency = "{currency}"\ncommodity = "maize"\n' + PARTIES + extra_parties +
            "\n[price]\n" + price + grade + PRODUCTS + deductions)


def mk(name, coalition, deliveries, loans=(), farmers=None, market=None, steps=()):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    fids = sorted({x[1] for x in deliveries} | {x[1] for x in loans} | set(farmers or {}))
    farmers = farmers or {}
    with open(os.path.join(d, "coalition.toml"), "w") as f:
        f.write(coalition)
    with open(os.path.join(d, "farmers.csv"), "w") as f:
        f.write("farmer_id,name,group_id,phone,payout_method,payout_account\n")
        for i, fid in enumerate(fids):
            meth, acct = farmers.get(fid, ("mobile_money", f"+2547000{i:05d}"))
            q = '"' + acct.replace('"', '""') + '"' if any(c in acct for c in ',"') else acct
            f.write(f"{fid},Farmer {fid},G1,+2547000{i:05d},{meth},{q}\n")
    with open(os.path.join(d, "commitments.csv"), "w") as f:
        f.write("commitment_id,farmer_id,offtaker_id,quantity_kg,signed_on\n")
        for i, fid in enumerate(fids):
            f.write(f"C{i:04d},{fid},OT1,1000.000,2020-01-01\n")
    with open(os.path.join(d, "loans.csv"), "w") as f:
        f.write("loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on\n")
        for l in loans:
            f.write(",".join(l) + "\n")
    with open(os.path.join(d, "deliveries.csv"), "w") as f:
        f.write("delivery_id,farmer_id,offtaker_id,grade,weight_kg,moisture_pct,delivered_on,agent_id\n")
        for x in deliveries:
            did, fid, grade, w, m, date, agent = x
            f.write(f"{did},{fid},OT1,{grade},{w},{m},{date},{agent}\n")
    if market is not None:
        with open(os.path.join(d, "market_prices.csv"), "w") as f:
            f.write("date,price_per_kg\n")
            for dt, p in market:
                f.write(f"{dt},{p}\n")
    CASES.append((name, list(steps)))
    return d


# 1. floor_market, delivery exactly on a price date, between dates, market below floor, unsorted rows
FM = 'method = "floor_market"\nfloor_per_kg = "30.00"\nmarket_discount = "0.05"\nmoisture_target_pct = "13.5"\n'
mk("edge_floor_market", toml(price=FM), [
    ("D1", "F1", "A", "100.000", "", "2026-07-01", ""),      # exactly on first price date
    ("D2", "F1", "B", "100.000", "", "2026-07-09", "AG1"),   # between -> 07-01 price
    ("D3", "F2", "B", "100.000", "14.0", "2026-07-10", ""),  # exactly on second date (below floor)
    ("D4", "F2", "C", "333.333", "", "2026-07-31", ""),      # on third
    ("D5", "F3", "A", "77.777", "", "2026-08-30", "AG2"),    # after last
    ("D6", "F3", "A", "10.000", "", "2026-07-20", "AG2"),
], market=[("2026-07-31", "41.37"), ("2026-07-01", "40.00"), ("2026-07-10", "31.00"), ("2026-08-15", "35.555")],
   steps=["run:2026-07-10", "run:2026-08-31"])
mk("edge_floor_market_noprice", toml(price=FM), [
    ("D1", "F1", "A", "100.000", "", "2026-06-30", ""),
    ("D2", "F2", "A", "100.000", "", "2026-07-05", ""),
], market=[("2026-07-01", "40.00")], steps=["run:2026-07-31", "report:2026-07-31"])

# 2. two levies, per_kg coalition fee, largest remainder ties, ids sorted bytewise, quoting
TIE_PARTIES = """
[[party]]
id = "a-1"
role = "service_provider"
name = "lower a"
[[party]]
id = "AA"
role = "input_supplier"
name = "upper AA"
[[party]]
id = "_x"
role = "coordinator"
name = "underscore"
[[party]]
id = "zz"
role = "service_provider"
name = "lower zz"
"""
DED2 = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.015"
[[deduction]]
kind = "coalition_fee"
per_kg = "0.03"
shares = { zz = "0.25", a-1 = "0.25", AA = "0.25", _x = "0.25" }
[[deduction]]
kind = "levy"
to = "MKT"
rate = "0.005"
[[deduction]]
kind = "agent_commission"
per_kg = "0.333"
[[deduction]]
kind = "coalition_fee"
rate = "0.001"
shares = { SUP1 = "0.33333333", TRN1 = "0.33333333", COAL = "0.33333334" }
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.002"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.5"
"""
dl = []
for i in range(1, 41):
    dl.append((f"D{i:03d}", f"F{i % 13:02d}", "ABC"[i % 3], f"{(i * 37.123) % 900 + 1:.3f}",
               ["", "13.5", "15.25", "12"][i % 4], f"2026-07-{(i % 28) + 1:02d}", ["", "AG1", "AG2", "AG10"][i % 4]))
mk("edge_levies_ties", toml(deductions=DED2, extra_parties=TIE_PARTIES), dl,
   loans=[("L1", "F01", "BANK1", "DECL365", "5000.00", "2026-03-01", "2026-09-30")],
   farmers={"F03": ("bank", 'ACC,"7"'), "F04": ("cash", ""), "F05": ("bank", "x y")},
   steps=["run:2026-07-15", "run:2026-07-31", "report:2026-08-01"])

# 3. day counts: month ends, Feb 28/29, 31st; flat loans; loans per farmer with same date
loans = []
n = 0
starts = ["2028-01-31", "2028-02-28", "2028-02-29", "2028-01-30", "2028-03-31", "2028-02-15", "2027-12-31", "2028-03-30"]
for si, s in enumerate(starts):
    for p in ["DECL365", "DECL360", "DECL30", "FLAT30", "FLAT365", "FLAT360"]:
        n += 1
        loans.append((f"L{n:03d}", f"F{si}", "BANK1" if n % 2 else "BANK2", p, f"{1000 + n * 7}.{n % 100:02d}", s, "2028-08-31"))
dl = []
runs = ["2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30", "2028-08-31", "2028-09-30"]
k = 0
for si in range(len(starts)):
    for ri, r in enumerate(runs):
        if (si + ri) % 3 == 1:
            continue  # farmer has no new delivery in this run
        k += 1
        w = 600 if ri < 3 else 4000
        dl.append((f"D{k:03d}", f"F{si}", "B", f"{w + si}.{k:03d}", "", r, "AG1"))
mk("edge_daycount", toml(sid="DC28"), dl, loans=loans,
   steps=sum([["run:" + r, "report:" + r] for r in runs], []) + ["report:2028-02-29", "report:2028-03-01",
          "report:2028-07-31", "report:2028-08-31", "report:2028-09-01", "report:2028-12-31", "report:2029-02-28"])

# 3b. same dates again, 2027 (not leap), with runs on Feb 28 and the 31st and a 30/360 D2=31 case
loans = []
for i, (s, r) in enumerate([("2027-01-31", "2027-02-28"), ("2027-01-30", "2027-03-31"), ("2027-01-29", "2027-03-31"),
                            ("2027-02-28", "2027-03-31"), ("2026-12-31", "2027-02-28"), ("2027-01-15", "2027-03-31")]):
    for p in ["DECL30", "FLAT30", "DECL360", "DECL365"]:
        loans.append((f"L{i}{p}", f"F{i}", "BANK1", p, "100000.00", s, "2027-12-31"))
dl = [(f"D{i}a", f"F{i}", "A", "10.000", "", "2027-02-28", "") for i in range(6)] + \
     [(f"D{i}b", f"F{i}", "A", "10.000", "", "2027-03-31", "") for i in range(6)] + \
     [(f"D{i}c", f"F{i}", "A", "100000.000", "", "2027-05-31", "") for i in range(6)]
mk("edge_daycount2027", toml(sid="DC27"), dl, loans=loans,
   steps=["run:2027-02-28", "run:2027-03-31", "report:2027-03-31", "report:2027-04-30", "run:2027-05-31", "report:2027-05-31"])

# 4. loan disbursed after as_of, several loans same disbursed_on, several lenders, cap binding
loans = [
    ("LZ", "F1", "BANK2", "DECL365", "3000.00", "2026-04-01", "2026-09-30"),
    ("LA", "F1", "BANK1", "DECL365", "3000.00", "2026-04-01", "2026-09-30"),
    ("L-", "F1", "BANK2", "FLAT30", "1000.00", "2026-04-01", "2026-09-30"),
    ("LB", "F1", "BANK1", "DECL360", "2000.00", "2026-03-01", "2026-09-30"),
    ("LLATE", "F1", "BANK1", "DECL365", "5000.00", "2026-08-15", "2026-12-31"),
    ("LL2", "F2", "BANK2", "FLAT365", "9000.00", "2026-08-01", "2026-08-01"),
    ("LL3", "F3", "BANK1", "FLAT360", "100.00", "2026-07-31", "2026-10-31"),
    ("LL4", "F4", "BANK1", "DECL365", "100.00", "2026-05-01", "2026-07-31"),
]
dl = [("D1", "F1", "A", "300.000", "", "2026-07-31", "AG1"),
      ("D2", "F1", "A", "100.000", "", "2026-08-20", "AG1"),
      ("D3", "F1", "A", "900.000", "", "2026-09-30", "AG1"),
      ("D4", "F2", "B", "50.000", "", "2026-07-31", ""),
      ("D5", "F2", "B", "1000.000", "", "2026-09-30", ""),
      ("D6", "F3", "B", "1000.000", "", "2026-07-31", ""),
      ("D7", "F3", "B", "1.000", "", "2026-09-30", ""),
      ("D8", "F4", "B", "1.000", "", "2026-09-30", "")]
mk("edge_loans", toml(sid="LN"), dl, loans=loans,
   steps=["report:2026-07-30", "run:2026-07-31", "report:2026-07-31", "report:2026-08-01", "report:2026-08-02", "report:2026-08-15", "report:2026-08-19",
          "run:2026-08-20", "report:2026-08-20", "run:2026-09-30", "report:2026-09-30", "report:2026-10-31",
          "report:2026-11-01", "run:2026-12-31", "report:2027-01-01"])

# 5. UGX zero decimals, half-even ties at units
UGX_PRICE = 'method = "fixed"\nbase_per_kg = "1250"\nmoisture_target_pct = "14"\n'
UGX_DED = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.0002"
[[deduction]]
kind = "coalition_fee"
rate = "0.0004"
shares = { SUP1 = "0.5", TRN1 = "0.3", COAL = "0.2" }
[[deduction]]
kind = "agent_commission"
per_kg = "2.5"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.6"
"""
dl = [("D1", "F1", "A", "1.002", "", "2026-07-01", "AG1"),   # 1.002*1312.5 = 1315.125 -> 1315
      ("D2", "F1", "B", "0.001", "", "2026-07-01", "AG1"),
      ("D3", "F2", "B", "2.500", "", "2026-07-02", "AG2"),   # 3125 levy 0.625
      ("D4", "F3", "C", "100.001", "15", "2026-07-03", "AG1"),
      ("D5", "F4", "B", "7500.000", "", "2026-07-04", "AG2"),  # 9375000 levy 1875 coal 3750
      ("D6", "F5", "B", "1.800", "", "2026-07-05", "AG1"),
      ("D7", "F5", "B", "1000.000", "14.000", "2026-08-05", "AG1")]
mk("edge_ugx", toml(sid="UG", currency="UGX", price=UGX_PRICE, deductions=UGX_DED), dl,
   loans=[("L1", "F4", "BANK1", "DECL365", "2500001", "2026-03-01", "2026-09-30"),
          ("L2", "F5", "BANK2", "FLAT30", "333333", "2026-03-31", "2026-07-31"),
          ("L3", "F1", "BANK1", "DECL360", "9", "2026-06-01", "2026-09-30")],
   steps=["run:2026-07-31", "report:2026-07-31", "run:2026-08-31", "report:2026-08-31", "report:2026-10-01"])

# 6. moisture at / above target, tie to the gram, target 0
M_PRICE = 'method = "fixed"\nbase_per_kg = "10"\nmoisture_target_pct = "0"\n'
dl = [("D1", "F1", "B", "1.001", "50", "2026-07-01", ""),    # 0.5005 -> 0.500
      ("D2", "F2", "B", "1.003", "50", "2026-07-01", ""),    # 0.5015 -> 0.502
      ("D3", "F3", "B", "100.000", "0", "2026-07-01", ""),   # at target
      ("D4", "F4", "B", "100.000", "0.001", "2026-07-01", ""),
      ("D5", "F5", "B", "100.000", "99.999", "2026-07-01", "AG1"),
      ("D6", "F6", "B", "0.001", "99.999", "2026-07-01", "AG1")]
mk("edge_moisture0", toml(sid="M0", price=M_PRICE), dl, steps=["run:2026-07-01"])
M_PRICE2 = 'method = "fixed"\nbase_per_kg = "38.5"\nmoisture_target_pct = "13.500"\n'
dl = [("D1", "F1", "B", "1000.000", "13.5", "2026-07-01", "AG1"),
      ("D2", "F1", "B", "1000.000", "13.501", "2026-07-01", "AG1"),
      ("D3", "F2", "A", "999.999", "13.499", "2026-07-01", "AG2"),
      ("D4", "F2", "A", "0.001", "14", "2026-07-01", "AG2"),
      ("D5", "F3", "C", "86.500", "99.999", "2026-07-01", ""),
      ("D6", "F3", "C", "123.456", "", "2026-07-01", "")]
mk("edge_moisture", toml(sid="M1", price=M_PRICE2), dl, steps=["run:2026-07-01"])

# 7. deductions exceed gross; agent cut short between agents; coalition fee cut short
BIG = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.6"
[[deduction]]
kind = "coalition_fee"
rate = "0.3"
shares = { SUP1 = "0.40", TRN1 = "0.35", COAL = "0.25" }
[[deduction]]
kind = "agent_commission"
per_kg = "3.00"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.9"
[[deduction]]
kind = "levy"
to = "MKT"
rate = "0.99"
"""
dl = [("D1", "F1", "B", "100.000", "", "2026-07-01", "AG2"),
      ("D2", "F1", "B", "100.000", "", "2026-07-01", "AG10"),
      ("D3", "F1", "B", "100.000", "", "2026-07-01", "AG1"),
      ("D4", "F2", "B", "10.000", "", "2026-07-01", ""),
      ("D5", "F3", "B", "1000.000", "", "2026-07-01", "AG1")]
mk("edge_exceed", toml(sid="EX", deductions=BIG), dl,
   loans=[("L1", "F2", "BANK1", "DECL365", "100.00", "2026-01-01", "2026-06-30")],
   steps=["run:2026-07-01", "report:2026-07-01"])
BIG2 = BIG.replace('rate = "0.6"', 'rate = "0.01"').replace('rate = "0.3"', 'rate = "0.02"').replace('rate = "0.99"', 'rate = "0.2"')
mk("edge_exceed_loan", toml(sid="EY", deductions=BIG2), dl,
   loans=[("L1", "F2", "BANK1", "DECL365", "100000.00", "2026-01-01", "2026-06-30"),
          ("L2", "F1", "BANK1", "FLAT365", "100000.00", "2026-01-01", "2026-06-30")],
   steps=["run:2026-07-01", "report:2026-07-01", "report:2026-07-02"])

# 8. nothing to settle; a farmer in run 1 only, another in runs 1 and 3; equal as_of; two loan_repayment
TWO_LR = STD_DED.replace('max_share_of_gross = "0.70"', 'max_share_of_gross = "0.10"') + """
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.15"
"""
dl = [("D1", "F1", "B", "500.000", "", "2026-07-10", ""),
      ("D2", "F2", "B", "500.000", "", "2026-07-10", ""),
      ("D3", "F2", "B", "500.000", "", "2026-09-10", ""),
      ("D4", "F3", "B", "500.000", "", "2026-08-10", "")]
mk("edge_runs", toml(sid="RN", deductions=TWO_LR), dl,
   loans=[("L1", "F1", "BANK1", "DECL365", "20000.00", "2026-03-01", "2026-09-30"),
          ("L2", "F2", "BANK1", "FLAT365", "20000.00", "2026-03-01", "2026-09-30"),
          ("L3", "F2", "BANK2", "DECL30", "20000.00", "2026-03-01", "2026-09-30"),
          ("L4", "F3", "BANK2", "DECL30", "1000.00", "2026-03-01", "2026-09-30")],
   steps=["run:2026-07-01", "run:2026-07-10", "run:2026-07-10", "run:2026-07-31", "report:2026-07-31",
          "run:2026-08-10", "run:2026-08-31", "run:2026-09-10", "report:2026-09-10", "report:2026-10-10",
          "run:2026-08-01", "run:2026-12-31"])

# 9. half-even exact ties: value, levy, coalition fee, commission, interest
TIE_PRICE = 'method = "fixed"\nbase_per_kg = "0.125"\nmoisture_target_pct = "13.5"\n'
TIE_DED = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.01"
[[deduction]]
kind = "coalition_fee"
rate = "0.03"
shares = { SUP1 = "0.5", TRN1 = "0.5" }
[[deduction]]
kind = "agent_commission"
per_kg = "0.005"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "1"
"""
dl = [(f"D{i}", f"F{i}", "B", f"{w}", "", "2026-07-01", "AG1") for i, w in enumerate(
      ["1.000", "3.000", "5.000", "7.000", "12.000", "20.000", "100.000", "300.000", "1000.000", "1100.000", "1.004", "13000.000"])]
mk("edge_halfeven", toml(sid="HE", price=TIE_PRICE, deductions=TIE_DED), dl,
   loans=[("L1", "F1", "BANK1", "DECL30", "1000.00", "2025-07-01", "2026-06-30"),
          ("L2", "F8", "BANK1", "DECL30", "100.00", "2026-01-01", "2026-06-30"),
          ("L3", "F9", "BANK1", "FLAT30", "1001.00", "2026-06-01", "2026-06-30")],
   steps=["run:2026-07-01", "report:2026-07-01", "report:2026-07-31"])

# 10. late import: a delivery dated before the previous run, imported after it; a new loan
d10 = mk("edge_late", toml(sid="LT"), [("D1", "F1", "B", "500.000", "", "2026-07-10", ""),
                                        ("D2", "F2", "B", "500.000", "", "2026-07-20", "")],
         loans=[("L1", "F1", "BANK1", "DECL365", "10000.00", "2026-03-01", "2026-09-30")])
d10b = d10 + "_more"
shutil.rmtree(d10b, ignore_errors=True)
shutil.copytree(d10, d10b)
with open(os.path.join(d10b, "deliveries.csv"), "a") as f:
    f.write("D3,F1,OT1,A,400.000,,2026-07-05,AG1\nD4,F2,OT1,A,100.000,,2026-08-05,\n")
with open(os.path.join(d10b, "loans.csv"), "a") as f:
    f.write("L2,F2,BANK2,FLAT30,3000.00,2026-04-01,2026-10-31\n")
CASES[-1] = ("edge_late", ["run:2026-07-31", "report:2026-07-31", "import:" + d10b, "report:2026-07-15",
                           "report:2026-07-31", "run:2026-07-20", "run:2026-07-31",
                           "report:2026-07-31", "run:2026-08-31", "report:2026-08-31"])

# 10b. late deliveries and market prices under floor_market: a new price dated on or before
# the last run is refused (the whole folder), one dated after it is accepted
d = mk("edge_fm_late", toml(sid="FL", price=FM), [("D1", "F1", "A", "100.000", "", "2026-07-01", ""),
                                                  ("D2", "F2", "A", "100.000", "", "2026-07-09", "")],
       market=[("2026-07-01", "40.00")])
refused = d + "_refused"
shutil.rmtree(refused, ignore_errors=True)
shutil.copytree(d, refused)
with open(os.path.join(refused, "market_prices.csv"), "a") as f:
    f.write("2026-07-10,45.00\n")  # the day of the last run: refused
with open(os.path.join(refused, "deliveries.csv"), "a") as f:
    f.write("D3,F1,OT1,A,100.000,,2026-07-08,\n")
d2 = d + "_more"
shutil.rmtree(d2, ignore_errors=True)
shutil.copytree(d, d2)
with open(os.path.join(d2, "market_prices.csv"), "a") as f:
    f.write("2026-07-11,50.00\n2026-07-20,60.00\n")
with open(os.path.join(d2, "deliveries.csv"), "a") as f:
    f.write("D3,F1,OT1,A,100.000,,2026-07-08,\nD4,F2,OT1,A,100.000,,2026-07-20,\nD5,F3,OT1,A,100.000,,2026-07-04,\n"
            "D6,F1,OT1,B,100.000,,2026-07-11,\n")
with open(os.path.join(d2, "farmers.csv"), "a") as f:
    f.write("F3,Farmer F3,G1,+254700000099,cash,\n")
with open(os.path.join(d2, "commitments.csv"), "a") as f:
    f.write("C0099,F3,OT1,1000.000,2020-01-01\n")
CASES[-1] = ("edge_fm_late", ["run:2026-07-10", "import:" + refused, "run:2026-07-31", "import:" + d2,
                              "run:2026-07-31"])

# 10c. no loan_repayment deduction (interest still charged); coalition fee before levy; no deductions
ODD = """
[[deduction]]
kind = "coalition_fee"
per_kg = "0.07"
shares = { SUP1 = "0.5", COAL = "0.5" }
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.01"
"""
dl = [("D1", "F1", "B", "100.001", "", "2026-07-01", "AG1"), ("D2", "F1", "B", "100.000", "", "2026-08-01", "AG1"),
      ("D3", "F2", "B", "0.007", "", "2026-07-01", "")]
lo = [("L1", "F1", "BANK1", "DECL365", "1000.00", "2026-03-01", "2026-07-15"),
      ("L2", "F1", "BANK1", "FLAT30", "1000.00", "2026-03-01", "2026-07-15")]
mk("edge_noloanded", toml(sid="NL", deductions=ODD), dl, loans=lo,
   steps=["run:2026-07-01", "report:2026-07-01", "run:2026-08-01", "report:2026-08-01"])
mk("edge_nodeductions", toml(sid="ND", deductions=""), dl, loans=lo,
   steps=["run:2026-07-01", "report:2026-07-01", "run:2026-08-01", "report:2026-08-01"])


# 11. agent with a coalition share, lowercase / mixed farmer ids, integer-looking decimals
AGSH = STD_DED.replace('shares = { SUP1 = "0.40", TRN1 = "0.35", COAL = "0.25" }', 'shares = { AG2 = "0.5", COAL = "0.3", AG1 = "0.2" }')
dl = [("d1", "f1", "A", "500", "13", "2026-07-01", "AG1"), ("d2", "F1", "B", "500.5", "15", "2026-07-01", "AG2"),
      ("d3", "F_", "C", "77.7", "", "2026-07-01", "AG2"), ("d4", "f-", "A", "1", "99", "2026-07-01", ""),
      ("d5", "F1", "A", "12.34", "14.0", "2026-07-02", "AG1")]
mk("edge_agent_share", toml(sid="AS", deductions=AGSH), dl,
   loans=[("l1", "f1", "BANK1", "DECL365", "100", "2026-03-01", "2026-09-30"),
          ("L1", "F1", "BANK2", "FLAT360", "100.5", "2026-03-01", "2026-09-30")],
   steps=["run:2026-07-01", "run:2026-07-02", "report:2026-07-02"])

# 12. big numbers just inside the import's upper limits (docs/settlement.md, "Upper limits"):
# price 9,999,999.99 a kg, grade multiplier 10, weights up to 10,000,000 kg, principals up to
# 10^13 minor units, with exact half-even ties at those sizes. Every amount of a farmer and of
# the run still fits a signed 64-bit count of minor units (the run's gross is about 2.5e17).
BIG_PRICE = 'method = "fixed"\nbase_per_kg = "9999999.99"\nmoisture_target_pct = "13.5"\n'
BIG_DED = """
[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.005"
[[deduction]]
kind = "coalition_fee"
rate = "0.015"
shares = { SUP1 = "0.40", TRN1 = "0.35", COAL = "0.25" }
[[deduction]]
kind = "agent_commission"
per_kg = "0.005"
[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.70"
[[deduction]]
kind = "levy"
to = "MKT"
rate = "0.000001"
"""
dl = [("D1", "F1", "A", "9999999.999", "", "2026-07-01", "AG1"),   # largest weight x price x grade 10
      ("D2", "F2", "B", "10000000.000", "", "2026-07-01", "AG1"),  # weight exactly at the limit
      ("D3", "F3", "B", "9999999.500", "", "2026-07-01", "AG1"),   # value ...4900000.005: tie
      ("D4", "F4", "A", "1234567.850", "", "2026-07-01", ""),      # grade-10 value tie
      ("D5", "F5", "C", "9999999.999", "13.501", "2026-07-01", "AG2"),  # shrink of a huge weight
      ("D6", "F6", "B", "9999900.000", "", "2026-07-01", "AG2"),   # gross = 100 mod 200: levy and fee ties
      ("D7", "F7", "B", "9999999.000", "", "2026-07-01", "AG1"),   # commission 4999999.5 minor: tie
      ("D8", "F1", "B", "0.001", "", "2026-07-01", "AG2"),
      ("D9", "F8", "C", "1.000", "", "2026-07-01", ""),            # a small gross against a huge loan
      ("D10", "F8", "C", "0.500", "", "2026-08-01", "AG1")]
mk("edge_big", toml(sid="BG", price=BIG_PRICE, deductions=BIG_DED, grades=("10", "1", "9.99999999")), dl,
   loans=[("L1", "F1", "BANK1", "DECL365", "100000000000.00", "2026-03-01", "2026-09-30"),  # 10^13 minor: the limit
          ("L2", "F3", "BANK2", "FLAT30", "99999999999.50", "2026-06-01", "2026-06-30"),    # a month's interest: tie
          ("L3", "F5", "BANK1", "FLAT365", "99999999999.00", "2026-01-01", "2026-06-30"),   # fee 0.5%: tie
          ("L4", "F6", "BANK2", "DECL360", "99999999999.99", "2026-07-01", "2026-12-31"),
          ("L5", "F8", "BANK1", "FLAT30", "99999999999.50", "2026-06-01", "2026-12-31"),    # stays open: ties, arrears
          ("L6", "F8", "BANK2", "DECL30", "99999999999.98", "2026-06-01", "2026-12-31")],
   steps=["run:2026-07-01", "report:2026-07-01", "report:2026-07-31", "run:2026-08-01", "report:2026-08-01",
          "report:2027-07-01"])
# the same in a zero-decimal currency: principal 10^13 UGX, value ties at whole shillings
UGX_BIG_PRICE = 'method = "fixed"\nbase_per_kg = "9999999.5"\nmoisture_target_pct = "14"\n'
mk("edge_big_ugx", toml(sid="BU", currency="UGX", price=UGX_BIG_PRICE, deductions=BIG_DED), [
    ("D1", "F1", "B", "1.000", "", "2026-07-01", "AG1"),           # 9999999.5: tie
    ("D2", "F2", "B", "3.000", "", "2026-07-01", "AG1"),           # 29999998.5: tie
    ("D3", "F3", "A", "10000000.000", "", "2026-07-01", "AG2"),
    ("D4", "F4", "C", "9999999.999", "99.999", "2026-07-01", "")],
   loans=[("L1", "F3", "BANK1", "DECL365", "10000000000000", "2026-03-01", "2026-09-30"),
          ("L2", "F1", "BANK2", "FLAT30", "9999999999999", "2026-03-01", "2026-06-30"),
          ("L3", "F4", "BANK1", "FLAT365", "9999999999900", "2026-03-01", "2026-12-31")],
   steps=["run:2026-07-01", "report:2026-07-01", "report:2026-12-31", "report:2027-07-01"])

for name, steps in CASES:
    print(name, " ".join(steps))
