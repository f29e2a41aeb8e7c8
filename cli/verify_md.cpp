// The VERIFY.md of an audit export and its inclusion-check script. Both are followed to the
// letter by tests/cli/test_audit.sh (it runs the sh blocks of sections 1 and 2 as written),
// so what they say is known to work.
#include "cli/verify_md.hpp"

#include <cstdint>

namespace tripartite::cli {

const char* const kInclusionScript = R"sh(#!/bin/sh
# verify-inclusion.sh PROOF_FILE JOURNAL — checks one record's inclusion (RFC 9162 §2.1.3.2)
# with a POSIX shell and the openssl command line only. PROOF_FILE is the output of
# `tripartite prove`; the record is taken from JOURNAL (journal.jsonl), not from the proof.
set -eu
proof=$1
journal=$2
field() { awk -v k="# $1" '$0==k {getline; print; exit}' "$proof"; }
seq=$(field seq)
size=$(field tree_size)
root=$(field root)
b64hash() { openssl dgst -sha256 -binary | openssl base64 -A; }
node() { { printf '\001'; printf '%s' "$1" | openssl base64 -d -A; printf '%s' "$2" | openssl base64 -d -A; } | b64hash; }
r=$({ printf '\000'; sed -n "${seq}p" "$journal" | tr -d '\n'; } | b64hash)
fn=$((seq - 1))
sn=$((size - 1))
for p in $(awk '/^# proof$/ {on=1; next} /^# / {on=0} on && NF' "$proof"); do
  if [ "$sn" -eq 0 ]; then echo "FAIL: proof too long"; exit 1; fi
  if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    r=$(node "$p" "$r")
    if [ $((fn & 1)) -eq 0 ]; then
      while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn >> 1)); sn=$((sn >> 1)); done
    fi
  else
    r=$(node "$r" "$p")
  fi
  fn=$((fn >> 1))
  sn=$((sn >> 1))
done
if [ "$sn" -eq 0 ] && [ "$r" = "$root" ]; then
  echo "OK: record $seq is included in the tree of size $size with root $root"
else
  echo "FAIL: record $seq is not included in the tree of size $size"
  exit 1
fi
)sh";

std::string verify_md_text(const std::string& ledger_id, std::uint64_t records, std::uint64_t last_tree_size,
                           const std::string& last_author, std::uint64_t example_seq) {
  const std::string size = std::to_string(last_tree_size);
  const std::string seq = std::to_string(example_seq);
  // clang-format off
  return "# Verifying this export\n\n"
         "Ledger `" + ledger_id + "`: " + std::to_string(records) + " records. The format is documented\n"
         "byte for byte in Tripartite's `docs/audit-format.md`.\n\n"
         "- `journal.jsonl` — line *i* is record *i*'s canonical bytes `c_i` exactly (leaf hash\n"
         "  `SHA-256(0x00 || c_i)`, RFC 6962 Merkle tree).\n"
         "- `checkpoints/<tree size>` — the signed checkpoint (C2SP tlog-checkpoint + signed-note)\n"
         "  written after each batch, signed by the batch's author.\n"
         "- `keys/<party>.pem` — each party's Ed25519 public key as registered in the log.\n"
         "- `proofs/inclusion-" + seq + ".txt` — an example inclusion proof (from `tripartite prove`).\n"
         "- `verify-inclusion.sh` — the inclusion check below, as a script.\n\n"
         "## 1. Check a checkpoint's signature (openssl and a POSIX shell)\n\n"
         "The note is the body (3 lines), an empty line, and `— <party> <base64(key id || signature)>`.\n"
         "The signature is the last 64 bytes of that base64 value, over exactly the body bytes:\n\n"
         "```sh\n"
         "cp=checkpoints/" + size + "\n"
         "head -n 3 \"$cp\" > body\n"
         "signer=$(tail -n 1 \"$cp\" | cut -d' ' -f2)      # " + last_author + "\n"
         "tail -n 1 \"$cp\" | cut -d' ' -f3 | openssl base64 -d -A | tail -c 64 > sig\n"
         "openssl pkeyutl -verify -pubin -inkey \"keys/$signer.pem\" -rawin -in body -sigfile sig\n"
         "```\n\n"
         "`Signature Verified Successfully` means the author's registered key signed that tree head.\n"
         "The third body line is the base64 Merkle root of the first `" + size + "` records.\n\n"
         "## 2. Check one record's inclusion (openssl and a POSIX shell)\n\n"
         "Ask the operator for a proof (`tripartite prove --db LEDGER --seq N > proof.txt`; one is\n"
         "included for record " + seq + "), check that its `# root` is the root of a checkpoint you\n"
         "verified in step 1, then fold the proof over the record's leaf hash taken from *your*\n"
         "copy of `journal.jsonl`:\n\n"
         "```sh\n"
         "grep -x \"$(awk '$0==\"# root\" {getline; print; exit}' proofs/inclusion-" + seq + ".txt)\" checkpoints/" + size + "\n"
         "sh verify-inclusion.sh proofs/inclusion-" + seq + ".txt journal.jsonl\n"
         "```\n\n"
         "The first command prints the root line of the checkpoint (nothing if the proof is for another\n"
         "tree head); the script prints `OK: …` or `FAIL: …`. It is listed in full in section 4.\n\n"
         "## 3. Check the whole export\n\n"
         "Either with Tripartite: `tripartite verify --audit .` (add `--checkpoint FILE` to prove\n"
         "that this log extends a checkpoint you kept from earlier, and `--replay` to re-run every\n"
         "settlement run from the log's own terms, deliveries and loans and check that it posted\n"
         "exactly what the contract gives), or independently with the short\n"
         "Python script `docs/verify_export.py` of Tripartite's source (Python 3, `hashlib` and the\n"
         "`cryptography` package; take it from the source, not from whoever sent you this export, and\n"
         "read it: it is short). In this folder: `python3 /path/to/tripartite/docs/verify_export.py .`\n"
         "It recomputes every leaf and every checkpoint root, checks every signature against the keys\n"
         "the log registers, every record's author's role and members, that every journal entry\n"
         "balances and that no id (a delivery's, a farmer's, an entry's) is recorded twice.\n\n"
         "Trust anchor: the genesis record (line 1) declares the coordinator's key. Compare\n"
         "`keys/<coordinator>.pem` with the key the coordinator gave you directly, or let\n"
         "`tripartite verify --audit . --coordinator-key COORDINATOR.pem.pub` compare it: a log\n"
         "signed from the start with other keys verifies by itself, and only this check refuses it.\n\n"
         "## 4. verify-inclusion.sh\n\n"
         "The script of step 2, which follows RFC 9162 §2.1.3.2:\n\n"
         "```sh\n" + std::string(kInclusionScript) + "```\n";
  // clang-format on
}

}  // namespace tripartite::cli
