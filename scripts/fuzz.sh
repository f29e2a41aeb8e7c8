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
cmake --build "$build" -j"${JOBS:-1}" --target fuzz_readers
fuzzer="$root/$build/fuzz/fuzz_readers"

corpus=$(mktemp -d)
scratch=$(mktemp -d)  # the harness's temporary input file, out of the corpus
trap 'rm -rf "$corpus" "$scratch"' EXIT
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "$corpus/seed-$n-$(basename "$file")"
done < <(find fixtures -type f \( -name '*.csv' -o -name '*.toml' \) -print0 | sort -z)
echo "fuzz: seed corpus of $n files from fixtures/"

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
