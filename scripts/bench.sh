#!/usr/bin/env bash
# make bench: import, settle, verify and export a generated season, each next to the bare
# limit measured in the same run (a minimal SQLite insert of as many rows as the step
# writes; SHA-256 of the same leaf bytes), with wall time, rows/s and peak memory.
# BENCH_SCALE=small (10k farmers), default (10k and 100k farmers), 1m (1M farmers, by hand:
# tens of GB of disk). Deliveries per farmer: BENCH_DELIVERIES (default 10).
set -euo pipefail
build=${1:-build-bench}
bin="$build/cli/tripartite"
bare="$build/bench/bare_limits"
work=${BENCH_DIR:-$(mktemp -d /tmp/tripartite-bench.XXXXXX)}
per=${BENCH_DELIVERIES:-10}
case "${BENCH_SCALE:-default}" in
  small) scales="10000" ;;
  1m) scales="100000 1000000" ;;
  *) scales="10000 100000" ;;
esac
mkdir -p "$work/keys"
for p in COAL OT1 BANK1 BANK2; do [ -f "$work/keys/$p.pem" ] || "$bin" keygen --party "$p" --out "$work/keys/$p.pem" >/dev/null; done

measure() {  # measure LABEL COMMAND... -> sets seconds, peak_mb
  local log="$work/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >"$work/step.out" 2>"$work/step.err" || { cat "$work/step.err"; exit 1; }
  read -r seconds peak_kb <"$log"
  peak_mb=$((peak_kb / 1024))
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
count() { sqlite3 "$1" "$2"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r); build: Release"
printf '%-9s %-22s %10s %12s %10s %12s %8s\n' farmers step seconds rows rows/s bare_s ratio
for farmers in $scales; do
  season="$work/season-$farmers"
  db="$work/ledger-$farmers.db"
  rm -rf "$season" "$db"* "$work/audit-$farmers"
  measure "$bin" generate --farmers "$farmers" --deliveries-per-farmer "$per" --seed 42 --out "$season"
  deliveries=$((farmers * per))
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" generate "$seconds" "$deliveries" "$(rate $deliveries $seconds)" - - "$peak_mb"
  "$bin" init --db "$db" >/dev/null

  measure "$bin" import --db "$db" --season-dir "$season" --keys "$work/keys"
  rows=$(count "$db" "SELECT count(*) FROM records")
  read -r _ bare_s < <("$bare" sqlite "$work/bare.db" "$rows")
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "import (records)" "$seconds" "$rows" "$(rate $rows $seconds)" "$bare_s" "$(ratio $seconds $bare_s)" "$peak_mb"
  # The floor of our own schema: as many delivery-shaped rows into the records table and its
  # two indexes, nothing parsed, validated or hashed (bench/bare_limits.cpp, mode records).
  read -r _ floor_s < <("$bare" records "$work/bare.db" "$rows")
  printf '%-9s %-22s %10s %12s %10s %12s %8s   (import / floor = %s)\n' "$farmers" "records schema floor" "$floor_s" "$rows" "$(rate $rows $floor_s)" "$bare_s" "$(ratio $floor_s $bare_s)" "$(ratio $seconds $floor_s)"
  # The same season with its deliveries in date order and numbered in that order, as an
  # off-taker's export lists them: farmers then come in no order, so the by-farmer index is
  # written at random places (the generator writes them farmer by farmer, the kindest order).
  # Imported into a ledger of its own, next to the same bare insert; the steps below use the
  # first ledger. (The generator's ids are plain, so a sort on the 7th field is exact.)
  dated="$work/season-$farmers-by-date"
  rm -rf "$dated" "$work/dated.db"*
  mkdir -p "$dated"
  cp "$season"/*.toml "$season"/farmers.csv "$season"/commitments.csv "$season"/loans.csv "$dated"/
  { head -n 1 "$season/deliveries.csv"
    tail -n +2 "$season/deliveries.csv" | LC_ALL=C sort -s -t, -k7,7 |
      awk -F, 'BEGIN { OFS = "," } { $1 = sprintf("D%010d", NR); print }'; } >"$dated/deliveries.csv"
  "$bin" init --db "$work/dated.db" >/dev/null
  measure "$bin" import --db "$work/dated.db" --season-dir "$dated" --keys "$work/keys"
  dated_rows=$(count "$work/dated.db" "SELECT count(*) FROM records")
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "import, date order" "$seconds" "$dated_rows" "$(rate $dated_rows $seconds)" "$bare_s" "$(ratio $seconds $bare_s)" "$peak_mb"
  rm -rf "$dated" "$work/dated.db"*

  for as_of in 2026-08-31 2026-11-30; do
    # The rows a settlement run writes: its records and their postings (the postings are
    # counted from the entries' bytes; the store keeps no second copy of them).
    before=$(count "$db" "SELECT max(seq) FROM records")
    measure "$bin" settle --db "$db" --season GEN26 --as-of "$as_of" --key "$work/keys/OT1.pem" --out "$work/run-$farmers-$as_of"
    rows=$(count "$db" "SELECT (SELECT count(*) FROM records WHERE seq > $before) +
                               (SELECT COALESCE(sum(json_array_length(CAST(body AS TEXT), '\$.postings')), 0)
                                  FROM records WHERE seq > $before AND kind = 'settlement')")
    settled=$(sed -n 's/.* farmers, \([0-9]*\) deliveries.*/\1/p' "$work/step.out" | head -1)
    read -r _ bare_s < <("$bare" sqlite "$work/bare.db" "$rows")
    printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB, %s deliveries/s\n' "$farmers" "settle $as_of (rows)" "$seconds" "$rows" "$(rate $rows $seconds)" "$bare_s" "$(ratio $seconds $bare_s)" "$peak_mb" "$(rate "${settled:-0}" $seconds)"
  done

  measure "$bin" export audit --db "$db" --out "$work/audit-$farmers"
  records=$(count "$db" "SELECT count(*) FROM records")
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "export audit" "$seconds" "$records" "$(rate $records $seconds)" - - "$peak_mb"
  # The bare hash reads journal.jsonl just before verify --audit does, so both find it in the
  # same state of the kernel's page cache (verify --db in between would read the whole ledger).
  read -r _ hash_s < <("$bare" sha256 "$work/audit-$farmers/journal.jsonl")
  measure "$bin" verify --audit "$work/audit-$farmers"
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "verify --audit" "$seconds" "$records" "$(rate $records $seconds)" "$hash_s" "$(ratio $seconds $hash_s)" "$peak_mb"
  measure "$bin" verify --db "$db"
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "verify --db" "$seconds" "$records" "$(rate $records $seconds)" "$hash_s" "$(ratio $seconds $hash_s)" "$peak_mb"
  measure "$bin" verify --db "$db" --replay
  printf '%-9s %-22s %10s %12s %10s %12s %8s   peak %s MB\n' "$farmers" "verify --replay" "$seconds" "$records" "$(rate $records $seconds)" - - "$peak_mb"
  rm -rf "$work/audit-$farmers" "$work/bare.db"*
done
echo "(bare_s: a minimal SQLite insert of the same number of rows, or SHA-256 of the same leaf bytes; ratio = seconds / bare_s)"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
