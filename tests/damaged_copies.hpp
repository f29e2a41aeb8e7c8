// Damaged copies of a record, for checking a fast reader against the full parser: every
// truncation, and every single-byte substitution by one of `replacements` (the unchanged
// record left out).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tripartite::test {

inline std::vector<std::string> damaged_copies(const std::string& bytes, std::string_view replacements) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out.push_back(bytes.substr(0, i));
    for (char r : replacements) {
      if (bytes[i] == r) continue;
      std::string copy = bytes;
      copy[i] = r;
      out.push_back(std::move(copy));
    }
  }
  return out;
}

}  // namespace tripartite::test
