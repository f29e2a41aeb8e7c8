// Reading a text file in blocks of whole lines, for files of millions of lines (an audit
// export's journal.jsonl): one buffer per block instead of one string per line, and reads
// of 64 KiB instead of the stream's 8 KiB.
//
// Lines are split exactly as std::getline splits them: at each '\n' (not included; a '\r'
// before it stays in the line), an empty line is a line, and a last line without '\n' is a
// line too, but nothing after a final '\n' is.
#pragma once

#include <cstddef>
#include <istream>
#include <vector>

namespace tripartite::ledger {

struct LineSpan {
  std::size_t offset = 0;  // in the block's bytes
  std::size_t size = 0;
};

class LineBlockReader {
 public:
  explicit LineBlockReader(std::istream& in, std::size_t read_size = 64 * 1024)
      : in_(in), read_size_(read_size == 0 ? 1 : read_size) {}

  // Fills `bytes` and `lines` with the next at most max_lines whole lines (bytes holds
  // only those lines); false when the file has no more lines. As with std::getline, a read
  // error ends the lines like the end of the file does (verify then finds the log short of
  // its checkpoints and fails).
  bool next(std::size_t max_lines, std::vector<char>& bytes, std::vector<LineSpan>& lines);
  // True once a last line without its '\n' has been given (a file not ending in a line
  // break): a journal.jsonl in which every record is followed by '\n' has none.
  bool unterminated_last_line() const { return unterminated_; }

 private:
  std::istream& in_;
  std::size_t read_size_;
  std::vector<char> carry_;  // bytes read past the last block's last line
  bool eof_ = false;
  bool unterminated_ = false;
};

}  // namespace tripartite::ledger
