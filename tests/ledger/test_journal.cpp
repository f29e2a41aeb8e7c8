// Journal entry records: the direct writer and the fast reader give exactly what the
// general canonical path gives, errors included.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "ledger/canonical.hpp"
#include "ledger/journal.hpp"
#include "tests/damaged_copies.hpp"

using namespace tripartite::ledger;

namespace {

JournalEntry sample(std::string memo, std::map<std::string, std::string> refs) {
  JournalEntry entry;
  entry.id = "2026A-R1-F001";
  entry.date = "2026-08-31";
  entry.memo = std::move(memo);
  entry.refs = std::move(refs);
  entry.postings = {Posting{"offtaker:OT1:purchases", "KES", 1234567, "gross"},
                    Posting{"farmer:F001:payout", "KES", -1234567, ""},
                    Posting{"x", "kg:maize", std::numeric_limits<std::int64_t>::min(), "t"},
                    Posting{"y", "kg:maize", 0, "t"}};
  return entry;
}

// What the general path reads: ok and the entry, or the error message.
std::string general_reading(std::string_view bytes) {
  auto value = canonical::parse(bytes);
  if (!value) return "error: " + value.error().message;
  auto entry = entry_from_record(*value);
  if (!entry) return "error: " + entry.error().message;
  return "entry: " + entry_to_record(*entry).serialise();
}

std::string fast_reading(std::string_view bytes) {
  auto entry = entry_from_bytes(bytes);
  if (!entry) return "error: " + entry.error().message;
  return "entry: " + entry_to_record(*entry).serialise();
}

// What for_each_posting visits, in the same form as the readings above: the error, or the
// postings written as an entry with the parser's other members (when the parse succeeds).
std::string posting_reading(std::string_view bytes) {
  std::vector<Posting> postings;
  auto visited = for_each_posting(bytes, [&](const PostingView& p) {
    postings.push_back(Posting{std::string(p.account), std::string(p.asset), p.amount, std::string(p.tag)});
    return tripartite::Status::success();
  });
  if (!visited.ok()) return "error: " + visited.error().message;
  auto entry = entry_from_bytes(bytes);
  if (!entry) return "visited postings of bytes that are not an entry";
  entry->postings = postings;
  return "entry: " + entry_to_record(*entry).serialise();
}

}  // namespace

TEST_CASE("an entry's bytes are written directly as the canonical record", "[journal]") {
  const JournalEntry entries[] = {
      sample("run 2026A-R1 for F001", {{"farmer", "F001"}, {"run", "2026A-R1"}, {"season", "2026A"}}),
      sample("a \"quoted\" memo\\ with\ncontrol \x01 bytes and é", {}),
      sample("", {{"A", "upper sorts first"}, {"a", "x\"y"}}),
  };
  for (const auto& entry : entries) {
    const std::string bytes = entry_bytes(entry);
    INFO(bytes);
    CHECK(bytes == entry_to_record(entry).serialise());
    auto back = entry_from_bytes(bytes);
    REQUIRE(back.ok());
    CHECK(*back == entry);
  }
  // The fast reader takes the usual shape, and leaves escapes to the parser.
  CHECK(entry_from_plain_bytes(entry_bytes(entries[0])).has_value());
  CHECK_FALSE(entry_from_plain_bytes(entry_bytes(entries[1])).has_value());
  // The posting visitor gives the same postings, in order, on both paths.
  for (const auto& entry : entries) {
    const std::string bytes = entry_bytes(entry);
    CHECK(posting_reading(bytes) == "entry: " + bytes);
  }
  // A visitor's error stops the reading and is returned.
  int visits = 0;
  auto stopped = for_each_posting(entry_bytes(entries[0]), [&](const PostingView&) {
    ++visits;
    return tripartite::Status(tripartite::invalid("stop"));
  });
  CHECK(visits == 1);
  CHECK_FALSE(stopped.ok());
}

TEST_CASE("a damaged entry record reads the same through the fast reader as through the parser", "[journal]") {
  const std::string bytes =
      entry_bytes(sample("run 1", {{"farmer", "F001"}, {"run", "2026A-R1"}, {"season", "2026A"}}));
  std::size_t fast = 0;
  for (const auto& v : tripartite::test::damaged_copies(bytes, std::string_view("x\"\\:,{}[]\x01" "09-A"))) {
    INFO(v);
    CHECK(fast_reading(v) == general_reading(v));
    CHECK(posting_reading(v) == general_reading(v));
    if (entry_from_plain_bytes(v)) fast += 1;
  }
  CHECK(fast > bytes.size());  // many substitutions inside strings and digits stay on the fast path
}

TEST_CASE("the shape scanner reads integers exactly as the parser does", "[journal]") {
  const char* numbers[] = {"0", "-1", "7", "10", "-10", "9223372036854775807", "-9223372036854775808",
                           "9223372036854775808", "-9223372036854775809", "00", "01", "-0", "-01", "-", "", "1a"};
  for (const char* number : numbers) {
    INFO(number);
    canonical::ShapeScanner in(number);
    std::int64_t scanned = 0;
    const bool accepted = in.integer(scanned) && in.at_end();
    auto parsed = canonical::parse(number);
    CHECK(accepted == (parsed.ok() && parsed->is_int()));
    if (accepted && parsed.ok()) CHECK(parsed->as_int() == scanned);
  }
}

TEST_CASE("the balance check names the first unbalanced asset in byte order and catches overflow", "[journal]") {
  JournalEntry entry;
  entry.id = "E1";
  entry.date = "2026-08-31";
  // Three assets, met in the order zeta, KES, kg:maize; KES balances, the other two do not.
  entry.postings = {Posting{"a", "zeta", 5, ""}, Posting{"b", "KES", 7, ""}, Posting{"c", "kg:maize", 3, ""},
                    Posting{"d", "KES", -7, ""}, Posting{"e", "zeta", -4, ""}};
  auto status = check_balanced(entry);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "entry E1 does not balance in kg:maize: postings sum to 3");

  entry.postings = {Posting{"a", "KES", 2, ""}, Posting{"b", "kg:maize", 1, ""}, Posting{"c", "kg:maize", -1, ""},
                    Posting{"d", "KES", -2, ""}};
  CHECK(check_balanced(entry).ok());

  // Debits that overflow even though the sum would come back to zero.
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  entry.postings = {Posting{"a", "KES", max, ""}, Posting{"b", "KES", -max, ""}, Posting{"c", "KES", max, ""},
                    Posting{"d", "KES", -max, ""}};
  status = check_balanced(entry);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "entry E1 moves more than the largest representable amount");

  entry.postings = {Posting{"a", "", 1, ""}, Posting{"b", "KES", -1, ""}};
  CHECK(check_balanced(entry).error().message == "entry E1 has a posting without an asset");
}
