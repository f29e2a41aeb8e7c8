#!/usr/bin/env bash
# Hand-made edge seasons (make_edges.py) through diff_run.py: binary against oracle.
# Usage: run_edges.sh TRIPARTITE KEYDIR WORKDIR   (seasons and ledgers go under WORKDIR)
set -uo pipefail
bin=$1 keys=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
mkdir -p "$work"
"$py" "$here/make_edges.py" "$work" >"$work/edges.list" || exit 2
fails=0 total=0
while read -r name steps; do
  total=$((total + 1))
  # shellcheck disable=SC2086  # the steps are words
  "$py" "$here/diff_run.py" --bin "$bin" --keys "$keys" --work "$work/$name.work" --season-dir "$work/$name" $steps ||
    fails=$((fails + 1))
done <"$work/edges.list"
echo "edge seasons: $((total - fails)) of $total agree"
[ "$fails" -eq 0 ]
