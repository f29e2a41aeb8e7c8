// LineBlockReader splits a file into exactly the lines std::getline gives, whatever the
// read size and the lines per block.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "ledger/line_blocks.hpp"

using namespace tripartite::ledger;

namespace {

std::vector<std::string> getline_lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

struct BlockLines {
  std::vector<std::string> lines;
  std::size_t blocks = 0;
  std::size_t largest_block = 0;  // lines
  bool views_cover_block = true;  // every block holds exactly its lines (and their '\n's)
  bool unterminated = false;      // the reader's unterminated_last_line() at the end
};

BlockLines block_lines(const std::string& text, std::size_t read_size, std::size_t max_lines) {
  std::istringstream in(text);
  LineBlockReader reader(in, read_size);
  std::vector<char> bytes;
  std::vector<LineSpan> spans;
  BlockLines out;
  while (reader.next(max_lines, bytes, spans)) {
    out.blocks += 1;
    out.largest_block = std::max(out.largest_block, spans.size());
    std::size_t expected_offset = 0;
    for (const auto& span : spans) {
      if (span.offset != expected_offset) out.views_cover_block = false;
      out.lines.emplace_back(bytes.data() + span.offset, span.size);
      expected_offset = span.offset + span.size + 1;
    }
    // The block ends right after its last line's '\n' (or at the last line's end).
    if (bytes.size() != expected_offset && bytes.size() + 1 != expected_offset) out.views_cover_block = false;
  }
  out.unterminated = reader.unterminated_last_line();
  return out;
}

}  // namespace

TEST_CASE("line blocks split as std::getline does", "[line_blocks]") {
  const std::string long_line(200000, 'x');
  const std::vector<std::string> texts = {
      "",
      "\n",
      "\n\n\n",
      "a",
      "a\n",
      "a\nb",
      "a\nb\n",
      "a\r\nb\r\n",
      "{\"kind\":\"genesis\"}\n\n{\"kind\":\"key\"}\n",
      "one\n" + long_line + "\nthree",
      long_line,
      long_line + "\n",
  };
  for (const auto& text : texts) {
    for (std::size_t read_size : {1UL, 2UL, 3UL, 7UL, 64UL, 65536UL}) {
      for (std::size_t max_lines : {1UL, 2UL, 3UL, 1000UL}) {
        INFO("text of " << text.size() << " bytes, read size " << read_size << ", lines per block " << max_lines);
        BlockLines got = block_lines(text, read_size, max_lines);
        CHECK(got.lines == getline_lines(text));
        CHECK(got.largest_block <= max_lines);
        CHECK(got.views_cover_block);
        // Set exactly when the file's last line has no '\n' after it.
        CHECK(got.unterminated == (!text.empty() && text.back() != '\n'));
      }
    }
  }
}

TEST_CASE("line blocks of a many-line file hold at most the lines asked for", "[line_blocks]") {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "record " + std::to_string(i) + (i % 7 == 0 ? std::string() : " padded") + "\n";
  BlockLines got = block_lines(text, 4096, 2048);
  CHECK(got.lines == getline_lines(text));
  CHECK(got.blocks == 5);  // 4 × 2048 + 1808
  CHECK(got.largest_block == 2048);
}
