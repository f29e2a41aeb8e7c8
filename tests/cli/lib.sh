# Shared helpers of the command-line test scripts (sourced, not run). Expects $bin (the
# tripartite binary) and $src (the source tree) to be set; sets $work (a temporary folder
# removed on exit), $season (the reference season) and $failures.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
season="$src/fixtures/reference"
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
expect_status() {  # expect_status CODE DESCRIPTION COMMAND...  (output in $work/out, $work/err)
  local want=$1 what=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, expected $want"; cat "$work/err"; fi
}
same() {  # same EXPECTED_FILE ACTUAL_FILE DESCRIPTION
  if cmp -s "$1" "$2"; then pass "$3"; else fail "$3"; diff -u "$1" "$2" | head -20; fi
}
same_text() {  # same_text EXPECTED_TEXT ACTUAL_FILE DESCRIPTION
  if diff -u <(printf '%s' "$1") "$2" >"$work/diff"; then pass "$3"; else fail "$3"; head -20 "$work/diff"; fi
}
tree_head() { "$bin" verify --db "$1" | sed 's/.*tree head //; s/;.*//'; }
# reference_keys: a key pair per party of the reference season in $work/keys.
reference_keys() {
  mkdir -p "$work/keys"
  for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do
    "$bin" keygen --party "$party" --out "$work/keys/$party.pem" >/dev/null || fail "keygen $party"
  done
}
# reference_ledger DB [AS_OF...]: the reference season imported into a new ledger and
# settled as of each date given.
reference_ledger() {
  local db=$1; shift
  "$bin" init --db "$db" >/dev/null
  "$bin" import --db "$db" --season-dir "$season" --keys "$work/keys" >/dev/null || fail "import"
  for as_of in "$@"; do
    "$bin" settle --db "$db" --season 2026A --as-of "$as_of" --key "$work/keys/OT1.pem" >/dev/null || fail "settle $as_of"
  done
}
# generated_ledger DB AS_OF...: a generated season (300 farmers, 3 deliveries each, seed 7)
# in $work/gen with keys in $work/gkeys, imported into a new ledger and settled as of each
# date given, run n's files in $work/g<n>. Sets $gen and $season_id.
generated_ledger() {
  local db=$1; shift
  gen="$work/gen"
  mkdir -p "$work/gkeys"
  for party in COAL OT1 BANK1 BANK2; do "$bin" keygen --party "$party" --out "$work/gkeys/$party.pem" >/dev/null; done
  "$bin" generate --farmers 300 --deliveries-per-farmer 3 --seed 7 --out "$gen" >/dev/null || fail "generate"
  season_id=$(sed -n 's/^id = "\(.*\)"/\1/p' "$gen/coalition.toml" | head -1)
  "$bin" init --db "$db" >/dev/null
  "$bin" import --db "$db" --season-dir "$gen" --keys "$work/gkeys" >/dev/null || fail "import generated"
  local n=0
  for as_of in "$@"; do
    n=$((n + 1))
    "$bin" settle --db "$db" --season "$season_id" --as-of "$as_of" --key "$work/gkeys/OT1.pem" --out "$work/g$n" >/dev/null \
      || fail "settle generated $n"
  done
}
