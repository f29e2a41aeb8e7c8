// Canonical JSON serialiser and strict parser. See canonical.hpp for the byte rules.
#include "ledger/canonical.hpp"

#include <charconv>

namespace tripartite::ledger::canonical {
namespace {

constexpr char kHex[] = "0123456789abcdef";

class Parser {
 public:
  explicit Parser(std::string_view bytes) : bytes_(bytes) {}

  Result<Value> parse_document() {
    auto value = parse_value(0);
    if (!value) return value;
    if (pos_ != bytes_.size()) return fail("trailing bytes");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 32;

  Error fail(const std::string& what) const {
    return invalid("non-canonical JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  Result<Value> parse_value(int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= bytes_.size()) return fail("unexpected end");
    char c = bytes_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      auto text = parse_string();
      if (!text) return text.error();
      return Value(std::move(text).value());
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_int();
    return fail("unexpected character");
  }

  Result<Value> parse_int() {
    std::size_t start = pos_;
    if (bytes_[pos_] == '-') ++pos_;
    std::size_t digits_start = pos_;
    while (pos_ < bytes_.size() && bytes_[pos_] >= '0' && bytes_[pos_] <= '9') ++pos_;
    std::size_t digits = pos_ - digits_start;
    if (digits == 0) return fail("expected digits");
    if (digits > 1 && bytes_[digits_start] == '0') return fail("leading zero");
    if (bytes_[start] == '-' && digits == 1 && bytes_[digits_start] == '0') return fail("negative zero");
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(bytes_.data() + start, bytes_.data() + pos_, number);
    if (ec != std::errc() || end != bytes_.data() + pos_) return fail("integer out of range");
    return Value(number);
  }

  Result<std::string> parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= bytes_.size()) return fail("unterminated string");
      auto c = static_cast<unsigned char>(bytes_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return fail("raw control byte in string");
      if (c == '\\') {
        if (pos_ + 1 >= bytes_.size()) return fail("unterminated escape");
        char e = bytes_[pos_ + 1];
        if (e == '"' || e == '\\') {
          out.push_back(e);
          pos_ += 2;
          continue;
        }
        if (e != 'u' || pos_ + 6 > bytes_.size()) return fail("escape other than \\\" \\\\ \\u00xx");
        std::string_view hex = bytes_.substr(pos_ + 2, 4);
        if (hex[0] != '0' || hex[1] != '0') return fail("\\u escape above 0x1f");
        int high = hex_digit(hex[2]);
        int low = hex_digit(hex[3]);
        if (high < 0 || low < 0) return fail("bad \\u escape");
        int code = high * 16 + low;
        if (code >= 0x20) return fail("\\u escape of a printable byte");
        out.push_back(static_cast<char>(code));
        pos_ += 6;
        continue;
      }
      out.push_back(static_cast<char>(c));
      ++pos_;
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not canonical
  }

  Result<Value> parse_array(int depth) {
    ++pos_;
    Array items;
    if (pos_ < bytes_.size() && bytes_[pos_] == ']') {
      ++pos_;
      return Value(std::move(items));
    }
    while (true) {
      auto item = parse_value(depth + 1);
      if (!item) return item;
      items.push_back(std::move(item).value());
      if (pos_ >= bytes_.size()) return fail("unterminated array");
      if (bytes_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (bytes_[pos_] == ']') {
        ++pos_;
        return Value(std::move(items));
      }
      return fail("expected ',' or ']'");
    }
  }

  Result<Value> parse_object(int depth) {
    ++pos_;
    Object members;
    if (pos_ < bytes_.size() && bytes_[pos_] == '}') {
      ++pos_;
      return Value(std::move(members));
    }
    while (true) {
      if (pos_ >= bytes_.size() || bytes_[pos_] != '"') return fail("expected a key");
      auto key = parse_string();
      if (!key) return key.error();
      if (!members.empty() && !(members.end()[-1].first < *key)) return fail("keys not in strict byte order");
      if (pos_ >= bytes_.size() || bytes_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      auto value = parse_value(depth + 1);
      if (!value) return value;
      members.emplace(std::move(key).value(), std::move(value).value());  // appends: keys ascend
      if (pos_ >= bytes_.size()) return fail("unterminated object");
      if (bytes_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (bytes_[pos_] == '}') {
        ++pos_;
        return Value(std::move(members));
      }
      return fail("expected ',' or '}'");
    }
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
  const auto& members = std::get<Object>(data_);
  auto it = members.find(key);
  return it == members.end() ? nullptr : &it->second;
}

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
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
