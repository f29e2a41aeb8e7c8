#!/usr/bin/env bash
# Differential test of the settlement (ctest `oracle`): the `tripartite` binary against
# settle_oracle.py, an independent Python implementation of SPEC §3 and §6 as read in
# docs/settlement.md, compared byte for byte on: the reference season (and the oracle against
# its hand-worked expected files), hand-made edge seasons, two seasons in one ledger,
# re-encoded inputs, generated seasons and randomised terms.
# Usage: run_all.sh TRIPARTITE SOURCE_DIR [SEEDS [FUZZ]]   (generated / randomised seasons; 12, 25)
# Everything it makes goes to a temporary folder, removed on exit (kept when ORACLE_KEEP=1).
# Exit 0 when everything agrees, 1 on any difference (the differing lines are printed).
set -uo pipefail
if [ $# -lt 2 ]; then sed -n '2,9p' "$0"; exit 2; fi
bin=$(realpath "$1") src=$(realpath "$2") seeds=${3:-12} fuzz=${4:-25}
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
export PYTHON=$py
export PYTHONDONTWRITEBYTECODE=1  # nothing written into the source tree (seeded.py is imported)
work=$(mktemp -d "${TMPDIR:-/tmp}/tripartite-oracle.XXXXXX") || exit 2
if [ "${ORACLE_KEEP:-0}" = 1 ]; then echo "work folder: $work (kept)"; else trap 'rm -rf "$work"' EXIT; trap 'exit 130' INT TERM; fi
keys=$work/keys
mkdir -p "$keys"
status=0
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }

step "oracle against the reference season's hand-worked expected files"
expected=$src/fixtures/reference/expected
"$py" "$here/settle_oracle.py" --season-dir "$src/fixtures/reference" --out "$work/expected" \
  run:2026-08-31 report:2026-08-31 run:2026-10-31 report:2026-10-31 || status=1
for pair in "step1/settlement.csv run1-settlement.csv" "step1/payouts.csv run1-payouts.csv" \
            "step1/remittances.csv run1-remittances.csv" "step3/settlement.csv run2-settlement.csv" \
            "step3/payouts.csv run2-payouts.csv" "step3/remittances.csv run2-remittances.csv" \
            "step2/loans.csv loans-2026-08-31.csv" "step4/loans.csv loans-2026-10-31.csv"; do
  read -r mine theirs <<<"$pair"
  if ! cmp -s "$work/expected/$mine" "$expected/$theirs"; then
    echo "DIFF expected/$theirs (expected, oracle):"; diff "$expected/$theirs" "$work/expected/$mine" | sed 's/^/    /'; status=1
  fi
done

step "binary against oracle: the reference season"
ref=$work/reference
cp -r "$src/fixtures/reference" "$ref"; rm -rf "$ref/expected" "$ref/README.md"
"$py" "$here/diff_run.py" --bin "$bin" --keys "$keys" --work "$ref.work" --season-dir "$ref" \
  run:2026-06-30 run:2026-08-31 report:2026-08-31 run:2026-08-31 report:2026-09-30 report:2026-10-01 \
  run:2026-10-31 report:2026-10-31 report:2026-03-04 report:2027-02-28 run:2026-10-01 || status=1

step "hand-made edge seasons"
bash "$here/run_edges.sh" "$bin" "$keys" "$work/edges" || status=1

step "two seasons in one ledger"
bash "$here/multi_season.sh" "$bin" "$src" "$keys" "$work" || status=1

step "re-encoded inputs (column order, CRLF, BOM, quoting)"
"$py" "$here/make_variants.py" "$ref" "$work/var_ref" 1 &&
  "$py" "$here/diff_run.py" --bin "$bin" --keys "$keys" --work "$work/var_ref.work" --season-dir "$work/var_ref" \
    run:2026-08-31 report:2026-08-31 run:2026-10-31 report:2026-10-31 || status=1
"$py" "$here/make_variants.py" "$work/edges/edge_floor_market" "$work/var_fm" 2 &&
  "$py" "$here/diff_run.py" --bin "$bin" --keys "$keys" --work "$work/var_fm.work" --season-dir "$work/var_fm" \
    run:2026-07-10 run:2026-08-31 || status=1

if [ "$seeds" -gt 0 ]; then
  step "generated seasons (seeds 1-$seeds)"
  "$py" "$here/batch_generated.py" 1 "$seeds" --bin "$bin" --keys "$keys" --work "$work/generated" || status=1
fi
if [ "$fuzz" -gt 0 ]; then
  step "randomised terms (seeds 1-$fuzz)"
  "$py" "$here/fuzz_mutate.py" 1 "$fuzz" --bin "$bin" --keys "$keys" --work "$work/fuzz" || status=1
fi

if [ "$status" -eq 0 ]; then echo "oracle: binary and oracle agree ($((SECONDS - started)) s)"
else echo "oracle: DIFFERENCES between binary and oracle (see DIFF lines above; $((SECONDS - started)) s)"; fi
exit "$status"
