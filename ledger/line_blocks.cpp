// See line_blocks.hpp.
#include "ledger/line_blocks.hpp"

#include <cstring>
#include <utility>

namespace tripartite::ledger {

bool LineBlockReader::next(std::size_t max_lines, std::vector<char>& bytes, std::vector<LineSpan>& lines) {
  if (max_lines == 0) max_lines = 1;
  bytes.swap(carry_);
  carry_.clear();
  lines.clear();
  std::size_t line_start = 0;
  std::size_t scanned = 0;
  while (lines.size() < max_lines) {
    const void* newline = scanned < bytes.size() ? std::memchr(bytes.data() + scanned, '\n', bytes.size() - scanned) : nullptr;
    if (newline != nullptr) {
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(newline) - bytes.data());
      lines.push_back(LineSpan{line_start, end - line_start});
      line_start = scanned = end + 1;
      continue;
    }
    scanned = bytes.size();
    if (eof_) {
      if (line_start < bytes.size()) {
        lines.push_back(LineSpan{line_start, bytes.size() - line_start});
        unterminated_ = true;
      }
      line_start = bytes.size();
      break;
    }
    const std::size_t old_size = bytes.size();
    bytes.resize(old_size + read_size_);
    const std::streamsize got = in_.rdbuf()->sgetn(bytes.data() + old_size, static_cast<std::streamsize>(read_size_));
    bytes.resize(old_size + static_cast<std::size_t>(got < 0 ? 0 : got));
    if (got <= 0) eof_ = true;
  }
  carry_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(line_start), bytes.end());
  bytes.resize(line_start);
  return !lines.empty();
}

}  // namespace tripartite::ledger
