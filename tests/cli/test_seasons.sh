#!/usr/bin/env bash
# A ledger with more than one season: what a later season's import may and may not do.
# Every refusal exits 2, lists its FILE:LINE: field: message, and leaves the database as it
# was (same dump); every accepted import leaves a ledger that `verify` accepts.
# Usage: test_seasons.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"
snapshot() { sqlite3 "$1" .dump | sha256sum; }
# refused NAME DB FOLDER KEYS EXPECTED_LINE...: the import exits 2, prints exactly these
# diagnostic lines and changes nothing.
refused() {
  local name=$1 db=$2 folder=$3 keys=$4; shift 4
  local before
  before=$(snapshot "$db")
  "$bin" import --db "$db" --season-dir "$folder" --keys "$keys" >"$work/out" 2>"$work/err"
  local status=$?
  grep -v '^tripartite: ' "$work/err" >"$work/lines"
  printf '%s\n' "$@" >"$work/expected"
  if [ "$status" -ne 2 ]; then
    fail "$name: exit $status, expected 2"; cat "$work/err"
  elif ! cmp -s "$work/expected" "$work/lines"; then
    fail "$name: diagnostics differ"; diff -u "$work/expected" "$work/lines" | head -20
  elif [ "$(snapshot "$db")" != "$before" ]; then
    fail "$name: the database changed"
  else
    pass "$name"
  fi
}
# second_season DIR ID: the reference season as season ID, its farmers the same (already in
# the ledger), its commitments, loans and deliveries new rows with ids prefixed by ID.
second_season() {
  local dir=$1 id=$2
  cp -r "$season" "$dir"
  rm -rf "$dir/expected"
  sed -i "s/^id = \"2026A\"/id = \"$id\"/" "$dir/coalition.toml"
  for file in commitments loans deliveries; do
    sed -i "2,\$s/^/$id-/" "$dir/$file.csv"
  done
}

reference_keys
db="$work/ledger.db"
reference_ledger "$db" 2026-08-31

