#!/usr/bin/env bash
# Progress of long commands (issue #7 item 5): on stderr when stderr is a terminal, nothing
# when it is not (a pipe or a file, as in scripts and CI logs). Each long command is run
# twice on the same generated season: under a pseudo-terminal (util-linux `script`), where
# its progress line must appear and be cleared before the summary, and with stderr to a
# file, where stderr must stay empty. The summaries on stdout must be the same.
# Usage: test_progress.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$src/tests/cli/lib.sh"
command -v script >/dev/null || { echo "FAIL util-linux script is needed"; exit 1; }

# on_terminal OUT COMMAND...: runs COMMAND with stdin, stdout and stderr on a pseudo-terminal.
on_terminal() {
  local out=$1; shift
  local line="" arg
  for arg in "$@"; do line+=" $(printf '%q' "$arg")"; done
  script -qec "$line" /dev/null >"$out" 2>&1 </dev/null
}
# check LABEL PATTERN COMMAND... (COMMAND is run on a fresh copy of the ledger each time)
check() {
  local label=$1 pattern=$2; shift 2
  cp "$work/base.db" "$work/t.db"
  rm -rf "$work/out-t" "$work/out-f"
  if on_terminal "$work/tty.txt" "$@" && grep -q -- "$pattern" "$work/tty.txt" && grep -q $'\033\[K' "$work/tty.txt"; then
    pass "$label: a progress line ('$pattern') on a terminal, cleared at the end"
  else
    fail "$label: no progress line matching '$pattern' on a terminal"; cat -v "$work/tty.txt" | head -5
  fi
  cp "$work/base.db" "$work/t.db"
  rm -rf "$work/out-t" "$work/out-f"
  if "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" && [ ! -s "$work/stderr.txt" ]; then
    pass "$label: nothing on stderr when it is a file"
  else
    fail "$label: stderr not empty (or the command failed) when it is a file"; head -5 "$work/stderr.txt"
  fi
}

mkdir -p "$work/keys"
for party in COAL OT1 BANK1 BANK2; do "$bin" keygen --party "$party" --out "$work/keys/$party.pem" >/dev/null; done
"$bin" generate --farmers 400 --deliveries-per-farmer 3 --seed 5 --out "$work/season" >/dev/null || fail "generate"
"$bin" init --db "$work/empty.db" >/dev/null
cp "$work/empty.db" "$work/base.db"

check "import" "importing deliveries.csv, rows read: 1024/1200 (85%)" "$bin" import --db "$work/t.db" --season-dir "$work/season" --keys "$work/keys"
"$bin" import --db "$work/base.db" --season-dir "$work/season" --keys "$work/keys" >/dev/null || fail "import"
check "settle" "settling farmers" "$bin" settle --db "$work/t.db" --season GEN26 --as-of 2026-09-30 \
  --key "$work/keys/OT1.pem" --out "$work/out-t"
"$bin" settle --db "$work/base.db" --season GEN26 --as-of 2026-09-30 --key "$work/keys/OT1.pem" >/dev/null \
  || fail "settle"
check "verify --db" "verifying records" "$bin" verify --db "$work/t.db"
check "verify --replay" "replaying run GEN26-R1" "$bin" verify --db "$work/t.db" --replay
check "export audit" "exporting records" "$bin" export audit --db "$work/t.db" --out "$work/out-f"
"$bin" export audit --db "$work/base.db" --out "$work/audit" >/dev/null || fail "export"
check "verify --audit" "verifying records" "$bin" verify --audit "$work/audit"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all progress checks passed"
