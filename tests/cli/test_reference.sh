#!/usr/bin/env bash
# The reference season through the command line: every file in fixtures/reference/expected
# reproduced byte for byte (both runs, both loan reports), by a ledger built with --keys and
# by one built party by party with --key; idempotent re-import and re-settle; refusals.
# Usage: test_reference.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"

mkdir -p "$work/keys"
for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do
  "$bin" keygen --party "$party" --out "$work/keys/$party.pem" >/dev/null || fail "keygen $party"
done
[ "$(stat -c %a "$work/keys/OT1.pem")" = 600 ] && pass "private key is mode 0600" || fail "private key mode"
expect_status 2 "keygen refuses to overwrite a key" "$bin" keygen --party OT1 --out "$work/keys/OT1.pem"

db="$work/ledger.db"
expect_status 0 "init" "$bin" init --db "$db"
expect_status 2 "init refuses an existing ledger" "$bin" init --db "$db"
expect_status 0 "import the reference season with --keys" "$bin" import --db "$db" --season-dir "$season" --keys "$work/keys"
head1=$(tree_head "$db")
expect_status 0 "import again" "$bin" import --db "$db" --season-dir "$season" --keys "$work/keys"
grep -q "nothing new" "$work/out" && pass "second import says nothing new" || fail "second import output"
[ "$(tree_head "$db")" = "$head1" ] && pass "second import leaves the tree head unchanged" || fail "tree head changed on re-import"

expect_status 2 "a lender's key cannot settle" "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/BANK1.pem"
expect_status 0 "dry run" "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --dry-run
grep -q "^DRY RUN (nothing posted; recorded now, it would be run 2026A-R1) — " "$work/out" && pass "dry run says so, and that it uses no run number" || fail "dry run output: $(head -1 "$work/out")"
[ "$(tree_head "$db")" = "$head1" ] && pass "dry run posts nothing" || fail "dry run changed the ledger"

expect_status 0 "settle run 1" "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/run1"
for f in settlement payouts remittances; do same "$season/expected/run1-$f.csv" "$work/run1/$f.csv" "run 1 $f.csv"; done
"$bin" report loans --db "$db" --as-of 2026-08-31 --format csv >"$work/loans1.csv"
same "$season/expected/loans-2026-08-31.csv" "$work/loans1.csv" "loan report as of 2026-08-31"
expect_status 2 "an as_of before the last run is refused" "$bin" settle --db "$db" --season 2026A --as-of 2026-08-30 --key "$work/keys/OT1.pem"
expect_status 0 "settle run 2" "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem" --out "$work/run2"
for f in settlement payouts remittances; do same "$season/expected/run2-$f.csv" "$work/run2/$f.csv" "run 2 $f.csv"; done
"$bin" report loans --db "$db" --as-of 2026-10-31 --format csv >"$work/loans2.csv"
same "$season/expected/loans-2026-10-31.csv" "$work/loans2.csv" "loan report as of 2026-10-31"
"$bin" report loans --db "$db" --as-of 2026-08-31 --format csv >"$work/loans1b.csv"
same "$season/expected/loans-2026-08-31.csv" "$work/loans1b.csv" "loan report is point-in-time after run 2"
head2=$(tree_head "$db")
expect_status 0 "settling the same date again" "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem"
grep -q "nothing to settle" "$work/out" && pass "second settle says nothing to settle" || fail "second settle output"
[ "$(tree_head "$db")" = "$head2" ] && pass "second settle pays nothing twice" || fail "second settle changed the ledger"
expect_status 0 "verify with replay" "$bin" verify --db "$db" --replay
expect_status 0 "re-derive run 1's files from the ledger" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/again1"
for f in settlement payouts remittances; do same "$season/expected/run1-$f.csv" "$work/again1/$f.csv" "re-derived run 1 $f.csv"; done
grep -q "note:" "$work/err" && fail "a note about replaced files in an empty folder" || pass "no note when no run's files are replaced"
# Writing a run's files over another run's says which run's files were replaced.
cp -r "$work/run2" "$work/shared-out"
expect_status 0 "re-derive run 1's files over run 2's" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/shared-out"
same_text "note: $work/shared-out held the files of run 2026A-R2; they were replaced by run 2026A-R1's. To write them again elsewhere: tripartite settle --db $db --rewrite-files 2026A-R2 --out OTHER_FOLDER
" "$work/err" "replacing another run's files names that run and how to write them again"
expect_status 0 "re-derive run 1's files over themselves" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/shared-out"
[ -s "$work/err" ] && fail "a note when a run's own files are rewritten: $(cat "$work/err")" || pass "no note when a run's own files are rewritten"
expect_status 0 "--rewrite-files with the run's own --season and --as-of" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/again1" --season 2026A --as-of 2026-08-31
expect_status 2 "--rewrite-files with another --as-of than the run's" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/again1" --season 2026A --as-of 2026-10-31
same_text "tripartite: --as-of: run 2026A-R1 is as of 2026-08-31, not 2026-10-31
" "$work/err" "… naming the run's date"
expect_status 2 "--rewrite-files with another --season than the run's" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/again1" --season 2026B
expect_status 2 "--rewrite-files of a run not in the ledger" "$bin" settle --db "$db" --rewrite-files 2026A-R9 --out "$work/again9"
[ -e "$work/again9" ] && fail "a folder was made for a run not in the ledger" || pass "no folder for a run not in the ledger"
for f in settlement payouts remittances; do same "$season/expected/run1-$f.csv" "$work/again1/$f.csv" "run 1 $f.csv still there after the refusals"; done
expect_status 1 "--rewrite-files takes no --dry-run" "$bin" settle --db "$db" --rewrite-files 2026A-R1 --out "$work/again1" --dry-run
expect_status 1 "settle without --season is a usage error" "$bin" settle --db "$db" --as-of 2026-10-31 --key "$work/keys/OT1.pem"
expect_status 1 "a misspelt command is a usage error" "$bin" setle --db "$db"
grep -q "^tripartite: 'setle' is not a command; the commands are: init, keygen, keys, import, settle, " "$work/err" &&
  pass "… naming it and listing the commands" || fail "misspelt command: $(cat "$work/err")"
