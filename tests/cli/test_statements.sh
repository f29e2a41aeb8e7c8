#!/usr/bin/env bash
# Farmer statements through the command line, on the reference season: F001's statement for
# run 2026A-R1 as text, CSV, JSON and SMS byte for byte against tests/cli/golden/, every
# farmer's SMS of the run as CSV phone,message, a farmer over two runs, --proof checked with
# the audit export's verify-inclusion.sh (openssl and a POSIX shell) and against `prove`, a
# tampered settlement entry refused with exit 3, and a generated season whose every SMS is
# at most 160 plain-ASCII characters.
# Usage: test_statements.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
golden="$src/tests/cli/golden"
source "$src/tests/cli/lib.sh"

reference_keys
db="$work/ledger.db"
reference_ledger "$db" 2026-08-31 2026-10-31

for format in text csv json sms; do
  extension=$format
  [ "$format" = text ] && extension=txt
  expect_status 0 "F001 run 1 as $format" "$bin" statement --db "$db" --farmer F001 --run 2026A-R1 --format "$format"
  same "$golden/statement-F001-2026A-R1.$extension" "$work/out" "F001 run 1 $format matches the golden file"
done
expect_status 0 "the default format is text" "$bin" statement --db "$db" --farmer F001 --run 2026A-R1
same "$golden/statement-F001-2026A-R1.txt" "$work/out" "default format"
expect_status 0 "every farmer of run 1 by SMS" "$bin" statement --db "$db" --all --run 2026A-R1 --format sms
same "$golden/sms-2026A-R1.csv" "$work/out" "run 1 SMS CSV matches the golden file"
# The numbers of the golden text are SPEC §8's hand-computed ones.
grep -Eq '^  D2 +2026-07-20 +B +direct +300\.000 +15\.000 +294\.798 +38\.50 +11349\.72$' "$golden/statement-F001-2026A-R1.txt" \
  && pass "golden D2: moisture shrink to 294.798 kg, 11349.72" || fail "golden D2 line"
grep -q 'net KES 13711.66 to mobile money +254700000001 ref 2026A-R1-F001' "$golden/statement-F001-2026A-R1.sms" \
  && pass "golden SMS: net, where paid, reference" || fail "golden SMS"
awk -F, 'NR > 1 && $2 == "F001" {print $3}' "$season/expected/run1-settlement.csv" | grep -q 31562.22 && \
  grep -Eq '^  gross +31562\.22$' "$golden/statement-F001-2026A-R1.txt" && pass "golden gross = expected settlement.csv" || fail "golden gross"

# F002 was settled in both runs: two statements; run 2 repays the rest of L002.
expect_status 0 "F002 over both runs" "$bin" statement --db "$db" --farmer F002
[ "$(grep -c '^Settlement statement for farmer F002' "$work/out")" -eq 2 ] && pass "two statements" || fail "F002 statements"
grep -q '^Run 2026A-R2 of season 2026A' "$work/out" && pass "run 2 shown" || fail "run 2 not shown"
grep -Eq '^    principal +7284\.61 +7284\.61 +0\.00$' "$work/out" && pass "run 2 repays L002's principal 7284.61" || fail "L002 principal in run 2"
expect_status 0 "F002 run 2 as CSV" "$bin" statement --db "$db" --farmer F002 --run 2026A-R2 --format csv
grep -q '^2026A-R2,F002,net_payout,2026A-R2-F002,+254700000002,2026-10-31,,,,,,,0.00,14603.25,KES,mobile_money$' "$work/out" \
  && pass "run 2 net payout = expected payouts.csv" || fail "F002 run 2 payout row"

