// Money, currencies, weights and the largest-remainder allocation (with a property test).
#include <catch2/catch.hpp>

#include <random>

#include "ledger/money.hpp"

using namespace tripartite::ledger;

TEST_CASE("currencies carry their ISO 4217 exponent") {
  CHECK(Currency::from_code("KES")->exponent == 2);
  CHECK(Currency::from_code("UGX")->exponent == 0);
  CHECK(Currency::from_code("XOF")->exponent == 0);
  CHECK(Currency::from_code("VND")->exponent == 0);
  CHECK(Currency::from_code("BHD")->exponent == 3);
  CHECK(Currency::from_code("INR")->exponent == 2);
  // Every SPEC §1 names, with its exponent; and the others in circulation, e.g. the rand, the
  // lilangeni, the krona (0) and the Tunisian dinar (3).
  for (const char* code : {"KES", "TZS", "GHS", "NGN", "ETB", "ZMW", "MWK", "USD", "EUR", "INR", "ZAR", "SZL"}) {
    INFO(code);
    CHECK(Currency::from_code(code)->exponent == 2);
  }
  for (const char* code : {"UGX", "RWF", "XOF", "XAF", "VND", "ISK", "GNF"}) {
    INFO(code);
    CHECK(Currency::from_code(code)->exponent == 0);
  }
  CHECK(Currency::from_code("TND")->exponent == 3);
  CHECK_FALSE(Currency::from_code("CLF").ok());  // a unit of account, not money a farmer is paid in
  CHECK_FALSE(Currency::from_code("XAU").ok());
  CHECK_FALSE(Currency::from_code("XYZ").ok());
  CHECK_FALSE(Currency::from_code("kes").ok());
}

TEST_CASE("money parses with at most the currency's decimals") {
  auto kes = *Currency::from_code("KES");
  auto ugx = *Currency::from_code("UGX");
  CHECK(Money::parse("15000.00", kes)->minor == 1500000);
  CHECK(Money::parse("15000.5", kes)->minor == 1500050);
  CHECK(Money::parse("15000", kes)->minor == 1500000);
  CHECK(Money::parse("250000", ugx)->minor == 250000);
  auto bad = Money::parse("1.001", kes);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("for KES") != std::string::npos);
  CHECK_FALSE(Money::parse("1.5", ugx).ok());
  CHECK_FALSE(Money::parse("", kes).ok());
  CHECK_FALSE(Money::parse("abc", kes).ok());
  CHECK_FALSE(Money::parse("99999999999999999.99", kes).ok());
  CHECK(Money::parse("12.34", kes)->to_string() == "12.34");
}

TEST_CASE("weights are grams, at most 3 decimals") {
  CHECK(Grams::parse_kg("1200.5")->grams == 1200500);
  CHECK(Grams::parse_kg("0.001")->grams == 1);
  CHECK(Grams::parse_kg("500.000")->to_kg_string() == "500.000");
  CHECK_FALSE(Grams::parse_kg("1.0001").ok());
  CHECK_FALSE(Grams::parse_kg("heavy").ok());
}

TEST_CASE("largest remainder: the reference season's F001 split") {
  std::map<std::string, Decimal> shares{
      {"SUP1", *Decimal::parse("0.40", 8)}, {"TRN1", *Decimal::parse("0.35", 8)}, {"COAL", *Decimal::parse("0.25", 8)}};
  auto parts = allocate_largest_remainder(63124, shares);
  CHECK(parts["SUP1"] == 25250);
  CHECK(parts["TRN1"] == 22093);
  CHECK(parts["COAL"] == 15781);
}

TEST_CASE("largest remainder: ties go to the key that sorts first") {
  std::map<std::string, Decimal> thirds{
      {"B", *Decimal::parse("0.5", 8)}, {"A", *Decimal::parse("0.25", 8)}, {"C", *Decimal::parse("0.25", 8)}};
  // 3 units: B 1.5, A 0.75, C 0.75 -> floors 1, 0, 0; remainders .5, .75, .75 -> A then C.
  auto parts = allocate_largest_remainder(3, thirds);
  CHECK(parts["A"] == 1);
  CHECK(parts["B"] == 1);
  CHECK(parts["C"] == 1);
  // 1 unit among two equal halves: the first key in byte order ("A" < "a") gets it.
  std::map<std::string, Decimal> halves{{"a", *Decimal::parse("0.5", 8)}, {"A", *Decimal::parse("0.5", 8)}};
  auto split = allocate_largest_remainder(1, halves);
  CHECK(split["A"] == 1);
  CHECK(split["a"] == 0);
  CHECK(allocate_largest_remainder(0, halves).at("A") == 0);
}

TEST_CASE("largest remainder property: parts sum to the whole, each within one unit of its share") {
  const std::uint64_t seed = 20260831;
  std::mt19937_64 random(seed);
  WARN("allocation property seed " << seed);
  for (int trial = 0; trial < 5000; ++trial) {
    int count = static_cast<int>(random() % 7) + 1;
    // Random shares in units of 1e-6 summing to exactly 1.
    std::vector<std::int64_t> weights(static_cast<std::size_t>(count));
    std::int64_t left = 1000000;
    for (int i = 0; i < count - 1; ++i) {
      std::int64_t take = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(left + 1));
      weights[static_cast<std::size_t>(i)] = take;
      left -= take;
    }
    weights.back() = left;
    std::map<std::string, Decimal> shares;
    for (int i = 0; i < count; ++i) shares["P" + std::to_string(i)] = Decimal{weights[static_cast<std::size_t>(i)], 6};
    std::int64_t amount = static_cast<std::int64_t>(random() % 100000000);
    auto parts = allocate_largest_remainder(amount, shares);
    std::int64_t sum = 0;
    for (const auto& [key, part] : parts) {
      sum += part;
      BigInt exact_times_million = BigInt(amount) * shares[key].units;
      BigInt part_times_million = BigInt(part) * 1000000;
      BigInt difference = part_times_million - exact_times_million;
      INFO("trial " << trial << " key " << key);
      CHECK(difference > -1000000);
      CHECK(difference < 1000000);
    }
    REQUIRE(sum == amount);
  }
}
