#!/usr/bin/env bash
# Crash test (issue 5 item 8, SPEC §4 "a crash at any point leaves the ledger exactly as before
# the batch"): a generated season of a few thousand farmers is imported once; then, several
# times, a copy of that ledger is settled by `tripartite settle` in the background and the
# process is killed with SIGKILL after a delay. The delays are spread over the run's measured
# duration (seeded, printed; TRIPARTITE_CRASH_SEED overrides), so that some kills land before
# the transaction, some inside it and some after its commit. After every kill:
#   - `tripartite verify --db` exits 0;
#   - the ledger holds the whole run or none of it: either no run record, no settlement entry
#     and the tree head of before the run, or one run record, one entry per farmer of the run
#     and the tree head of the same run settled without interruption (settlement reads no
#     clock, so a completed run always gives the same log).
# Finally the last copy is settled to completion and `verify --replay` passes.
# Usage: test_crash.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
farmers=${TRIPARTITE_CRASH_FARMERS:-2500}
trials=${TRIPARTITE_CRASH_TRIALS:-6}
seed=${TRIPARTITE_CRASH_SEED:-20260831}
season=GEN26
as_of=2026-09-15
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
die() { echo "FAIL $*"; exit 1; }
now_ms() { date +%s%3N; }
# verify_db DB [--replay]: runs verify, keeps its output in $work/verify.out, prints the tree head.
verify_db() {
  "$bin" verify --db "$@" >"$work/verify.out" 2>&1 || return 1
  grep 'tree head ' "$work/verify.out" | sed 's/.*tree head //; s/;.*//'
}
count() { sqlite3 "$1" "SELECT count(*) FROM records WHERE kind = '$2'"; }
copy_ledger() {  # copy_ledger FROM TO (a closed ledger: the main file and any write-ahead log)
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
  if [ -f "$1-wal" ]; then cp "$1-wal" "$2-wal"; fi
}
echo "crash test seed $seed (set TRIPARTITE_CRASH_SEED to change it), $farmers farmers, $trials kills"
RANDOM=$seed

command -v sqlite3 >/dev/null || die "sqlite3 (the shell) is needed"
mkdir -p "$work/keys"
for party in COAL OT1 BANK1 BANK2; do
  "$bin" keygen --party "$party" --out "$work/keys/$party.pem" >/dev/null || die "keygen $party"
done
"$bin" generate --farmers "$farmers" --deliveries-per-farmer 2 --seed "$seed" --out "$work/season" >/dev/null \
  || die "generate"
base="$work/base.db"
"$bin" init --db "$base" >/dev/null || die "init"
"$bin" import --db "$base" --season-dir "$work/season" --keys "$work/keys" >/dev/null || die "import"
head_before=$(verify_db "$base")
[ -n "$head_before" ] || die "no tree head for the imported ledger"
records_before=$(sqlite3 "$base" "SELECT count(*) FROM records")

# The uninterrupted run: what "the whole run" must look like, and how long it takes.
full="$work/full.db"
copy_ledger "$base" "$full"
start=$(now_ms)
"$bin" settle --db "$full" --season "$season" --as-of "$as_of" --key "$work/keys/OT1.pem" --out "$work/full-out" \
  >"$work/full.out" 2>&1 || { cat "$work/full.out"; die "uninterrupted settle"; }
duration=$(( $(now_ms) - start ))
run_farmers=$(sqlite3 "$full" "SELECT count(DISTINCT subject) FROM records WHERE kind = 'settlement'")
head_after=$(verify_db "$full")
[ "$(count "$full" run)" = 1 ] && [ "$run_farmers" -gt 1000 ] && [ "$head_after" != "$head_before" ] \
  && pass "uninterrupted run: $run_farmers farmers in ${duration} ms" || fail "uninterrupted run ($run_farmers farmers)"

mid_run=0
in_transaction=0
after_commit=0
for trial in $(seq 1 "$trials"); do
  db="$work/trial.db"
  copy_ledger "$base" "$db"
  # The first half of the trials spread over 5% .. 80% of the measured run, the second half
  # over 80% .. 120%, around the commit and the process's exit; each with jitter.
  half=$(( (trials + 1) / 2 ))
  if [ "$trial" -le "$half" ]; then
    permille=$(( 50 + (trial - 1) * 750 / half + RANDOM % (750 / half) ))
  else
    permille=$(( 800 + (trial - half - 1) * 400 / (trials - half) + RANDOM % (400 / (trials - half)) ))
  fi
  delay_ms=$(( duration * permille / 1000 ))
  "$bin" settle --db "$db" --season "$season" --as-of "$as_of" --key "$work/keys/OT1.pem" --out "$work/trial-out" \
    >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then alive=killed; else alive=finished; fi
  wait "$pid" 2>/dev/null
  # A write-ahead log left with frames in it: the kill came during or just after the commit
  # (the store's page cache holds a run's pages until it commits).
  wal=0
  if [ -f "$db-wal" ]; then wal=$(stat -c %s "$db-wal"); fi
  what="trial $trial (kill after ${delay_ms} ms, process $alive, WAL $wal bytes)"
  if ! head=$(verify_db "$db"); then
    fail "$what: verify failed"; cat "$work/verify.out"; continue
  fi
  runs=$(count "$db" run)
  entries=$(count "$db" settlement)
  records=$(sqlite3 "$db" "SELECT count(*) FROM records")
  if [ "$runs" = 0 ] && [ "$entries" = 0 ] && [ "$head" = "$head_before" ] && [ "$records" = "$records_before" ]; then
    pass "$what: verifies, holds none of the run"
    mid_run=$((mid_run + 1))
    # Killed alive at 40% of the run or later: well past start-up, inside the write transaction.
    if [ "$alive" = killed ] && [ "$permille" -ge 400 ]; then in_transaction=$((in_transaction + 1)); fi
  elif [ "$runs" = 1 ] && [ "$entries" = "$run_farmers" ] && [ "$head" = "$head_after" ]; then
    pass "$what: verifies, holds the whole run"
    after_commit=$((after_commit + 1))
  else
    fail "$what: partial run in the ledger (runs $runs, entries $entries of $run_farmers, tree head $head)"
  fi
done
echo "kills that left none of the run: $mid_run ($in_transaction of them at 40% of the run or later); that left the whole run: $after_commit"
[ "$in_transaction" -ge 1 ] && pass "some kills landed inside the write transaction" \
  || fail "no kill landed inside the write transaction (the delays missed the run)"

# Settle the last copy to completion (a second time when the kill came after the commit).
"$bin" settle --db "$db" --season "$season" --as-of "$as_of" --key "$work/keys/OT1.pem" >"$work/final.out" 2>&1 \
  && pass "settle to completion after the kills" || { fail "settle after the kills"; cat "$work/final.out"; }
if head=$(verify_db "$db" --replay); then pass "verify --replay"; else fail "verify --replay"; cat "$work/verify.out"; fi
[ "$(count "$db" run)" = 1 ] && [ "$head" = "$head_after" ] \
  && pass "the completed ledger equals the uninterrupted one" || fail "completed ledger differs"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all crash checks passed"
