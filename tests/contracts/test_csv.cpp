// The RFC 4180 reader: syntax, line numbers, byte checks, header checks, limits.
#include <catch2/catch.hpp>

#include "contracts/csv.hpp"
#include "contracts_test_support.hpp"

using namespace tripartite;
using namespace tripartite::contracts;
using tripartite::contracts::testing::formatted;
using tripartite::contracts::testing::ScratchFolder;

namespace {

struct ReadOutcome {
  bool opened = false;
  bool has_header = false;
  std::vector<int> lines;                      // starting line of each record handed on
  std::vector<std::vector<std::string>> rows;  // the declared columns, in declared order
  std::vector<std::string> diagnostics;
};

ReadOutcome read_csv(std::string_view bytes, std::vector<std::string> required = {"a", "b"},
                     std::vector<std::string> optional = {}) {
  ScratchFolder folder;
  std::string path = folder.write("t.csv", bytes);
  Diagnostics diagnostics;
  FileDiagnostics file("t.csv", diagnostics);
  ReadOutcome outcome;
  std::vector<std::string> declared = required;
  declared.insert(declared.end(), optional.begin(), optional.end());
  auto reader = CsvReader::open(path, required, optional, file);
  outcome.opened = reader.ok();
  if (reader.ok()) {
    outcome.has_header = reader->has_header();
    CsvRow row;
    while (reader->next(row, file)) {
      outcome.lines.push_back(row.line());
      std::vector<std::string> values;
      for (const auto& column : declared) values.emplace_back(row.get(column));
      outcome.rows.push_back(values);
    }
  }
  file.finish();
  outcome.diagnostics = formatted(diagnostics);
  return outcome;
}

using Rows = std::vector<std::vector<std::string>>;
using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("csv: plain records with LF, CRLF, and no final line break", "[csv]") {
  for (std::string_view bytes : {std::string_view("a,b\n1,2\n3,4\n"), std::string_view("a,b\r\n1,2\r\n3,4\r\n"),
                                 std::string_view("a,b\n1,2\n3,4")}) {
    auto outcome = read_csv(bytes);
    CHECK(outcome.diagnostics.empty());
    CHECK(outcome.rows == Rows{{"1", "2"}, {"3", "4"}});
    CHECK(outcome.lines == std::vector<int>{2, 3});
  }
}

TEST_CASE("csv: a UTF-8 byte order mark is accepted and stripped", "[csv]") {
  auto outcome = read_csv(
      "\xEF\xBB\xBF"
      "a,b\r\n1,2\r\n");
  CHECK(outcome.diagnostics.empty());
  CHECK(outcome.rows == Rows{{"1", "2"}});
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks", "[csv]") {
  auto outcome = read_csv(
      "a,b\n"
      "\"Kamau, Peter\",\"say \"\"hi\"\"\"\n"
      "\"\",\"\"\"\"\n"
      "\"two\nlines\",x\n"
      "\"crlf\r\ninside\",y\n"
      "last,\"three\n\nlines\"\n"
      "after,z\n");
  CHECK(outcome.diagnostics.empty());
  CHECK(outcome.rows == Rows{{"Kamau, Peter", "say \"hi\""},
                             {"", "\""},
                             {"two\nlines", "x"},
                             {"crlf\r\ninside", "y"},
                             {"last", "three\n\nlines"},
                             {"after", "z"}});
  // Each record is numbered by the physical line where it starts.
  CHECK(outcome.lines == std::vector<int>{2, 3, 4, 6, 8, 11});
}

TEST_CASE("csv: fields keep their spaces, an empty field is empty", "[csv]") {
  auto outcome = read_csv("a,b\n x ,\n,\n");
  CHECK(outcome.diagnostics.empty());
  CHECK(outcome.rows == Rows{{" x ", ""}, {"", ""}});
}

TEST_CASE("csv: column order is free, optional columns may be absent", "[csv]") {
  auto outcome = read_csv("b,c,a\n2,3,1\n", {"a", "b"}, {"c"});
  CHECK(outcome.diagnostics.empty());
  CHECK(outcome.rows == Rows{{"1", "2", "3"}});
  auto without = read_csv("b,a\n2,1\n", {"a", "b"}, {"c"});
  CHECK(without.diagnostics.empty());
  CHECK(without.rows == Rows{{"1", "2", ""}});
}

TEST_CASE("csv: CsvRow::has tells an absent optional column from an empty one", "[csv]") {
  ScratchFolder folder;
  Diagnostics diagnostics;
  FileDiagnostics file("t.csv", diagnostics);
  auto reader = CsvReader::open(folder.write("t.csv", "a,b\n1,2\n"), {"a"}, {"b", "c"}, file);
  REQUIRE(reader.ok());
  CsvRow row;
  REQUIRE(reader->next(row, file));
  CHECK(row.has("b"));
  CHECK_FALSE(row.has("c"));
  CHECK(row.get("c").empty());
}

TEST_CASE("csv: header problems, one diagnostic per column on line 1", "[csv]") {
  auto missing = read_csv("a\n1\n", {"a", "b", "c"});
  CHECK_FALSE(missing.opened);
  CHECK(missing.diagnostics == Lines{"t.csv:1: b: missing column", "t.csv:1: c: missing column"});
  auto unknown = read_csv("a,x,b,y\n1,2,3,4\n");
  CHECK_FALSE(unknown.opened);
  CHECK(unknown.diagnostics == Lines{"t.csv:1: x: unknown column", "t.csv:1: y: unknown column"});
  auto duplicate = read_csv("a,b,a\n1,2,3\n");
  CHECK(duplicate.diagnostics == Lines{"t.csv:1: a: duplicate column"});
  auto both = read_csv("a,B\n1,2\n");
  CHECK(both.diagnostics == Lines{"t.csv:1: B: unknown column", "t.csv:1: b: missing column"});
  // Names that would not print as what they are: by position, escaped.
  auto empty_name = read_csv("a,,b\n1,2,3\n");
  CHECK(empty_name.diagnostics == Lines{"t.csv:1: column 2: empty column name"});
  auto second_bom = read_csv(
      "\xEF\xBB\xBF\xEF\xBB\xBF"
      "a,b\n1,2\n");
  CHECK(second_bom.diagnostics == Lines{"t.csv:1: column 1: unknown column '<U+FEFF>a'", "t.csv:1: a: missing column"});
  // A known name with a space at either end is named as such.
  auto spaced = read_csv("a, b\n1,2\n");
  CHECK(spaced.diagnostics ==
        Lines{"t.csv:1: column 2: unknown column ' b': a space at its start or end (the column is 'b')",
              "t.csv:1: b: missing column"});
}

TEST_CASE("csv: a header in one column separated otherwise, or a UTF-16 file, is one line saying so", "[csv]") {
  auto semicolons = read_csv("a;b\n1;2\n");
  CHECK_FALSE(semicolons.opened);
  CHECK(semicolons.diagnostics ==
        Lines{"t.csv:1: header: one column 'a;b': its names are separated by ';'; this file's separator is a comma (a "
              "spreadsheet: save as CSV UTF-8, comma delimited)"});
  auto tabs = read_csv("a\tb\n1\t2\n");
  CHECK(tabs.diagnostics ==
        Lines{"t.csv:1: header: one column 'a<0x09>b': its names are separated by a tab; this file's "
              "separator is a comma (a spreadsheet: save as CSV UTF-8, comma delimited)"});
  // One column that is simply unknown is not taken for a separator problem.
  CHECK(read_csv("x\n1\n", {"x"}).diagnostics.empty());
  for (const std::string& bom : {std::string("\xFF\xFE"), std::string("\xFE\xFF")}) {
    std::string bytes = bom;
    for (char c : std::string("a,b\n1,2\n")) {  // UTF-16, little or big end first
      bytes += bom[0] == '\xFF' ? std::string{c, '\0'} : std::string{'\0', c};
    }
    auto utf16 = read_csv(bytes);
    CHECK_FALSE(utf16.opened);
    CHECK(utf16.diagnostics ==
          Lines{"t.csv:1: header: the file is UTF-16 (it starts with the bytes " +
                std::string(bom[0] == '\xFF' ? "FF FE" : "FE FF") + "); save it as UTF-8 (a spreadsheet: CSV UTF-8)"});
  }
}

TEST_CASE("csv: an empty file, a BOM alone, blank lines alone or a header alone hold no records", "[csv]") {
  for (std::string_view bytes :
       {std::string_view(""), std::string_view("\xEF\xBB\xBF"), std::string_view("\n\n"), std::string_view("\r\n")}) {
    auto outcome = read_csv(bytes);
    CHECK(outcome.opened);
    CHECK_FALSE(outcome.has_header);
    CHECK(outcome.rows.empty());
    CHECK(outcome.diagnostics.empty());
  }
  auto header_only = read_csv("a,b\n");
  CHECK(header_only.opened);
  CHECK(header_only.has_header);
  CHECK(header_only.rows.empty());
  CHECK(header_only.diagnostics.empty());
}

TEST_CASE("csv: blank lines at the end are tolerated, in the middle they are not", "[csv]") {
  CHECK(read_csv("a,b\n1,2\n\n").diagnostics.empty());
  CHECK(read_csv("a,b\r\n1,2\r\n\r\n\r\n").diagnostics.empty());
  auto middle = read_csv("a,b\n1,2\n\n3,4\n\n\n5,6\n");
  CHECK(middle.diagnostics == Lines{"t.csv:3: record: blank line", "t.csv:5: record: 2 blank lines"});
  CHECK(middle.rows == Rows{{"1", "2"}, {"3", "4"}, {"5", "6"}});
  auto before_header = read_csv("\na,b\n1,2\n");
  CHECK_FALSE(before_header.opened);
  CHECK(before_header.diagnostics == Lines{"t.csv:1: header: blank line; the header row must be the first line"});
}

TEST_CASE("csv: a row with the wrong number of fields is refused at its line", "[csv]") {
  auto outcome = read_csv("a,b\n1\n1,2,3\n4,5\n\"x\ny\"\n");
  CHECK(outcome.diagnostics == Lines{"t.csv:2: record: 1 field, expected 2", "t.csv:3: record: 3 fields, expected 2",
                                     "t.csv:5: record: 1 field, expected 2"});
  CHECK(outcome.rows == Rows{{"4", "5"}});
}

TEST_CASE("csv: quote errors name the line and the column", "[csv]") {
  auto stray = read_csv("a,b\n1,ab\"c\n2,3\n");
  CHECK(stray.diagnostics == Lines{"t.csv:2: b: quote inside an unquoted field"});
  CHECK(stray.rows == Rows{{"2", "3"}});
  auto after = read_csv("a,b\n\"1\"x,2\n3,4\n");
  CHECK(after.diagnostics == Lines{"t.csv:2: a: text after the closing quote of a quoted field"});
  CHECK(after.rows == Rows{{"3", "4"}});
  // The quote opened on line 3 swallows the rest of the file.
  auto unterminated = read_csv("a,b\n1,2\n3,\"four\n5,6\n");
  CHECK(unterminated.diagnostics == Lines{"t.csv:3: b: unterminated quoted field"});
  CHECK(unterminated.rows == Rows{{"1", "2"}});
  // In a record that spans lines, every lexical problem is at the line where the record
  // starts, with the problem's own line in the message.
  auto late_quote = read_csv("a,b\n\"one\ntwo\",\"3\"x\n4,5\n");
  CHECK(late_quote.diagnostics == Lines{"t.csv:2: b: text after the closing quote of a quoted field (on line 3)"});
  CHECK(late_quote.rows == Rows{{"4", "5"}});
  auto late_unterminated = read_csv("a,b\n1,2\n\"three\nlines\",\"open\n5,6\n");
  CHECK(late_unterminated.diagnostics == Lines{"t.csv:3: b: unterminated quoted field (on line 4)"});
  auto late_stray = read_csv("a,b\n\"x\ny\",z\"w\n7,8\n");
  CHECK(late_stray.diagnostics == Lines{"t.csv:2: b: quote inside an unquoted field (on line 3)"});
  auto carriage_return = read_csv("a,b\n1,2\r3\n4,5\n");
  CHECK(carriage_return.diagnostics == Lines{"t.csv:2: b: carriage return not followed by a line feed"});
  CHECK(carriage_return.rows == Rows{{"4", "5"}});
}

TEST_CASE("csv: control bytes are refused before the record is handed on", "[csv]") {
  auto nul = read_csv(std::string_view("a,b\n1,2\0\n3,4\n", 13));
  CHECK(nul.diagnostics == Lines{"t.csv:2: b: control byte 0x00 is not allowed"});
  CHECK(nul.rows == Rows{{"3", "4"}});
  auto escape = read_csv("a,b\n1,2\n\x1B,4\n5,6\x7F\n");
  CHECK(escape.diagnostics ==
        Lines{"t.csv:3: a: control byte 0x1B is not allowed", "t.csv:4: b: control byte 0x7F is not allowed"});
  CHECK(escape.rows == Rows{{"1", "2"}});
  auto tab = read_csv("a,b\n1\t,2\n");
  CHECK(tab.diagnostics.empty());
  CHECK(tab.rows == Rows{{"1\t", "2"}});
  // Inside a record spanning lines, the diagnostic is at the record's first line (SPEC §2)
  // and the message names the byte's own line.
  auto spanning = read_csv(std::string_view("a,b\n\"x\ny\0\",2\n3,4\n", 17));
  CHECK(spanning.diagnostics == Lines{"t.csv:2: a: control byte 0x00 is not allowed (on line 3)"});
  CHECK(spanning.rows == Rows{{"3", "4"}});
  auto in_header = read_csv(std::string_view("a,\0b\n1,2\n", 9));
  CHECK_FALSE(in_header.opened);
  CHECK(in_header.diagnostics == Lines{"t.csv:1: header: control byte 0x00 is not allowed"});
}

TEST_CASE("csv: invalid UTF-8 is refused, valid UTF-8 passes", "[csv]") {
  auto latin1 = read_csv("a,b\n1,caf\xE9\n3,4\n");
  CHECK(latin1.diagnostics == Lines{"t.csv:2: b: invalid UTF-8 (byte 0xE9)"});
  CHECK(latin1.rows == Rows{{"3", "4"}});
  const char* refused[] = {
      "a,b\n1,\x80\n",              // a lone continuation byte
      "a,b\n1,\xC0\x80\n",          // an overlong NUL
      "a,b\n1,\xED\xA0\x80\n",      // a UTF-16 surrogate
      "a,b\n1,\xF4\x90\x80\x80\n",  // above U+10FFFF
      "a,b\n1,\xF8\x88\x80\x80\x80\n",
      "a,b\n1,\xE2\x82",  // cut short by the end of the file
  };
  for (const char* bytes : refused) {
    auto outcome = read_csv(bytes);
    INFO(bytes);
    REQUIRE(outcome.diagnostics.size() == 1);
    CHECK(outcome.diagnostics[0].rfind("t.csv:2: b: invalid UTF-8 (byte 0x", 0) == 0);
    CHECK(outcome.rows.empty());
  }
  auto valid = read_csv("a,b\nWanjir\xC5\xA9,\xE2\x82\xAC \xF0\x9F\x8C\xBD\n");
  CHECK(valid.diagnostics.empty());
  CHECK(valid.rows == Rows{{"Wanjir\xC5\xA9", "\xE2\x82\xAC \xF0\x9F\x8C\xBD"}});
}

TEST_CASE("csv: a record longer than the limit is refused, not buffered", "[csv]") {
  std::string bytes = "a,b\n1,\"" + std::string(kMaximumRecordBytes + 10, 'x') + "\"\n2,3\n";
  auto outcome = read_csv(bytes);
  CHECK(outcome.diagnostics == Lines{"t.csv:2: record: longer than 65536 bytes"});
  CHECK(outcome.rows == Rows{{"2", "3"}});
}

TEST_CASE("csv: the limit holds to the byte, quoted or not (runs of plain bytes are taken at once)", "[csv]") {
  // The record's text is its fields' bytes: one 'y' in b leaves kMaximumRecordBytes - 1 for a.
  const std::string at_limit(kMaximumRecordBytes - 1, 'x');
  for (const std::string& a : {at_limit, "\"" + at_limit + "\""}) {
    INFO(a.substr(0, 2));
    auto fits = read_csv("a,b\n" + a + ",y\n2,3\n");
    CHECK(fits.diagnostics.empty());
    CHECK(fits.rows == Rows{{at_limit, "y"}, {"2", "3"}});
    auto one_over = read_csv("a,b\n" + a + ",yz\n2,3\n");
    CHECK(one_over.diagnostics == Lines{"t.csv:2: record: longer than 65536 bytes"});
    CHECK(one_over.rows == Rows{{"2", "3"}});
  }
}

TEST_CASE("csv: a plain run stops where a byte needs the state machine", "[csv]") {
  // A UTF-8 lead byte followed by ASCII: the ASCII byte is checked, not taken with the run
  // (were it skipped, the continuation byte after it would complete the character).
  for (const char* bytes : {"a,b\nab\xC3yz,2\n3,4\n", "a,b\nab\xC3yz\xA9,2\n3,4\n", "a,b\n\"\xC3yz\xA9\",2\n3,4\n"}) {
    INFO(bytes);
    auto cut = read_csv(bytes);
    CHECK(cut.diagnostics == Lines{"t.csv:2: a: invalid UTF-8 (byte 0xC3)"});
    CHECK(cut.rows == Rows{{"3", "4"}});
  }
  // Commas end a run outside quotes only; a quote ends it inside and outside.
  auto mixed = read_csv("a,b\n\"x,y\"\"z\"\"w\",plain text\nq\"r,2\n");
  CHECK(mixed.diagnostics == Lines{"t.csv:3: a: quote inside an unquoted field"});
  CHECK(mixed.rows == Rows{{"x,y\"z\"w", "plain text"}});
  // A tab and a multi-byte character between plain bytes are kept.
  auto kept = read_csv("a,b\nx\ty,caf\xC3\xA9 au lait\n");
  CHECK(kept.diagnostics.empty());
  CHECK(kept.rows == Rows{{"x\ty", "caf\xC3\xA9 au lait"}});
}

TEST_CASE("csv: records spanning chunk boundaries keep their content and line numbers", "[csv]") {
  // About 2.4 MB: many 64 KiB chunk boundaries fall inside quoted fields and CRLF pairs.
  std::string bytes = "a,b\r\n";
  const int records = 60000;
  for (int i = 0; i < records; ++i) {
    bytes += std::to_string(i) + ",\"line one, " + std::to_string(i) + "\r\nline \"\"two\"\"\"\r\n";
  }
  ScratchFolder folder;
  Diagnostics diagnostics;
  FileDiagnostics file("t.csv", diagnostics);
  auto reader = CsvReader::open(folder.write("t.csv", bytes), {"a", "b"}, {}, file);
  REQUIRE(reader.ok());
  CsvRow row;
  int count = 0;
  bool all_match = true;
  while (reader->next(row, file)) {
    std::string expected_b = "line one, " + std::to_string(count) + "\r\nline \"two\"";
    all_match =
        all_match && row.get("a") == std::to_string(count) && row.get("b") == expected_b && row.line() == 2 + 2 * count;
    ++count;
  }
  CHECK(diagnostics.empty());
  CHECK(count == records);
  CHECK(all_match);
}

TEST_CASE("csv: at most 100 diagnostics per file, then one line saying how many more", "[csv]") {
  std::string bytes = "a,b\n";
  for (int i = 0; i < 150; ++i) bytes += "ragged\n";
  auto outcome = read_csv(bytes);
  REQUIRE(outcome.diagnostics.size() == 101);
  CHECK(outcome.diagnostics[0] == "t.csv:2: record: 1 field, expected 2");
  CHECK(outcome.diagnostics[99] == "t.csv:101: record: 1 field, expected 2");
  CHECK(outcome.diagnostics[100] == "t.csv: 50 more errors not shown (at most 100 per file)");
}

TEST_CASE("csv: a missing file is a diagnostic and an error", "[csv]") {
  Diagnostics diagnostics;
  FileDiagnostics file("nothere.csv", diagnostics);
  auto reader = CsvReader::open("/nonexistent/nothere.csv", {"a"}, {}, file);
  CHECK_FALSE(reader.ok());
  CHECK(formatted(diagnostics) == Lines{"nothere.csv: cannot open file (No such file or directory)"});
}

TEST_CASE("text checker: UTF-8 and control bytes, byte by byte", "[csv]") {
  auto problems_in = [](std::string_view text) {
    TextChecker checker;
    std::vector<std::string> problems;
    for (char c : text) {
      if (auto problem = checker.feed(static_cast<unsigned char>(c))) problems.push_back(*problem);
    }
    if (auto problem = checker.finish()) problems.push_back(*problem);
    return problems;
  };
  CHECK(problems_in("plain ASCII\t\r\n").empty());
  CHECK(problems_in("\xC2\xA0\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF").empty());
  CHECK(problems_in("\xE0\x9F\x80").front() == "invalid UTF-8 (byte 0xE0)");  // overlong
  CHECK(problems_in("\xC1\xBF").size() >= 1);
  CHECK(problems_in("\xEF\xBB\xBF").empty());  // a BOM is a valid character
  CHECK(problems_in(std::string_view("\0", 1)) == Lines{"control byte 0x00 is not allowed"});
  CHECK(problems_in("\x0B") == Lines{"control byte 0x0B is not allowed"});
}
