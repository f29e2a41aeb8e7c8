#!/usr/bin/env bash
# Every broken season folder in fixtures/broken/ through `tripartite import --keys`: exit 2,
# stderr lists exactly the lines of its expected-errors.txt (then the one summary line), and
# the database is unchanged — both a fresh ledger and one already holding another season.
# Folders whose expected-errors.txt is empty must import cleanly.
# Usage: test_broken_imports.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checked=0
mkdir -p "$work/keys"
for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do
  "$bin" keygen --party "$party" --out "$work/keys/$party.pem" >/dev/null
done
snapshot() { sqlite3 "$1" .dump | sha256sum; }

# check_broken DIR LABEL: one broken folder, imported into a fresh ledger.
check_broken() {
  local dir=$1 label=$2
  local name expected db before status
  name=$(basename "$dir")
  expected="$dir/expected-errors.txt"
  [ -f "$expected" ] || return 0
  db="$work/$name$label.db"
  rm -f "$db"*
  "$bin" init --db "$db" >/dev/null
  before=$(snapshot "$db")
  "$bin" import --db "$db" --season-dir "$dir" --keys "$work/keys" >"$work/out" 2>"$work/err"
  status=$?
  checked=$((checked + 1))
  if [ ! -s "$expected" ]; then
    if [ "$status" -ne 0 ]; then echo "FAIL $name$label: a valid folder was refused (exit $status)"; cat "$work/err"; failures=$((failures + 1)); fi
    return 0
  fi
  grep -v '^tripartite: ' "$work/err" >"$work/lines"
  if [ "$status" -ne 2 ]; then
    echo "FAIL $name$label: exit $status, expected 2"; failures=$((failures + 1))
  elif ! cmp -s "$expected" "$work/lines"; then
    echo "FAIL $name$label: diagnostics differ"; diff -u "$expected" "$work/lines" | head -20; failures=$((failures + 1))
  elif ! grep -q '^tripartite: .*nothing was imported' "$work/err"; then
    echo "FAIL $name$label: no summary line saying nothing was imported"; failures=$((failures + 1))
  elif [ "$(snapshot "$db")" != "$before" ]; then
    echo "FAIL $name$label: the database changed"; failures=$((failures + 1))
  else
    echo "ok   $name$label"
  fi
}

for dir in "$src"/fixtures/broken/*/; do check_broken "$dir" ""; done

# When coalition.toml cannot be read, the summary says which checks of the CSV files wait
# for it (SPEC §2 lists every error; these cannot be made without the terms).
"$bin" init --db "$work/toml-note.db" >/dev/null
"$bin" import --db "$work/toml-note.db" --season-dir "$src/fixtures/broken/toml-float-price" --keys "$work/keys" >"$work/out" 2>"$work/err"
if tail -n 1 "$work/err" | grep -q "^tripartite: 1 problem(s) in .*toml-float-price/\{0,1\}; nothing was imported. coalition.toml has errors, so the CSV files were checked row by row only: the checks that need the terms (parties and their roles, loan products, grades, the currency's decimals, farmers and commitments referred to) run once it is corrected$"; then
  echo "ok   an unreadable coalition.toml: the summary names the checks that wait for it"
else
  echo "FAIL an unreadable coalition.toml: summary: $(tail -n 1 "$work/err")"; failures=$((failures + 1))
fi

# The repeated-id fixtures again, with the duplicate-id sets moved to disk from the first id
# (TRIPARTITE_ID_SET_BYTES=0, docs/architecture.md): the same lines, the database unchanged.
export TRIPARTITE_ID_SET_BYTES=0
for dir in "$src"/fixtures/broken/duplicate-*/; do check_broken "$dir" ", ids on disk"; done
unset TRIPARTITE_ID_SET_BYTES

# A ledger that already holds the reference season is unchanged by a failed import too.
db="$work/reference.db"
"$bin" init --db "$db" >/dev/null
"$bin" import --db "$db" --season-dir "$src/fixtures/reference" --keys "$work/keys" >/dev/null
before=$(snapshot "$db")
"$bin" import --db "$db" --season-dir "$src/fixtures/broken/delivery-before-commitment" --keys "$work/keys" >/dev/null 2>&1
status=$?
if [ "$status" -eq 2 ] && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   a failed import leaves a populated ledger unchanged"
else
  echo "FAIL failed import on a populated ledger: exit $status or database changed"; failures=$((failures + 1))
