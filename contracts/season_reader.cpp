// Season folder readers: coalition.toml through toml++, the CSV files through CsvReader.
// See season_reader.hpp for the rules and the diagnostics they produce.
//
// Invariants: no value is handed on from a row or a file that produced a diagnostic; a
// check that depends on another field runs only when that field is valid, so one mistake
// gives one diagnostic rather than a cascade; nothing is a binary floating-point number
// (TOML floats are refused, never converted).
#include "contracts/season_reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "ledger/crypto.hpp"
#include "ledger/disk_id_lines.hpp"

namespace tripartite::contracts {
namespace {

using ledger::BigInt;
using ledger::Money;

constexpr std::size_t kMaximumTomlBytes = 1 << 20;
constexpr int kPriceDecimals = 8;     // prices and rates (SPEC §1)
constexpr int kMoistureDecimals = 3;  // moisture and its target (SPEC §1)
constexpr int kAnyDecimals = 18;      // the most a Decimal holds: money of an unknown currency

std::string display_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// A value quoted for a message (ledger::shown_text: cut after 64 bytes).
std::string shown_value(std::string_view text) { return ledger::shown_text(text); }

std::string invalid_id_message(std::string_view text) { return shown_value(text) + not_an_id(text); }

std::string duplicate_message(std::string_view what, std::string_view id, int first_line) {
  return "duplicate " + std::string(what) + " " + std::string(id) + ", first on line " + std::to_string(first_line);
}

std::string wrong_role_message(std::string_view party, Role actual, std::string_view expected) {
  return std::string(party) + " has role " + std::string(to_string(actual)) + ", expected " + std::string(expected);
}

// Nothing but spaces (or nothing at all).
// A character that shows as nothing or as a space: the white space beyond the ASCII space
// (no-break, thin, ideographic … spaces) and the invisible format characters (zero-width
// space and joiners, soft hyphen, word joiner, byte-order mark).
bool is_invisible(std::uint32_t code) {
  return code == 0x00A0 || code == 0x00AD || code == 0x1680 || code == 0x180E || (code >= 0x2000 && code <= 0x200F) ||
         code == 0x202F || code == 0x205F || (code >= 0x2060 && code <= 0x2064) || code == 0x3000 || code == 0xFEFF;
}

// Blank: nothing but spaces (ASCII or not), tabs, line breaks and invisible characters. A value that is not
// valid UTF-8 is not blank (the readers refuse it before this).
bool is_blank(std::string_view text) {
  std::size_t position = 0;
  std::uint32_t code = 0;
  while (position < text.size()) {
    if (!ledger::next_code_point(text, position, code)) return false;
    if (code != ' ' && code != '\t' && code != '\n' && code != '\r' && !is_invisible(code)) return false;
  }
  return true;
}

// What is wrong with a free text (a name), if anything: blank, or holding a character that
// would make a record or a statement misleading — a control character (C1 controls too; a
// tab or a line break as well, though a quoted CSV field may hold one: a name is one line,
// and a line break in it would start a line of its own in a statement or an SMS), a Unicode
// line or paragraph separator, or a bidirectional override. With `visible_only` (a phone
// number or a payout account, where a payment or a message goes), a space other than the
// ASCII one and an invisible character are refused too: an account of a lone no-break space,
// or with a zero-width space inside, would reach payouts.csv looking like another account or
// none. The text is valid UTF-8 (the readers refuse anything else before this).
std::optional<std::string> text_problem(std::string_view text, bool visible_only = true) {
  if (is_blank(text)) return "is blank";
  std::size_t position = 0;
  std::uint32_t code = 0;
  while (position < text.size()) {
    if (!ledger::next_code_point(text, position, code)) return "is not valid UTF-8";
    bool control = code < 0x20 || (code >= 0x7F && code <= 0x9F);
    bool separator = code == 0x2028 || code == 0x2029;
    bool bidi = (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
    bool invisible = visible_only && is_invisible(code);
    if (control || separator || bidi || invisible) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(code));
      const bool line_break = code == '\n' || code == '\r';
      return std::string("contains ") +
             (line_break     ? "a line break"
              : code == '\t' ? "a tab"
              : control      ? "a control character"
              : separator    ? "a line separator"
              : bidi         ? "a bidirectional override"
                             : "an invisible character or a space other than the ASCII one") +
             " (" + hex + ")";
    }
  }
  return std::nullopt;
}

// A phone number or payout account goes into payouts.csv and the SMS file, which clerks open
// in spreadsheets. A value that a spreadsheet would run as a formula (CSV injection: `=…`,
// `@…`, or `+`/`-` followed by a function or a DDE call such as `+cmd|' /C calc'!A0`) is
// refused, not altered: a payment goes to exactly the characters given. `+254 712 345 678`
// and `+1 (555) 010-0199` are accepted: a sign followed by digits, spaces and punctuation is a
// number to a spreadsheet, not a formula.
std::optional<std::string> formula_problem(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char first = text.front();
  bool formula = first == '=' || first == '@';
  if (first == '+' || first == '-') {
    for (char c : text.substr(1)) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '|' || c == '!' || c == '=' || c == '@')
        formula = true;
    }
  }
  if (!formula) return std::nullopt;
  if (first == '+' || first == '-') {  // not obvious when the letters come late: "+2547… (Safaricom)"
    return ledger::quoted_text(text) + " begins with '" + std::string(1, first) +
           "' and holds a letter or one of | ! = @ after it, which a spreadsheet would run as a formula; a phone "
           "number or an account number after a sign holds only digits, spaces and punctuation";
  }
  return ledger::quoted_text(text) + " begins with '" + std::string(1, first) +
         "' and a spreadsheet would run it as a formula; a phone number or an account number holds no formula";
}

// Ranges a decimal must lie in, with the message when it does not.
// Upper bounds that keep every product and sum of a season inside a signed 64-bit count of
// minor units, far above any real smallholder value (docs/settlement.md, "Limits"): a
// price or per-kg fee of at most 10,000,000 a kg, a grade multiplier of at most 10, an
// annual rate of at most 10 (1,000%), a weight of at most 10,000,000 kg and a principal of
// at most 10^13 minor units. Levy and coalition fee rates and origination fees are
// fractions of at most 1.
constexpr std::int64_t kMaxPerKg = 10'000'000;
constexpr std::int64_t kMaxGrams = 10'000'000'000;  // 10,000,000 kg
constexpr std::int64_t kMaxPrincipalMinor = 10'000'000'000'000;

enum class Range {
  any,
  non_negative,
  positive,
  fraction_below_one,
  fraction_up_to_one,
  percent,
  price,            // > 0 and <= kMaxPerKg
  price_or_zero,    // 0 ..= kMaxPerKg
  multiplier,       // > 0 and <= 10
  annual_rate,      // 0 ..= 10
};

std::optional<std::string> range_problem(const Decimal& value, Range range) {
  const Decimal zero = Decimal::from_units(0, 0);
  const Decimal one = Decimal::from_units(1, 0);
  const Decimal hundred = Decimal::from_units(100, 0);
  switch (range) {
    case Range::any:
      return std::nullopt;
    case Range::non_negative:
      if (value < zero) return "must be at least 0";
      return std::nullopt;
    case Range::positive:
      if (value <= zero) return "must be greater than 0";
      return std::nullopt;
    case Range::fraction_below_one:
      if (value < zero || value >= one) return "must be at least 0 and less than 1";
      return std::nullopt;
    case Range::fraction_up_to_one:
      if (value < zero || value > one) return "must be between 0 and 1";
      return std::nullopt;
    case Range::percent:
      if (value < zero || value >= hundred) return "must be at least 0 and less than 100";
      return std::nullopt;
    case Range::price:
      if (value <= zero || value > Decimal::from_units(kMaxPerKg, 0)) return "must be greater than 0 and at most 10000000";
      return std::nullopt;
    case Range::price_or_zero:
      if (value < zero || value > Decimal::from_units(kMaxPerKg, 0)) return "must be between 0 and 10000000";
      return std::nullopt;
    case Range::multiplier:
      if (value <= zero || value > Decimal::from_units(10, 0)) return "must be greater than 0 and at most 10";
      return std::nullopt;
    case Range::annual_rate:
      if (value < zero || value > Decimal::from_units(10, 0)) return "must be between 0 and 10 (1,000% a year)";
      return std::nullopt;
  }
  TRIPARTITE_ASSERT(false && "unknown range");
  return std::nullopt;
}

std::optional<PayoutMethod> parse_payout_method(std::string_view text) {
  for (PayoutMethod method : {PayoutMethod::mobile_money, PayoutMethod::bank, PayoutMethod::cash}) {
    if (to_string(method) == text) return method;
  }
  return std::nullopt;
}

std::optional<InterestMethod> parse_interest_method(std::string_view text) {
  for (InterestMethod method : {InterestMethod::declining, InterestMethod::flat}) {
    if (to_string(method) == text) return method;
  }
  return std::nullopt;
}

