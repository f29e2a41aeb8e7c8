// Canonical JSON serialiser and strict parser. See canonical.hpp for the byte rules.
#include "ledger/canonical.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace tripartite::ledger::canonical {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The parser writes into its output in place (no Value is moved through a Result on the way
// up) and copies each run of plain string bytes in one append; the first failure is kept
// with its byte offset and turned into one Error at the top.
class Parser {
 public:
  explicit Parser(std::string_view bytes) : bytes_(bytes) {}

  Result<Value> parse_document() {
    Value value;
    if (!parse_value(value, 0)) return error();
    if (pos_ != bytes_.size()) {
      fail("trailing bytes");
      return error();
    }
    return value;
  }

 private:
  static constexpr int kMaxDepth = 32;

  bool fail(const char* what) {
    what_ = what;
    where_ = pos_;
    return false;
  }
  Error error() const { return invalid("non-canonical JSON at byte " + std::to_string(where_) + ": " + what_); }

  bool parse_value(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= bytes_.size()) return fail("unexpected end");
    char c = bytes_[pos_];
    if (c == '{') {
      out = Value(Object{});
      return parse_object(out.as_object(), depth);
    }
    if (c == '[') {
      out = Value(Array{});
      return parse_array(out.as_array(), depth);
    }
    if (c == '"') {
      std::string text;
      if (!parse_string(text)) return false;
      out = Value(std::move(text));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::int64_t number = 0;
      if (!parse_int(number)) return false;
      out = Value(number);
      return true;
    }
    return fail("unexpected character");
  }

  bool parse_int(std::int64_t& number) {
    std::size_t start = pos_;
    if (bytes_[pos_] == '-') ++pos_;
    std::size_t digits_start = pos_;
    while (pos_ < bytes_.size() && bytes_[pos_] >= '0' && bytes_[pos_] <= '9') ++pos_;
    std::size_t digits = pos_ - digits_start;
    if (digits == 0) return fail("expected digits");
    if (digits > 1 && bytes_[digits_start] == '0') return fail("leading zero");
    if (bytes_[start] == '-' && digits == 1 && bytes_[digits_start] == '0') return fail("negative zero");
    auto [end, ec] = std::from_chars(bytes_.data() + start, bytes_.data() + pos_, number);
    if (ec != std::errc() || end != bytes_.data() + pos_) return fail("integer out of range");
    return true;
  }

  // Appends the string's bytes (unescaped) to out; pos_ is at the opening quote.
  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    const char* data = bytes_.data();
    const std::size_t size = bytes_.size();
    while (true) {
      std::size_t run = plain_run_end(bytes_, pos_);
      out.append(data + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= size) return fail("unterminated string");
      auto c = static_cast<unsigned char>(data[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("raw control byte in string");
      // A backslash.
      if (pos_ + 1 >= size) return fail("unterminated escape");
      char e = data[pos_ + 1];
      if (e == '"' || e == '\\') {
        out.push_back(e);
        pos_ += 2;
        continue;
      }
      if (e != 'u' || pos_ + 6 > size) return fail("escape other than \\\" \\\\ \\u00xx");
      std::string_view hex = bytes_.substr(pos_ + 2, 4);
      if (hex[0] != '0' || hex[1] != '0') return fail("\\u escape above 0x1f");
      int high = hex_digit(hex[2]);
      int low = hex_digit(hex[3]);
      if (high < 0 || low < 0) return fail("bad \\u escape");
      int code = high * 16 + low;
      if (code >= 0x20) return fail("\\u escape of a printable byte");
      out.push_back(static_cast<char>(code));
      pos_ += 6;
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not canonical
  }

  bool parse_array(Array& items, int depth) {
    ++pos_;
    if (pos_ < bytes_.size() && bytes_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      items.emplace_back(std::int64_t{0});
      if (!parse_value(items.back(), depth + 1)) return false;
      if (pos_ >= bytes_.size()) return fail("unterminated array");
      if (bytes_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (bytes_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool parse_object(Object& members, int depth) {
    ++pos_;
    if (pos_ < bytes_.size() && bytes_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::string key;
    while (true) {
      if (pos_ >= bytes_.size() || bytes_[pos_] != '"') return fail("expected a key");
      key.clear();
      if (!parse_string(key)) return false;
      if (!members.empty() && !(members.last_key() < key)) return fail("keys not in strict byte order");
      if (pos_ >= bytes_.size() || bytes_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      if (!parse_value(members.append_greatest(key), depth + 1)) return false;
      if (pos_ >= bytes_.size()) return fail("unterminated object");
      if (bytes_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (bytes_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  const char* what_ = "";
  std::size_t where_ = 0;
};

}  // namespace

std::size_t plain_run_end(std::string_view text, std::size_t pos) {
  // Eight bytes at a time while none of them is special (a record's strings are mostly
  // plain ASCII); the byte loop below then finds the exact one. For each byte b of the word:
  // b == c shows as a zero byte of word ^ c, and (v - 0x01..) & ~v has a high bit set in
  // some byte exactly when v has a zero byte (resp. a byte < n for (v - n..) & ~v, n <= 0x80).
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const char* data = text.data();
  while (pos + 8 <= text.size()) {
    std::uint64_t word;
    std::memcpy(&word, data + pos, sizeof word);
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    const std::uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                                  ((word - kOnes * 0x20) & ~word);
    if ((special & kHighs) != 0) break;
    pos += 8;
  }
  while (pos < text.size()) {
    auto c = static_cast<unsigned char>(data[pos]);
    if (c == '"' || c == '\\' || c < 0x20) break;
    ++pos;
  }
  return pos;
}

const Value* Value::find(std::string_view key) const {
  const auto& members = std::get<Object>(data_);
  auto it = members.find(key);
  return it == members.end() ? nullptr : &it->second;
}

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t run = plain_run_end(text, pos);
    out.append(text.data() + pos, run - pos);  // plain bytes in one go
    if (run == text.size()) break;
    auto c = static_cast<unsigned char>(text[run]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
    pos = run + 1;
  }
  out.push_back('"');
}

void Value::serialise_to(std::string& out) const {
  if (const auto* number = std::get_if<std::int64_t>(&data_)) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *number);
    out.append(buffer, end);
  } else if (const auto* text = std::get_if<std::string>(&data_)) {
    append_string(out, *text);
  } else if (const auto* items = std::get_if<Array>(&data_)) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : *items) {
      if (!first) out.push_back(',');
      first = false;
      item.serialise_to(out);
    }
    out.push_back(']');
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& [key, value] : std::get<Object>(data_)) {
      if (!first) out.push_back(',');
      first = false;
      append_string(out, key);
      out.push_back(':');
      value.serialise_to(out);
    }
    out.push_back('}');
  }
}

Result<Value> parse(std::string_view bytes) { return Parser(bytes).parse_document(); }

FlatWriter::FlatWriter(std::size_t reserve) {
  out_.reserve(reserve);
  out_.push_back('{');
}

void append_member(std::string& out, std::string_view key, std::string_view text) {
  append_string(out, key);
  out.push_back(':');
  append_string(out, text);
}

FlatWriter& FlatWriter::add(std::string_view key, std::string_view text) {
  TRIPARTITE_ASSERT(out_.size() == 1 || last_key_ < key);
  if (out_.size() != 1) out_.push_back(',');
  last_key_ = key;
  append_member(out_, key, text);
  return *this;
}

std::string FlatWriter::finish() {
  out_.push_back('}');
  return std::move(out_);
}

bool ShapeScanner::literal(char c) {
  if (pos_ >= bytes_.size() || bytes_[pos_] != c) return false;
  ++pos_;
  return true;
}

bool ShapeScanner::key(std::string_view expected) {
  const std::size_t size = expected.size() + 3;  // "expected":
  if (bytes_.size() - pos_ < size || bytes_[pos_] != '"' || bytes_.substr(pos_ + 1, expected.size()) != expected ||
      bytes_[pos_ + 1 + expected.size()] != '"' || bytes_[pos_ + 2 + expected.size()] != ':') {
    return false;
  }
  pos_ += size;
  return true;
}

bool ShapeScanner::plain_string(std::string_view& out) {
  if (pos_ >= bytes_.size() || bytes_[pos_] != '"') return false;
  const std::size_t end = plain_run_end(bytes_, pos_ + 1);
  if (end >= bytes_.size() || bytes_[end] != '"') return false;  // an escape, a control byte, or no end
  out = bytes_.substr(pos_ + 1, end - pos_ - 1);
  pos_ = end + 1;
  return true;
}

bool ShapeScanner::integer(std::int64_t& out) {
  std::size_t end = pos_;
  if (end < bytes_.size() && bytes_[end] == '-') ++end;
  const std::size_t digits = end;
  while (end < bytes_.size() && bytes_[end] >= '0' && bytes_[end] <= '9') ++end;
  if (end == digits) return false;
  if (bytes_[digits] == '0' && (end - digits > 1 || digits != pos_)) return false;  // leading zero, -0
  auto [stop, ec] = std::from_chars(bytes_.data() + pos_, bytes_.data() + end, out);
  if (ec != std::errc() || stop != bytes_.data() + end) return false;
  pos_ = end;
  return true;
}

std::optional<std::string_view> find_flat(const FlatMembers& members, std::string_view key) {
  auto it = std::lower_bound(members.begin(), members.end(), key,
                             [](const auto& member, std::string_view k) { return member.first < k; });
  if (it == members.end() || it->first != key) return std::nullopt;
  return it->second;
}

bool scan_flat_strings(std::string_view bytes, FlatMembers& members) {
  members.clear();
  ShapeScanner in(bytes);
  if (!in.literal('{')) return false;
  if (in.literal('}')) return in.at_end();
  do {
    std::string_view key;
    std::string_view text;
    if (!in.plain_string(key) || (!members.empty() && !(members.back().first < key))) return false;
    if (!in.literal(':') || !in.plain_string(text)) return false;
    members.emplace_back(key, text);
  } while (in.literal(','));
  return in.literal('}') && in.at_end();
}

Result<std::string> get_string(const Value& object, std::string_view key) {
  if (!object.is_object()) return invalid("record is not an object");
  const Value* value = object.find(key);
  if (value == nullptr) return invalid("record has no '" + std::string(key) + "'");
  if (!value->is_string()) return invalid("record's '" + std::string(key) + "' is not a string");
  return value->as_string();
}

Result<std::int64_t> get_int(const Value& object, std::string_view key) {
  if (!object.is_object()) return invalid("record is not an object");
  const Value* value = object.find(key);
  if (value == nullptr) return invalid("record has no '" + std::string(key) + "'");
  if (!value->is_int()) return invalid("record's '" + std::string(key) + "' is not an integer");
  return value->as_int();
}

}  // namespace tripartite::ledger::canonical
