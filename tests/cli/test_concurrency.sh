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

# both_at_once NAME COMMAND...: runs the command twice at the same time while a third program
# holds the write lock, so that both are certainly waiting for it; outputs in
# $work/NAME-1.out, $work/NAME-2.out (and .err), exit statuses in $status1 and $status2.
both_at_once() {
  local name=$1 writer pid1 pid2; shift
  printf 'BEGIN IMMEDIATE;\n.shell sleep 3\nCOMMIT;\n' | sqlite3 "$db" >/dev/null &
  writer=$!
  sleep 1
  "$@" >"$work/$name-1.out" 2>"$work/$name-1.err" &
  pid1=$!
  "$@" >"$work/$name-2.out" 2>"$work/$name-2.err" &
  pid2=$!
  status1=0; status2=0
  wait "$pid1" || status1=$?
  wait "$pid2" || status2=$?
  wait "$writer"
}

# Two settles of the same run started together: each plans inside its own write
# transaction, so the second to get the lock finds the first's run and has nothing left to
# settle. Planned before the lock, the second used to fail with exit 2, "settlement ... is
# already in the ledger".
both_at_once both "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$work/keys/OT1.pem"
[ "$status1" -eq 0 ] && [ "$status2" -eq 0 ] && pass "two settles started together both exit 0" \
  || fail "two settles started together: exit $status1 and $status2: $(cat "$work/both-1.err" "$work/both-2.err")"
recorded=$(grep -l "2026A-R2" "$work/both-1.out" "$work/both-2.out" | wc -l)
nothing=$(grep -l "^nothing to settle in season 2026A as of 2026-10-31" "$work/both-1.out" "$work/both-2.out" | wc -l)
[ "$recorded" -eq 1 ] && [ "$nothing" -eq 1 ] && pass "… one records run 2026A-R2, the other finds nothing left to settle" \
  || fail "two settles: $(cat "$work/both-1.out" "$work/both-2.out")"
[ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE kind = 'run'")" = 2 ] && pass "… and the ledger holds runs R1 and R2 only" \
  || fail "runs in the ledger: $(sqlite3 "$db" "SELECT key FROM records WHERE kind = 'run'")"
expect_status 0 "the ledger verifies" "$bin" verify --db "$db"

# The same for two `reconcile --acknowledge` of one statement: one batch of acknowledgements.
printf 'date,amount,currency,reference\n2026-09-02,22668.38,KES,2026A-R1\n2026-11-02,7503.75,KES,2026A-R2\n' >"$work/bank.csv"
both_at_once ack "$bin" reconcile --db "$db" --lender BANK1 --statement "$work/bank.csv" --acknowledge \
  --key "$work/keys/BANK1.pem" --format csv
[ "$status1" -eq 0 ] && [ "$status2" -eq 0 ] && pass "two reconcile --acknowledge started together both exit 0" \
  || fail "two reconciles: exit $status1 and $status2: $(cat "$work/ack-1.err" "$work/ack-2.err")"
[ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE kind = 'acknowledgement'")" = 2 ] \
  && pass "… and each run is acknowledged once" \
  || fail "acknowledgements: $(sqlite3 "$db" "SELECT key FROM records WHERE kind = 'acknowledgement'")"
[ "$(cat "$work/ack-1.out" "$work/ack-2.out" | grep -c ',matched,new,')" = 2 ] && [ "$(cat "$work/ack-1.out" "$work/ack-2.out" | grep -c ',matched,yes,')" = 2 ] \
  && pass "… one reports them new, the other already acknowledged" || fail "reports: $(cat "$work/ack-1.out" "$work/ack-2.out")"
expect_status 0 "the ledger verifies" "$bin" verify --db "$db"

# A ledger this user may not write: exit 2 naming the file, nothing changed. As root (who may
# write any file) the command runs as the user nobody, from a folder nobody can read.
ro=$(mktemp -d /tmp/tripartite-ro.XXXXXX)
chmod 755 "$ro"
cp "$bin" "$ro/tripartite"
reference_ledger "$ro/l.db"
cp "$work/keys/OT1.pem" "$ro/OT1.pem"
chmod 644 "$ro/OT1.pem"
chmod 444 "$ro/l.db"
ro_head=$(tree_head "$ro/l.db")
run_as_user() {
  if [ "$(id -u)" = 0 ]; then su nobody -s /bin/sh -c "cd '$ro' && $*"; else (cd "$ro" && sh -c "$*"); fi
}
run_as_user ./tripartite settle --db l.db --season 2026A --as-of 2026-08-31 --key OT1.pem >"$work/out" 2>"$work/err"
status=$?
[ "$status" -eq 2 ] && pass "a settle of a read-only ledger exits 2" || fail "read-only ledger: exit $status: $(cat "$work/err")"
grep -q "^tripartite: $ro/l.db: this user may not write it: the file, or the folder it is in (where the journal is written beside it), is read-only; this command changed nothing" "$work/err" \
  && pass "… naming the file and saying nothing changed" || fail "read-only message: $(cat "$work/err")"
[ "$(tree_head "$ro/l.db")" = "$ro_head" ] && pass "… and the ledger is unchanged" || fail "the read-only ledger changed"
rm -rf "$ro"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
