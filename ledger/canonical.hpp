// Canonical JSON: the byte form of every ledger record (docs/audit-format.md).
//
// The subset is small on purpose: objects, arrays, strings and 64-bit integers; no floats,
// booleans or null. Serialisation is unique: object keys in byte order, no white space,
// integers without leading zeros or '+', strings with exactly the escapes `\"`, `\\` and
// `\u00xx` (lower-case hex) for bytes below 0x20, every other byte as is (valid UTF-8). The
// parser accepts only canonical bytes, so parse(bytes).serialise() == bytes always holds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/result.hpp"

namespace tripartite::ledger::canonical {

class Value;
using Array = std::vector<Value>;

// An object's members, kept sorted by key in byte order in one vector: canonical input is
// already sorted, so parsing appends without a tree node per member, and serialising walks
// it in order. The map-like interface is what the code uses of std::map.
template <class V>
class SortedMembers {
 public:
  using value_type = std::pair<std::string, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  V& operator[](const std::string& key) {
    auto it = lower(key);
    if (it != members_.end() && it->first == key) return it->second;
    return members_.insert(it, value_type(key, V()))->second;
  }
  const_iterator find(std::string_view key) const {
    auto it = lower(key);
    return it != members_.end() && it->first == key ? it : members_.end();
  }
  // Inserts unless the key is there; a key greater than every other is appended in O(1).
  std::pair<iterator, bool> emplace(std::string key, V value) {
    if (members_.empty() || members_.back().first < key) {
      members_.emplace_back(std::move(key), std::move(value));
      return {members_.end() - 1, true};
    }
    auto it = lower(key);
    if (it != members_.end() && it->first == key) return {it, false};
    return {members_.insert(it, value_type(std::move(key), std::move(value))), true};
  }
  // The greatest key so far. REQUIRES: !empty().
  const std::string& last_key() const { return members_.back().first; }
  // Appends a member whose key is greater than every other (the caller checked) and returns
  // its value, default-constructed, to be filled in place.
  V& append_greatest(const std::string& key) { return members_.emplace_back(key, V()).second; }
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  std::size_t count(std::string_view key) const { return find(key) == members_.end() ? 0 : 1; }
  iterator begin() { return members_.begin(); }
  iterator end() { return members_.end(); }
  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }
  // Written out (not defaulted): clang 14 would check a defaulted == while Value is incomplete.
  friend bool operator==(const SortedMembers& a, const SortedMembers& b) { return a.members_ == b.members_; }

 private:
  iterator lower(std::string_view key) {
    return std::lower_bound(members_.begin(), members_.end(), key,
                            [](const value_type& member, std::string_view k) { return member.first < k; });
  }
  const_iterator lower(std::string_view key) const {
    return std::lower_bound(members_.begin(), members_.end(), key,
                            [](const value_type& member, std::string_view k) { return member.first < k; });
  }
  std::vector<value_type> members_;
};
using Object = SortedMembers<Value>;

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
// Appends an object member whose value is a string: "key":"text", both in canonical form.
void append_member(std::string& out, std::string_view key, std::string_view text);

// Parses canonical bytes; anything not in canonical form is an error naming the offset.
Result<Value> parse(std::string_view bytes);

// Typed getters for records: an error names the missing or mistyped key.
Result<std::string> get_string(const Value& object, std::string_view key);
Result<std::int64_t> get_int(const Value& object, std::string_view key);

// The hot record kinds (a delivery, tens of millions a season) are flat objects of string
// members. FlatWriter writes such an object directly — the same bytes as serialise() of the
// equivalent Object, without building one; the caller adds the keys in strictly ascending
// byte order (asserted), each key living until the next add (string literals in practice).
class FlatWriter {
 public:
  explicit FlatWriter(std::size_t reserve = 256);
  FlatWriter& add(std::string_view key, std::string_view text);
  std::string finish();  // the object's bytes; the writer is left empty

 private:
  std::string out_;
  std::string_view last_key_;
};

// The fast read of such an object: when bytes are a canonical object whose members are all
// strings without escapes, fills members with views into bytes (keys ascending) and returns
// true. Anything else — escapes, numbers, nesting, any fault — returns false, and the caller
// uses parse(), which gives the value or the precise error. Accepts only bytes that parse()
// accepts, with the same members.
using FlatMembers = std::vector<std::pair<std::string_view, std::string_view>>;
bool scan_flat_strings(std::string_view bytes, FlatMembers& members);
// The value of `key` among members read by scan_flat_strings (keys ascending), if present.
std::optional<std::string_view> find_flat(const FlatMembers& members, std::string_view key);

// The first byte at or after pos that a canonical string cannot hold as itself (a quote, a
// backslash or a control byte below 0x20), or text.size() when there is none. Every reader
// and writer of strings here uses it.
std::size_t plain_run_end(std::string_view text, std::size_t pos);

// A cursor for fast readers of records of one known shape (a delivery, a journal entry):
// each call consumes the token it expects and returns false on anything else, and the
// reader then falls back to parse(). Every token it accepts is one parse() accepts with the
// same meaning: plain strings (no escape, no control byte) and canonical integers only.
class ShapeScanner {
 public:
  explicit ShapeScanner(std::string_view bytes) : bytes_(bytes) {}
  bool literal(char c);                           // the byte c
  bool key(std::string_view expected);            // "expected": (expected is plain)
  bool plain_string(std::string_view& out);       // a string without escapes
  bool integer(std::int64_t& out);                // -?(0|[1-9][0-9]*), in int64, not -0
  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace tripartite::ledger::canonical