expect_status 1 "report without its command is a usage error" "$bin" report --db "$db"
same_text "tripartite report: a command is needed: loans, balances
Run tripartite report --help for what each does.
" "$work/err" "… listing report's commands"
expect_status 1 "a misspelt option is a usage error" "$bin" settle --db "$db" --seasn 2026A --as_of 2026-10-31 --key "$work/keys/OT1.pem"
same_text "tripartite settle: unknown option --seasn (did you mean --season?), --as_of (did you mean --as-of?)
Run tripartite settle --help for its options.
" "$work/err" "… naming the command and the options meant"
expect_status 1 "an option given twice is a usage error" "$bin" verify --db "$db" --db "$db"
same_text "tripartite verify: --db: given more than once; give it once
Run tripartite verify --help for its options.
" "$work/err" "… saying so in words"
expect_status 1 "a value without its option is a usage error" "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem" extra
same_text "tripartite settle: not expected: 'extra' (a value given without its option, or an option given no value)
Run tripartite settle --help for its options.
" "$work/err" "… naming the value"
expect_status 0 "--version still works" "$bin" --version
"$bin" init --db "$work/empty.db" >/dev/null
expect_status 2 "settle on a ledger without the season" "$bin" settle --db "$work/empty.db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem"
same_text "tripartite: season 2026A is not in the ledger (import its coalition.toml first)
" "$work/err" "… names the season, before the key it cannot check yet"
expect_status 2 "an impossible date is refused" "$bin" settle --db "$db" --season 2026A --as-of 2026-02-30 --key "$work/keys/OT1.pem"
same_text "tripartite: --as-of: '2026-02-30' is not a day of the calendar (2026-02 has 28 days)
" "$work/err" "… saying how many days the month has"
expect_status 2 "a public key given as --key is refused" "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem.pub"
same_text "tripartite: $work/keys/OT1.pem.pub: this is a public key; --key takes the private key file (keygen's FILE, not FILE.pub)
" "$work/err" "… saying which file --key takes"
expect_status 2 "init on a folder is refused" "$bin" init --db "$work"
grep -q "^tripartite: $work: is a folder; give the path of a new ledger file" "$work/err" && pass "… saying it is a folder" || fail "init folder: $(cat "$work/err")"
# A year typed wrong (9026 for 2026) would charge seven thousand years of interest and lock
# the season behind a run no later run may precede: refused, ledger untouched.
head_before=$(tree_head "$db")
expect_status 2 "an as-of year outside 1900-2199 is refused" "$bin" settle --db "$db" --season 2026A --as-of 9026-10-31 --key "$work/keys/OT1.pem"
same_text "tripartite: --as-of: '9026-10-31' is outside the years 1900 to 2199 (a typing error?)
" "$work/err" "… saying it looks like a typing error"
[ "$(tree_head "$db")" = "$head_before" ] && pass "… and the ledger is unchanged" || fail "the refused run changed the ledger"
# An empty value (a script's variable left unset) is not the option left out: a run would
# be recorded with no files written. Refused as a usage error, nothing recorded.
expect_status 1 "settle --out '' is refused" "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem" --out ""
grep -q "^tripartite settle: --out: an empty value (was a variable left unset?)" "$work/err" && pass "… naming the option" || fail "empty --out message: $(cat "$work/err")"
[ "$(tree_head "$db")" = "$head_before" ] && pass "… and no run is recorded" || fail "settle --out '' changed the ledger"
expect_status 1 "init --db '' is refused" "$bin" init --db ""
expect_status 2 "report loans refuses the same year" "$bin" report loans --db "$db" --as-of 0026-10-31
expect_status 2 "report balances refuses the same year" "$bin" report balances --db "$db" --as-of 2200-01-01
# A run dated after tomorrow (by this machine's clock) is made, with a warning first.
future=$(date -u -d '+3 days' +%F)
expect_status 0 "a dry run dated in the future" "$bin" settle --db "$db" --season 2026A --as-of "$future" --key "$work/keys/OT1.pem" --dry-run
grep -q "^warning: --as-of $future is in the future by this machine's clock: the run charges loan interest up to that date" "$work/err" \
  && pass "… warns that it is in the future" || fail "no warning for a future --as-of: $(cat "$work/err")"