std::optional<DeductionKind> parse_deduction_kind(std::string_view text) {
  for (DeductionKind kind : {DeductionKind::levy, DeductionKind::coalition_fee, DeductionKind::agent_commission,
                             DeductionKind::loan_repayment}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// FirstSeenIndex: the within-file duplicate check.
//
// An exact set of ids, each with the line where it was first seen, in an open-addressing
// table of 64-bit slots over an arena of 1 MiB blocks. A slot holds the top 24 bits of the
// id's hash (to skip most comparisons) and the arena position + 1 (0 = empty); the arena
// holds [length: 1 byte][id bytes][line: 4 bytes]. The table doubles at 70% load.
//
// Memory is bounded: when the table and arena would pass the budget (512 MiB, about 16
// million ids of 11 bytes; TRIPARTITE_ID_SET_BYTES sets another, 0 for tests), every id
// moves to a ledger::DiskIdLines, a temporary SQLite database with a 32 MiB cache, and the
// memory is freed. The answers are the same either way. On disk an id costs about 2 µs
// more (docs/architecture.md), hence the generous budget. A disk failure is thrown (the
// import then stops with an internal error and stores nothing).
class FirstSeenIndex {
 public:
  FirstSeenIndex() : budget_(budget_from_environment()) {}

  // The line where `id` was first inserted; nothing (and `id` is now inserted with `line`)
  // when it is new. REQUIRES: id.size() <= 255.
  std::optional<int> insert(std::string_view id, int line) {
    TRIPARTITE_ASSERT(id.size() <= 255);
    if (disk_) return on_disk(id, line);
    if (memory_after_insert(id) > budget_) {
      spill();
      return on_disk(id, line);
    }
    if (grow_due()) grow();
    std::uint64_t hash = hash_of(id);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
      std::uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = (tag_of(hash) << kPositionBits) | (store(id, line) + 1);
        ++size_;
        return std::nullopt;
      }
      if ((slot >> kPositionBits) == tag_of(hash)) {
        std::uint64_t position = (slot & kPositionMask) - 1;
        if (stored_id(position) == id) return stored_line(position);
      }
    }
  }

 private:
  static constexpr int kPositionBits = 40;
  static constexpr std::uint64_t kPositionMask = (std::uint64_t{1} << kPositionBits) - 1;
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
  static constexpr std::size_t kInitialSlots = 1024;
  static constexpr std::size_t kDefaultBudget = std::size_t{512} << 20;

  static std::size_t budget_from_environment() {
    const char* text = std::getenv("TRIPARTITE_ID_SET_BYTES");
    if (text == nullptr || *text == '\0') return kDefaultBudget;
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0') return kDefaultBudget;
    return static_cast<std::size_t>(value);
  }

  // The bytes held once `id` is in: the slots (after a doubling, if one is due) and the
  // arena (with a new block, if the last one cannot take the entry).
  std::size_t memory_after_insert(std::string_view id) const {
    const std::size_t slots = grow_due() ? grown_slots() : slots_.size();
    const std::size_t blocks = blocks_.size() + (new_block_due(entry_bytes(id)) ? 1 : 0);
    return slots * sizeof(std::uint64_t) + blocks * kBlockBytes;
  }
  // The table doubles at 70% load; the arena takes a new block when the entry does not fit.
  bool grow_due() const { return (size_ + 1) * 10 > slots_.size() * 7; }
  std::size_t grown_slots() const { return slots_.empty() ? kInitialSlots : slots_.size() * 2; }
  bool new_block_due(std::size_t needed) const {
    return blocks_.empty() || used_in_last_block_ + needed > kBlockBytes;
  }
  // An arena entry: [length: 1 byte][id bytes][line: 4 bytes].
  static std::size_t entry_bytes(std::string_view id) { return 1 + id.size() + sizeof(std::int32_t); }

  // A failure of the disk map stops the reading (see the class comment).
  template <class T>
  static T or_throw(Result<T> result) {
    if (!result) throw std::runtime_error(result.error().message);
    return std::move(result).value();
  }

  std::optional<int> on_disk(std::string_view id, int line) { return or_throw(disk_->insert(id, line)); }

  // Moves every id to disk and frees the table and the arena. The ids go in the arena's
  // order, which is the file's: ids that rise through the file are appended to the
  // database's B-tree, where the table's order would scatter them.
  void spill() {
    disk_ = or_throw(ledger::DiskIdLines::open());
    for (std::size_t block = 0; block < blocks_.size(); ++block) {
      const std::size_t used = block + 1 < blocks_.size() ? full_block_used_[block] : used_in_last_block_;
      for (std::size_t offset = 0; offset < used;) {
        const std::uint64_t position = block * kBlockBytes + offset;
        const std::string_view id = stored_id(position);
        const bool repeated = on_disk(id, stored_line(position)).has_value();
        TRIPARTITE_ASSERT(!repeated);  // the ids in memory are distinct
        offset += entry_bytes(id);
      }
    }
    TRIPARTITE_ASSERT(disk_->size() == size_);
    std::vector<std::uint64_t>().swap(slots_);
    std::vector<std::unique_ptr<char[]>>().swap(blocks_);
    std::vector<std::size_t>().swap(full_block_used_);
    used_in_last_block_ = 0;
    size_ = 0;
  }

  static std::uint64_t hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }
  static std::uint64_t tag_of(std::uint64_t hash) { return hash >> kPositionBits; }

  const char* at(std::uint64_t position) const {
    return blocks_[static_cast<std::size_t>(position / kBlockBytes)].get() + position % kBlockBytes;
  }
  std::string_view stored_id(std::uint64_t position) const {
    const char* entry = at(position);
    return std::string_view(entry + 1, static_cast<unsigned char>(entry[0]));
  }
  int stored_line(std::uint64_t position) const {
    const char* entry = at(position);
    std::int32_t line = 0;
    std::memcpy(&line, entry + 1 + static_cast<unsigned char>(entry[0]), sizeof line);
    return line;
  }

  std::uint64_t store(std::string_view id, int line) {
    const std::size_t needed = entry_bytes(id);
    if (new_block_due(needed)) {
      if (!blocks_.empty()) full_block_used_.push_back(used_in_last_block_);
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
      used_in_last_block_ = 0;
    }
    char* entry = blocks_.back().get() + used_in_last_block_;
    entry[0] = static_cast<char>(static_cast<unsigned char>(id.size()));
    std::memcpy(entry + 1, id.data(), id.size());
    auto stored = static_cast<std::int32_t>(line);
    std::memcpy(entry + 1 + id.size(), &stored, sizeof stored);
    std::uint64_t position = (blocks_.size() - 1) * kBlockBytes + used_in_last_block_;
    TRIPARTITE_ASSERT(position + 1 <= kPositionMask);
    used_in_last_block_ += needed;
    return position;
  }

  void grow() {
    const std::size_t slots = grown_slots();
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(slots, 0);
    std::size_t mask = slots_.size() - 1;
    for (std::uint64_t slot : old) {
      if (slot == 0) continue;
      std::uint64_t hash = hash_of(stored_id((slot & kPositionMask) - 1));
      std::size_t i = static_cast<std::size_t>(hash) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_in_last_block_ = 0;
  std::vector<std::size_t> full_block_used_;  // the bytes used in each block but the last
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
  std::size_t budget_;
  std::unique_ptr<ledger::DiskIdLines> disk_;  // once spilled, every id is here
};

// ---------------------------------------------------------------------------------------------
// coalition.toml

// Reads the whole file; refuses it when it cannot be read or is too large.
std::optional<std::string> read_small_file(const std::string& path, FileDiagnostics& file) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    file.add(0, "", "cannot open file (" + std::string(std::strerror(ENOENT)) + ")");
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(path, error)) {
    file.add(0, "", "cannot open file (not a regular file)");
    return std::nullopt;
  }
  auto size = std::filesystem::file_size(path, error);
  if (error) {
    file.add(0, "", "cannot read file (" + error.message() + ")");
    return std::nullopt;
  }
  if (size > kMaximumTomlBytes) {
    file.add(0, "", "file larger than " + std::to_string(kMaximumTomlBytes) + " bytes");
    return std::nullopt;
  }
  std::ifstream stream(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (stream.bad()) {
    file.add(0, "", "cannot read file");
    return std::nullopt;
  }
  return text;
}

// True when every byte is well-formed UTF-8 and no control byte other than TAB, CR and LF
// occurs (toml++ asserts on a NUL byte, so this runs first). One diagnostic per bad line.
bool check_text(std::string_view text, FileDiagnostics& file) {
  TextChecker checker;
  int line = 1;
  int last_reported_line = 0;
  bool clean = true;
  auto report = [&](const std::string& message) {
    clean = false;
    if (last_reported_line == line) return;
    file.add(line, "text", message);
    last_reported_line = line;
  };
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (auto problem = checker.feed(byte)) report(*problem);
    if (byte == '\n') ++line;
  }
  if (auto problem = checker.finish()) report(*problem);
  return clean;
}

int line_of(const toml::source_region& region) { return static_cast<int>(region.begin.line); }

