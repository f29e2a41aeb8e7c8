#!/usr/bin/env bash
# Bank reconciliation through the command line, on the reference season (BANK1 is owed
# 22668.38 KES for run 2026A-R1 and 7503.75 for 2026A-R2): a statement with one short and one
# missing transfer gives exactly those two differences and exit 5; a fully matching one
# (a run paid in two transfers) exits 0; --acknowledge records the lender's signed
# acknowledgements, `verify` still passes, and acknowledging again writes nothing; a
# malformed statement exits 2 with FILE:LINE: field: message lines and writes nothing.
# Usage: test_bank.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"
statement() {  # statement FILE LINE... (header added)
  local file=$1; shift
  { echo "date,amount,currency,reference"; printf '%s\n' "$@"; } >"$file"
}

reference_keys
db="$work/ledger.db"
reference_ledger "$db" 2026-08-31
"$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem" >/dev/null || fail "settle run 2"
head0=$(tree_head "$db")
records() { sqlite3 "$1" "select count(*) from records"; }
records0=$(records "$db")

# One short and one missing transfer: exactly those two differences.
statement "$work/short.csv" "2026-09-02,22000.00,KES,2026A-R1"
expect_status 5 "one short and one missing transfer" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/short.csv" --format csv
same_text "run_id,as_of,currency,expected,received,difference,status,acknowledged,statement_lines,loans_repaid,note
2026A-R1,2026-08-31,KES,22668.38,22000.00,-668.38,short,no,2,2,
2026A-R2,2026-10-31,KES,7503.75,0.00,-7503.75,missing,no,,1,
" "$work/out" "exactly the short run 1 and the missing run 2"
grep -q "reconciliation found 2 differences" "$work/err" && pass "stderr counts two differences" || fail "stderr: $(cat "$work/err")"
expect_status 5 "the same as a table" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/short.csv"
grep -Eq '^2026A-R1 +2026-08-31 +KES +22668\.38 +22000\.00 +-668\.38 +short +no$' "$work/out" && pass "table row of run 1" || fail "table row of run 1"
grep -Eq '^2026A-R2 +2026-10-31 +KES +7503\.75 +0\.00 +-7503\.75 +missing +no$' "$work/out" && pass "table row of run 2" || fail "table row of run 2"
grep -Eq '^2026A-R1 +L001 +F001 +300\.00 +1353\.70 +15000\.00 +16653\.70$' "$work/out" && pass "table lists the loans run 1 repaid" || fail "loans of run 1"
grep -Eq '^2026A-R2 +L002 +F002 +0\.00 +219\.14 +7284\.61 +7503\.75$' "$work/out" && pass "table lists the loan run 2 repaid" || fail "loans of run 2"
grep -Eq '^KES +30172\.13 +22000\.00 +-8172\.13 +0\.00 +0 +1 +0 +1 +0$' "$work/out" && pass "totals line" || fail "totals line"

# Over, unexpected reference and a run paid in two transfers, in JSON.
statement "$work/mixed.csv" "2026-09-02,22668.39,KES,2026A-R1" "2026-11-01,7000.00,KES,2026A-R2" \
  "2026-11-02,503.75,KES,2026A-R2" "2026-11-03,10.00,KES,2026A-R3"
expect_status 5 "over and unexpected" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/mixed.csv" --format json
grep -q '"received":"22668.39","run":"2026A-R1","season":"2026A","status":"over"' "$work/out" && pass "run 1 over by 0.01" || fail "run 1 over"
grep -q '"received":"7503.75","run":"2026A-R2","season":"2026A","status":"matched"' "$work/out" && pass "two transfers summed for run 2" || fail "run 2 summed"
grep -q '"unexpected":\[{"amount":"10.00","currency":"KES","date":"2026-11-03","line":5,"reason":"no run of BANK1 has this reference","reference":"2026A-R3"}\]' "$work/out" \
  && pass "unexpected reference listed" || fail "unexpected reference"
expect_status 5 "the same in CSV" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/mixed.csv" --format csv
grep -qx '2026A-R3,,KES,0.00,10.00,10.00,unexpected,,5,0,no run of BANK1 has this reference' "$work/out" \
  && pass "an unexpected row says why in its note column" || fail "unexpected CSV row: $(grep unexpected "$work/out")"