"$bin" report loans --db "$db" --as-of 2026-10-31 --lender BANK1 --format json >"$work/loans.json"
grep -q '"loan_id":"L004"' "$work/loans.json" && grep -q '"status":"arrears"' "$work/loans.json" \
  && pass "json loan report" || fail "json loan report"
# Amounts are exact decimal strings; the days past due are a number (31 days after 2026-09-30).
grep -q '"days_past_due":31,"due_on":"2026-09-30","farmer_id":"F004","fees_charged":"100.00"' "$work/loans.json" \
  && pass "… days past due a number, amounts strings" || fail "json loan report fields: $(cat "$work/loans.json")"
expect_status 2 "a loan report for an unknown lender is refused, not empty" \
  "$bin" report loans --db "$db" --as-of 2026-10-31 --lender BANK9
grep -q "^tripartite: --lender: BANK9 is not a party of the ledger" "$work/err" && pass "… naming it" || fail "$(cat "$work/err")"
expect_status 2 "a loan report for a farmer as --lender is refused" "$bin" report loans --db "$db" --as-of 2026-10-31 --lender F001
grep -q "^tripartite: --lender: F001 is a farmer, not a lender" "$work/err" && pass "… saying it is a farmer" || fail "$(cat "$work/err")"
expect_status 0 "--format is read in any case (CSV)" "$bin" report loans --db "$db" --as-of 2026-10-31 --format CSV
head -1 "$work/out" | grep -q "^loan_id,farmer_id,lender_id," && pass "… and gives the csv report" || fail "--format CSV: $(head -2 "$work/out")"
expect_status 2 "a loan report for a party that is not a lender is refused" \
  "$bin" report loans --db "$db" --as-of 2026-10-31 --lender OT1