# --proof: the inclusion proof of the settlement entry, checked independently.
expect_status 1 "--proof with --format csv is a usage error" "$bin" statement --db "$db" --farmer F002 --run 2026A-R2 --proof --format csv
same_text "tripartite: --proof is printed with --format text or json, not csv
" "$work/err" "… naming the format, not the farmer"
expect_status 0 "F002 run 2 with --proof" "$bin" statement --db "$db" --farmer F002 --run 2026A-R2 --proof
cp "$work/out" "$work/statement-proof.txt"
seq=$(awk '$0 == "# seq" {getline; print; exit}' "$work/statement-proof.txt")
[ -n "$seq" ] && pass "the proof names record $seq" || fail "no proof in the statement"
"$bin" prove --db "$db" --seq "$seq" >"$work/prove.txt"
# --seq takes decimal digits only: -1 would wrap to 2^64 - 1, 0x10 read as 16.
for bad in -1 0x10 18446744073709551616 ""; do
  expect_status 1 "prove --seq '$bad' is a usage error" "$bin" prove --db "$db" --seq "$bad"
  grep -q -- "--seq: '$bad' is not a sequence number" "$work/err" && pass "prove --seq '$bad': says why" \
    || fail "prove --seq '$bad': $(cat "$work/err")"
done
sed -n '/^# seq$/,$p' "$work/statement-proof.txt" >"$work/proof-part.txt"
same "$work/prove.txt" "$work/proof-part.txt" "the statement's proof is what \`tripartite prove\` gives"
"$bin" export audit --db "$db" --out "$work/audit" >/dev/null || fail "export audit"
if sh "$work/audit/verify-inclusion.sh" "$work/statement-proof.txt" "$work/audit/journal.jsonl" >"$work/inclusion" 2>&1; then
  pass "verify-inclusion.sh accepts the statement's proof"
else
  fail "verify-inclusion.sh: $(cat "$work/inclusion")"
