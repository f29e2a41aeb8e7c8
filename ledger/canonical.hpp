// Canonical JSON: the byte form of every ledger record (docs/audit-format.md).
//
// The subset is small on purpose: objects, arrays, strings and 64-bit integers; no floats,
// booleans or null. Serialisation is unique: object keys in byte order, no white space,
// integers without leading zeros or '+', strings with exactly the escapes `\"`, `\\` and
// `\u00xx` (lower-case hex) for bytes below 0x20, every other byte as is (valid UTF-8). The
// parser accepts only canonical bytes, so parse(bytes).serialise() == bytes always holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/result.hpp"

namespace tripartite::ledger::canonical {

class Value;
using Array = std::vector<Value>;
using Object = std::map<std::string, Value>;

class Value {
 public:
  Value() : data_(Object{}) {}
  Value(std::int64_t number) : data_(number) {}                  // NOLINT: implicit by design
  Value(int number) : data_(static_cast<std::int64_t>(number)) {}  // NOLINT
  Value(std::string text) : data_(std::move(text)) {}             // NOLINT
  Value(std::string_view text) : data_(std::string(text)) {}      // NOLINT
  Value(const char* text) : data_(std::string(text)) {}           // NOLINT
  Value(Array items) : data_(std::move(items)) {}                 // NOLINT
  Value(Object members) : data_(std::move(members)) {}            // NOLINT

  bool is_int() const { return std::holds_alternative<std::int64_t>(data_); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_array() const { return std::holds_alternative<Array>(data_); }
  bool is_object() const { return std::holds_alternative<Object>(data_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const Array& as_array() const { return std::get<Array>(data_); }
  const Object& as_object() const { return std::get<Object>(data_); }
  Array& as_array() { return std::get<Array>(data_); }
  Object& as_object() { return std::get<Object>(data_); }

  // Member access on an object. REQUIRES: is_object().
  Value& operator[](const std::string& key) { return std::get<Object>(data_)[key]; }
  // The member or nullptr. REQUIRES: is_object().
  const Value* find(std::string_view key) const;

  void serialise_to(std::string& out) const;
  std::string serialise() const {
    std::string out;
    serialise_to(out);
    return out;
  }
  friend bool operator==(const Value&, const Value&) = default;

 private:
  std::variant<std::int64_t, std::string, Array, Object> data_;
};

// Appends the canonical form of a string (with quotes) to out.
void append_string(std::string& out, std::string_view text);

// Parses canonical bytes; anything not in canonical form is an error naming the offset.
Result<Value> parse(std::string_view bytes);

// Typed getters for records: an error names the missing or mistyped key.
Result<std::string> get_string(const Value& object, std::string_view key);
Result<std::int64_t> get_int(const Value& object, std::string_view key);

}  // namespace tripartite::ledger::canonical