# Party by party, each with its own key only.
db2="$work/ledger2.db"
"$bin" init --db "$db2" >/dev/null
expect_status 2 "the off-taker cannot import first into an empty ledger" "$bin" import --db "$db2" --season-dir "$season" --key "$work/keys/OT1.pem"
expect_status 0 "coordinator imports its parts" "$bin" import --db "$db2" --season-dir "$season" --key "$work/keys/COAL.pem"
expect_status 2 "an unregistered off-taker key is refused" "$bin" import --db "$db2" --season-dir "$season" --key "$work/keys/OT1.pem"
# keygen's .pub names its party: another party's .pub (a mistake that would tie OT1 to a key
# it does not hold, for good) is refused, and so is a private key given as --pub.
head_before=$(tree_head "$db2")
expect_status 2 "keys add refuses another party's .pub" "$bin" keys add --db "$db2" --key "$work/keys/COAL.pem" --party OT1 --pub "$work/keys/BANK1.pem.pub"
same_text "tripartite: --pub: $work/keys/BANK1.pem.pub was made for party BANK1 (its Tripartite-Party: line), not OT1; give OT1's own FILE.pub
" "$work/err" "… naming the party it was made for"
expect_status 2 "keys add refuses a private key as --pub" "$bin" keys add --db "$db2" --key "$work/keys/COAL.pem" --party OT1 --pub "$work/keys/OT1.pem"
grep -q "(this is a private key: give the public one, FILE.pub from keygen)$" "$work/err" && pass "… saying it is the private key" || fail "private key as --pub: $(cat "$work/err")"
[ "$(tree_head "$db2")" = "$head_before" ] && pass "… and register nothing" || fail "a refused keys add changed the ledger"
for party in OT1 BANK1; do
  expect_status 0 "coordinator registers $party" "$bin" keys add --db "$db2" --key "$work/keys/COAL.pem" --party "$party" --pub "$work/keys/$party.pem.pub"
done
grep -q "genesis" "$work/out" && fail "keys add on a ledger with a genesis announced a new one" || pass "keys add on a ledger with a genesis announces none"
# keys add on an empty ledger makes the signer its coordinator, and says so.
"$bin" init --db "$work/ledger3.db" >/dev/null
expect_status 0 "keys add on an empty ledger" "$bin" keys add --db "$work/ledger3.db" --key "$work/keys/COAL.pem" --party OT1 --pub "$work/keys/OT1.pem.pub"
grep -q "the ledger was empty: its genesis record names COAL as the coordinator" "$work/out" \
  && pass "keys add on an empty ledger says who became its coordinator" || fail "no genesis notice: $(cat "$work/out")"
"$bin" keygen --party F001 --out "$work/F001.pem" >/dev/null
expect_status 2 "no key is registered for a farmer" "$bin" keys add --db "$db2" --key "$work/keys/COAL.pem" --party F001 --pub "$work/F001.pem.pub"
expect_status 0 "off-taker imports commitments and deliveries" "$bin" import --db "$db2" --season-dir "$season" --key "$work/keys/OT1.pem"
# Before the bank's loan book is in the ledger, a run would deduct nothing for BANK1: the
# dry run says so (and a real run would too, before recording anything).
expect_status 0 "a dry run before the bank imported its loans" "$bin" settle --db "$db2" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --dry-run
same_text "warning: season 2026A deducts loan repayments, but lender BANK1 has no loan of this season in the ledger: this run deducts nothing for BANK1 (if its loans.csv is yet to be imported, import it before settling)
" "$work/err" "… warns that lender BANK1 has no loan in the ledger"
expect_status 0 "bank imports its loans" "$bin" import --db "$db2" --season-dir "$season" --key "$work/keys/BANK1.pem"
expect_status 0 "settle run 1 (party by party ledger)" "$bin" settle --db "$db2" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/p1"
[ ! -s "$work/err" ] && pass "… with no warning once the loans are in" || fail "a warning with the loans in: $(cat "$work/err")"
for f in settlement payouts remittances; do same "$season/expected/run1-$f.csv" "$work/p1/$f.csv" "party-by-party run 1 $f.csv"; done
grep -q "note:" "$work/err" && fail "a note about replaced files in a new folder" || pass "no note for a new folder"
expect_status 0 "settle run 2 into run 1's folder" "$bin" settle --db "$db2" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem" --out "$work/p1"
for f in settlement payouts remittances; do same "$season/expected/run2-$f.csv" "$work/p1/$f.csv" "party-by-party run 2 $f.csv"; done
grep -q "^note: $work/p1 held the files of run 2026A-R1; they were replaced by run 2026A-R2's" "$work/err" &&
  pass "settling into a folder with another run's files says which run's were replaced" || fail "no note: $(cat "$work/err")"