// toml++'s description of a parse error, as (field, message). Its words for a key or a
// table given twice ("Error while parsing key-value pair: cannot redefine existing string
// 'A'") are rewritten to name the key and say what to do; any other description is kept,
// after "invalid TOML: ".
std::pair<std::string, std::string> toml_error(std::string_view description) {
  auto quoted_after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (!description.starts_with(prefix)) return std::nullopt;
    const std::size_t open = description.find('\'', prefix.size());
    if (open == std::string_view::npos || description.size() < open + 2 || description.back() != '\'') {
      return std::nullopt;
    }
    return std::string(description.substr(open + 1, description.size() - open - 2));
  };
  if (auto table = quoted_after("Error while parsing table header: cannot redefine existing ")) {
    return {"[" + *table + "]",
            "the table is opened a second time; a TOML table may be opened once: put all its keys under one [" +
                *table + "]"};
  }
  if (auto key = quoted_after("Error while parsing key-value pair: cannot redefine existing ")) {
    return {*key, "set a second time in the same table; a TOML key may be set once: keep one"};
  }
  return {"", "invalid TOML: " + std::string(description)};
}

// The line of `node` and of every key under it, by path ("price.grade.A", "party[0].id").
void collect_key_lines(const toml::node& node, const std::string& path, KeyLines& lines) {
  if (!path.empty()) lines[path] = line_of(node.source());
  if (const auto* table = node.as_table()) {
    for (auto&& [key, value] : *table) {
      collect_key_lines(value, path.empty() ? std::string(key.str()) : path + "." + std::string(key.str()), lines);
    }
  } else if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      collect_key_lines(*array->get(i), path + "[" + std::to_string(i) + "]", lines);
    }
  }
}

// Checks the parsed document and builds the terms. Problems are collected here, then sorted
// by line by the caller.
class CoalitionChecker {
 public:
  explicit CoalitionChecker(const Registry* known) : known_(known) {}

  SeasonTerms check(const toml::table& root) {
    SeasonTerms terms;
    reject_unknown_keys(root, "", {"season", "party", "price", "loan_product", "deduction"});
    check_season(root, terms);
    check_parties(root, terms);
    check_price(root, terms);
    check_loan_products(root, terms);
    check_deductions(root, terms);
    return terms;
  }

  std::vector<Diagnostic>& problems() { return problems_; }

 private:
  // A key of a table, with the line of the key.
  struct Entry {
    const toml::node* node = nullptr;
    int line = 0;
  };

  void problem(int line, std::string field, std::string message) {
    problems_.push_back(Diagnostic{"", line, std::move(field), std::move(message)});
  }

  static std::string path_of(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

  static std::optional<Entry> find(const toml::table& table, std::string_view key) {
    auto it = table.find(key);
    if (it == table.end()) return std::nullopt;
    int line = line_of(it->first.source());
    if (line == 0) line = line_of(it->second.source());
    return Entry{&it->second, line};
  }

  void reject_unknown_keys(const toml::table& table, const std::string& prefix,
                           std::initializer_list<std::string_view> allowed) {
    std::string expected;
    for (std::string_view key : allowed) expected += (expected.empty() ? "" : ", ") + std::string(key);
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      int line = line_of(key.source());
      if (line == 0) line = line_of(node.source());
      problem(line, path_of(prefix, key.str()), "unknown key (expected " + expected + ")");
    }
  }

  // The entry, or a "required" problem at the table's line.
  std::optional<Entry> required(const toml::table& table, int table_line, const std::string& prefix,
                                std::string_view key, std::string_view why = "") {
    auto entry = find(table, key);
    if (!entry) problem(table_line, path_of(prefix, key), "required" + std::string(why));
    return entry;
  }

  void not_used(const toml::table& table, const std::string& prefix, std::string_view key, std::string_view by) {
    if (auto entry = find(table, key)) problem(entry->line, path_of(prefix, key), "not used by " + std::string(by));
  }

  std::optional<std::string> string_value(const Entry& entry, const std::string& path) {
    if (const auto* text = entry.node->as_string()) return text->get();
    problem(entry.line, path, "must be a string");
    return std::nullopt;
  }

