#!/usr/bin/env bash
# Two seasons sharing farmers and parties in ONE ledger: the reference season 2026A and a
# small season 2026B (same farmers, its own commitments, loans and deliveries). The oracle
# settles each season on its own; the binary holds both in one database, so its runs and loan
# reports must keep them apart.
# Usage: multi_season.sh TRIPARTITE SOURCE_DIR KEYDIR WORKDIR
set -uo pipefail
bin=$1 src=$2 w=$4/multi_season
mkdir -p "$3" && keys=$(cd "$3" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
rm -rf "$w"; mkdir -p "$w/keys" "$w/bin" "$w/oA" "$w/oB"
# season A: the reference season; season B: the same terms as 2026B
cp -r "$src/fixtures/reference" "$w/A"; rm -rf "$w/A/expected" "$w/A/README.md"
mkdir "$w/B"
sed 's/2026A/2026B/' "$src/fixtures/reference/coalition.toml" >"$w/B/coalition.toml"
cp "$src/fixtures/reference/farmers.csv" "$w/B/"
cat >"$w/B/commitments.csv" <<'CSV'
commitment_id,farmer_id,offtaker_id,quantity_kg,signed_on
C101,F001,OT1,1000.000,2026-08-15
C102,F002,OT1,900.000,2026-08-15
C103,F003,OT1,1500.000,2026-08-16
C104,F004,OT1,400.000,2026-08-16
CSV
cat >"$w/B/deliveries.csv" <<'CSV'
delivery_id,farmer_id,offtaker_id,grade,weight_kg,moisture_pct,delivered_on,agent_id
D101,F002,OT1,A,100.000,13.0,2026-09-10,AG1
D102,F001,OT1,B,50.000,,2026-09-12,
CSV
cat >"$w/B/loans.csv" <<'CSV'
loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on
L101,F002,BANK1,INPUT-2026B,3000.00,2026-08-20,2026-12-31
L104,F004,BANK1,INPUT-2026B,1000.00,2026-08-20,2026-12-31
CSV
for p in COAL OT1 BANK1; do
  [ -e "$keys/$p.pem" ] || "$bin" keygen --party "$p" --out "$keys/$p.pem" >/dev/null || { echo "keygen $p failed"; exit 2; }
  ln -s "$keys/$p.pem" "$keys/$p.pem.pub" "$w/keys/"
done
db=$w/ledger.db
"$bin" init --db "$db" >/dev/null || { echo "init failed"; exit 2; }
"$bin" import --db "$db" --season-dir "$w/A" --keys "$w/keys" >/dev/null || { echo "import of 2026A failed"; exit 2; }
"$bin" import --db "$db" --season-dir "$w/B" --keys "$w/keys" >/dev/null || { echo "import of 2026B failed"; exit 2; }
settle() { "$bin" settle --db "$db" --season "$1" --as-of "$2" --key "$w/keys/OT1.pem" --out "$3" >/dev/null || echo "settle $1 $2 failed"; }
settle 2026A 2026-08-31 "$w/bin/A1"
settle 2026B 2026-09-30 "$w/bin/B1"
"$bin" report loans --db "$db" --as-of 2026-09-30 --format csv >"$w/bin/loans-09-30.csv"
settle 2026A 2026-10-31 "$w/bin/A2"
"$bin" report loans --db "$db" --as-of 2026-10-31 --format csv >"$w/bin/loans-10-31.csv"
"$py" "$here/settle_oracle.py" --season-dir "$w/A" --out "$w/oA" run:2026-08-31 report:2026-09-30 run:2026-10-31 report:2026-10-31 || exit 2
"$py" "$here/settle_oracle.py" --season-dir "$w/B" --out "$w/oB" run:2026-09-30 report:2026-09-30 report:2026-10-31 || exit 2
merge() { head -1 "$1"; tail -q -n +2 "$1" "$2" | LC_ALL=C sort; }
fails=0
chk() {
  if cmp -s "$1" "$2"; then return; fi
  echo "DIFF multi_season $3 (binary, oracle):"; diff "$1" "$2" | sed 's/^/    /'; fails=$((fails + 1))
}
for f in settlement payouts remittances; do
  chk "$w/bin/A1/$f.csv" "$w/oA/step1/$f.csv" "2026A run 1 $f.csv"
  chk "$w/bin/B1/$f.csv" "$w/oB/step1/$f.csv" "2026B run 1 $f.csv"
  chk "$w/bin/A2/$f.csv" "$w/oA/step3/$f.csv" "2026A run 2 $f.csv"
done
chk "$w/bin/loans-09-30.csv" <(merge "$w/oA/step2/loans.csv" "$w/oB/step2/loans.csv") "loans as of 2026-09-30"
chk "$w/bin/loans-10-31.csv" <(merge "$w/oA/step4/loans.csv" "$w/oB/step3/loans.csv") "loans as of 2026-10-31"
echo "two seasons in one ledger: $fails difference(s)"
[ "$fails" -eq 0 ]