# Fully matched: exit 0; acknowledgements.
statement "$work/run1.csv" "2026-09-02,22668.38,KES,2026A-R1" "2026-11-01,7000.00,KES,2026A-R2"
expect_status 2 "acknowledging with the off-taker's key is refused" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/run1.csv" --acknowledge --key "$work/keys/OT1.pem"
expect_status 1 "--acknowledge needs --key" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/run1.csv" --acknowledge
[ "$(tree_head "$db")" = "$head0" ] && pass "reports and refusals write nothing" || fail "the ledger changed"
expect_status 5 "run 1 matched, run 2 short: acknowledge run 1 only" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/run1.csv" --acknowledge --key "$work/keys/BANK1.pem"
grep -q "acknowledged 1 fully matched run in one batch signed by BANK1: 2026A-R1" "$work/out" && pass "one acknowledgement written" || fail "acknowledgement output: $(tail -2 "$work/out")"
grep -Eq '^2026A-R1 .* matched +new$' "$work/out" && pass "the table marks it new" || fail "table acknowledged column"
statement "$work/full.csv" "2026-09-02,22668.38,KES,2026A-R1" "2026-11-01,7000.00,KES,2026A-R2" "2026-11-03,503.75,KES,2026A-R2"
expect_status 0 "a fully matching statement" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/full.csv" --format csv --acknowledge --key "$work/keys/BANK1.pem"
same_text "run_id,as_of,currency,expected,received,difference,status,acknowledged,statement_lines,loans_repaid,note
2026A-R1,2026-08-31,KES,22668.38,22668.38,0.00,matched,yes,2,2,
2026A-R2,2026-10-31,KES,7503.75,7503.75,0.00,matched,new,3 4,1,
" "$work/out" "both runs matched, run 2 newly acknowledged"
grep -q "acknowledged 1 fully matched run in one batch signed by BANK1: 2026A-R2" "$work/err" && pass "message on stderr in csv mode" || fail "csv-mode message: $(cat "$work/err")"
acks=$(sqlite3 "$db" "select body from records where kind='acknowledgement' order by seq")
same_text '{"amount":"22668.38","currency":"KES","kind":"acknowledgement","lender":"BANK1","received_on":"2026-09-02","run":"2026A-R1"}
{"amount":"7503.75","currency":"KES","kind":"acknowledgement","lender":"BANK1","received_on":"2026-11-03","run":"2026A-R2"}' \
  <(printf '%s' "$acks") "acknowledgement records, dated the latest transfer"
authors=$(sqlite3 "$db" "select b.author from records r join batches b on b.id = r.batch where r.kind='acknowledgement'" | sort -u)
[ "$authors" = "BANK1" ] && pass "acknowledgements are in batches signed by BANK1" || fail "acknowledgement authors: $authors"
expect_status 0 "verify after the acknowledgements" "$bin" verify --db "$db" --replay
[ "$(records "$db")" -eq $((records0 + 2)) ] && pass "two records were added" || fail "records: $(records "$db"), before $records0"
head1=$(tree_head "$db")
expect_status 0 "acknowledging again" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/full.csv" --acknowledge --key "$work/keys/BANK1.pem"
grep -q "nothing new to acknowledge" "$work/out" && pass "says nothing new" || fail "second acknowledge output"
[ "$(tree_head "$db")" = "$head1" ] && pass "acknowledging again writes nothing" || fail "second acknowledge changed the ledger"
expect_status 0 "export the audit trail" "$bin" export audit --db "$db" --out "$work/audit"
expect_status 0 "verify the export with its acknowledgements" "$bin" verify --audit "$work/audit"
expect_status 0 "the independent Python verifier accepts the acknowledgements" /usr/bin/python3 "$src/docs/verify_export.py" "$work/audit"