# 1. A new coordinator may not vouch for itself: the terms naming it must be signed by a
#    coordinator already in the ledger, with a registered key.
second_season "$work/s-coal2" 2026B
sed -i 's/^id = "COAL"$/id = "COAL2"/; s/COAL = "0.25"/COAL2 = "0.25"/' "$work/s-coal2/coalition.toml"
mkdir -p "$work/keys-coal2"
cp "$work/keys"/*.pem "$work/keys-coal2/"
rm "$work/keys-coal2/COAL.pem"
"$bin" keygen --party COAL2 --out "$work/keys-coal2/COAL2.pem" >/dev/null
refused "a season whose coordinator is new to the ledger, signed by that coordinator" "$db" "$work/s-coal2" "$work/keys-coal2" \
  "coalition.toml: party.COAL2: COAL2 is not yet a coordinator of this ledger (its coordinator is COAL): a coordinator already in the ledger, with a registered key, signs the terms that name a new one" \
  "coalition.toml: season.id: season 2026B is not in the ledger: the coordinator imports coalition.toml first" \
  "coalition.toml: no key for COAL (COAL.pem) in the --keys folder, and COAL signs this file; give every author's key, or import each author's part with --key" \
  "farmers.csv: no key for COAL (COAL.pem) in the --keys folder, and COAL signs this file; give every author's key, or import each author's part with --key"
# Signed by the ledger's coordinator instead, the same season imports and verifies.
cp "$work/keys/COAL.pem" "$work/keys-coal2/"
copy="$work/coal2.db"
cp "$db" "$copy"
expect_status 0 "the same season signed by the ledger's coordinator COAL" \
  "$bin" import --db "$copy" --season-dir "$work/s-coal2" --keys "$work/keys-coal2"
expect_status 0 "… and the ledger verifies" "$bin" verify --db "$copy"

# 2. CSV rows name the season's own parties: an off-taker, lender or agent of another
#    season of the ledger is refused.
second_season "$work/s-ot2" 2026C
sed -i 's/^id = "OT1"$/id = "OT2"/' "$work/s-ot2/coalition.toml"
sed -i '3s/,OT1,/,OT2,/' "$work/s-ot2/commitments.csv"
"$bin" keygen --party OT2 --out "$work/keys/OT2.pem" >/dev/null
refused "rows naming the off-taker of another season" "$db" "$work/s-ot2" "$work/keys" \
  "commitments.csv:2: offtaker_id: OT1 is not a party of this season (coalition.toml)" \
  "commitments.csv:4: offtaker_id: OT1 is not a party of this season (coalition.toml)" \
  "commitments.csv:5: offtaker_id: OT1 is not a party of this season (coalition.toml)" \
  "$(awk -F, 'NR > 1 {printf "deliveries.csv:%d: offtaker_id: OT1 is not a party of this season (coalition.toml)\n", NR}' "$work/s-ot2/deliveries.csv")"
second_season "$work/s-nobank" 2026D
# The season's terms without BANK1 and AG1 (the loans' lender, the deliveries' agents).
awk 'BEGIN { RS = ""; ORS = "\n\n" } !/id = "BANK1"/ && !/id = "AG1"/' "$work/s-nobank/coalition.toml" >"$work/toml"
mv "$work/toml" "$work/s-nobank/coalition.toml"
loans=$(awk -F, 'NR > 1 {printf "loans.csv:%d: lender_id: BANK1 is not a party of this season (coalition.toml)\n", NR}' "$work/s-nobank/loans.csv")
agents=$(awk -F, 'NR > 1 && $8 == "AG1" {printf "deliveries.csv:%d: agent_id: AG1 is not a party of this season (coalition.toml)\n", NR}' "$work/s-nobank/deliveries.csv")
refused "loans of a lender and deliveries through an agent of another season" "$db" "$work/s-nobank" "$work/keys" "$loans" "$agents"

# 3. A loan book imported late: a loan disbursed before a run that settled its farmer, but
#    recorded after it, accrues interest from disbursement — that run did not know the loan
#    and charged it nothing (docs/settlement.md, "Loans").
late_db="$work/late.db"
reference_ledger "$late_db" 2026-08-31
cp -r "$season" "$work/s-late"
echo "L005,F002,BANK1,INPUT-2026A,10000.00,2026-03-01,2026-09-30" >>"$work/s-late/loans.csv"
expect_status 0 "a loan of F002 disbursed 2026-03-01, imported after run 1 (as of 2026-08-31)" \
  "$bin" import --db "$late_db" --season-dir "$work/s-late" --keys "$work/keys"
# 10,000.00 x 0.18 x 183/365 (ACT/365F, 2026-03-01 to 2026-08-31) = 902.4657… -> 902.47
expect_status 0 "loan report as of 2026-08-31" "$bin" report loans --db "$late_db" --as-of 2026-08-31 --format csv
grep -q '^L005,F002,BANK1,10000.00,200.00,902.47,0.00,0.00,0.00,11102.47,open,2026-09-30,0$' "$work/out" \
  && pass "the late loan shows its interest since disbursement, not since run 1" || fail "late loan: $(grep L005 "$work/out")"
# Run 2 charges it from disbursement to 2026-10-31: 10,000.00 x 0.18 x 244/365 = 1,203.29.
expect_status 0 "run 2 as of 2026-10-31" "$bin" settle --db "$late_db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem"
expect_status 0 "loan report as of 2026-10-31" "$bin" report loans --db "$late_db" --as-of 2026-10-31 --format csv
[ "$(grep '^L005,' "$work/out" | cut -d, -f6)" = "1203.29" ] && pass "run 2 charged the late loan 244 days of interest" \
  || fail "late loan after run 2: $(grep L005 "$work/out")"
expect_status 0 "… and the ledger replays" "$bin" verify --db "$late_db" --replay

# 4. floor_market: a new market price dated on or before the season's last run is refused
#    (the run priced its deliveries with the prices recorded then); a later one is accepted.
fm="$work/s-fm"
cp -r "$season" "$fm"
rm -rf "$fm/expected"
sed -i 's/^method = "fixed"$/method = "floor_market"/; s/^base_per_kg = "38.50"$/floor_per_kg = "30.00"\nmarket_discount = "0.05"/' \
  "$fm/coalition.toml"
printf 'date,price_per_kg\n2026-06-01,40.00\n' >"$fm/market_prices.csv"
fm_db="$work/fm.db"
"$bin" init --db "$fm_db" >/dev/null
expect_status 0 "a floor_market season imports" "$bin" import --db "$fm_db" --season-dir "$fm" --keys "$work/keys"
expect_status 0 "… and settles as of 2026-08-31" "$bin" settle --db "$fm_db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem"
echo "2026-07-05,45.00" >>"$fm/market_prices.csv"
refused "a market price dated before the last run" "$fm_db" "$fm" "$work/keys" \
  "market_prices.csv:3: date: 2026-07-05 is on or before the season's last run 2026A-R1 (as of 2026-08-31): a new price for a settled date would change what the run paid"
sed -i '$d' "$fm/market_prices.csv"
echo "2026-09-15,45.00" >>"$fm/market_prices.csv"
expect_status 0 "a market price dated after the last run is accepted" "$bin" import --db "$fm_db" --season-dir "$fm" --keys "$work/keys"
grep -q '^market_prices.csv: 1 new, 1 already in the ledger' "$work/out" && pass "… as one new price" || fail "$(cat "$work/out")"
expect_status 0 "… and the ledger replays" "$bin" verify --db "$fm_db" --replay
# A market price's id is two members (season/date). Its export verifies; a second price
# for the same date (the later one's date changed in the export, not signed again) is named
# as the repeated id, before the wrong root of its batch's checkpoint.
expect_status 0 "the floor_market ledger exports" "$bin" export audit --db "$fm_db" --out "$work/fm-audit"
expect_status 0 "… and the export verifies" "$bin" verify --audit "$work/fm-audit"
first_price=$(grep -n '"date":"2026-06-01","kind":"market_price"' "$work/fm-audit/journal.jsonl" | cut -d: -f1)
later_price=$(grep -n '"date":"2026-09-15","kind":"market_price"' "$work/fm-audit/journal.jsonl" | cut -d: -f1)
[ -n "$first_price" ] && [ -n "$later_price" ] || fail "the export does not hold both market prices"
sed -i "${later_price}s/\"date\":\"2026-09-15\"/\"date\":\"2026-06-01\"/" "$work/fm-audit/journal.jsonl"
"$bin" verify --audit "$work/fm-audit" >"$work/out" 2>"$work/err"
status=$?
pattern="at record $later_price: a second market_price record with key '[^']*/2026-06-01' \\(record $first_price has it\\)"
if [ "$status" -eq 3 ] && grep -Eq "$pattern" "$work/err"; then
  pass "a market price repeated in the export is named (exit 3)"
