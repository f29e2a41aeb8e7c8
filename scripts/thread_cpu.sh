#!/bin/bash
# Usage: scripts/thread_cpu.sh COMMAND [ARGS...]
#
# Runs COMMAND (its output discarded) and prints its wall seconds and the CPU seconds
# (user + system) of its three busiest threads, e.g. "wall 5.14 s; threads 3.99 2.67 0.40".
# Import and verify run a reading and a writing thread: this tells which of them bounds a
# run (docs/performance.md). Threads are sampled from /proc every 0.1 s, so a thread that
# ends between two samples loses at most its last 0.1 s.
set -u
if [ $# -eq 0 ]; then
  sed -n '2,8s/^# \{0,1\}//p' "$0"
  exit 2
fi
"$@" >/dev/null 2>&1 &
pid=$!
declare -A ticks
start=$(date +%s%N)
while kill -0 "$pid" 2>/dev/null; do
  for stat in /proc/"$pid"/task/*/stat; do
    line=$(cat "$stat" 2>/dev/null) || continue
    tid=${stat#/proc/"$pid"/task/}
    tid=${tid%/stat}
    # Fields after the command name's closing parenthesis: utime and stime are the 12th
    # and 13th of them (fields 14 and 15 of proc(5)).
    read -r -a rest <<<"${line##*) }"
    ticks[$tid]=$((rest[11] + rest[12]))
  done
  sleep 0.1
done
wait "$pid"
status=$?
end=$(date +%s%N)
per_second=$(getconf CLK_TCK)
busiest=$(for tid in "${!ticks[@]}"; do echo "${ticks[$tid]}"; done | sort -rn | head -3 |
  awk -v hz="$per_second" '{ printf " %.2f", $1 / hz }')
awk -v ns=$((end - start)) -v threads="$busiest" -v status=$status \
  'BEGIN { printf "wall %.2f s; threads%s; exit %d\n", ns / 1e9, threads, status }'
exit $status
