// Canonical JSON: unique serialisation, and a parser that accepts nothing else.
#include <catch2/catch.hpp>

#include "ledger/canonical.hpp"
#include "tests/damaged_copies.hpp"

using namespace tripartite::ledger::canonical;

TEST_CASE("canonical serialisation sorts keys and escapes minimally") {
  Object object;
  object["b"] = 1;
  object["a"] = "x\"y\\z\n\x01";
  object["c"] = Array{Value(-5), Value("é")};
  CHECK(Value(object).serialise() == "{\"a\":\"x\\\"y\\\\z\\u000a\\u0001\",\"b\":1,\"c\":[-5,\"é\"]}");
}

TEST_CASE("parse accepts canonical bytes and round-trips them") {
  const char* samples[] = {
      "{}", "[]", "{\"a\":[1,2,{\"b\":\"c\"}],\"b\":-9223372036854775808}", "\"\\u001f\"", "0", "-1",
      "{\"A\":1,\"a\":2}",
  };
  for (const char* sample : samples) {
    auto value = parse(sample);
    INFO(sample);
    REQUIRE(value.ok());
    CHECK(value->serialise() == sample);
  }
}

TEST_CASE("parse refuses every non-canonical form") {
  const char* bad[] = {
      "{\"b\":1,\"a\":2}",   // keys out of order
      "{\"a\":1,\"a\":2}",   // duplicate key
      "{ \"a\":1}",          // white space
      "[1, 2]",              // white space
      "01",                  // leading zero
      "-0",                  // negative zero
      "1.5",                 // float
      "true", "null",        // not in the subset
      "\"\\n\"",             // short escape
      "\"\\u0041\"",         // escaped printable
      "\"\\u000A\"",         // upper-case hex
      "\"a\nb\"",            // raw control byte
      "{\"a\":1}x",          // trailing bytes
      "9223372036854775808", // out of range
      "",
  };
  for (const char* sample : bad) {
    INFO(sample);
    CHECK_FALSE(parse(sample).ok());
  }
}

TEST_CASE("typed getters name the missing key") {
  auto value = parse("{\"n\":1,\"s\":\"x\"}");
  REQUIRE(value.ok());
  CHECK(get_string(*value, "s").value() == "x");
  CHECK(get_int(*value, "n").value() == 1);
  auto missing = get_string(*value, "t");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("'t'") != std::string::npos);
  CHECK_FALSE(get_int(*value, "s").ok());
}

TEST_CASE("FlatWriter writes the bytes of the equivalent Object") {
  Object object;
  object["a"] = "";
  object["b"] = "x\"y\\z\n\x01 é";
  object["kind"] = "delivery";
  std::string direct = FlatWriter().add("a", "").add("b", "x\"y\\z\n\x01 é").add("kind", "delivery").finish();
  CHECK(direct == Value(object).serialise());
  CHECK(FlatWriter().finish() == "{}");
}

TEST_CASE("scan_flat_strings accepts only what parse accepts, with the same members") {
  const std::string flat = "{\"a\":\"\",\"b\":\"x y\",\"kind\":\"delivery\",\"z\":\"0.500\"}";
  FlatMembers members;
  REQUIRE(scan_flat_strings(flat, members));
  REQUIRE(members.size() == 4);
  CHECK(members[1].first == "b");
  CHECK(members[1].second == "x y");
  CHECK(scan_flat_strings("{}", members));
  CHECK(members.empty());
  // Shapes the fast path leaves to parse(): escapes, numbers, nesting.
  CHECK_FALSE(scan_flat_strings("{\"a\":\"x\\\"y\"}", members));
  CHECK_FALSE(scan_flat_strings("{\"a\":1}", members));
  CHECK_FALSE(scan_flat_strings("{\"a\":{\"b\":\"c\"}}", members));
  // Every single-byte substitution and every truncation of a flat object: whenever the scan
  // accepts, parse accepts, and the members are the same strings in the same order.
  std::size_t accepted = 0;
  for (const auto& v : tripartite::test::damaged_copies(flat, std::string_view("x\"\\:,{} \n\x01" "A0"))) {
    INFO(v);
    if (!scan_flat_strings(v, members)) continue;
    accepted += 1;
    auto parsed = parse(v);
    REQUIRE(parsed.ok());
    const Object& object = parsed->as_object();
    REQUIRE(object.size() == members.size());
    std::size_t i = 0;
    for (const auto& [key, value] : object) {
      CHECK(key == members[i].first);
      CHECK(value.as_string() == members[i].second);
      ++i;
    }
  }
  CHECK(accepted > flat.size());  // the substitutions inside strings stay flat
}