expect_status 0 "verify the party-by-party ledger" "$bin" verify --db "$db2" --replay
# A run recorded without --out says that no files were written and how to write them.
reference_ledger "$work/no-out.db"
expect_status 0 "settle without --out" "$bin" settle --db "$work/no-out.db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem"
grep -q "^run 2026A-R1 is recorded; no files were written (no --out): \`tripartite settle --db $work/no-out.db --rewrite-files 2026A-R1 --out DIR\` writes its settlement.csv, payouts.csv and remittances.csv$" "$work/out" \
  && pass "… says no files were written and how to write them" || fail "no note on the files: $(cat "$work/out")"
grep -q "^settlement run 2026A-R1 — 3 farmers, 4 deliveries, " "$work/out" && pass "… with its counts" || fail "summary: $(head -1 "$work/out")"

# A settlement the rules refuse (floor_market with no market price on or before the first
# delivery): exit 2 naming the delivery, nothing posted, no files written.
fm="$work/floor-market"
cp -r "$season" "$fm"
rm -rf "$fm/expected"
sed -i 's/^method = "fixed"$/method = "floor_market"\nfloor_per_kg = "30.00"\nmarket_discount = "0.05"/; /^base_per_kg = /d' "$fm/coalition.toml"
printf 'date,price_per_kg\n2026-07-15,40.00\n' >"$fm/market_prices.csv"
db3="$work/floor.db"
"$bin" init --db "$db3" >/dev/null
expect_status 0 "import a floor_market season whose market prices start after its first delivery" \
  "$bin" import --db "$db3" --season-dir "$fm" --keys "$work/keys"
head3=$(tree_head "$db3")
expect_status 2 "settling it is refused" "$bin" settle --db "$db3" --season 2026A --as-of 2026-08-31 \
  --key "$work/keys/OT1.pem" --out "$work/floor-out"
grep -q "D1.*no market price dated on or before 2026-07-10" "$work/err" && pass "the refusal names delivery D1 and its date" \
  || { fail "the refusal does not name D1"; cat "$work/err"; }
[ "$(tree_head "$db3")" = "$head3" ] && pass "nothing of the refused run is in the ledger" || fail "the refused run changed the ledger"
[ ! -e "$work/floor-out/payouts.csv" ] && pass "no payouts file for the refused run" || fail "a payouts file was written"

# Legal but suspicious rows are imported with a warning at their line: a year typed wrong
# into the future (a delivery would wait unpaid for a run of that date; a loan would sit out
# every run before it), and two farmers paid into one account.
mkdir -p "$work/odd"
cp "$season"/coalition.toml "$season"/*.csv "$work/odd/"
sed -i 's/,2026-07-25,AG1$/,2190-07-25,AG1/' "$work/odd/deliveries.csv"
sed -i 's/^L001,\(.*\),2026-03-01,2026-09-30/L001,\1,2189-03-01,2189-09-30/' "$work/odd/loans.csv"
account2=$(awk -F, 'NR == 3 {print $6}' "$work/odd/farmers.csv")
awk -F, -v OFS=, -v a="$account2" 'NR == 2 {$6 = a} {print}' "$work/odd/farmers.csv" >"$work/odd/f.csv" && mv "$work/odd/f.csv" "$work/odd/farmers.csv"
"$bin" init --db "$work/odd.db" >/dev/null
expect_status 0 "a season with a future-dated delivery and loan, and a shared account, is imported" \
  "$bin" import --db "$work/odd.db" --season-dir "$work/odd" --keys "$work/keys"
same_text "warning: farmers.csv:3: payout_account: '$account2' is also the account of the farmer at line 2: both are paid into it (a row copied?)
warning: loans.csv:2: disbursed_on: 2189-03-01 is in the future by this machine's clock; a year typed wrong? a loan takes part only in runs dated on or after its disbursement, and is charged interest from it
warning: deliveries.csv:5: delivered_on: 2190-07-25 is in the future by this machine's clock; a year typed wrong? a run settles a delivery only when dated on or after it, so it waits unpaid until then
" "$work/err" "… with a warning at each suspicious row"
expect_status 0 "the same folder again" "$bin" import --db "$work/odd.db" --season-dir "$work/odd" --keys "$work/keys"
[ ! -s "$work/err" ] && pass "… adds nothing and warns of nothing" || fail "re-import warned: $(cat "$work/err")"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all reference checks passed"