else
  fail "a market price repeated in the export: exit $status, $(cat "$work/err")"
fi
python3 "$src/docs/verify_export.py" "$work/fm-audit" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 3 ] && grep -Eq "$pattern" "$work/err"; then
  pass "… and verify_export.py names it too"
else
  fail "verify_export.py on a repeated market price: exit $status, $(cat "$work/err")"
fi

# 6. A loan of a later season whose product is in the ledger (an earlier season's terms), not
#    in its own terms: its disbursement is computed from the product read back from the
#    ledger, exactly as the earlier season's loans of that product were.
sp_db="$work/earlier-product.db"
cp "$db" "$sp_db"
second_season "$work/s-product" 2026E
sed -i 's/^id = "INPUT-2026A"/id = "INPUT-2026E"/' "$work/s-product/coalition.toml"
grep -q ',INPUT-2026A,' "$work/s-product/loans.csv" || fail "the second season's loans do not name INPUT-2026A"
expect_status 0 "loans naming a product of the earlier season's terms import"   "$bin" import --db "$sp_db" --season-dir "$work/s-product" --keys "$work/keys"
sqlite3 "$db" "SELECT body FROM records WHERE kind = 'disbursement' ORDER BY key" >"$work/disb-a"
# The new season's entries with its id prefix and season taken out: the same bytes.
sqlite3 "$sp_db" "SELECT body FROM records WHERE kind = 'disbursement' AND key LIKE 'disburse-2026E-%' ORDER BY key" \
  | sed 's/2026E-//g; s/"season":"2026E"/"season":"2026A"/' >"$work/disb-e"
[ -s "$work/disb-e" ] && cmp -s "$work/disb-a" "$work/disb-e" \
  && pass "… each disbursed with the same postings as the earlier season's loan of that product" \
  || { fail "disbursements differ"; diff "$work/disb-a" "$work/disb-e" | head -10; }
expect_status 0 "… importing the folder again" "$bin" import --db "$sp_db" --season-dir "$work/s-product" --keys "$work/keys"
grep -q '^loans.csv: 0 new, 3 already in the ledger' "$work/out" && pass "… adds nothing" || fail "$(cat "$work/out")"
expect_status 0 "… and the ledger verifies" "$bin" verify --db "$sp_db"
# The season is settled with the product read from the ledger (a run used to stop with an
# internal error, the product not being in the season's terms): the same figures as the
# reference season's run 1, whose loans are the same (a farmer's loans are those of the
# season, docs/settlement.md), and the run replays.
expect_status 0 "… the season settles" "$bin" settle --db "$sp_db" --season 2026E --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/s-product-run"
sed 's/^2026E-R1,/2026A-R1,/' "$work/s-product-run/settlement.csv" >"$work/s-product-settlement.csv"
same "$season/expected/run1-settlement.csv" "$work/s-product-settlement.csv" "… with the reference run 1's figures, loan repayments included"
expect_status 0 "… and replays" "$bin" verify --db "$sp_db" --replay

# An id of an earlier season reused in a new one is named with the season that holds it.
second_season "$work/s-reused" 2026F
sed -i 's/^2026F-D1,/D1,/' "$work/s-reused/deliveries.csv"
grep -q '^D1,' "$work/s-reused/deliveries.csv" || fail "the reused delivery id was not made"
refused "a delivery id of an earlier season" "$db" "$work/s-reused" "$work/keys" \
  "deliveries.csv:2: delivery_id: delivery D1 is already in the ledger, in season 2026A (record $(sqlite3 "$db" "SELECT seq FROM records WHERE kind = 'delivery' AND key = 'D1'")); ids are unique across the ledger's seasons"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
