#!/usr/bin/env bash
# Installs the Debian packages Tripartite builds and tests with, only those missing.
# Idempotent and fast when everything is present (one dpkg-query, no network).
set -euo pipefail
packages=(g++ cmake make pkg-config libboost-dev libsqlite3-dev libssl-dev openssl
          libhowardhinnant-date-dev catch2 libtomlplusplus-dev libcli11-dev sqlite3
          python3 python3-cryptography time hledger clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "deps: installing ${missing[*]}" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
