#!/usr/bin/env bash
# Values at the edge of what a 64-bit count of minor units holds (docs/settlement.md,
# "Upper limits"): every value of the season is inside its limit, yet a run's totals would
# pass 2^63 minor units. The run is refused (exit 2) and nothing is posted or written.
# Usage: test_limits.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"

reference_keys
big="$work/big"
cp -r "$season" "$big"
rm -rf "$big/expected"
# The largest price the limits allow; ten farmers with 100 deliveries of 10,000,000 kg each.
# A delivery is worth 10,000,000 x 10,000,000 x 1.05 KES = 1.05e16 cents, a farmer 1.05e18
# (inside 2^63 = 9.2e18), the run 1.05e19 (outside).
sed -i 's/^base_per_kg = "38.50"/base_per_kg = "10000000"/' "$big/coalition.toml"
for f in $(seq 10 19); do
  echo "F$f,Farmer $f,G9,+2547000000$f,cash," >>"$big/farmers.csv"
  echo "C$f,F$f,OT1,1.000,2026-02-15" >>"$big/commitments.csv"
  for d in $(seq 1 100); do echo "X$f-$d,F$f,OT1,A,10000000.000,,2026-07-10,"; done >>"$big/deliveries.csv"
done
db="$work/big.db"
"$bin" init --db "$db" >/dev/null
expect_status 0 "a season at the limits imports" "$bin" import --db "$db" --season-dir "$big" --keys "$work/keys"
before=$(tree_head "$db")
expect_status 2 "a run whose totals pass 2^63 cents is refused" \
  "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/run"
grep -q "the run's totals pass 2^63 minor units at farmer F1[0-9]" "$work/err" && pass "… saying why" \
  || fail "message: $(cat "$work/err")"
[ "$(tree_head "$db")" = "$before" ] && pass "nothing was posted" || fail "the ledger changed"
[ ! -e "$work/run/settlement.csv" ] && pass "no run files were written" || fail "run files written"
expect_status 0 "the loan report still reads the ledger" "$bin" report loans --db "$db" --as-of 2026-08-31
expect_status 0 "balances too" "$bin" report balances --db "$db"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
