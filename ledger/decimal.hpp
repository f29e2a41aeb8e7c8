// Exact decimal numbers, money and weights.
//
// Invariants: nothing here is ever a binary floating-point number. A `Decimal` is an
// integer count of 10^-scale units, parsed from and printed as a decimal string; `Money`
// is an integer count of a currency's minor unit; `Grams` is an integer count of grams.
// Products and quotients are formed exactly as `BigInt` ratios (Boost.Multiprecision) and
// rounded once, half-even, by `round_half_even`, where the specification says.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/result.hpp"

namespace tripartite::ledger {

using BigInt = boost::multiprecision::cpp_int;

// 10^exponent, for 0 <= exponent <= 38.
const BigInt& pow10(int exponent);

// numerator / denominator rounded to the nearest integer, ties to the even neighbour.
// REQUIRES: denominator != 0. Works for negative numerators and denominators.
BigInt round_half_even(const BigInt& numerator, const BigInt& denominator);
// floor(numerator / denominator). REQUIRES: denominator > 0.
BigInt floor_div(const BigInt& numerator, const BigInt& denominator);
// The value when it fits in int64, nothing otherwise (never clamps).
std::optional<std::int64_t> to_int64(const BigInt& value);

// A decimal number: units × 10^-scale. Scale is at most 18.
struct Decimal {
  std::int64_t units = 0;
  int scale = 0;

  // Parses `[-]digits[.digits]` with at most max_scale decimals. Refuses an empty string,
  // a leading '+', a bare '.', exponents, spaces, and values that overflow int64 units.
  static Result<Decimal> parse(std::string_view text, int max_scale);
  static Decimal from_units(std::int64_t units, int scale) { return Decimal{units, scale}; }

  BigInt numerator() const { return BigInt(units); }
  const BigInt& denominator() const { return pow10(scale); }
  // The same value at a larger scale. REQUIRES: new_scale >= scale and no overflow.
  Decimal rescaled(int new_scale) const;
  // Prints with exactly `scale` decimals ("38.50", "-0.05", "7").
  std::string to_string() const;
  bool is_zero() const { return units == 0; }
  bool is_negative() const { return units < 0; }
  // Compares by value, across scales.
  friend std::strong_ordering compare(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) { return compare(a, b); }
};

// Formats an integer count of 10^-scale units with exactly `scale` decimals.
std::string format_units(std::int64_t units, int scale);

}  // namespace tripartite::ledger
