// The VERIFY.md written into every audit export, and the POSIX shell script beside it.
#pragma once

#include <string>

namespace tripartite::cli {

std::string verify_md_text(const std::string& ledger_id, std::uint64_t records, std::uint64_t last_tree_size,
                           const std::string& last_author, std::uint64_t example_seq);
extern const char* const kInclusionScript;

}  // namespace tripartite::cli
