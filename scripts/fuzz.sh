#!/usr/bin/env bash
# Bounded fuzzing of the season-folder readers (issue 4 item 6): builds fuzz/fuzz_readers with
# clang-14 under libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer in build-fuzz/
# (every library compiled with the sanitizers, tests off), replays the regression inputs in
# fuzz/regressions/, then fuzzes for SECONDS from a seed corpus made of every CSV and TOML
# file in fixtures/ (copied to a temporary directory: nothing in the tree is written but
# build-fuzz/). Exits non-zero on a crash, a sanitizer report or a broken reader invariant;
# the crashing input is kept in build-fuzz/artifacts/. Usage: scripts/fuzz.sh SECONDS
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS}
cd "$(dirname "$0")/.."
root=$(pwd)
build=${TRIPARTITE_FUZZ_BUILD:-build-fuzz}
for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is missing (make deps installs clang-14 and libclang-rt-14-dev)" >&2; exit 1; }
done

sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -g" \
  -DCMAKE_CXX_FLAGS="$sanitizers" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DTRIPARTITE_TESTS=OFF -DTRIPARTITE_FUZZ=ON >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target fuzz_readers
fuzzer="$root/$build/fuzz/fuzz_readers"

corpus=$(mktemp -d)
scratch=$(mktemp -d)  # the harness's temporary input file, out of the corpus
trap 'rm -rf "$corpus" "$scratch"' EXIT
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "$corpus/seed-$n-$(basename "$file")"
done < <(find fixtures -type f \( -name '*.csv' -o -name '*.toml' \) -print0 | sort -z)
# Boundary seeds the mutator rarely reaches by itself: records at the 64 KiB record limit and
# across the 64 KiB read chunk, a character or CRLF split by the chunk, truncated input,
# numbers past int64 in every numeric column, deep TOML nesting and non-string TOML values.
python3 - "$corpus" fixtures/reference/coalition.toml <<'PY'
import sys
out, coalition = sys.argv[1], open(sys.argv[2], "rb").read()
K = 65536
def seed(name, data):
    open(f"{out}/edge-{name}", "wb").write(data)
for n in (K - 1, K, K + 1):
    seed(f"field-{n}.csv", b"a,b\n" + b"x" * n + b",y\n1,2\n")
seed("utf8-across-chunk.csv", b"a,b\n" + b"x" * (K - 6) + "\u00e9\u20ac\U0001F600".encode() + b",y\n1,2\n")
seed("crlf-across-chunk.csv", b"a,b\r\n" + b"x" * (K - 8) + b",y\r\n1,2\r\n")
seed("quote-unterminated.csv", b"a,b\n\"" + b"x,\n" * 30000)
for name, data in (("bom.csv", b"\xEF\xBB\xBF"), ("bom-cr.csv", b"\xEF\xBB\xBF\r"), ("bom-cut.csv", b"\xEF\xBB"),
                   ("cr-at-end.csv", b"a,b\n1,2\r"), ("utf8-cut.csv", b"a,b\n1,\xE2\x82")):
    seed(name, data)
big = "9" * 30
seed("deliveries.csv", b"delivery_id,farmer_id,offtaker_id,grade,weight_kg,moisture_pct,delivered_on,agent_id\n" +
     f"D9,F001,OT1,A,{big}.999,99.9999,2026-07-10,AG1\nD10,F001,OT1,A,9223372036854775.807,13,2026-07-10,\n".encode())
seed("loans.csv", b"loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on\n" +
     f"L9,F001,BANK1,INPUT-2026A,{big},2026-03-01,2026-09-30\nL10,F001,BANK1,INPUT-2026A,92233720368547758.08,2026-03-01,2026-09-30\n".encode())
seed("prices.csv", f"date,price_per_kg\n2026-07-01,{big}\n2026-07-02,0.{big}\n9999-12-31,1\n2026-02-29,1\n".encode())
seed("commitments.csv", f"commitment_id,farmer_id,offtaker_id,quantity_kg,signed_on\nC9,F001,OT1,{big},2026-02-15\n".encode())
seed("deep-arrays.toml", b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n")
seed("deep-tables.toml", b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000 + b"\n")
seed("huge-rate.toml", coalition.replace(b'annual_rate = "0.18"', f'annual_rate = "{big}.{big}"'.encode()))
seed("huge-share.toml", coalition.replace(b'SUP1 = "0.40"', f'SUP1 = "{big}"'.encode()))
seed("nan-rate.toml", coalition.replace(b'rate = "0.01"', b"rate = nan"))
seed("date-rate.toml", coalition.replace(b'rate = "0.01"', b"rate = 1979-05-27T07:32:00Z"))
PY
echo "fuzz: seed corpus of $n files from fixtures/ and $(ls "$corpus" | grep -c '^edge-') boundary seeds"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
mkdir -p "$build/artifacts"
if compgen -G "fuzz/regressions/*" >/dev/null; then
  echo "fuzz: replaying fuzz/regressions/"
  TMPDIR="$scratch" "$fuzzer" -runs=1 fuzz/regressions/* 2>"$build/regressions.log" \
    || { tail -40 "$build/regressions.log"; echo "fuzz: a regression input fails" >&2; exit 1; }
fi
echo "fuzz: fuzzing the readers for ${seconds}s"
status=0
TMPDIR="$scratch" "$fuzzer" -max_total_time="$seconds" -max_len=131072 -timeout=20 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$root/$build/artifacts/" "$corpus" 2>"$build/fuzz.log" || status=$?
grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$build/fuzz.log" || true
if [ "$status" -ne 0 ]; then
  tail -60 "$build/fuzz.log"
  echo "fuzz: the fuzzer failed (exit $status); inputs in $build/artifacts/" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