fi
# changed_refused DESCRIPTION FOLDER LINE_PATTERN: importing FOLDER into the reference
# ledger exits 2 with a diagnostic matching LINE_PATTERN (a whole line) and changes nothing.
changed_refused() {
  "$bin" import --db "$db" --season-dir "$2" --keys "$work/keys" >/dev/null 2>"$work/err"
  local status=$?
  if [ "$status" -eq 2 ] && grep -q "^$3\$" "$work/err" && [ "$(snapshot "$db")" = "$before" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: exit $status"; cat "$work/err"; failures=$((failures + 1))
  fi
}
# A changed record is refused, not overwritten, naming what changed.
changed="$work/changed"
cp -r "$src/fixtures/reference" "$changed"
sed -i 's/^D1,F001,OT1,A,500.000/D1,F001,OT1,A,501.000/' "$changed/deliveries.csv"
changed_refused "a changed delivery is refused with its line, naming what changed" "$changed" \
  "deliveries.csv:2: delivery_id: delivery D1 is already in the ledger with different content (record [0-9]*): weight_kg '501.000' here, '500.000' in the ledger; a correction is an explicit reversal"
# A changed party of the terms is refused at the line of the key that changed, naming it.
party="$work/changed-party"
cp -r "$src/fixtures/reference" "$party"
sed -i '/^id = "AG2"$/{n;n;s/^name = .*/name = "Another name"/}' "$party/coalition.toml"
name_line=$(grep -n '^name = "Another name"$' "$party/coalition.toml" | cut -d: -f1)
changed_refused "a changed party is refused at the changed key's line, naming it" "$party" \
  "coalition.toml:$name_line: party.AG2: party AG2 is already in the ledger with different content (record [0-9]*): name 'Another name' here, 'Agent Otieno' in the ledger; a correction is an explicit reversal"

# Changed terms are refused key by key, at the key's line, whoever imports them.
terms="$work/terms"
cp -r "$src/fixtures/reference" "$terms"
sed -i 's/^base_per_kg = "38.50"/base_per_kg = "38.51"/; s/^C = "0.90"/C = "0.95"/' "$terms/coalition.toml"
"$bin" import --db "$db" --season-dir "$terms" --keys "$work/keys" >/dev/null 2>"$work/err"
status=$?
printf '%s\n' \
  "coalition.toml:49: price.base_per_kg: '38.51' here, '38.5' in the terms of season 2026A in the ledger; a season's terms cannot change once imported" \
  "coalition.toml:54: price.grade.C: '0.95' here, '0.9' in the terms of season 2026A in the ledger; a season's terms cannot change once imported" \
  >"$work/expected"
grep -v '^tripartite: ' "$work/err" >"$work/lines"
if [ "$status" -eq 2 ] && cmp -s "$work/expected" "$work/lines" && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   changed terms are refused at each changed key's line"
else
  echo "FAIL changed terms: exit $status"; diff -u "$work/expected" "$work/lines"; failures=$((failures + 1))
fi
"$bin" import --db "$db" --season-dir "$terms" --key "$work/keys/OT1.pem" >/dev/null 2>"$work/err"
status=$?
grep -v '^tripartite: ' "$work/err" >"$work/lines"
if [ "$status" -eq 2 ] && cmp -s "$work/expected" "$work/lines" && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   … also when the off-taker imports with changed terms"
else
  echo "FAIL changed terms, off-taker's import: exit $status"; diff -u "$work/expected" "$work/lines"; failures=$((failures + 1))
fi

# The same terms with the parties listed in another order are the same terms: nothing new
# for the coordinator, and the off-taker's import of a new delivery goes through.
reordered="$work/reordered"
cp -r "$src/fixtures/reference" "$reordered"
python3 - "$reordered/coalition.toml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
blocks = text.split("[[party]]\n")
head, parties, tail = blocks[0], blocks[1:-1], blocks[-1]
last, rest = tail.split("\n\n", 1)
parties.append(last + "\n")
open(path, "w").write(head + "".join("[[party]]\n" + p for p in reversed(parties)) + "\n" + rest)
PY
grep -q 'id = "CESS"' "$reordered/coalition.toml" && [ "$(grep -m1 -A1 '^\[\[party\]\]' "$reordered/coalition.toml" | tail -1)" = 'id = "CESS"' ] ||
  { echo "FAIL the reordered coalition.toml was not made"; failures=$((failures + 1)); }
"$bin" import --db "$db" --season-dir "$reordered" --keys "$work/keys" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 0 ] && grep -q "nothing new" "$work/out" && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   the same terms with the parties in another order: nothing new"
else
  echo "FAIL reordered parties: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi
