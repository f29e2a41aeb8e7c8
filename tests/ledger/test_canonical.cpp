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

TEST_CASE("plain_run_end stops at the first quote, backslash or control byte, at any alignment", "[canonical]") {
  auto reference = [](std::string_view text, std::size_t pos) {
    while (pos < text.size()) {
      auto c = static_cast<unsigned char>(text[pos]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      ++pos;
    }
    return pos;
  };
  // Every byte value, alone and after plain runs of every length up to 20, from every start.
  for (int special = 0; special < 256; ++special) {
    for (std::size_t run = 0; run <= 20; ++run) {
      std::string text(run, 'a');
      text += static_cast<char>(special);
      text += "tail\xc3\xa9 more text";
      for (std::size_t start = 0; start <= text.size(); ++start) {
        INFO("byte " << special << " after " << run << " plain bytes, from " << start);
        REQUIRE(plain_run_end(text, start) == reference(text, start));
      }
    }
  }
  // Pseudo-random texts mixing UTF-8 (bytes >= 0x80), ASCII and rare special bytes.
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 24;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const std::size_t size = next() % 64;
    for (std::size_t i = 0; i < size; ++i) {
      std::uint32_t r = next();
      text += static_cast<char>(r < 8 ? r * 4 : (r < 200 ? 'a' + r % 26 : 0x80 + r % 128));
    }
    for (std::size_t start = 0; start <= text.size(); ++start) {
      REQUIRE(plain_run_end(text, start) == reference(text, start));
    }
  }
}
