// Exact decimals: parsing, printing and half-even rounding, table-driven.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "ledger/decimal.hpp"

using tripartite::ledger::BigInt;
using tripartite::ledger::Decimal;
using tripartite::ledger::floor_div;
using tripartite::ledger::format_units;
using tripartite::ledger::round_half_even;
using tripartite::ledger::to_int64;

TEST_CASE("round_half_even rounds ties to the even neighbour, both signs") {
  struct Row {
    long long numerator, denominator, expected;
  };
  const Row rows[] = {
      {5, 10, 0},   {15, 10, 2},   {25, 10, 2},   {35, 10, 4},  {-5, 10, 0},  {-15, 10, -2}, {-25, 10, -2},
      {14, 10, 1},  {16, 10, 2},   {-14, 10, -1}, {-16, 10, -2}, {1, 3, 0},   {2, 3, 1},     {-2, 3, -1},
      {7, 2, 4},    {9, 2, 4},     {0, 7, 0},     {10, -4, -2},  {-10, -4, 2}, {11, -4, -3},
      // 1.125 -> 1.12 and 1.135 -> 1.14 at two decimals (units of 0.001 -> 0.01)
      {1125, 10, 112}, {1135, 10, 114}, {1145, 10, 114}, {1155, 10, 116},
  };
  for (const auto& row : rows) {
    INFO(row.numerator << " / " << row.denominator);
    CHECK(round_half_even(BigInt(row.numerator), BigInt(row.denominator)) == row.expected);
  }
}

TEST_CASE("floor_div floors toward negative infinity") {
  CHECK(floor_div(BigInt(7), BigInt(2)) == 3);
  CHECK(floor_div(BigInt(-7), BigInt(2)) == -4);
  CHECK(floor_div(BigInt(-8), BigInt(2)) == -4);
  CHECK(floor_div(BigInt(0), BigInt(5)) == 0);
}

TEST_CASE("Decimal parses exact decimal strings") {
  auto d = Decimal::parse("38.50", 8);
  REQUIRE(d.ok());
  CHECK(d->units == 3850);
  CHECK(d->scale == 2);
  CHECK(d->to_string() == "38.50");
  auto negative = Decimal::parse("-0.05", 8);
  REQUIRE(negative.ok());
  CHECK(negative->units == -5);
  CHECK(negative->to_string() == "-0.05");
  auto whole = Decimal::parse("007", 2);
  REQUIRE(whole.ok());
  CHECK(whole->units == 7);
  CHECK(whole->scale == 0);
  CHECK(Decimal::parse("0.12345678", 8).ok());
}

TEST_CASE("Decimal refuses what is not an exact decimal") {
  const char* bad[] = {"", "-", "+1", ".5", "5.", "1.2.3", "1e5", " 1", "1 ", "1,5", "0x10", "NaN", "inf", "--1", "1-"};
  for (const char* text : bad) {
    INFO("'" << text << "'");
    CHECK_FALSE(Decimal::parse(text, 8).ok());
  }
  auto too_many = Decimal::parse("1.123", 2);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().message.find("3 decimals, at most 2") != std::string::npos);
  auto hidden_space = Decimal::parse(
      "1\xC2\xA0"
      "000",
      2);  // a no-break space, shown as its code point
  REQUIRE_FALSE(hidden_space.ok());
  CHECK(hidden_space.error().message == "'1<U+00A0>000' is not a decimal number");
  CHECK_FALSE(Decimal::parse("99999999999999999999", 0).ok());
  CHECK_FALSE(Decimal::parse("9223372036854775808", 0).ok());
  CHECK(Decimal::parse("9223372036854775807", 0).ok());
}

