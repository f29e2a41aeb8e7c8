// RFC 4180 reading: a byte-at-a-time state machine over 64 KiB chunks, which takes runs of
// plain bytes inside a field in one step (append_plain_run). See csv.hpp.
//
// Invariants: at most one record (capped at kMaximumRecordBytes) and one chunk are in memory;
// each record carries at most one lexical problem (the first), reported when the record ends
// so that diagnostics come out in line order; a record with a problem is never handed on.
#include "contracts/csv.hpp"

#include <sys/stat.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ledger/crypto.hpp"

namespace tripartite::contracts {
namespace {

constexpr std::size_t kChunkBytes = 65536;

std::string hex_byte(unsigned char byte) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string text = "0x";
  text += kDigits[byte >> 4];
  text += kDigits[byte & 0x0F];
  return text;
}

std::string invalid_utf8(unsigned char byte) { return "invalid UTF-8 (byte " + hex_byte(byte) + ")"; }

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// FileDiagnostics

FileDiagnostics::FileDiagnostics(std::string file, Diagnostics& output, std::size_t limit)
    : file_(std::move(file)), output_(&output), limit_(limit) {}

void FileDiagnostics::add(int line, std::string field, std::string message) {
  ++count_;
  if (count_ <= limit_) output_->push_back(Diagnostic{file_, line, std::move(field), std::move(message)});
}

void FileDiagnostics::finish() {
  if (count_ <= limit_) return;
  output_->push_back(Diagnostic{
      file_, 0, "",
      std::to_string(count_ - limit_) + " more errors not shown (at most " + std::to_string(limit_) + " per file)",
      count_ - limit_});
}

// ---------------------------------------------------------------------------------------------
// TextChecker

std::optional<std::string> TextChecker::feed_other(unsigned char byte) {
  if (continuation_bytes_left_ == 0) return start(byte);
  if (byte >= next_minimum_ && byte <= next_maximum_) {
    --continuation_bytes_left_;
    next_minimum_ = 0x80;
    next_maximum_ = 0xBF;
    return std::nullopt;
  }
  unsigned char lead = lead_byte_;
  continuation_bytes_left_ = 0;
  // Start afresh at this byte. Its own problem, if any, is left unreported: one problem is
  // enough to refuse the text around it.
  static_cast<void>(start(byte));
  return invalid_utf8(lead);
}

std::optional<std::string> TextChecker::finish() {
  if (continuation_bytes_left_ == 0) return std::nullopt;
  continuation_bytes_left_ = 0;
  return invalid_utf8(lead_byte_);
}

std::optional<std::string> TextChecker::start(unsigned char byte) {
  next_minimum_ = 0x80;
  next_maximum_ = 0xBF;
  if (byte < 0x80) {
    bool allowed_control = byte == '\t' || byte == '\n' || byte == '\r';
    if ((byte < 0x20 && !allowed_control) || byte == 0x7F) {
      return "control byte " + hex_byte(byte) + " is not allowed";
    }
    return std::nullopt;
  }
  lead_byte_ = byte;
  // RFC 3629 §4: the second byte's range is narrowed after E0, ED, F0 and F4 so that
  // overlong forms, surrogates and code points above U+10FFFF are refused.
  if (byte >= 0xC2 && byte <= 0xDF) {
    continuation_bytes_left_ = 1;
  } else if (byte >= 0xE0 && byte <= 0xEF) {
    continuation_bytes_left_ = 2;
    if (byte == 0xE0) next_minimum_ = 0xA0;
    if (byte == 0xED) next_maximum_ = 0x9F;
  } else if (byte >= 0xF0 && byte <= 0xF4) {
    continuation_bytes_left_ = 3;
    if (byte == 0xF0) next_minimum_ = 0x90;
    if (byte == 0xF4) next_maximum_ = 0x8F;
  } else {
    return invalid_utf8(byte);  // a stray continuation byte, C0, C1, or F5..FF
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// CsvRow

std::size_t CsvRow::declared_index(std::string_view column) const {
  TRIPARTITE_ASSERT(layout_ != nullptr);
  for (std::size_t i = 0; i < layout_->columns.size(); ++i) {
    if (layout_->columns[i] == column) return i;
  }
  TRIPARTITE_ASSERT(false && "column not declared to the CsvReader");
  return 0;
}

std::string_view CsvRow::get(std::string_view column) const {
  int position = layout_->position[declared_index(column)];
  if (position < 0 || static_cast<std::size_t>(position) >= fields_.size()) return {};
  const auto& [offset, length] = fields_[static_cast<std::size_t>(position)];
  return std::string_view(text_).substr(offset, length);
}

bool CsvRow::has(std::string_view column) const { return layout_->position[declared_index(column)] >= 0; }

// ---------------------------------------------------------------------------------------------
// CsvReader

namespace {

enum class Mode { field_start, unquoted, quoted, quote_in_quoted, after_carriage_return };

struct Problem {
  int line = 0;
  std::string field;
  std::string message;
};

struct Record {
  int start_line = 0;
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> fields;
  std::size_t field_start = 0;
  bool has_content = false;  // anything but a line break: a blank line has none
  bool oversized = false;
  std::optional<Problem> problem;  // the first one only

  void reset(int line) {
    start_line = line;
    text.clear();
    fields.clear();
    field_start = 0;
    has_content = false;
    oversized = false;
    problem.reset();
  }
  bool is_blank() const { return !has_content && !problem && fields.size() == 1 && fields[0].second == 0; }
};

}  // namespace

struct CsvReader::State {
  std::unique_ptr<std::FILE, FileCloser> file;
  std::vector<char> chunk = std::vector<char>(kChunkBytes);
  std::size_t chunk_position = 0;
  std::size_t chunk_size = 0;
  bool end_of_file = false;
  bool read_failed = false;

  int line = 1;  // physical line of the next byte
  TextChecker checker;
  Mode mode = Mode::field_start;
  int quote_line = 0;
  Record record;

  bool has_header = false;
  std::vector<std::string> header;  // column names in file order
  std::shared_ptr<CsvRow::Layout> layout;
  int first_pending_blank_line = 0;  // a run of blank lines not yet known to be at the end
  int pending_blank_lines = 0;

  // The next byte, or -1 at the end of the file (or after a read error).
  int next_byte() {
    if (chunk_position == chunk_size) {
      if (end_of_file) return -1;
      chunk_size = std::fread(chunk.data(), 1, chunk.size(), file.get());
      chunk_position = 0;
      if (chunk_size < chunk.size()) {
        end_of_file = true;
        read_failed = std::ferror(file.get()) != 0;
      }
      if (chunk_size == 0) return -1;
    }
    return static_cast<unsigned char>(chunk[chunk_position++]);
  }

  // Skips a UTF-8 byte order mark. Returns "FF FE" or "FE FF" when the file starts with a
  // UTF-16 one instead (a spreadsheet's "Unicode text"), which is not UTF-8 at all.
  std::optional<std::string> skip_byte_order_mark() {
    if (next_byte() < 0) return std::nullopt;
    --chunk_position;  // only peeked: the chunk now holds the start of the file
    auto byte = [&](std::size_t i) { return i < chunk_size ? static_cast<unsigned char>(chunk[i]) : 0; };
    if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) chunk_position = 3;
    const std::size_t at = chunk_position;
    if (byte(at) == 0xFF && byte(at + 1) == 0xFE) return "FF FE";
    if (byte(at) == 0xFE && byte(at + 1) == 0xFF) return "FE FF";
    return std::nullopt;
  }

  // The column a lexical problem is in; past the header's columns, or in the header row
  // itself, the record as a whole ("record", "header"): every line diagnostic names a field.
  std::string current_field_name() const {
    std::size_t index = record.fields.size();
    if (has_header && index < header.size()) return header[index];
    return has_header ? "record" : "header";
  }

  // SPEC §2: a diagnostic's LINE is the physical line where the record starts. A problem
  // further down a record that spans lines (a quoted field holding a line break) names its
  // own line in the message, so that the byte can still be found.
  void note_problem(int at_line, std::string message) {
    if (record.problem) return;
    if (at_line != record.start_line) message += " (on line " + std::to_string(at_line) + ")";
    record.problem = Problem{record.start_line, current_field_name(), std::move(message)};
  }

  void append(unsigned char byte) { append_bytes(reinterpret_cast<const char*>(&byte), 1); }

  // Appends bytes to the record's text, up to kMaximumRecordBytes; past it the record is
  // marked oversized (its one problem, unless it has another) and the rest is dropped.
  void append_bytes(const char* bytes, std::size_t count) {
    record.has_content = true;
    const std::size_t room = kMaximumRecordBytes - std::min(record.text.size(), kMaximumRecordBytes);
    record.text.append(bytes, std::min(count, room));
    if (count > room && !record.oversized) {
      record.oversized = true;
      if (!record.problem) {
        record.problem =
            Problem{record.start_line, "record", "longer than " + std::to_string(kMaximumRecordBytes) + " bytes"};
      }
    }
  }

  // Inside a field, takes the run of bytes that follows in the chunk and that the state
  // machine would append one by one without a change of state: printable ASCII, not a
  // quote, and not a comma outside quotes (none of them is a line end, so `line` stays).
  // Most of a file is such runs; consume() sees the bytes around them.
  void append_plain_run() {
    if ((mode != Mode::unquoted && mode != Mode::quoted) || !checker.between_characters()) return;
    const bool quoted = mode == Mode::quoted;
    const char* begin = chunk.data() + chunk_position;
    const char* end = chunk.data() + chunk_size;
    const char* run_end = begin;
    while (run_end != end) {
      const auto byte = static_cast<unsigned char>(*run_end);
      if (byte < 0x20 || byte >= 0x7F || byte == '"' || (byte == ',' && !quoted)) break;
      ++run_end;
    }
    if (run_end == begin) return;
    append_bytes(begin, static_cast<std::size_t>(run_end - begin));
    chunk_position += static_cast<std::size_t>(run_end - begin);
  }

  void end_field() {
    record.fields.emplace_back(record.field_start, record.text.size() - record.field_start);
    record.field_start = record.text.size();
    mode = Mode::field_start;
  }

  // Feeds one byte to the state machine; true when it ends the record.
  bool consume(unsigned char byte) {
    switch (mode) {
      case Mode::after_carriage_return:
        if (byte == '\n') {
          end_field();
          return true;
        }
        note_problem(line, "carriage return not followed by a line feed");
        mode = Mode::unquoted;
        return consume(byte);
      case Mode::field_start:
        if (byte == '"') {
          record.has_content = true;
          mode = Mode::quoted;
          quote_line = line;
        } else if (byte == ',') {
          record.has_content = true;
          end_field();
        } else if (byte == '\r') {
          mode = Mode::after_carriage_return;
        } else if (byte == '\n') {
          end_field();
          return true;
        } else {
          append(byte);
          mode = Mode::unquoted;
        }
        return false;
      case Mode::unquoted:
        if (byte == ',') {
          end_field();
        } else if (byte == '\r') {
          mode = Mode::after_carriage_return;
        } else if (byte == '\n') {
          end_field();
          return true;
        } else {
          if (byte == '"') note_problem(line, "quote inside an unquoted field");
          append(byte);
        }
        return false;
      case Mode::quoted:
        if (byte == '"') {
          mode = Mode::quote_in_quoted;
        } else {
          append(byte);
        }
        return false;
      case Mode::quote_in_quoted:
        if (byte == '"') {
          append(byte);
          mode = Mode::quoted;
        } else if (byte == ',') {
          end_field();
        } else if (byte == '\r') {
          mode = Mode::after_carriage_return;
        } else if (byte == '\n') {
          end_field();
          return true;
        } else {
          note_problem(line, "text after the closing quote of a quoted field");
          append(byte);
          mode = Mode::unquoted;
        }
        return false;
    }
    TRIPARTITE_ASSERT(false && "unknown CSV mode");
    return false;
  }

  // Reads the next record, well-formed or not; false when the file has no more bytes.
  bool read_record(FileDiagnostics& diagnostics) {
    record.reset(line);
    mode = Mode::field_start;
    bool started = false;
    for (;;) {
      int next = next_byte();
      if (next < 0) {
        if (read_failed) {
          diagnostics.add(0, "", "read error (" + std::string(std::strerror(errno)) + ")");
          read_failed = false;
        }
        if (auto problem = checker.finish()) note_problem(line, *problem);
        if (!started) return false;
        if (mode == Mode::quoted) note_problem(quote_line, "unterminated quoted field");
        if (mode == Mode::after_carriage_return) note_problem(line, "carriage return not followed by a line feed");
        end_field();
        return true;
      }
      started = true;
      auto byte = static_cast<unsigned char>(next);
      if (auto problem = checker.feed(byte)) {
        note_problem(line, *problem);
        record.has_content = true;
      }
      bool done = consume(byte);
      if (byte == '\n') ++line;
      if (done) return true;
      append_plain_run();
    }
  }

  void report_pending_blank_lines(FileDiagnostics& diagnostics) {
    if (pending_blank_lines == 0) return;
    diagnostics.add(first_pending_blank_line, "record",
                    pending_blank_lines == 1 ? "blank line" : std::to_string(pending_blank_lines) + " blank lines");
    pending_blank_lines = 0;
  }

  void report_problem(FileDiagnostics& diagnostics) {
    const Problem& problem = *record.problem;
    diagnostics.add(problem.line, problem.field, problem.message);
  }

  Status read_header(std::vector<std::string> required, std::vector<std::string> optional,
                     FileDiagnostics& diagnostics) {
    if (!read_record(diagnostics)) return Status::success();  // an empty file
    if (record.problem) {
      report_problem(diagnostics);
      return invalid("unreadable header row");
    }
    if (record.is_blank()) {
      int blank_line = record.start_line;
      while (read_record(diagnostics)) {
        if (!record.is_blank()) {
          diagnostics.add(blank_line, "header", "blank line; the header row must be the first line");
          return invalid("no header row on the first line");
        }
      }
      return Status::success();  // nothing but blank lines: an empty file
    }
    auto new_layout = std::make_shared<CsvRow::Layout>();
    new_layout->columns = std::move(required);
    std::size_t required_count = new_layout->columns.size();
    for (auto& column : optional) new_layout->columns.push_back(std::move(column));
    new_layout->position.assign(new_layout->columns.size(), -1);

    std::size_t problems_before = diagnostics.count();
    // A spreadsheet set to another list separator writes the header as one column: said
    // once, instead of one unknown and every required column missing.
    if (record.fields.size() == 1) {
      const std::string only = record.text.substr(record.fields[0].first, record.fields[0].second);
      for (char separator : {';', '\t', '|'}) {
        if (only.find(separator) == std::string::npos) continue;
        const std::string shown = separator == '\t' ? "a tab" : std::string("'") + separator + "'";
        diagnostics.add(record.start_line, "header",
                        "one column " + ledger::shown_text(only) + ": its names are separated by " + shown +
                            "; this file's separator is a comma (a spreadsheet: save as CSV UTF-8, comma delimited)");
        return invalid("invalid header row");
      }
    }
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      std::string name = record.text.substr(record.fields[i].first, record.fields[i].second);
      std::size_t declared = 0;
      while (declared < new_layout->columns.size() && new_layout->columns[declared] != name) ++declared;
      if (declared == new_layout->columns.size()) {
        // A name that would print as something else (empty, or with an invisible character
        // such as a second byte-order mark) is named by its position and shown escaped.
        std::string shown = ledger::visible_text(name);
        const std::size_t first = name.find_first_not_of(' ');
        const std::string trimmed =
            first == std::string::npos ? std::string() : name.substr(first, name.find_last_not_of(' ') - first + 1);
        if (name.empty()) {
          diagnostics.add(record.start_line, "column " + std::to_string(i + 1), "empty column name");
        } else if (trimmed != name && !trimmed.empty() &&
                   std::find(new_layout->columns.begin(), new_layout->columns.end(), trimmed) !=
                       new_layout->columns.end()) {
          diagnostics.add(
              record.start_line, "column " + std::to_string(i + 1),
              "unknown column '" + shown + "': a space at its start or end (the column is '" + trimmed + "')");
        } else if (shown != name) {
          diagnostics.add(record.start_line, "column " + std::to_string(i + 1), "unknown column '" + shown + "'");
        } else {
          diagnostics.add(record.start_line, name, "unknown column");
        }
      } else if (new_layout->position[declared] >= 0) {
        diagnostics.add(record.start_line, name, "duplicate column");
      } else {
        new_layout->position[declared] = static_cast<int>(i);
      }
      header.push_back(std::move(name));
    }
    for (std::size_t declared = 0; declared < required_count; ++declared) {
      if (new_layout->position[declared] < 0) {
        diagnostics.add(record.start_line, new_layout->columns[declared], "missing column");
      }
    }
    if (diagnostics.count() != problems_before) return invalid("invalid header row");
    layout = std::move(new_layout);
    has_header = true;
    return Status::success();
  }
};

CsvReader::CsvReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

Result<CsvReader> CsvReader::open(const std::string& path, std::vector<std::string> required_columns,
                                  std::vector<std::string> optional_columns, FileDiagnostics& diagnostics) {
  auto state = std::make_unique<State>();
  state->file.reset(std::fopen(path.c_str(), "rb"));
  if (!state->file) {
    std::string reason = std::strerror(errno);
    diagnostics.add(0, "", "cannot open file (" + reason + ")");
    return invalid("cannot open " + path + ": " + reason);
  }
  // A folder opens on Linux and fails only at the first read; say what it is, once.
  struct stat info {};
  if (fstat(fileno(state->file.get()), &info) == 0 && S_ISDIR(info.st_mode)) {
    diagnostics.add(0, "", "cannot open file (it is a folder)");
    return invalid("cannot open " + path + ": it is a folder");
  }
  if (auto utf16 = state->skip_byte_order_mark()) {
    diagnostics.add(
        1, "header",
        "the file is UTF-16 (it starts with the bytes " + *utf16 + "); save it as UTF-8 (a spreadsheet: CSV UTF-8)");
    return invalid("cannot read " + path + ": it is UTF-16");
  }
  auto header = state->read_header(std::move(required_columns), std::move(optional_columns), diagnostics);
  if (!header.ok()) return header.error();
  return CsvReader(std::move(state));
}

bool CsvReader::has_header() const { return state_->has_header; }

bool CsvReader::next(CsvRow& row, FileDiagnostics& diagnostics, const std::function<void(const CsvRow&)>* refused) {
  State& state = *state_;
  if (!state.has_header) return false;
  while (state.read_record(diagnostics)) {
    Record& record = state.record;
    if (record.is_blank()) {
      if (state.pending_blank_lines == 0) state.first_pending_blank_line = record.start_line;
      ++state.pending_blank_lines;
      continue;
    }
    state.report_pending_blank_lines(diagnostics);
    if (record.problem) {
      state.report_problem(diagnostics);
      continue;
    }
    if (record.fields.size() != state.header.size()) {
      diagnostics.add(record.start_line, "record",
                      std::to_string(record.fields.size()) + (record.fields.size() == 1 ? " field" : " fields") +
                          ", expected " + std::to_string(state.header.size()));
      if (refused != nullptr) {
        row.layout_ = state.layout;
        row.line_ = record.start_line;
        std::swap(row.text_, record.text);
        std::swap(row.fields_, record.fields);
        (*refused)(row);
      }
      continue;
    }
    row.layout_ = state.layout;
    row.line_ = record.start_line;
    std::swap(row.text_, record.text);
    std::swap(row.fields_, record.fields);
    return true;
  }
  state.pending_blank_lines = 0;  // blank lines at the end of the file are tolerated
  return false;
}

}  // namespace tripartite::contracts
