// Reading RFC 4180 CSV input files, one record at a time, and collecting their diagnostics.
//
// Invariants: memory stays flat in the size of the file — the file is read in 64 KiB chunks
// and only the current record is held (a record longer than kMaximumRecordBytes is refused,
// not buffered). Every byte is checked before it is handed on: a byte that is not part of
// well-formed UTF-8 (RFC 3629), or a control byte other than TAB, CR and LF, makes its record
// invalid, with a diagnostic naming its physical line. A record handed to the caller
// (`CsvReader::next`) is well-formed and has exactly one field per header column.
//
// Accepted syntax: an optional UTF-8 byte order mark; records ended by LF or CRLF (the last
// one may lack it); fields quoted or not, a quoted field holding commas, doubled quotes ("")
// and line breaks; blank lines at the end of the file. Refused, each with a diagnostic: a
// quote inside an unquoted field, text after a closing quote, an unterminated quoted field,
// a carriage return not followed by a line feed, a blank line before the last record, a
// record with the wrong number of fields, and in the header an unknown, duplicate or missing
// column. Column order is free.
//
// Line numbers: a record is reported at the physical line where it starts (the header is
// line 1); a byte-level problem (a bad byte, a stray quote or carriage return) at the
// physical line of the offending byte; an unterminated quote at the line of its opening quote.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/result.hpp"

namespace tripartite::contracts {

inline constexpr std::size_t kMaximumDiagnosticsPerFile = 100;
inline constexpr std::size_t kMaximumRecordBytes = 65536;

// The diagnostics of one input file. The first `limit` are appended to `output`; the rest
// are only counted, and `finish()` appends one line saying how many were not shown.
class FileDiagnostics {
 public:
  FileDiagnostics(std::string file, Diagnostics& output, std::size_t limit = kMaximumDiagnosticsPerFile);
  void add(int line, std::string field, std::string message);
  // Every diagnostic added so far, shown or not.
  std::size_t count() const { return count_; }
  const std::string& file() const { return file_; }
  // Appends "FILE: N more errors not shown (at most LIMIT per file)" when some were
  // suppressed. Call once, after the last `add`.
  void finish();

 private:
  std::string file_;
  Diagnostics* output_;
  std::size_t limit_;
  std::size_t count_ = 0;
};

// Checks text one byte at a time: well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF) and no control byte other than TAB, CR and LF.
class TextChecker {
 public:
  // Nothing when `byte` may follow what came before; otherwise what is wrong, e.g.
  // "invalid UTF-8 (byte 0xE9)" or "control byte 0x00 is not allowed". After a problem the
  // checker starts afresh at the offending byte.
  std::optional<std::string> feed(unsigned char byte) {
    if (continuation_bytes_left_ == 0 && byte >= 0x20 && byte < 0x7F) return std::nullopt;  // printable ASCII
    return feed_other(byte);
  }
  // At the end of the text: a problem when a multi-byte sequence is unfinished.
  std::optional<std::string> finish();
  // True between characters (no multi-byte sequence started): printable ASCII bytes are
  // then accepted without a change of state.
  bool between_characters() const { return continuation_bytes_left_ == 0; }

 private:
  std::optional<std::string> feed_other(unsigned char byte);
  std::optional<std::string> start(unsigned char byte);
  int continuation_bytes_left_ = 0;
  unsigned char next_minimum_ = 0x80;
  unsigned char next_maximum_ = 0xBF;
  unsigned char lead_byte_ = 0;
};

// One data record. Its views stay valid until the next call to `CsvReader::next`.
class CsvRow {
 public:
  // Physical line where the record starts (the header is line 1).
  int line() const { return line_; }
  // The field of that column; "" for an optional column the file does not have.
  // REQUIRES: column is one of the reader's required or optional columns.
  std::string_view get(std::string_view column) const;
  // True when the file's header has that column.
  bool has(std::string_view column) const;

 private:
  friend class CsvReader;
  struct Layout {
    std::vector<std::string> columns;  // required then optional, as declared
    std::vector<int> position;         // index of each declared column in a record, -1 if absent
  };
  std::size_t declared_index(std::string_view column) const;

  std::shared_ptr<const Layout> layout_;
  int line_ = 0;
  std::string text_;                                         // the fields, unescaped, end to end
  std::vector<std::pair<std::size_t, std::size_t>> fields_;  // (offset, length) into text_
};

class CsvReader {
 public:
  // Opens `path` and reads its header. Every problem is added to `diagnostics` (line 1 and
  // field = the column for each unknown, duplicate or missing column); an error is returned
  // when there is no usable reader. A file that holds nothing (0 bytes, or only a byte order
  // mark and blank lines) opens fine with `has_header() == false` and no records: whether
  // that is acceptable is the caller's decision.
  static Result<CsvReader> open(const std::string& path, std::vector<std::string> required_columns,
                                std::vector<std::string> optional_columns, FileDiagnostics& diagnostics);

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  bool has_header() const;
  // Reads the next well-formed record into `row`; false at the end of the file. Records
  // that are malformed are reported to `diagnostics` and skipped. A record refused only for
  // its number of fields is first handed to `refused` when given (into `row`, whose fields
  // are then those at the header's positions as far as the record reaches, "" beyond), so
  // that the caller can note which id the refused row probably had; nothing from it may be
  // stored.
  bool next(CsvRow& row, FileDiagnostics& diagnostics, const std::function<void(const CsvRow&)>* refused = nullptr);

 private:
  struct State;
  explicit CsvReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tripartite::contracts
