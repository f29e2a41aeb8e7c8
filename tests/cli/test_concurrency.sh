#!/usr/bin/env bash
# Two programs at one ledger (docs/ledger.md): the ledger uses SQLite's rollback journal, so
# a writer waits for a reader to finish (up to 10 s) before it commits. A writer that waits
# longer fails with a message that says what happened, changes nothing and writes no files;
# run again after the reader, it succeeds. A reader that finishes within the wait delays
# the writer and does not fail it.
# Usage: test_concurrency.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"

command -v sqlite3 >/dev/null || { echo "FAIL sqlite3 (the shell) is needed"; exit 1; }
reference_keys
db="$work/ledger.db"
reference_ledger "$db"
before=$(tree_head "$db")

# hold_read SECONDS: another program keeps a read transaction open on the ledger that long.
hold_read() {
  printf 'BEGIN;\nSELECT count(*) FROM records;\n.shell sleep %s\nCOMMIT;\n' "$1" | sqlite3 "$db" >/dev/null &
  reader=$!
  sleep 1  # the reader has its lock
}

hold_read 14
expect_status 4 "a run that cannot commit while another program reads for 14 s fails" \
  "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/run"
grep -q "^tripartite: the ledger is in use by another command, which kept it locked while this one waited (10 s at a time); this command changed nothing: run it again when the other has finished" "$work/err" \
  && pass "… saying the ledger was in use and nothing changed" || fail "message: $(cat "$work/err")"
wait "$reader"
[ "$(tree_head "$db")" = "$before" ] && pass "nothing was posted" || fail "the ledger changed"
[ ! -e "$work/run/settlement.csv" ] && pass "no run files were written" || fail "run files written"

hold_read 4
start=$(date +%s)
expect_status 0 "a run that waits for a 4-second reader succeeds" \
  "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$work/keys/OT1.pem" --out "$work/run"
waited=$(( $(date +%s) - start ))
wait "$reader"
[ "$waited" -ge 2 ] && pass "… after waiting for the reader (${waited} s)" || fail "the run did not wait for the reader (${waited} s)"
same "$season/expected/run1-settlement.csv" "$work/run/settlement.csv" "… and its settlement.csv is the reference's"
expect_status 0 "the ledger verifies" "$bin" verify --db "$db"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