TEST_CASE("Decimal parses exactly on both sides of 18 digits, where 64-bit arithmetic gives way to BigInt") {
  struct Case {
    const char* text;
    int max_scale;
    std::int64_t units;
    int scale;
  };
  const Case cases[] = {
      {"999999999999999999", 0, 999999999999999999LL, 0},  // 18 digits: 64-bit path
      {"-999999999999999999", 0, -999999999999999999LL, 0},
      {"1000000000000000000", 0, 1000000000000000000LL, 0},  // 19 digits: BigInt
      {"9223372036854775807", 0, INT64_MAX, 0},
      {"-9223372036854775808", 0, INT64_MIN, 0},
      {"0.000000000000000001", 18, 1, 18},  // 19 digits, leading zeros
      {"-0.000000000000000001", 18, -1, 18},
      {"123456789.123456789", 9, 123456789123456789LL, 9},  // 18 digits across the point
      {"9223372036.854775807", 9, INT64_MAX, 9},
      {"00000000000000042.5", 1, 425, 1},          // leading zeros
      {"0000000000000000000000042.5", 1, 425, 1},  // carry nothing, however many
      {"000000000000000000005.000", 3, 5000, 3},
      {"0.0000000000000000", 18, 0, 16},
      {"00000000000000000009223372036854775807", 0, INT64_MAX, 0},
      {"-0", 0, 0, 0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = Decimal::parse(c.text, c.max_scale);
    REQUIRE(parsed.ok());
    CHECK(parsed->units == c.units);
    CHECK(parsed->scale == c.scale);
  }
  for (const char* text : {"9223372036854775808", "-9223372036854775809", "9223372036.854775808",
                           "10000000000000000000", "00000000000000000009223372036854775808"}) {
    INFO(text);
    auto parsed = Decimal::parse(text, 9);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("too large") != std::string::npos);
  }
}

TEST_CASE("Decimal compares by value across scales") {
  CHECK(*Decimal::parse("1.50", 8) == *Decimal::parse("1.5", 8));
  CHECK(*Decimal::parse("1.49", 8) < *Decimal::parse("1.5", 8));
  CHECK(*Decimal::parse("-2", 8) < *Decimal::parse("-1.999", 8));
  CHECK(Decimal::parse("2.5", 8)->rescaled(4).units == 25000);
}

TEST_CASE("format_units prints exactly the scale's decimals") {
  CHECK(format_units(0, 2) == "0.00");
  CHECK(format_units(5, 2) == "0.05");
  CHECK(format_units(-5, 2) == "-0.05");
  CHECK(format_units(123456, 2) == "1234.56");
  CHECK(format_units(7, 0) == "7");
  CHECK(format_units(500000, 3) == "500.000");
  CHECK(format_units(INT64_MIN, 2) == "-92233720368547758.08");
}

TEST_CASE("to_int64 never clamps") {
  CHECK(to_int64(BigInt(INT64_MAX)).value() == INT64_MAX);
  CHECK_FALSE(to_int64(BigInt(INT64_MAX) + 1).has_value());
  CHECK_FALSE(to_int64(BigInt(INT64_MIN) - 1).has_value());
}

TEST_CASE("Decimal parses random digit strings of 1 to 24 digits as exactly as a BigInt does") {
  std::mt19937_64 random(20261128);  // fixed seed: the same strings every run
  for (int round = 0; round < 20000; ++round) {
    const int digits = 1 + static_cast<int>(random() % 24);
    const int point = static_cast<int>(random() % static_cast<std::uint64_t>(digits + 1));  // digits before the point
    const bool negative = random() % 2 == 0;
    std::string text = negative ? "-" : "";
    BigInt expected = 0;
    for (int i = 0; i < digits; ++i) {
      if (i == point && point != 0) text += '.';
      const int digit = static_cast<int>(random() % 10);
      text += static_cast<char>('0' + digit);
      expected = expected * 10 + digit;
    }
    const int scale = point == 0 ? 0 : digits - point;
    if (negative) expected = -expected;
    INFO(text);
    auto parsed = Decimal::parse(text, 18);
    auto fits = to_int64(expected);
    if (scale > 18 || !fits) {  // leading zeros count for nothing
      CHECK_FALSE(parsed.ok());
      continue;
    }
    REQUIRE(parsed.ok());
    CHECK(parsed->units == *fits);
    CHECK(parsed->scale == scale);
  }
}
