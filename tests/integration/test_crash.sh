#!/usr/bin/env bash
# Crash test (issue 5 item 8, SPEC §4 "a crash at any point leaves the ledger exactly as before
# the batch"): a generated season of a few thousand farmers is imported once; then, several
# times, a copy of that ledger is settled by `tripartite settle` in the background and the
# process is killed with SIGKILL: first at chosen points of the write path (the n-th record
# appended inside the transaction, just before COMMIT, just after it; the process kills itself
# there through TRIPARTITE_TEST_CRASH, so these do not depend on timing), then from outside
# after random delays spread over the run's measured duration (seeded, printed;
# TRIPARTITE_CRASH_SEED overrides). After every kill:
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
copy_ledger() {  # copy_ledger FROM TO (a closed ledger: the main file and any rollback journal)
  rm -f "$2" "$2-journal"
  cp "$1" "$2"
  if [ -f "$1-journal" ]; then cp "$1-journal" "$2-journal"; fi
}
echo "crash test seed $seed (set TRIPARTITE_CRASH_SEED to change it), $farmers farmers, 7 kills at chosen points and $trials timed kills"
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

run_records=$(( $(sqlite3 "$full" "SELECT count(*) FROM records") - records_before ))

# check_trial WHAT DB EXPECT: the ledger verifies and holds the whole run or none of it;
# EXPECT (none|whole|either) says which the kill point implies.
check_trial() {
  local what=$1 db=$2 expect=$3 head runs entries records got
  if ! head=$(verify_db "$db"); then
    fail "$what: verify failed"; cat "$work/verify.out"; return
  fi
  runs=$(count "$db" run)
  entries=$(count "$db" settlement)
  records=$(sqlite3 "$db" "SELECT count(*) FROM records")
  if [ "$runs" = 0 ] && [ "$entries" = 0 ] && [ "$head" = "$head_before" ] && [ "$records" = "$records_before" ]; then
    got=none
  elif [ "$runs" = 1 ] && [ "$entries" = "$run_farmers" ] && [ "$head" = "$head_after" ]; then
    got=whole
  else
    fail "$what: partial run in the ledger (runs $runs, entries $entries of $run_farmers, tree head $head)"; return
  fi
  if [ "$expect" = either ] || [ "$expect" = "$got" ]; then
    pass "$what: verifies, holds $([ "$got" = none ] && echo none || echo the whole) of the run"
  else
    fail "$what: holds $got of the run, expected $expect"
  fi
}
journal_size() { if [ -f "$1-journal" ]; then stat -c %s "$1-journal"; else echo 0; fi; }  # a hot journal after a kill

# 1. Kills at chosen points of the write path: the process kills itself with SIGKILL there
#    (TRIPARTITE_TEST_CRASH), so these trials do not depend on the machine's speed.
db="$work/trial.db"
points="append:1 append:$((run_records / 4)) append:$((run_records / 2)) append:$((run_records * 3 / 4))"
points="$points append:$((run_records - 1)) before-commit after-commit"
for point in $points; do
  copy_ledger "$base" "$db"
  rm -rf "$work/trial-out"
  # In a group whose stderr is discarded, so that the shell's "Killed" notice goes too.
  { TRIPARTITE_TEST_CRASH=$point "$bin" settle --db "$db" --season "$season" --as-of "$as_of" \
      --key "$work/keys/OT1.pem" --out "$work/trial-out" >/dev/null 2>&1; } 2>/dev/null
  status=$?
  what="kill at $point of $run_records records (journal $(journal_size "$db") bytes)"
  if [ "$status" -ne 137 ]; then fail "$what: settle exited $status, not killed by SIGKILL (137)"; continue; fi
  if [ "$point" = after-commit ]; then check_trial "$what" "$db" whole; else check_trial "$what" "$db" none; fi
done
# After a kill between the commit and the files: the run is in the ledger, its files are not;
# --rewrite-files derives them from the ledger, equal to the uninterrupted run's.
if [ -f "$work/trial-out/payouts.csv" ]; then
  fail "files written although the process was killed right after the commit"
else
  run_id=$(sqlite3 "$db" "SELECT key FROM records WHERE kind = 'run'")
  if "$bin" settle --db "$db" --rewrite-files "$run_id" --out "$work/rewritten" >"$work/rewrite.out" 2>&1 \
     && diff -r "$work/full-out" "$work/rewritten" >/dev/null; then
    pass "after-commit kill: --rewrite-files $run_id gives the uninterrupted run's files"
  else
    fail "after-commit kill: --rewrite-files $run_id"; cat "$work/rewrite.out"; diff -r "$work/full-out" "$work/rewritten" | head
  fi
fi

# 2. Kills from outside after seeded random delays spread over 5% .. 120% of the measured run:
#    wherever they land (start-up, inside the transaction, during the commit, after it), the
#    ledger must verify and hold the whole run or none of it.
for trial in $(seq 1 "$trials"); do
  copy_ledger "$base" "$db"
  permille=$(( 50 + RANDOM % 1150 ))
  delay_ms=$(( duration * permille / 1000 ))
  "$bin" settle --db "$db" --season "$season" --as-of "$as_of" --key "$work/keys/OT1.pem" --out "$work/trial-out" \
    >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then alive=killed; else alive=finished; fi
  wait "$pid" 2>/dev/null
  check_trial "timed trial $trial (kill after ${delay_ms} ms, process $alive, journal $(journal_size "$db") bytes)" "$db" either
done

# Settle the last copy to completion (a second time when the kill came after the commit).
"$bin" settle --db "$db" --season "$season" --as-of "$as_of" --key "$work/keys/OT1.pem" >"$work/final.out" 2>&1 \
  && pass "settle to completion after the kills" || { fail "settle after the kills"; cat "$work/final.out"; }
if head=$(verify_db "$db" --replay); then pass "verify --replay"; else fail "verify --replay"; cat "$work/verify.out"; fi
[ "$(count "$db" run)" = 1 ] && [ "$head" = "$head_after" ] \
  && pass "the completed ledger equals the uninterrupted one" || fail "completed ledger differs"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all crash checks passed"