# Refusals.
expect_status 2 "an unknown lender" "$bin" reconcile --db "$db" --lender NOBODY --statement "$work/full.csv"
expect_status 2 "a party that is not a lender" "$bin" reconcile --db "$db" --lender OT1 --statement "$work/full.csv"
grep -q -- "--lender: party OT1 has role offtaker, not lender" "$work/err" && pass "says the party's role" || fail "role: $(cat "$work/err")"
# An id option that is not an id is a usage error, its invisible characters shown; an
# empty one is not taken as "no filter".
expect_status 1 "an empty --lender" "$bin" reconcile --db "$db" --lender "" --statement "$work/full.csv"
expect_status 1 "an empty --lender for the loan report" "$bin" report loans --db "$db" --as-of 2026-10-31 --lender ""
expect_status 1 "an empty --party for balances" "$bin" report balances --db "$db" --party ""
expect_status 1 "a --lender ending in a no-break space" "$bin" reconcile --db "$db" --lender $'BANK1\xc2\xa0' --statement "$work/full.csv"
grep -q -- "--lender: 'BANK1<U+00A0>' is not an id" "$work/err" && pass "the no-break space is shown" || fail "shown: $(cat "$work/err")"
expect_status 1 "a --farmer holding a line break" "$bin" statement --db "$db" --farmer $'F001\n'
grep -q -- "--farmer: 'F001<0x0A>' is not an id" "$work/err" && pass "the line break is shown, on one line" || fail "shown: $(cat "$work/err")"
expect_status 2 "a missing statement file" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/none.csv"
# A year mistyped in a statement would be signed into the lender's acknowledgement for good.
printf 'date,amount,currency,reference\n9026-09-02,22668.38,KES,2026A-R1\n' >"$work/year.csv"
expect_status 2 "a statement date outside the years 1900-2199" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/year.csv" --acknowledge --key "$work/keys/BANK1.pem"
same_text "$work/year.csv:2: date: '9026-09-02' is outside the years 1900 to 2199 (a typing error?)
tripartite: $work/year.csv: the statement has 1 problem(s); nothing was reconciled
" "$work/err" "… is refused at its line, nothing acknowledged"
printf 'date,amount,currency,reference\n2026-09-31,100.00,KES,2026A-R1\n2026-09-02,22668.385,KES,2026A-R1\n2026-09-02,5,XXX,2026A-R1\n2026-09-02,-1.00,KES,2026A-R1\n"2026-09-02",1.00,KES,\n' >"$work/bad.csv"
expect_status 2 "a malformed statement" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/bad.csv"
grep -v "^$work/bad.csv:3: " "$work/err" >"$work/err-but-3"
same_text "$work/bad.csv:2: date: '2026-09-31' is not a day of the calendar (2026-09 has 30 days)
$work/bad.csv:4: currency: unknown currency 'XXX' (expected an ISO 4217 code such as KES, UGX, USD)
$work/bad.csv:5: amount: '-1.00' must be greater than 0
$work/bad.csv:6: reference: required (the run id the off-taker put on its transfer, e.g. 2026A-R1)
tripartite: $work/bad.csv: the statement has 5 problem(s); nothing was reconciled
" "$work/err-but-3" "every problem as FILE:LINE: field: message"
grep -q "^$work/bad.csv:3: amount: .*decimals" "$work/err" && pass "too many decimals named on line 3" || fail "decimals message: $(sed -n 2p "$work/err")"
[ ! -s "$work/out" ] && pass "a malformed statement prints no report" || fail "report printed for a malformed statement"
statement "$work/future.csv" "2026-09-02,22000.00,KES,2026A-R1" "2199-01-01,7503.75,KES,2026A-R2"
expect_status 5 "a transfer dated in the future is reconciled, with a warning" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/future.csv"
grep -q "^warning: $work/future.csv:3: date: 2199-01-01 is in the future by this machine's clock; a statement lists transfers already made$" "$work/err" &&
  pass "the future date named at its line" || fail "future date message: $(cat "$work/err")"
grep -q "2026-09-02" "$work/err" && fail "a past date was warned about" || pass "only the future date is warned about"
statement "$work/twice.csv" "2026-09-02,22668.38,KES,2026A-R1" "2026-11-02,7503.75,KES,2026A-R2" "2026-09-02,22668.38,KES,2026A-R1" "2026-09-03,22668.38,KES,2026A-R1"
expect_status 5 "a row repeated in the statement is counted twice, with a warning" "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/twice.csv" --format csv
same_text "warning: $work/twice.csv:4: reference: the same date, amount, currency and reference as line 2; both are counted (a row exported twice? remove one if so)
tripartite: reconciliation found 1 difference
" "$work/err" "… named at its line with the line it repeats, and only that row"
grep -q "^2026A-R1,2026-08-31,KES,22668.38,68005.14,45336.76,over,yes,2 4 5," "$work/out" && pass "… and the run shows over by what was counted" || fail "repeated row report: $(cat "$work/out")"
[ "$(tree_head "$db")" = "$head1" ] && pass "refusals write nothing" || fail "a refusal changed the ledger"

# A generated season: every lender's remittances.csv row reconciles exactly.
generated_ledger "$work/gen.db" 2026-08-15 2026-12-31
for lender in BANK1 BANK2; do
  {
    echo "date,amount,currency,reference"
    grep "^$lender," "$work/g1/remittances.csv" | awk -F, -v r="$season_id-R1" '{print "2026-08-20," $3 "," $4 "," r}'
    grep "^$lender," "$work/g2/remittances.csv" | awk -F, -v r="$season_id-R2" '{print "2027-01-05," $3 "," $4 "," r}'
  } >"$work/$lender.csv"
  expect_status 0 "generated season: $lender's remittances reconcile" "$bin" reconcile --db "$work/gen.db" --lender "$lender" --statement "$work/$lender.csv" --acknowledge --key "$work/gkeys/$lender.pem"
done
expect_status 0 "generated season verifies after both lenders acknowledged" "$bin" verify --db "$work/gen.db"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all bank reconciliation checks passed"