echo "DNEW,F001,OT1,A,100.000,13.0,2026-07-30,AG1" >>"$reordered/deliveries.csv"
"$bin" import --db "$db" --season-dir "$reordered" --key "$work/keys/OT1.pem" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 0 ] && grep -q "deliveries.csv: 1 new" "$work/out"; then
  echo "ok   … and the off-taker imports a new delivery with them"
else
  echo "FAIL reordered parties, off-taker's import: exit $status"; cat "$work/err" "$work/out"; failures=$((failures + 1))
fi
before=$(snapshot "$db")

# The reading thread's diagnostics (bad rows) and the writing thread's (records that differ
# from the ledger's) come out as one list in line order, the "more not shown" line last.
mixed="$work/mixed"
cp -r "$src/fixtures/reference" "$mixed"
sed -i -e 's/^D1,F001,OT1,A,500.000/D1,F001,OT1,A,501.000/' -e 's/^D2,F001,OT1,B,300.000/D2,F001,OT1,B,heavy/' \
       -e 's/^D3,F002,OT1,C,250.000/D3,F002,OT1,C,251.000/' -e 's/^D4,F003,OT1,A,1200.500/D4,F003,OT1,A,-1/' "$mixed/deliveries.csv"
"$bin" import --db "$db" --season-dir "$mixed" --keys "$work/keys" >/dev/null 2>"$work/err"
status=$?
grep -o '^deliveries.csv:[0-9]*: [a-z_]*' "$work/err" >"$work/order"
printf '%s\n' "deliveries.csv:2: delivery_id" "deliveries.csv:3: weight_kg" "deliveries.csv:4: delivery_id" \
  "deliveries.csv:5: weight_kg" >"$work/order.expected"
if [ "$status" -eq 2 ] && cmp -s "$work/order" "$work/order.expected" && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   bad rows and changed records are listed together in line order"
else
  echo "FAIL mixed diagnostics: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi
for i in $(seq 1 105); do echo "X$i,F001,OT1,A,heavy,13.0,2026-07-10,AG1"; done >>"$mixed/deliveries.csv"
"$bin" import --db "$db" --season-dir "$mixed" --keys "$work/keys" >/dev/null 2>"$work/err"
status=$?
lines=$(grep -c '^deliveries.csv:' "$work/err")
if [ "$status" -eq 2 ] && [ "$lines" -eq 103 ] && grep -q '^deliveries.csv:4: delivery_id: delivery D3 is already' "$work/err" \
   && grep '^deliveries.csv' "$work/err" | tail -1 | grep -q '^deliveries.csv: 7 more errors not shown (at most 100 per file)$' \
   && grep -q '^tripartite: 109 problem(s) in .* (7 of them not shown); nothing was imported$' "$work/err"; then
  echo "ok   past 100 errors: the changed records still listed, the count of the rest last"
else
  echo "FAIL many diagnostics: exit $status, $lines lines"; tail -5 "$work/err"; failures=$((failures + 1))
fi