  std::optional<std::string> required_string(const toml::table& table, int table_line, const std::string& prefix,
                                             std::string_view key) {
    auto entry = required(table, table_line, prefix, key);
    if (!entry) return std::nullopt;
    auto text = string_value(*entry, path_of(prefix, key));
    if (text && text->empty()) {
      problem(entry->line, path_of(prefix, key), "must not be empty");
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::string> required_id(const toml::table& table, int table_line, const std::string& prefix,
                                         std::string_view key) {
    auto entry = required(table, table_line, prefix, key);
    if (!entry) return std::nullopt;
    auto text = string_value(*entry, path_of(prefix, key));
    if (text && !is_valid_id(*text)) {
      problem(entry->line, path_of(prefix, key), invalid_id_message(*text));
      return std::nullopt;
    }
    return text;
  }

  // A decimal string (never a TOML number) with at most max_scale decimals, in range.
  std::optional<Decimal> decimal_value(const Entry& entry, const std::string& path, int max_scale, Range range) {
    const toml::node& node = *entry.node;
    if (node.is_floating_point()) {
      problem(entry.line, path, "must be a decimal string such as \"0.40\", not a TOML float");
      return std::nullopt;
    }
    if (node.is_integer()) {
      problem(entry.line, path, "must be a decimal string such as \"0.40\", not a TOML integer");
      return std::nullopt;
    }
    const auto* text = node.as_string();
    if (text == nullptr) {
      problem(entry.line, path, "must be a decimal string such as \"0.40\"");
      return std::nullopt;
    }
    auto parsed = Decimal::parse(text->get(), max_scale);
    if (!parsed) {
      problem(entry.line, path, parsed.error().message);
      return std::nullopt;
    }
    if (auto out_of_range = range_problem(*parsed, range)) {
      problem(entry.line, path, *out_of_range);
      return std::nullopt;
    }
    return *parsed;
  }

  std::optional<Decimal> required_decimal(const toml::table& table, int table_line, const std::string& prefix,
                                          std::string_view key, int max_scale, Range range, std::string_view why = "") {
    auto entry = required(table, table_line, prefix, key, why);
    if (!entry) return std::nullopt;
    return decimal_value(*entry, path_of(prefix, key), max_scale, range);
  }

  std::optional<Decimal> optional_decimal(const toml::table& table, const std::string& prefix, std::string_view key,
                                          int max_scale, Range range) {
    auto entry = find(table, key);
    if (!entry) return std::nullopt;
    return decimal_value(*entry, path_of(prefix, key), max_scale, range);
  }

  // A sub-table; a problem when it is missing (if required) or not a table.
  const toml::table* table_value(const toml::table& parent, int parent_line, std::string_view key, bool is_required) {
    auto entry = find(parent, key);
    if (!entry) {
      if (is_required) problem(parent_line, std::string(key), "missing table [" + std::string(key) + "]");
      return nullptr;
    }
    const auto* table = entry->node->as_table();
    if (table == nullptr) problem(entry->line, std::string(key), "must be a table ([" + std::string(key) + "])");
    return table;
  }

  // The tables of an array of tables ([[key]]), each with its 1-based index.
  std::vector<std::pair<const toml::table*, std::string>> tables_of(const toml::table& root, std::string_view key) {
    std::vector<std::pair<const toml::table*, std::string>> tables;
    auto entry = find(root, key);
    if (!entry) return tables;
    const auto* array = entry->node->as_array();
    if (array == nullptr) {
      problem(entry->line, std::string(key), "must be an array of tables ([[" + std::string(key) + "]])");
      return tables;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      std::string prefix = std::string(key) + "[" + std::to_string(i + 1) + "]";
      const toml::node& element = *array->get(i);
      if (const auto* table = element.as_table()) {
        tables.emplace_back(table, prefix);
      } else {
        problem(line_of(element.source()), prefix, "must be a table ([[" + std::string(key) + "]])");
      }
    }
    return tables;
  }

  void check_season(const toml::table& root, SeasonTerms& terms) {
    const toml::table* season = table_value(root, 0, "season", true);
    if (season == nullptr) return;
    int line = line_of(season->source());
    reject_unknown_keys(*season, "season", {"id", "currency", "commodity"});
    if (auto id = required_id(*season, line, "season", "id")) terms.id = SeasonId(*id);
    if (auto code = required_string(*season, line, "season", "currency")) {
      auto currency = Currency::from_code(*code);
      if (currency) {
        terms.currency = *currency;
      } else {
        problem(find(*season, "currency")->line, "season.currency", currency.error().message);
      }
    }
    if (auto commodity = required_string(*season, line, "season", "commodity")) {
      if (auto wrong = text_problem(*commodity, false)) {
        problem(find(*season, "commodity")->line, "season.commodity", *wrong);
      } else {
        terms.commodity = *commodity;
      }
    }
  }

  void check_parties(const toml::table& root, SeasonTerms& terms) {
    bool every_role_known = true;
    std::optional<std::pair<std::string, int>> offtaker;  // id, line of its role
    bool has_coordinator = false;
    std::map<std::string, int> first_lines;
    for (const auto& [table, prefix] : tables_of(root, "party")) {
      int line = line_of(table->source());
      reject_unknown_keys(*table, prefix, {"id", "role", "name"});
      auto id = required_id(*table, line, prefix, "id");
      if (id) {
        int id_line = find(*table, "id")->line;
        auto [first, inserted] = first_lines.emplace(*id, id_line);
        if (!inserted) {
          problem(id_line, prefix + ".id", duplicate_message("party id", *id, first->second));
          id.reset();
        } else if (known_ != nullptr && known_->farmer_exists(FarmerId(*id))) {
          problem(id_line, prefix + ".id", *id + " is a farmer id; farmer ids and party ids must differ");
          id.reset();
        }
      }
      std::optional<Role> role;
      if (auto role_name = required_string(*table, line, prefix, "role")) {
        role = parse_role(*role_name);
        if (!role) {
          problem(find(*table, "role")->line, prefix + ".role",
                  shown_value(*role_name) +
                      " is not a role (offtaker, lender, input_supplier, service_provider, agent, authority or "
                      "coordinator)");
        }
      }
      if (!role) every_role_known = false;
      if (role == Role::offtaker) {
        int role_line = find(*table, "role")->line;
        std::string shown = id ? *id : prefix;
        if (offtaker) {
          problem(role_line, prefix + ".role",
                  "a second offtaker; " + offtaker->first + " (line " + std::to_string(offtaker->second) +
                      ") is already the season's off-taker, and a season has exactly one");
        } else {
          offtaker = std::make_pair(shown, role_line);
        }
      }
      if (role == Role::coordinator) has_coordinator = true;
      auto name = required_string(*table, line, prefix, "name");
      if (name) {
        if (auto wrong = text_problem(*name, false)) {
          problem(find(*table, "name")->line, prefix + ".name", *wrong);
          name.reset();
        }
      }
      if (id && role) party_roles_.emplace(*id, *role);
      if (id && role && name) terms.parties.push_back(Party{PartyId(*id), *role, *name});
    }
    if (!every_role_known) return;  // a misspelt role would otherwise be reported twice
    if (!offtaker) problem(0, "party", "no party with role offtaker (a season has exactly one)");
    if (!has_coordinator) problem(0, "party", "no party with role coordinator (at least one is required)");
  }

  void check_price(const toml::table& root, SeasonTerms& terms) {
    const toml::table* price = table_value(root, 0, "price", true);
    if (price == nullptr) return;
    int line = line_of(price->source());
    const std::string prefix = "price";
    reject_unknown_keys(*price, prefix,
                        {"method", "base_per_kg", "floor_per_kg", "market_discount", "moisture_target_pct", "grade"});
    std::optional<PriceMethod> method;
    if (auto method_name = required_string(*price, line, prefix, "method")) {
      if (*method_name == "fixed") {
        method = PriceMethod::fixed;
      } else if (*method_name == "floor_market") {
        method = PriceMethod::floor_market;
      } else {
        problem(find(*price, "method")->line, "price.method",
                shown_value(*method_name) + " is not a price method (fixed or floor_market)");
      }
    }
    if (method == PriceMethod::fixed) {
      terms.price.method = PriceMethod::fixed;
      if (auto base = required_decimal(*price, line, prefix, "base_per_kg", kPriceDecimals, Range::price,
                                       " for method fixed")) {
        terms.price.base_per_kg = *base;
      }
      not_used(*price, prefix, "floor_per_kg", "method fixed");
      not_used(*price, prefix, "market_discount", "method fixed");
    } else if (method == PriceMethod::floor_market) {
      terms.price.method = PriceMethod::floor_market;
      if (auto floor = required_decimal(*price, line, prefix, "floor_per_kg", kPriceDecimals, Range::price_or_zero,
                                        " for method floor_market")) {
        terms.price.floor_per_kg = *floor;
      }
      if (auto discount = required_decimal(*price, line, prefix, "market_discount", kPriceDecimals,
                                           Range::fraction_below_one, " for method floor_market")) {
        terms.price.market_discount = *discount;
      }
      not_used(*price, prefix, "base_per_kg", "method floor_market");
    } else {  // unknown method: still check the numbers that are there
      static_cast<void>(optional_decimal(*price, prefix, "base_per_kg", kPriceDecimals, Range::price));
      static_cast<void>(optional_decimal(*price, prefix, "floor_per_kg", kPriceDecimals, Range::price_or_zero));
      static_cast<void>(optional_decimal(*price, prefix, "market_discount", kPriceDecimals, Range::fraction_below_one));
    }
    if (auto target =
            required_decimal(*price, line, prefix, "moisture_target_pct", kMoistureDecimals, Range::percent)) {
      terms.price.moisture_target_pct = *target;
    }
    check_grades(*price, line, terms);
  }

  void check_grades(const toml::table& price, int price_line, SeasonTerms& terms) {
    auto entry = find(price, "grade");
    if (!entry) {
      problem(price_line, "price.grade", "required: a table of grade = \"multiplier\", at least one");
      return;
    }
    const auto* grades = entry->node->as_table();
    if (grades == nullptr) {
      problem(entry->line, "price.grade", "must be a table of grade = \"multiplier\"");
      return;
    }
    if (grades->empty()) {
      problem(entry->line, "price.grade", "at least one grade is required");
      return;
    }
    for (auto&& [key, node] : *grades) {
      std::string path = "price.grade." + std::string(key.str());
      int line = line_of(key.source());
      if (line == 0) line = line_of(node.source());
      if (!is_valid_id(key.str())) {
        problem(line, path, invalid_id_message(key.str()));
        continue;
      }
      if (auto multiplier = decimal_value(Entry{&node, line}, path, kPriceDecimals, Range::multiplier)) {
        terms.price.grade_multipliers.emplace(std::string(key.str()), *multiplier);
      }
    }
  }

  void check_loan_products(const toml::table& root, SeasonTerms& terms) {
    std::map<std::string, int> first_lines;
    for (const auto& [table, prefix] : tables_of(root, "loan_product")) {
      int line = line_of(table->source());
      reject_unknown_keys(*table, prefix, {"id", "annual_rate", "method", "day_count", "origination_fee"});
      LoanProduct product;
      bool complete = true;
      if (auto id = required_id(*table, line, prefix, "id")) {
        int id_line = find(*table, "id")->line;
        auto [first, inserted] = first_lines.emplace(*id, id_line);
        if (inserted) {
          product.id = ProductId(*id);
        } else {
          problem(id_line, prefix + ".id", duplicate_message("loan product id", *id, first->second));
          complete = false;
        }
      } else {
        complete = false;
      }
      if (auto rate = required_decimal(*table, line, prefix, "annual_rate", kPriceDecimals, Range::annual_rate)) {
        product.annual_rate = *rate;
      } else {
        complete = false;
      }
      if (auto method_name = required_string(*table, line, prefix, "method")) {
        if (auto method = parse_interest_method(*method_name)) {
          product.method = *method;
        } else {
          problem(find(*table, "method")->line, prefix + ".method",
                  shown_value(*method_name) + " is not an interest method (declining or flat)");
          complete = false;
        }
      } else {
        complete = false;
      }
      if (auto day_count_name = required_string(*table, line, prefix, "day_count")) {
        if (auto day_count = parse_day_count(*day_count_name)) {
          product.day_count = *day_count;
        } else {
          problem(find(*table, "day_count")->line, prefix + ".day_count",
                  shown_value(*day_count_name) + " is not a day count (ACT/365F, ACT/360 or 30/360)");
          complete = false;
        }
      } else {
        complete = false;
      }
      if (auto fee = required_decimal(*table, line, prefix, "origination_fee", kPriceDecimals, Range::fraction_up_to_one)) {
        product.origination_fee = *fee;
      } else {
        complete = false;
      }
      if (complete) terms.loan_products.push_back(std::move(product));
    }
  }

  // The party `id` (named at `line`, field `path`) must exist in this file with one of the
  // roles; `expected` names them for the message.
  bool check_party_reference(const std::string& id, int line, const std::string& path,
                             std::initializer_list<Role> roles, std::string_view expected) {
    auto found = party_roles_.find(id);
    if (found == party_roles_.end()) {
      problem(line, path, shown_value(id) + " is not a party of this season");
      return false;
    }
    if (std::find(roles.begin(), roles.end(), found->second) == roles.end()) {
      problem(line, path, wrong_role_message(id, found->second, expected));
      return false;
    }
    return true;
  }

  void check_deductions(const toml::table& root, SeasonTerms& terms) {
    for (const auto& [table, prefix] : tables_of(root, "deduction")) {
      int line = line_of(table->source());
      reject_unknown_keys(*table, prefix, {"kind", "to", "rate", "per_kg", "shares", "max_share_of_gross"});
      auto kind_name = required_string(*table, line, prefix, "kind");
      if (!kind_name) continue;
      auto kind = parse_deduction_kind(*kind_name);
      if (!kind) {
        problem(find(*table, "kind")->line, prefix + ".kind",
                shown_value(*kind_name) +
                    " is not a deduction kind (levy, coalition_fee, agent_commission or loan_repayment)");
        continue;
      }
      std::size_t problems_before = problems_.size();
      Deduction deduction;
      deduction.kind = *kind;
      const std::string by = "kind " + *kind_name;
      switch (*kind) {
        case DeductionKind::levy:
          if (auto to = required(*table, line, prefix, "to")) {
            if (auto party = string_value(*to, prefix + ".to")) {
              if (check_party_reference(*party, to->line, prefix + ".to", {Role::authority}, "authority")) {
                deduction.to = PartyId(*party);
              }
            }
          }
          deduction.rate = required_decimal(*table, line, prefix, "rate", kPriceDecimals, Range::fraction_up_to_one);
          not_used(*table, prefix, "per_kg", by);
          not_used(*table, prefix, "shares", by);
          not_used(*table, prefix, "max_share_of_gross", by);
          break;
        case DeductionKind::coalition_fee: {
          bool has_rate = find(*table, "rate").has_value();
          bool has_per_kg = find(*table, "per_kg").has_value();
          if (has_rate == has_per_kg) {
            problem(line, prefix,
                    has_rate ? "needs exactly one of rate or per_kg, not both" : "needs one of rate or per_kg");
          }
          deduction.rate = optional_decimal(*table, prefix, "rate", kPriceDecimals, Range::fraction_up_to_one);
          deduction.per_kg = optional_decimal(*table, prefix, "per_kg", kPriceDecimals, Range::price_or_zero);
          check_shares(*table, line, prefix, deduction);
          not_used(*table, prefix, "to", by);
          not_used(*table, prefix, "max_share_of_gross", by);
          break;
        }
        case DeductionKind::agent_commission:
          deduction.per_kg = required_decimal(*table, line, prefix, "per_kg", kPriceDecimals, Range::price_or_zero);
          not_used(*table, prefix, "to", by);
          not_used(*table, prefix, "rate", by);
          not_used(*table, prefix, "shares", by);
          not_used(*table, prefix, "max_share_of_gross", by);
          break;
        case DeductionKind::loan_repayment:
          if (auto share = required_decimal(*table, line, prefix, "max_share_of_gross", kPriceDecimals,
                                            Range::fraction_up_to_one)) {
            deduction.max_share_of_gross = *share;
          }
          not_used(*table, prefix, "to", by);
          not_used(*table, prefix, "rate", by);
          not_used(*table, prefix, "per_kg", by);
          not_used(*table, prefix, "shares", by);
          break;
      }
      if (problems_.size() == problems_before) terms.deductions.push_back(std::move(deduction));
    }
  }

  void check_shares(const toml::table& table, int table_line, const std::string& prefix, Deduction& deduction) {
    const std::string path = prefix + ".shares";
    auto entry = required(table, table_line, prefix, "shares");
    if (!entry) return;
    const auto* shares = entry->node->as_table();
    if (shares == nullptr) {
      problem(entry->line, path, "must be a table such as { SUP1 = \"0.60\", COAL = \"0.40\" }");
      return;
    }
    if (shares->empty()) {
      problem(entry->line, path, "at least one share is required");
      return;
    }
    bool complete = true;
    int scale = 0;
    for (auto&& [key, node] : *shares) {
      std::string party(key.str());
      std::string share_path = path + "." + party;
      int line = line_of(key.source());
      if (line == 0) line = line_of(node.source());
      bool party_ok = check_party_reference(
          party, line, share_path, {Role::input_supplier, Role::service_provider, Role::coordinator, Role::agent},
          "input_supplier, service_provider, coordinator or agent");
      auto share = decimal_value(Entry{&node, line}, share_path, kPriceDecimals, Range::positive);
      if (party_ok && share) {
        deduction.shares.emplace(party, *share);
        scale = std::max(scale, share->scale);
      } else {
        complete = false;
      }
    }
    if (!complete) return;
    BigInt sum = 0;
    for (const auto& [party, share] : deduction.shares) sum += BigInt(share.units) * ledger::pow10(scale - share.scale);
    if (sum != ledger::pow10(scale)) {
      auto units = ledger::to_int64(sum);
      std::string shown = units ? ledger::format_units(*units, scale) : "more than 1";
      problem(entry->line, path, "shares sum to " + shown + ", must be exactly 1");
    }
  }

  const Registry* known_;
  std::vector<Diagnostic> problems_;
  std::map<std::string, Role> party_roles_;  // the file's parties with a valid, unique id and a role
};

// ---------------------------------------------------------------------------------------------
// CSV rows

// The checks one row goes through; each problem names the column.
class RowChecker {
 public:
  RowChecker(const CsvRow& row, FileDiagnostics& file, const Registry* registry)
      : row_(row), file_(file), registry_(registry) {}

  int line() const { return row_.line(); }
  std::string_view get(std::string_view column) const { return row_.get(column); }
  void problem(std::string_view column, std::string message) {
    file_.add(row_.line(), std::string(column), std::move(message));
  }

  std::optional<std::string> required_text(std::string_view column) {
    std::string_view text = get(column);
    if (text.empty()) {
      problem(column, "required");
      return std::nullopt;
    }
    return std::string(text);
  }

  // A column a payment or message goes to (text_problem); an empty optional column gives ""
  // without a problem.
  std::optional<std::string> destination(std::string_view column, bool required) {
    std::string_view text = get(column);
    if (text.empty()) {
      if (!required) return std::string();
      problem(column, "required");
      return std::nullopt;
    }
    if (auto wrong = text_problem(text)) {
      problem(column, *wrong);
      return std::nullopt;
    }
    if (auto formula = formula_problem(text)) {
      problem(column, *formula);
      return std::nullopt;
    }
    return std::string(text);
  }

  std::optional<std::string> id(std::string_view column) {
    auto text = required_text(column);
    if (text && !is_valid_id(*text)) {
      problem(column, invalid_id_message(*text));
      return std::nullopt;
    }
    return text;
  }

  // An id that must not repeat within the file.
  std::optional<std::string> unique_id(std::string_view column, FirstSeenIndex& seen) {
    auto text = id(column);
    if (!text) return std::nullopt;
    if (auto first_line = seen.insert(*text, line())) {
      problem(column, duplicate_message(column, *text, *first_line));
      return std::nullopt;
    }
    return text;
  }

  // A farmer id; when the context resolves farmers, one the registry knows. A farmer whose
  // own row was refused is named as such, with that row's line.
  std::optional<std::string> known_farmer(std::string_view column, const ReadContext& context) {
    auto text = id(column);
    if (text && context.farmers_readable && registry_ != nullptr && !registry_->farmer_exists(FarmerId(*text))) {
      const int refused_at = context.refused == nullptr ? 0 : line_of(context.refused->farmers, *text);
      problem(column, refused_at > 0 ? "farmer " + *text + " is refused at farmers.csv:" + std::to_string(refused_at) +
                                           " (its row's errors are listed there)"
                                     : "unknown farmer " + *text);
      return std::nullopt;
    }
    return text;
  }

  // Notes that this row, refused, had the id `key` (ReadContext::refused); the first refused
  // row of an id is kept.
  template <class Map, class Key>
  void note_refused(Map& rows, const Key& key) const {
    rows.emplace(key, line());
  }
  template <class Map, class Key>
  static int line_of(const Map& rows, const Key& key) {
    auto found = rows.find(key);
    return found == rows.end() ? 0 : found->second;
  }

  // A party id whose role is `role`; with `may_be_empty`, "" gives an empty optional
  // without a problem (check `get(column).empty()` to tell it from an invalid id).
  std::optional<std::string> party(std::string_view column, Role role, bool may_be_empty = false) {
    if (may_be_empty && get(column).empty()) return std::nullopt;
    auto text = id(column);
    if (!text || registry_ == nullptr) return text;
    auto actual = registry_->season_party_role(PartyId(*text));
    if (!actual) {
      problem(column, registry_->party_role(PartyId(*text)) ? *text + " is not a party of this season (coalition.toml)"
                      : registry_->farmer_exists(FarmerId(*text))
                          ? *text + " is a farmer; " + std::string(column) + " names a party of role " +
                                std::string(to_string(role)) + " (coalition.toml)"
                          : "unknown party " + *text);
      return std::nullopt;
    }
    if (*actual != role) {
      problem(column, wrong_role_message(*text, *actual, to_string(role)));
      return std::nullopt;
    }
    return text;
  }

  std::optional<Date> date(std::string_view column) {
    auto text = required_text(column);
    if (!text) return std::nullopt;
    auto parsed = parse_date(*text);
    if (!parsed) {
      problem(column, shown_value(*text) + not_a_date(*text));
    } else if (!in_accepted_years(*parsed)) {
      problem(column, shown_value(*text) + kAcceptedYearsProblem);
      return std::nullopt;
    }
    return parsed;
  }

  std::optional<Grams> positive_weight(std::string_view column) {
    auto text = required_text(column);
    if (!text) return std::nullopt;
    auto weight = Grams::parse_kg(*text);
    if (!weight) {
      problem(column, weight.error().message);
      return std::nullopt;
    }
    if (weight->grams <= 0) {
      problem(column, "must be greater than 0");
      return std::nullopt;
    }
    if (weight->grams > kMaxGrams) {
      problem(column, "must be at most 10000000 kg");
      return std::nullopt;
    }
    return *weight;
  }

  std::optional<Decimal> decimal(std::string_view column, int max_scale, Range range) {
    auto text = required_text(column);
    if (!text) return std::nullopt;
    auto parsed = Decimal::parse(*text, max_scale);
    if (!parsed) {
      problem(column, parsed.error().message);
      return std::nullopt;
    }
    if (auto out_of_range = range_problem(*parsed, range)) {
      problem(column, *out_of_range);
      return std::nullopt;
    }
    return *parsed;
  }

  const Registry* registry() const { return registry_; }

 private:
  const CsvRow& row_;
  FileDiagnostics& file_;
  const Registry* registry_;
};

std::string joined(const std::vector<std::string>& columns) {
  std::string text;
  for (const auto& column : columns) text += (text.empty() ? "" : ",") + column;
  return text;
}

enum class Absence { refused, accepted };

// Opens the file, then parses each well-formed row with `parse_row` and hands the values of
// the rows that produced no diagnostic to `on_row`. A row refused for its number of fields
// goes to `refused` when given (CsvReader::next).
template <class T, class ParseRow>
bool read_rows(const std::string& path, const std::vector<std::string>& required_columns,
               const std::vector<std::string>& optional_columns, Absence absence, Diagnostics& diagnostics,
               const ParseRow& parse_row, const RowCallback<T>& on_row,
               const std::function<void(const CsvRow&)>* refused = nullptr) {
  FileDiagnostics file(display_name(path), diagnostics);
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (absence == Absence::accepted && !exists) return true;
  if (!exists && !error) {
    // A required file a season has no rows for yet (deliveries before the harvest) is
    // still needed, with its header row.
    file.add(0, "",
             "cannot open file (" + std::string(std::strerror(ENOENT)) +
                 "); a season with no rows for it yet still needs the file, with its header row alone");
    file.finish();
    return false;
  }
  auto reader = CsvReader::open(path, required_columns, optional_columns, file);
  if (reader.ok()) {
    if (!reader->has_header() && absence == Absence::refused) {
      file.add(0, "", "empty file, expected a header row: " + joined(required_columns));
    }
    CsvRow row;
    while (reader->next(row, file, refused)) {
      // The header row again (two exports pasted into one file): one line saying so, not
      // one error per field.
      if (std::all_of(required_columns.begin(), required_columns.end(),
                      [&](const std::string& column) { return row.get(column) == column; })) {
        file.add(row.line(), "record", "the header row again (two files joined into one?): remove this line");
        continue;
      }
      std::size_t problems_before = file.count();
      std::optional<T> value = parse_row(row, file);
      if (value && file.count() == problems_before) on_row(*value, row.line());
    }
  }
  file.finish();
  return file.count() == 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// InMemoryRegistry

void InMemoryRegistry::add_terms(const SeasonTerms& terms) {
  for (const auto& party : terms.parties) party_roles_.emplace(party.id.value, party.role);
  for (const auto& product : terms.loan_products) products_.insert(product.id.value);
  for (const auto& [grade, multiplier] : terms.price.grade_multipliers) grades_.insert(grade);
}

void InMemoryRegistry::add_farmer(const Farmer& farmer) { farmers_.insert(farmer.id.value); }

void InMemoryRegistry::add_commitment(const Commitment& commitment) {
  auto key = std::make_pair(commitment.farmer.value, commitment.offtaker.value);
  auto [it, inserted] = earliest_commitments_.emplace(key, commitment.signed_on);
  if (!inserted && commitment.signed_on < it->second) it->second = commitment.signed_on;
}

std::optional<Role> InMemoryRegistry::party_role(const PartyId& party) const {
  auto it = party_roles_.find(party.value);
  if (it == party_roles_.end()) return std::nullopt;
  return it->second;
}

bool InMemoryRegistry::farmer_exists(const FarmerId& farmer) const { return farmers_.count(farmer.value) != 0; }
bool InMemoryRegistry::product_exists(const ProductId& product) const { return products_.count(product.value) != 0; }
bool InMemoryRegistry::grade_exists(const std::string& grade) const { return grades_.count(grade) != 0; }

std::optional<Date> InMemoryRegistry::earliest_commitment(const FarmerId& farmer, const PartyId& offtaker) const {
  auto it = earliest_commitments_.find(std::make_pair(farmer.value, offtaker.value));
  if (it == earliest_commitments_.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// coalition.toml

Result<SeasonTerms> read_coalition(const std::string& path, Diagnostics& diagnostics, const Registry* known,
                                   KeyLines* key_lines) {
  FileDiagnostics file(display_name(path), diagnostics);
  auto refused = [&file]() -> Result<SeasonTerms> {
    file.finish();
    return invalid(file.file() + " has " + std::to_string(file.count()) + " problem(s)");
  };
  auto text = read_small_file(path, file);
  if (!text) return refused();
  if (!check_text(*text, file)) return refused();
  toml::table root;
  try {
    root = toml::parse(*text, std::string_view(file.file()));
  } catch (const toml::parse_error& error) {
    auto [field, message] = toml_error(error.description());
    file.add(line_of(error.source()), std::move(field), std::move(message));
    return refused();
  }
  if (key_lines != nullptr) collect_key_lines(root, "", *key_lines);
  CoalitionChecker checker(known);
  SeasonTerms terms = checker.check(root);
  auto& problems = checker.problems();
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  for (auto& problem : problems) file.add(problem.line, std::move(problem.field), std::move(problem.message));
  if (file.count() != 0) return refused();
  file.finish();
  return terms;
}

// ---------------------------------------------------------------------------------------------
// CSV files

bool read_farmers(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                  const RowCallback<Farmer>& on_row) {
  FirstSeenIndex seen;
  auto parse_row = [&](const CsvRow& row, FileDiagnostics& file) -> std::optional<Farmer> {
    RowChecker check(row, file, context.registry);
    Farmer farmer;
    auto id = check.unique_id("farmer_id", seen);
    if (id && context.registry != nullptr && context.registry->party_role(PartyId(*id))) {
      check.problem("farmer_id", *id + " is a party id; farmer ids and party ids must differ");
      id.reset();
    }
    auto name = check.required_text("name");
    if (name) {
      if (auto wrong = text_problem(*name, false)) {
        check.problem("name", *wrong);
        name.reset();
      }
    }
    auto phone = check.destination("phone", false);
    std::string_view group = check.get("group_id");
    const bool group_ok = group.empty() || is_valid_id(group);
    if (!group_ok) check.problem("group_id", invalid_id_message(group));
    std::optional<PayoutMethod> method;
    if (auto method_name = check.required_text("payout_method")) {
      method = parse_payout_method(*method_name);
      if (!method)
        check.problem("payout_method",
                      shown_value(*method_name) + " is not a payout method (mobile_money, bank or cash)");
    }
    std::optional<std::string> account;
    if (method && *method != PayoutMethod::cash && check.get("payout_account").empty()) {
      check.problem("payout_account", "required for payout_method " + std::string(to_string(*method)));
    } else if (method && *method == PayoutMethod::cash && !check.get("payout_account").empty() &&
               is_blank(check.get("payout_account"))) {
      // "is blank" would read as if an empty account were the fault.
      check.problem("payout_account", "holds only spaces; for payout_method cash leave it empty");
    } else {
      account = check.destination("payout_account", false);
      // A payment goes to exactly these characters: a space a spreadsheet left at either end
      // is refused, not trimmed.
      if (account && !account->empty() && (account->front() == ' ' || account->back() == ' ')) {
        check.problem("payout_account", "has a space at its start or end");
        account.reset();
      }
    }
    if (!id || !name || !phone || !group_ok || !method || !account) {
      if (id && context.refused != nullptr) check.note_refused(context.refused->farmers, *id);
      return std::nullopt;
    }
    farmer.id = FarmerId(*id);
    farmer.name = *name;
    farmer.group_id = std::string(group);
    farmer.phone = *phone;
    farmer.payout_method = *method;
    farmer.payout_account = *account;
    return farmer;
  };
  // A row with too many or too few fields (a comma in a name that was not quoted) most
  // likely still has its id in the id's column: noted, so that its commitments and
  // deliveries point here instead of saying "unknown farmer".
  std::function<void(const CsvRow&)> refused_row = [&](const CsvRow& row) {
    if (!row.get("farmer_id").empty()) context.refused->farmers.emplace(std::string(row.get("farmer_id")), row.line());
  };
  return read_rows<Farmer>(path, {"farmer_id", "name", "group_id", "phone", "payout_method", "payout_account"}, {},
                           Absence::refused, diagnostics, parse_row, on_row,
                           context.refused == nullptr ? nullptr : &refused_row);
}

bool read_commitments(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                      const RowCallback<Commitment>& on_row) {
  FirstSeenIndex seen;
  auto parse_row = [&](const CsvRow& row, FileDiagnostics& file) -> std::optional<Commitment> {
    RowChecker check(row, file, context.registry);
    auto id = check.unique_id("commitment_id", seen);
    auto farmer = check.known_farmer("farmer_id", context);
    auto offtaker = check.party("offtaker_id", Role::offtaker);
    auto quantity = check.positive_weight("quantity_kg");
    auto signed_on = check.date("signed_on");
    if (!id || !farmer || !offtaker || !quantity || !signed_on) {
      if (farmer && offtaker && context.refused != nullptr) {
        check.note_refused(context.refused->commitments, std::make_pair(*farmer, *offtaker));
      }
      return std::nullopt;
    }
    return Commitment{CommitmentId(*id), FarmerId(*farmer), PartyId(*offtaker), *quantity, *signed_on};
  };
  std::function<void(const CsvRow&)> refused_row = [&](const CsvRow& row) {  // as in read_farmers
    if (!row.get("farmer_id").empty() && !row.get("offtaker_id").empty()) {
      context.refused->commitments.emplace(
          std::make_pair(std::string(row.get("farmer_id")), std::string(row.get("offtaker_id"))), row.line());
    }
  };
  return read_rows<Commitment>(path, {"commitment_id", "farmer_id", "offtaker_id", "quantity_kg", "signed_on"}, {},
                               Absence::refused, diagnostics, parse_row, on_row,
                               context.refused == nullptr ? nullptr : &refused_row);
}

bool read_loans(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                const RowCallback<Loan>& on_row) {
  FirstSeenIndex seen;
  auto parse_row = [&](const CsvRow& row, FileDiagnostics& file) -> std::optional<Loan> {
    RowChecker check(row, file, context.registry);
    auto id = check.unique_id("loan_id", seen);
    auto farmer = check.known_farmer("farmer_id", context);
    auto lender = check.party("lender_id", Role::lender);
    auto product = check.id("product_id");
    if (product && context.registry != nullptr && !context.registry->product_exists(ProductId(*product))) {
      check.problem("product_id", "unknown loan product " + *product);
      product.reset();
    }
    std::optional<std::int64_t> principal_minor;
    if (auto text = check.required_text("principal")) {
      if (context.currency) {
        auto money = Money::parse(*text, *context.currency);
        if (!money) {
          check.problem("principal", money.error().message);
        } else if (money->minor <= 0) {
          check.problem("principal", "must be greater than 0");
        } else if (money->minor > kMaxPrincipalMinor) {
          check.problem("principal", "must be at most " + ledger::format_units(kMaxPrincipalMinor, context.currency->exponent));
        } else {
          principal_minor = money->minor;
        }
      } else if (auto amount = check.decimal("principal", kAnyDecimals, Range::positive)) {
        principal_minor = 0;  // the currency is unknown: checked, not converted
      }
    }
    auto disbursed_on = check.date("disbursed_on");
    auto due_on = check.date("due_on");
    if (disbursed_on && due_on && *due_on < *disbursed_on) {
      check.problem("due_on", format_date(*due_on) + " is before disbursed_on " + format_date(*disbursed_on));
      due_on.reset();
    }
    bool paid_to_given = !check.get("paid_to").empty();
    auto paid_to = check.party("paid_to", Role::input_supplier, /*may_be_empty=*/true);
    if (!id || !farmer || !lender || !product || !principal_minor || !disbursed_on || !due_on ||
        (paid_to_given && !paid_to)) {
      return std::nullopt;
    }
    Loan loan{LoanId(*id),      FarmerId(*farmer), PartyId(*lender), ProductId(*product),
              *principal_minor, *disbursed_on,     *due_on,          std::nullopt};
    if (paid_to) loan.paid_to = PartyId(*paid_to);
    return loan;
  };
  return read_rows<Loan>(path,
                         {"loan_id", "farmer_id", "lender_id", "product_id", "principal", "disbursed_on", "due_on"},
                         {"paid_to"}, Absence::refused, diagnostics, parse_row, on_row);
}

bool read_deliveries(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                     const RowCallback<Delivery>& on_row) {
  FirstSeenIndex seen;
  auto parse_row = [&](const CsvRow& row, FileDiagnostics& file) -> std::optional<Delivery> {
    RowChecker check(row, file, context.registry);
    auto id = check.unique_id("delivery_id", seen);
    auto farmer = check.known_farmer("farmer_id", context);
    auto offtaker = check.party("offtaker_id", Role::offtaker);
    auto grade = check.id("grade");
    if (grade && context.registry != nullptr && !context.registry->grade_exists(*grade)) {
      check.problem("grade", "unknown grade " + *grade + " (not in [price.grade])");
      grade.reset();
    }
    auto weight = check.positive_weight("weight_kg");
    std::optional<Decimal> moisture;
    bool moisture_ok = true;
    if (!check.get("moisture_pct").empty()) {
      moisture = check.decimal("moisture_pct", kMoistureDecimals, Range::percent);
      moisture_ok = moisture.has_value();
    }
    auto delivered_on = check.date("delivered_on");
    bool agent_given = !check.get("agent_id").empty();
    auto agent = check.party("agent_id", Role::agent, /*may_be_empty=*/true);
    if (farmer && offtaker && delivered_on && context.registry != nullptr && context.commitments_readable) {
      auto earliest = context.registry->earliest_commitment(FarmerId(*farmer), PartyId(*offtaker));
      if (!earliest) {
        const int refused_at = context.refused == nullptr ? 0
                                                          : RowChecker::line_of(context.refused->commitments,
                                                                                std::make_pair(*farmer, *offtaker));
        check.problem("delivered_on",
                      "no commitment between farmer " + *farmer + " and off-taker " + *offtaker +
                          (refused_at > 0 ? " (the one at commitments.csv:" + std::to_string(refused_at) +
                                                " is refused: its row's errors are listed there)"
                                          : ""));
        delivered_on.reset();
      } else if (*delivered_on < *earliest) {
        check.problem("delivered_on", format_date(*delivered_on) + " is before the first commitment between farmer " +
                                          *farmer + " and off-taker " + *offtaker + ", signed on " +
                                          format_date(*earliest));
        delivered_on.reset();
      }
    }
    if (!id || !farmer || !offtaker || !grade || !weight || !moisture_ok || !delivered_on || (agent_given && !agent)) {
      return std::nullopt;
    }
    Delivery delivery{DeliveryId(*id), FarmerId(*farmer), PartyId(*offtaker), *grade,
                      *weight,         moisture,          *delivered_on,      std::nullopt};
    if (agent) delivery.agent = PartyId(*agent);
    return delivery;
  };
  return read_rows<Delivery>(
      path,
      {"delivery_id", "farmer_id", "offtaker_id", "grade", "weight_kg", "moisture_pct", "delivered_on", "agent_id"}, {},
      Absence::refused, diagnostics, parse_row, on_row);
}

bool read_market_prices(const std::string& path, Diagnostics& diagnostics, const RowCallback<MarketPrice>& on_row) {
  FirstSeenIndex seen;
  auto parse_row = [&](const CsvRow& row, FileDiagnostics& file) -> std::optional<MarketPrice> {
    RowChecker check(row, file, nullptr);
    auto date = check.date("date");
    if (date) {
      if (auto first_line = seen.insert(format_date(*date), row.line())) {
        check.problem("date", duplicate_message("date", format_date(*date), *first_line));
        date.reset();
      }
    }
    auto price = check.decimal("price_per_kg", kPriceDecimals, Range::price);
    if (!date || !price) return std::nullopt;
    return MarketPrice{*date, *price};
  };
  return read_rows<MarketPrice>(path, {"date", "price_per_kg"}, {}, Absence::accepted, diagnostics, parse_row, on_row);
}

// ---------------------------------------------------------------------------------------------
// A whole folder

bool file_unreadable(const Diagnostics& diagnostics, std::size_t from, std::string_view file) {
  for (std::size_t i = from; i < diagnostics.size(); ++i) {
    if (diagnostics[i].file == file && diagnostics[i].line <= 1) return true;
  }
  return false;
}

SeasonFolder read_season_folder(const std::string& directory, Diagnostics& diagnostics) {
  const std::filesystem::path folder_path(directory);
  auto file = [&folder_path](const char* name) { return (folder_path / name).string(); };
  SeasonFolder folder;
  InMemoryRegistry registry;
  RefusedRows refused;
  ReadContext context;
  context.refused = &refused;
  auto terms = read_coalition(file("coalition.toml"), diagnostics);
  if (terms.ok()) {
    registry.add_terms(*terms);
    context.registry = &registry;
    context.currency = terms->currency;
    folder.terms = std::move(terms).value();
  }
  std::size_t before = diagnostics.size();
  static_cast<void>(read_farmers(file("farmers.csv"), context, diagnostics, [&](const Farmer& farmer, int) {
    registry.add_farmer(farmer);
    folder.farmers.push_back(farmer);
  }));
  context.farmers_readable = !file_unreadable(diagnostics, before, "farmers.csv");
  before = diagnostics.size();
  static_cast<void>(
      read_commitments(file("commitments.csv"), context, diagnostics, [&](const Commitment& commitment, int) {
        registry.add_commitment(commitment);
        folder.commitments.push_back(commitment);
      }));
  context.commitments_readable = !file_unreadable(diagnostics, before, "commitments.csv");
  static_cast<void>(read_loans(file("loans.csv"), context, diagnostics,
                               [&](const Loan& loan, int) { folder.loans.push_back(loan); }));
  static_cast<void>(read_deliveries(file("deliveries.csv"), context, diagnostics,
                                    [&](const Delivery& delivery, int) { folder.deliveries.push_back(delivery); }));
  // Needed by floor_market, ignored otherwise (SPEC §2): a fixed-price season does not read it.
  if (!folder.terms || folder.terms->price.method != PriceMethod::fixed) {
    static_cast<void>(read_market_prices(file("market_prices.csv"), diagnostics, [&](const MarketPrice& price, int) {
      folder.market_prices.push_back(price);
    }));
  }
  return folder;
}

}  // namespace tripartite::contracts

namespace tripartite::contracts {
namespace {


// Collects the differences of two seasons' terms, each as a diagnostic of coalition.toml at
// the line of the folder's key (`at` is the key's path with 0-based array indices, as
// read_coalition's KeyLines name them; `field` the path as the readers' diagnostics name it).
class TermsDiff {
 public:
  TermsDiff(const KeyLines& lines, const std::string& season) : lines_(lines), season_(season) {}

  void value(const std::string& at, const std::string& field, const std::string& here, const std::string& ledger) {
    if (here == ledger) return;
    add(at, field, quoted(here) + " here, " + quoted(ledger) + " in the terms of season " + season_ +
                       " in the ledger; a season's terms cannot change once imported");
  }
  void decimal(const std::string& at, const std::string& field, const std::optional<Decimal>& here,
               const std::optional<Decimal>& ledger) {
    if (here == ledger) return;
    value(at, field, here ? here->to_string() : std::string(), ledger ? ledger->to_string() : std::string());
  }
  void add(const std::string& at, const std::string& field, const std::string& message) {
    auto line = lines_.find(at);
    out.push_back(Diagnostic{"coalition.toml", line == lines_.end() ? 0 : line->second, field, message});
  }
  const std::string& season() const { return season_; }
  Diagnostics out;

 private:
  static std::string quoted(const std::string& text) { return text.empty() ? "nothing" : "'" + text + "'"; }
  const KeyLines& lines_;
  std::string season_;
};

std::string indexed(const std::string& table, std::size_t i) { return table + "[" + std::to_string(i) + "]"; }

}  // namespace

Diagnostics terms_differences(const KeyLines& key_lines, const SeasonTerms& ledger, const SeasonTerms& folder) {
  TermsDiff diff(key_lines, ledger.id.value);
  diff.value("season.currency", "season.currency", folder.currency.code, ledger.currency.code);
  diff.value("season.commodity", "season.commodity", folder.commodity, ledger.commodity);

  for (std::size_t i = 0; i < folder.parties.size(); ++i) {
    const Party& party = folder.parties[i];
    const std::string at = indexed("party", i);
    auto found = std::find_if(ledger.parties.begin(), ledger.parties.end(), [&](const Party& p) { return p.id == party.id; });
    if (found == ledger.parties.end()) {
      diff.add(at + ".id", "party." + party.id.value,
               "party " + party.id.value + " is not a party of season " + diff.season() +
                   " in the ledger; a season's terms cannot change once imported");
      continue;
    }
    diff.value(at + ".role", "party." + party.id.value + ".role", std::string(to_string(party.role)),
               std::string(to_string(found->role)));
    diff.value(at + ".name", "party." + party.id.value + ".name", party.name, found->name);
  }
  for (const auto& party : ledger.parties) {
    bool here = std::any_of(folder.parties.begin(), folder.parties.end(), [&](const Party& p) { return p.id == party.id; });
    if (!here) {
      diff.add("party", "party", "party " + party.id.value + " of season " + diff.season() +
                                     " in the ledger is missing here; a season's terms cannot change once imported");
    }
  }

  const PriceTerms& a = folder.price;
  const PriceTerms& b = ledger.price;
  diff.value("price.method", "price.method", a.method == PriceMethod::fixed ? "fixed" : "floor_market",
             b.method == PriceMethod::fixed ? "fixed" : "floor_market");
  if (a.method == b.method) {
    if (a.method == PriceMethod::fixed) {
      diff.decimal("price.base_per_kg", "price.base_per_kg", a.base_per_kg, b.base_per_kg);
    } else {
      diff.decimal("price.floor_per_kg", "price.floor_per_kg", a.floor_per_kg, b.floor_per_kg);
      diff.decimal("price.market_discount", "price.market_discount", a.market_discount, b.market_discount);
    }
  }
  diff.decimal("price.moisture_target_pct", "price.moisture_target_pct", a.moisture_target_pct, b.moisture_target_pct);
  for (const auto& [grade, multiplier] : a.grade_multipliers) {
    auto found = b.grade_multipliers.find(grade);
    diff.decimal("price.grade." + grade, "price.grade." + grade, multiplier,
                 found == b.grade_multipliers.end() ? std::nullopt : std::optional<Decimal>(found->second));
  }
  for (const auto& [grade, multiplier] : b.grade_multipliers) {
    if (a.grade_multipliers.count(grade) == 0) {
      diff.decimal("price.grade", "price.grade." + grade, std::nullopt, multiplier);
    }
  }

  for (std::size_t i = 0; i < folder.loan_products.size(); ++i) {
    const LoanProduct& product = folder.loan_products[i];
    const std::string at = indexed("loan_product", i);
    const std::string field = indexed("loan_product", i + 1);
    auto found = std::find_if(ledger.loan_products.begin(), ledger.loan_products.end(),
                              [&](const LoanProduct& p) { return p.id == product.id; });
    if (found == ledger.loan_products.end()) {
      diff.add(at + ".id", field + ".id",
               "loan product " + product.id.value + " is not in the terms of season " + diff.season() +
                   " in the ledger; a season's terms cannot change once imported");
      continue;
    }
    diff.decimal(at + ".annual_rate", field + ".annual_rate", product.annual_rate, found->annual_rate);
    diff.value(at + ".method", field + ".method", std::string(to_string(product.method)),
               std::string(to_string(found->method)));
    diff.value(at + ".day_count", field + ".day_count", std::string(to_string(product.day_count)),
               std::string(to_string(found->day_count)));
    diff.decimal(at + ".origination_fee", field + ".origination_fee", product.origination_fee, found->origination_fee);
  }
  for (const auto& product : ledger.loan_products) {
    bool here = std::any_of(folder.loan_products.begin(), folder.loan_products.end(),
                            [&](const LoanProduct& p) { return p.id == product.id; });
    if (!here) {
      diff.add("loan_product", "loan_product", "loan product " + product.id.value + " of season " + diff.season() +
                                                   " in the ledger is missing here; a season's terms cannot change once imported");
    }
  }

  if (folder.deductions.size() != ledger.deductions.size()) {
    diff.add("deduction", "deduction",
             std::to_string(folder.deductions.size()) + " deductions here, " + std::to_string(ledger.deductions.size()) +
                 " in the terms of season " + diff.season() + " in the ledger; a season's terms cannot change once imported");
  }
  for (std::size_t i = 0; i < std::min(folder.deductions.size(), ledger.deductions.size()); ++i) {
    const Deduction& x = folder.deductions[i];
    const Deduction& y = ledger.deductions[i];
    const std::string at = indexed("deduction", i);
    const std::string field = indexed("deduction", i + 1);
    diff.value(at + ".kind", field + ".kind", std::string(to_string(x.kind)), std::string(to_string(y.kind)));
    if (x.kind != y.kind) continue;
    diff.value(at + ".to", field + ".to", x.to.value, y.to.value);
    diff.decimal(at + ".rate", field + ".rate", x.rate, y.rate);
    diff.decimal(at + ".per_kg", field + ".per_kg", x.per_kg, y.per_kg);
    if (x.kind == DeductionKind::loan_repayment) {
      diff.decimal(at + ".max_share_of_gross", field + ".max_share_of_gross", x.max_share_of_gross, y.max_share_of_gross);
    }
    for (const auto& [party, share] : x.shares) {
      auto found = y.shares.find(party);
      diff.decimal(at + ".shares." + party, field + ".shares." + party, share,
                   found == y.shares.end() ? std::nullopt : std::optional<Decimal>(found->second));
    }
    for (const auto& [party, share] : y.shares) {
      if (x.shares.count(party) == 0) diff.decimal(at + ".shares", field + ".shares." + party, std::nullopt, share);
    }
  }
  std::stable_sort(diff.out.begin(), diff.out.end(), [](const Diagnostic& l, const Diagnostic& r) { return l.line < r.line; });
  return std::move(diff.out);
}

}  // namespace tripartite::contracts
