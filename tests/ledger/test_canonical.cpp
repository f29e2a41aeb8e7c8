// Canonical JSON: unique serialisation, and a parser that accepts nothing else.
#include <catch2/catch.hpp>

#include "ledger/canonical.hpp"

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