# --keys means every author signs: a lender with no key there is an error, not loans left out
# (the next run would pay those farmers with nothing deducted).
mkdir -p "$work/keys-no-bank" && cp "$work/keys"/*.pem "$work/keys-no-bank/" && rm "$work/keys-no-bank/BANK1.pem"
cp -r "$src/fixtures/reference" "$work/new-loan" && rm -rf "$work/new-loan/expected"
echo "LNEW,F001,BANK1,INPUT-2026A,1000.00,2026-04-01,2026-12-31" >>"$work/new-loan/loans.csv"
"$bin" import --db "$db" --season-dir "$work/new-loan" --keys "$work/keys-no-bank" >/dev/null 2>"$work/err"
status=$?
if [ "$status" -eq 2 ] && [ "$(snapshot "$db")" = "$before" ] && [ "$(grep -v '^tripartite: ' "$work/err")" = \
   "loans.csv: no key for BANK1 (BANK1.pem) in the --keys folder, and BANK1 signs its 4 loan(s); give every author's key, or import each author's part with --key" ]; then
  echo "ok   --keys without a lender's key: refused, nothing stored"
else
  echo "FAIL --keys without a lender's key: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi
"$bin" import --db "$db" --season-dir "$work/new-loan" --key "$work/keys/OT1.pem" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 0 ] && grep -q "^not imported with this key: loans.csv: 4 loan(s) of BANK1 (signed by BANK1)$" "$work/out"; then
  echo "ok   --key of another author: the lender's loans listed as not imported"
else
  echo "FAIL --key of another author: exit $status"; cat "$work/out" "$work/err"; failures=$((failures + 1))
fi
# A registered key that signs no part of the folder (an input supplier's) is the wrong key:
# exit 1 with the reason, nothing stored, and not "nothing new" with exit 0.
before=$(snapshot "$db")
"$bin" import --db "$db" --season-dir "$work/new-loan" --key "$work/keys/SUP1.pem" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 1 ] && [ "$(snapshot "$db")" = "$before" ] && [ "$(grep -c '^not imported with this key: ' "$work/out")" -eq 5 ] \
   && [ "$(cat "$work/err")" = "tripartite: --key: SUP1 signs no part of $work/new-loan (the parts and their authors are listed above); nothing was imported" ]; then
  echo "ok   --key of a party that signs no part: exit 1, nothing stored"
else
  echo "FAIL --key of a party that signs no part: exit $status"; cat "$work/out" "$work/err"; failures=$((failures + 1))
fi
before=$(snapshot "$db")

# Loans in a season whose waterfall has no loan_repayment deduction are stored (the SPEC does
# not forbid it), with a warning to the lender that settlement will deduct nothing for them.
# imported_with_warning NAME DESCRIPTION WARNING: imports $work/NAME (a folder already made)
# into a new ledger $work/NAME.db; passes when it succeeds with exactly that warning on stderr.
imported_with_warning() {
  local name=$1 what=$2 warning=$3 status
  "$bin" init --db "$work/$name.db" >/dev/null
  "$bin" import --db "$work/$name.db" --season-dir "$work/$name" --keys "$work/keys" >"$work/out" 2>"$work/err"
  status=$?
  if [ "$status" -eq 0 ] && [ "$(cat "$work/err")" = "warning: $warning" ]; then
    echo "ok   $what: stored, with a warning"
  else
    echo "FAIL $what: exit $status"; cat "$work/err"; failures=$((failures + 1))
  fi
}
norepay="$work/norepay"
cp -r "$src/fixtures/reference" "$norepay" && rm -rf "$norepay/expected"
head -n -4 "$src/fixtures/reference/coalition.toml" >"$norepay/coalition.toml"
imported_with_warning norepay "loans without a loan_repayment deduction" \
  "loans.csv: season 2026A has no loan_repayment deduction in coalition.toml: settlement deducts nothing for the loans of BANK1 imported here (they are repaid outside Tripartite, if at all)"
# A loan_repayment deduction that may take at most 0 takes nothing either.
cp -r "$src/fixtures/reference" "$work/zeroshare" && rm -rf "$work/zeroshare/expected"
sed -i 's/^max_share_of_gross = .*/max_share_of_gross = "0"/' "$work/zeroshare/coalition.toml"
imported_with_warning zeroshare "loans in a season whose loan_repayment takes at most 0" \
  "loans.csv: season 2026A's loan_repayment deduction has max_share_of_gross 0 in coalition.toml: settlement deducts nothing for the loans of BANK1 imported here (they are repaid outside Tripartite, if at all)"
"$bin" import --db "$work/norepay.db" --season-dir "$norepay" --keys "$work/keys" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 0 ] && [ ! -s "$work/err" ]; then
  echo "ok   the same folder again: nothing new, no warning"
else
  echo "FAIL the same folder again: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi

# market_prices.csv is "needed by floor_market, ignored otherwise" (SPEC §2): in the fixed-price
# reference season a broken one is not read, not stored, and said so.
ignored="$work/fixed-with-prices"
cp -r "$src/fixtures/reference" "$ignored" && rm -rf "$ignored/expected"
printf 'date,price_per_kg\n2026-07-01,0\nnot a date,abc\n' >"$ignored/market_prices.csv"
"$bin" init --db "$work/ignored.db" >/dev/null
"$bin" import --db "$work/ignored.db" --season-dir "$ignored" --keys "$work/keys" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 0 ] && [ ! -s "$work/err" ] \
   && grep -qx "market_prices.csv: not read: season 2026A is priced fixed (market prices are used by floor_market only)" "$work/out" \
   && [ "$(sqlite3 "$work/ignored.db" "SELECT count(*) FROM records WHERE kind = 'market_price'")" = 0 ]; then
  echo "ok   a fixed-price season: market_prices.csv not read, nothing of it stored"
else
  echo "FAIL a fixed-price season with market_prices.csv: exit $status"; cat "$work/out" "$work/err"; failures=$((failures + 1))
fi

# A floor_market season whose market_prices.csv holds a header and no row, with no price in
# the ledger yet, is refused as if the file were missing; once a price is stored, it is not.
sed -i 's/^method = "fixed"$/method = "floor_market"/; s/^base_per_kg = "38.50"$/floor_per_kg = "30.00"\nmarket_discount = "0.05"/' \
  "$ignored/coalition.toml"
printf 'date,price_per_kg\n' >"$ignored/market_prices.csv"
"$bin" init --db "$work/noprices.db" >/dev/null
before_fm=$(snapshot "$work/noprices.db")
"$bin" import --db "$work/noprices.db" --season-dir "$ignored" --keys "$work/keys" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" -eq 2 ] && [ "$(snapshot "$work/noprices.db")" = "$before_fm" ] \
   && [ "$(grep -v '^tripartite: ' "$work/err")" = "market_prices.csv: no prices: price method floor_market needs market prices" ]; then
  echo "ok   floor_market with a header-only market_prices.csv: refused, nothing stored"
else
  echo "FAIL floor_market with a header-only market_prices.csv: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi
printf 'date,price_per_kg\n2026-07-01,41.00\n' >"$ignored/market_prices.csv"
"$bin" import --db "$work/noprices.db" --season-dir "$ignored" --keys "$work/keys" >"$work/out" 2>"$work/err"
status=$?
printf 'date,price_per_kg\n' >"$ignored/market_prices.csv"
"$bin" import --db "$work/noprices.db" --season-dir "$ignored" --keys "$work/keys" >"$work/out" 2>"$work/err"
again=$?
if [ "$status" -eq 0 ] && [ "$again" -eq 0 ]; then
  echo "ok   floor_market: a header-only file is accepted once a price is in the ledger"
else
  echo "FAIL floor_market header-only after a price: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi

# A file that is a folder gets one line saying so; a season folder that is not there, one line.
folder="$work/folder-for-a-file"
cp -r "$src/fixtures/reference" "$folder"
rm -rf "$folder/expected" "$folder/loans.csv" && mkdir "$folder/loans.csv"
"$bin" import --db "$db" --season-dir "$folder" --keys "$work/keys" >/dev/null 2>"$work/err"
status=$?
if [ "$status" -eq 2 ] && [ "$(grep -v '^tripartite: ' "$work/err")" = "loans.csv: cannot open file (it is a folder)" ] \
   && [ "$(snapshot "$db")" = "$before" ]; then
  echo "ok   a CSV path that is a folder: one line, nothing stored"
else
  echo "FAIL a CSV path that is a folder: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi
"$bin" import --db "$db" --season-dir "$work/no-such-season" --keys "$work/keys" >/dev/null 2>"$work/err"
status=$?
if [ "$status" -eq 2 ] && [ "$(cat "$work/err")" = "tripartite: --season-dir: $work/no-such-season: no such folder" ]; then
  echo "ok   a season folder that is not there: one line"
else
  echo "FAIL missing season folder: exit $status"; cat "$work/err"; failures=$((failures + 1))
fi

if [ "$checked" -lt 20 ]; then echo "FAIL only $checked broken folders found"; failures=$((failures + 1)); fi
if [ "$failures" -ne 0 ]; then echo "$failures of $checked broken-input checks failed"; exit 1; fi
echo "all $checked broken folders behave"
