// Verifying a ledger without trusting whoever ran it (SPEC §5): from a database or from an
// exported audit folder.
//
// What is checked, in one pass over the log in sequence order: every record's bytes are
// canonical and (in a database) its stored leaf hash and index columns agree with them;
// every journal entry balances and (in a database) is of a kind the store lists as holding
// entries, which balances are summed from, and no other record is; every
// record lies in exactly one batch and its author may write that kind of record (SPEC §5
// authority, roles from the log itself); after each batch the checkpoint's origin, size and
// Merkle root are recomputed and its Ed25519 signature is checked against the key the log
// registered for the author; no (kind, key) occurs twice (docs/audit-format.md §2: found
// by hash after the pass, confirmed on the pairs, reported if it comes before any other
// problem). Optionally, a checkpoint kept from earlier is proven to be a
// prefix of this log by an RFC 9162 consistency proof.
//
// Invariants: the verdict depends only on the bytes of the log and the checkpoints, never on
// a derived table; the first problem is reported with its sequence number (or the
// checkpoint's tree size) and the reason.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ledger/crypto.hpp"
#include "ledger/store.hpp"

namespace tripartite::contracts {

struct VerifySummary {
  std::uint64_t records = 0;
  std::uint64_t batches = 0;
  std::uint64_t entries = 0;
  std::string ledger_id;
  ledger::Hash root{};
  std::optional<std::uint64_t> proven_checkpoint_size;  // --checkpoint
};

struct VerifyOptions {
  std::optional<std::string> kept_checkpoint;  // signed note text kept by the auditor
  // The coordinator's public key (32 raw bytes) as the auditor got it from the coordinator:
  // the trust anchor. When given, the genesis must declare exactly this key, so that a log
  // re-signed from the start with other keys is refused.
  std::optional<std::string> coordinator_key;
  // Records hashed and parsed together on the second core while the previous chunk is
  // checked in order. Any size gives the same result; tests use small ones. 1,024 records
  // (about 260 KB of a season's bytes) stay in the core's cache between the reading and the
  // checking: at 100,000 farmers 2,048 took 2.4 s, 8,192 took 2.7 s, 1,024 and 512 2.1 s.
  std::size_t chunk_records = 1024;
  // Bits of each record's (kind, key) hash kept (1..64). A repeated id is found by equal
  // hashes and then confirmed by comparing the ids themselves; tests keep a few bits so that
  // most hashes are shared and the confirmation is exercised.
  unsigned key_hash_bits = 64;
  // Called now and then with the number of records checked so far (for a progress line).
  std::function<void(std::uint64_t records)> progress;
};

// Verifies a database. Failures are ErrorKind::verification with "record N: …" or
// "checkpoint at tree size N: …".
Result<VerifySummary> verify_store(ledger::Store& store, const VerifyOptions& options);

// Verifies an export folder: journal.jsonl, checkpoints/<tree size>, keys/<party>.pem.
Result<VerifySummary> verify_export(const std::string& directory, const VerifyOptions& options);

// Copies a verified export folder into `store`, a new empty ledger with the export's ledger
// id: every record in its batch, each batch closed with the export's signed note (the
// store checks each note is its batch's checkpoint). So that `verify --audit --replay` can
// re-run the settlement runs of an export, which needs the records by kind and farmer.
// `progress` is called now and then with the records copied so far.
Status rebuild_from_export(const std::string& directory, ledger::Store& store,
                           const std::function<void(std::uint64_t records)>& progress = {});

}  // namespace tripartite::contracts
