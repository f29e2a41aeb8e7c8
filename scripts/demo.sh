#!/usr/bin/env bash
# The reference season end to end: keys for every party, a fresh ledger, the season folder
# imported (each part signed by its author), two settlement runs, the loan reports, the
# audit export, and verification of the ledger and of the export.
set -euo pipefail
bin=${1:-build/cli/tripartite}
here=$(cd "$(dirname "$0")/.." && pwd)
season="$here/fixtures/reference"
out="$here/demo-out"
rm -rf "$out"
mkdir -p "$out/keys"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "keys: one Ed25519 key pair per party"
for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do
  "$bin" keygen --party "$party" --out "$out/keys/$party.pem" >/dev/null
done
ls "$out/keys"

step "init a ledger"
"$bin" init --db "$out/ledger.db"

step "import the reference season (coordinator, off-taker and bank each sign their part)"
"$bin" import --db "$out/ledger.db" --season-dir "$season" --keys "$out/keys"

step "import again: nothing changes"
"$bin" import --db "$out/ledger.db" --season-dir "$season" --keys "$out/keys"

step "settle as of 2026-08-31 (run 2026A-R1)"
"$bin" settle --db "$out/ledger.db" --season 2026A --as-of 2026-08-31 --key "$out/keys/OT1.pem" --out "$out/run1"
for f in settlement payouts remittances; do echo "-- $f.csv"; cat "$out/run1/$f.csv"; done

step "loan report as of 2026-08-31"
"$bin" report loans --db "$out/ledger.db" --as-of 2026-08-31

step "settle as of 2026-10-31 (run 2026A-R2)"
"$bin" settle --db "$out/ledger.db" --season 2026A --as-of 2026-10-31 --key "$out/keys/OT1.pem" --out "$out/run2"
for f in settlement payouts remittances; do echo "-- $f.csv"; cat "$out/run2/$f.csv"; done

step "settle the same date again: nothing to settle, nothing paid twice"
"$bin" settle --db "$out/ledger.db" --season 2026A --as-of 2026-10-31 --key "$out/keys/OT1.pem"

step "loan report as of 2026-10-31 (L004 in arrears)"
"$bin" report loans --db "$out/ledger.db" --as-of 2026-10-31

step "compare with the hand-computed expected results"
diff -u "$season/expected/run1-settlement.csv" "$out/run1/settlement.csv"
diff -u "$season/expected/run1-payouts.csv" "$out/run1/payouts.csv"
diff -u "$season/expected/run1-remittances.csv" "$out/run1/remittances.csv"
diff -u "$season/expected/run2-settlement.csv" "$out/run2/settlement.csv"
diff -u "$season/expected/run2-payouts.csv" "$out/run2/payouts.csv"
diff -u "$season/expected/run2-remittances.csv" "$out/run2/remittances.csv"
diff -u "$season/expected/loans-2026-08-31.csv" <("$bin" report loans --db "$out/ledger.db" --as-of 2026-08-31 --format csv)
diff -u "$season/expected/loans-2026-10-31.csv" <("$bin" report loans --db "$out/ledger.db" --as-of 2026-10-31 --format csv)
echo "all eight outputs match expected/ to the last digit"

step "farmer F001's statement for run 2026A-R1, and the run's SMS messages"
"$bin" statement --db "$out/ledger.db" --farmer F001 --run 2026A-R1
"$bin" statement --db "$out/ledger.db" --all --run 2026A-R1 --format sms

step "verify the ledger, replaying every settlement run"
"$bin" verify --db "$out/ledger.db" --replay
step "export the audit trail and verify the export as an auditor would, replaying its settlement runs"
"$bin" export audit --db "$out/ledger.db" --out "$out/audit"
"$bin" verify --audit "$out/audit" --replay
printf '\nDemo finished. Everything is in %s\n' "$out"