fi
sed -n "${seq}p" "$work/audit/journal.jsonl" | grep -q '"id":"2026A-R2-F002"' && pass "the proven record is F002's run 2 entry" || fail "proven record"
[ "$(awk '$0 == "# record" {getline; print; exit}' "$work/prove.txt")" = "$(sed -n "${seq}p" "$work/audit/journal.jsonl")" ] \
  && pass "prove prints record $seq's bytes as exported" || fail "prove's record is not record $seq"
# A records table that lost rows: prove refuses instead of printing a proof of the wrong bytes.
cp "$db" "$work/holed.db"
sqlite3 "$work/holed.db" "DELETE FROM records WHERE seq = $seq"
expect_status 3 "prove on a ledger missing record $seq" "$bin" prove --db "$work/holed.db" --seq "$seq"
covered=$(sqlite3 "$db" "SELECT max(tree_size) FROM batches")
grep -qF "holds $((covered - 1)) of the records the last checkpoint covers ($covered)" "$work/err" \
  && pass "the refusal counts the records" || fail "prove's refusal: $(cat "$work/err")"
expect_status 3 "export of a ledger missing record $seq" "$bin" export audit --db "$work/holed.db" --out "$work/holed-audit"
grep -qF "holds $((covered - 1)) of the records the last checkpoint covers ($covered)" "$work/err" \
  && pass "export's refusal counts the records" || fail "export's refusal: $(cat "$work/err")"
[ ! -e "$work/holed-audit" ] && [ ! -e "$work/holed-audit.partial" ] && pass "a refused export leaves no folder" \
  || fail "a refused export left $(ls -d "$work"/holed-audit*)"
cp "$db" "$work/short-leaf.db"
sqlite3 "$work/short-leaf.db" "UPDATE records SET leaf = x'00' WHERE seq = 2"
expect_status 3 "export of a ledger whose record 2 has a 1-byte leaf" "$bin" export audit --db "$work/short-leaf.db" --out "$work/short-audit"
grep -qF "record 2: stored leaf hash is not 32 bytes" "$work/err" && pass "export names the damaged leaf" \
  || fail "export's refusal: $(cat "$work/err")"
cp "$db" "$work/moved.db"
sqlite3 "$work/moved.db" "UPDATE records SET seq = 0 WHERE seq = $seq"
expect_status 3 "prove of record $seq moved to seq 0" "$bin" prove --db "$work/moved.db" --seq "$seq"
grep -q "record $seq is missing from the records table" "$work/err" && pass "the refusal names record $seq" \
  || fail "prove's refusal: $(cat "$work/err")"
expect_status 0 "--proof in JSON" "$bin" statement --db "$db" --farmer F002 --run 2026A-R2 --format json --proof
grep -q '"proof":"# seq\\u000a'"$seq"'\\u000a# record' "$work/out" && pass "JSON carries the proof" || fail "JSON proof"

# Refusals.
expect_status 2 "an unknown farmer" "$bin" statement --db "$db" --farmer NOBODY
expect_status 2 "a farmer never settled (F004 has a loan, no delivery)" "$bin" statement --db "$db" --farmer F004
expect_status 2 "a farmer not in the run" "$bin" statement --db "$db" --farmer F001 --run 2026A-R2
expect_status 2 "an unknown run" "$bin" statement --db "$db" --all --run 2026A-R9 --format sms
expect_status 1 "--all without --run" "$bin" statement --db "$db" --all --format sms
expect_status 1 "neither --farmer nor --all" "$bin" statement --db "$db" --run 2026A-R1
expect_status 1 "--proof with sms" "$bin" statement --db "$db" --farmer F001 --format sms --proof

# A settlement entry altered in the database: the re-derived plan differs, the statement is refused.
cp "$db" "$work/tampered.db"
sqlite3 "$work/tampered.db" "UPDATE records SET body = replace(body, '-1371166', '-1371266') WHERE kind = 'settlement' AND key = '2026A-R1-F001'"
expect_status 3 "a tampered entry is refused" "$bin" statement --db "$work/tampered.db" --farmer F001 --run 2026A-R1
[ ! -s "$work/out" ] && pass "nothing printed for a refused statement" || fail "output for a refused statement"
grep -q "differs from the posted entry" "$work/err" && pass "says why" || fail "refusal message: $(cat "$work/err")"
expect_status 3 "a tampered entry refuses the whole run's SMS" "$bin" statement --db "$work/tampered.db" --all --run 2026A-R1 --format sms
expect_status 0 "other farmers' statements are unaffected" "$bin" statement --db "$work/tampered.db" --farmer F003

# A farmer with no phone (the column may be empty) gets no SMS row, and is named on stderr.
no_phone="$work/no-phone"
cp -r "$season" "$no_phone"
rm -rf "$no_phone/expected"
sed -i 's/^F003,\([^,]*\),\([^,]*\),[^,]*,/F003,\1,\2,,/' "$no_phone/farmers.csv"
grep -q '^F003,[^,]*,[^,]*,,bank,' "$no_phone/farmers.csv" || fail "the test could not blank F003's phone"
"$bin" init --db "$work/no-phone.db" >/dev/null
"$bin" import --db "$work/no-phone.db" --season-dir "$no_phone" --keys "$work/keys" >/dev/null || fail "import without F003's phone"
"$bin" settle --db "$work/no-phone.db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" >/dev/null || fail "settle"
expect_status 0 "SMS of a run with a farmer without phone" "$bin" statement --db "$work/no-phone.db" --all --run 2026A-R1 --format sms
head -n 3 "$golden/sms-2026A-R1.csv" >"$work/sms-without-F003.csv"
same "$work/sms-without-F003.csv" "$work/out" "… has no row for F003"
same_text "note: 1 farmer(s) of run 2026A-R1 have no phone in farmers.csv and get no SMS row: F003 (their statements: --farmer ID --run 2026A-R1)
" "$work/err" "… and names F003 on stderr"

# A generated season: every SMS of a run at most 160 plain-ASCII characters, one per farmer.
generated_ledger "$work/gen.db" 2026-12-31
expect_status 0 "generated season: every farmer's SMS" "$bin" statement --db "$work/gen.db" --all --run "$season_id-R1" --format sms
farmers=$(($(wc -l <"$work/g1/settlement.csv") - 1))
[ "$(($(wc -l <"$work/out") - 1))" -eq "$farmers" ] && pass "one SMS per farmer of the run ($farmers)" || fail "SMS rows: $(wc -l <"$work/out")"
longest=$(tail -n +2 "$work/out" | sed 's/^[^,]*,//; s/^"//; s/"$//' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$longest" -le 160 ] && pass "the longest SMS has $longest characters" || fail "an SMS of $longest characters"
LC_ALL=C grep -q '[^ -~]' "$work/out" && fail "an SMS holds a byte outside printable ASCII" || pass "every SMS is plain ASCII"
first=$(sed -n 2p "$work/g1/settlement.csv" | cut -d, -f2)
expect_status 0 "generated season: a farmer's statement" "$bin" statement --db "$work/gen.db" --farmer "$first" --format json

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all statement checks passed"
