// The text of an inclusion proof, as `tripartite prove` prints it and export writes it.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/store.hpp"

namespace tripartite::cli {

// "# seq\nN\n# record\n<c_N>\n# leaf_hash\n<b64>\n# tree_size\nM\n# root\n<b64>\n# proof\n<b64>…\n# checkpoint\n<note>"
// against the latest checkpoint. REQUIRES: 1 <= seq <= tree size.
Result<std::string> inclusion_proof_text(ledger::Store& store, std::uint64_t seq);

}  // namespace tripartite::cli
