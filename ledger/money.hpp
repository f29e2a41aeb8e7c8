// Money, currencies, weights and the largest-remainder allocation.
//
// Invariants: an amount is an int64 count of its currency's minor unit (ISO 4217
// exponent); amounts of different currencies never mix (asserted); a weight is an int64
// count of grams. `allocate_largest_remainder` splits an amount by exact shares so the parts
// always sum to the whole and each part is within one minor unit of its exact share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/decimal.hpp"

namespace tripartite::ledger {

struct Currency {
  std::string code;  // ISO 4217, e.g. "KES"
  int exponent = 2;  // decimals of the minor unit

  // The ISO 4217 currency with that code, or an error for an unknown code.
  static Result<Currency> from_code(std::string_view code);
  friend bool operator==(const Currency&, const Currency&) = default;
};

struct Money {
  Currency currency;
  std::int64_t minor = 0;

  // Parses a decimal string with at most the currency's decimals.
  static Result<Money> parse(std::string_view text, const Currency& currency);
  std::string to_string() const { return format_units(minor, currency.exponent); }
};

// Weight in grams; kilograms are printed with exactly three decimals.
struct Grams {
  std::int64_t grams = 0;
  static Result<Grams> parse_kg(std::string_view text);
  std::string to_kg_string() const { return format_units(grams, 3); }
  friend auto operator<=>(const Grams&, const Grams&) = default;
};

// Rounds an exact ratio to an integer count of minor units, half-even. Fails on int64 overflow.
Result<std::int64_t> round_to_int64(const BigInt& numerator, const BigInt& denominator);

// Splits `amount` (>= 0) in minor units among `shares` (exact decimals summing to 1) by the
// largest-remainder method: each key gets floor(amount × share); the units left over go one
// each to the largest remainders, ties to the key that sorts first (byte order).
// REQUIRES: shares non-empty, each share >= 0, sum of shares == 1.
std::map<std::string, std::int64_t> allocate_largest_remainder(std::int64_t amount,
                                                               const std::map<std::string, Decimal>& shares);

}  // namespace tripartite::ledger
