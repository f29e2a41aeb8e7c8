#!/usr/bin/env bash
# The journal export read by an independent accounting tool: the reference season (two
# runs, three loans) is exported with `tripartite export journal`, and Debian's hledger
# (installed by scripts/deps.sh) must give, account by account, exactly the balances of
# `tripartite report balances --format csv` — for the whole ledger and as of the first
# run's date — and must find every transaction balanced (`hledger check`); then the same
# on a generated season (300 farmers, two lenders, two runs).
# Usage: test_hledger.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"

if ! command -v hledger >/dev/null 2>&1; then
  echo "FAIL hledger is not installed (make deps installs Debian's hledger)"
  exit 1
fi
echo "using $(hledger --version | head -1)"

reference_keys
db="$work/ledger.db"
reference_ledger "$db" 2026-08-31 2026-10-31

# An --out that is a folder (or empty) is refused before anything is written; nothing is
# left behind.
mkdir -p "$work/a-folder"
expect_status 2 "export journal onto a folder" "$bin" export journal --db "$db" --out "$work/a-folder"
grep -q "a-folder: exists and is not a file" "$work/err" && pass "says the folder is not a file" || fail "$(cat "$work/err")"
[ ! -e "$work/a-folder.partial" ] && pass "no .partial left" || fail "export journal left a-folder.partial"
expect_status 1 "export journal --out ''" "$bin" export journal --db "$db" --out ""
[ ! -e .partial ] && pass "no .partial in the working folder" || fail "export journal --out '' left ./.partial"
if "$bin" export journal --db "$db" --out "$work/ledger.journal" >"$work/out" 2>"$work/err"; then
  pass "export journal: $(cat "$work/out")"
else
  fail "export journal: $(cat "$work/err")"
fi
hledger -f "$work/ledger.journal" check >"$work/check" 2>&1 && pass "hledger check: the journal parses and every transaction balances" \
  || fail "hledger check: $(cat "$work/check")"
[ "$(grep -c '^2026-' "$work/ledger.journal")" -eq 7 ] && pass "seven transactions (three disbursements, four settlements)" \
  || fail "transactions: $(grep -c '^2026-' "$work/ledger.journal")"

# Both sides as "account<TAB>amount<TAB>commodity", a zero as "0" with no commodity
# (hledger prints a zero balance as a bare 0), sorted; then compared line by line.
normalise_ours() {
  python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
for row in rows:
    amount = row["balance"]
    zero = amount.strip("-").replace(".", "").strip("0") == ""
    print("\t".join([row["account"], "0" if zero else amount, "" if zero else row["asset"]]))
' | LC_ALL=C sort
}
normalise_hledger() {
  python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
assert rows[0] == ["account", "balance"], rows[0]
for account, balance in rows[1:]:
    for part in balance.split(", "):
        if part == "0":
            print(account + "\t0\t")
        else:
            amount, commodity = part.split(" ", 1)
            print("\t".join([account, amount, commodity.strip("\"")]))
' | LC_ALL=C sort
}
compare() {  # compare DESCRIPTION REPORT_ARGS... -- HLEDGER_ARGS...
  local what=$1; shift
  local ours=() theirs=()
  while [ "$1" != "--" ]; do ours+=("$1"); shift; done
  shift
  theirs=("$@")
  "$bin" report balances --db "$db" --format csv "${ours[@]}" | normalise_ours >"$work/ours.tsv"
  hledger -f "$journal" balance -E --flat --no-total -O csv "${theirs[@]}" | normalise_hledger >"$work/theirs.tsv"
  local accounts
  accounts=$(wc -l <"$work/ours.tsv")
  if [ "$accounts" -gt 0 ] && diff -u "$work/ours.tsv" "$work/theirs.tsv" >"$work/diff"; then
    pass "$what: hledger gives the same balance for each of the $accounts accounts"
  else
    fail "$what: hledger and report balances differ"
    head -30 "$work/diff"
  fi
}
journal="$work/ledger.journal"
compare "whole ledger" --
compare "as of 2026-08-31 (run 1)" --as-of 2026-08-31 -- -e 2026-09-01
compare "as of 2026-03-05 (two disbursements)" --as-of 2026-03-05 -- -e 2026-03-06
# Spot checks that the comparison is not vacuous.
hledger -f "$work/ledger.journal" balance -E --flat --no-total -O csv payable:BANK1 | grep -q '"payable:BANK1","-30172.13 KES"' \
  && pass "hledger: BANK1 is owed 30172.13 KES (the two runs' remittances)" || fail "payable:BANK1 in hledger"
hledger -f "$work/ledger.journal" balance -E --flat --no-total -O csv offtaker:OT1:stock | grep -q '"offtaker:OT1:stock","2843.275 kg:maize"' \
  && pass "hledger: the off-taker holds 2843.275 payable kg" || fail "kg balance in hledger"
total=$(hledger -f "$work/ledger.journal" balance -E --flat -O csv | tail -1)
[ "$total" = '"total","0"' ] && pass "hledger: every commodity sums to zero" || fail "hledger total: $total"

# A generated season.
gen="$work/gen"
mkdir -p "$work/gkeys"
for party in COAL OT1 BANK1 BANK2; do "$bin" keygen --party "$party" --out "$work/gkeys/$party.pem" >/dev/null; done
"$bin" generate --farmers 300 --deliveries-per-farmer 3 --seed 7 --out "$gen" >/dev/null || fail "generate"
season_id=$(sed -n 's/^id = "\(.*\)"/\1/p' "$gen/coalition.toml" | head -1)
db="$work/gen.db"
"$bin" init --db "$db" >/dev/null
"$bin" import --db "$db" --season-dir "$gen" --keys "$work/gkeys" >/dev/null || fail "import generated"
"$bin" settle --db "$db" --season "$season_id" --as-of 2026-08-15 --key "$work/gkeys/OT1.pem" >/dev/null || fail "settle generated 1"
"$bin" settle --db "$db" --season "$season_id" --as-of 2026-12-31 --key "$work/gkeys/OT1.pem" >/dev/null || fail "settle generated 2"
journal="$work/gen.journal"
"$bin" export journal --db "$db" --out "$journal" >/dev/null || fail "export the generated journal"
hledger -f "$journal" check >"$work/check" 2>&1 && pass "hledger check: the generated journal" || fail "hledger check: $(cat "$work/check")"
compare "generated season" --
compare "generated season as of 2026-08-15" --as-of 2026-08-15 -- -e 2026-08-16

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all hledger checks passed"
