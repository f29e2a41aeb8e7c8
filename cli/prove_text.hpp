// The text of an inclusion proof, as `tripartite prove` prints it and export writes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/store.hpp"

namespace tripartite::cli {

// "# seq\nN\n# record\n<c_N>\n# leaf_hash\n<b64>\n# tree_size\nM\n# root\n<b64>\n# proof\n<b64>…\n# checkpoint\n<note>"
// against the latest checkpoint. REQUIRES: 1 <= seq <= tree size.
Result<std::string> inclusion_proof_text(ledger::Store& store, std::uint64_t seq);

// The same text from leaves already read: `leaves` are the stored leaf hashes of records
// 1..last.tree_size, `record` is c_seq. REQUIRES: 1 <= seq <= leaves.size() == last.tree_size.
std::string inclusion_proof_text(const std::vector<ledger::Hash>& leaves, std::uint64_t seq, std::string_view record,
                                 const ledger::StoredBatch& last);

// Refuses leaves that do not cover the last checkpoint (a records table that lost rows).
Status check_leaves_cover(std::size_t leaves, std::uint64_t tree_size);

}  // namespace tripartite::cli
