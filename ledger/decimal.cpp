// Exact decimal parsing, printing and half-even rounding. See decimal.hpp.
#include "ledger/decimal.hpp"

#include <optional>

#include <array>
#include <limits>

#include "ledger/crypto.hpp"

namespace tripartite::ledger {

const BigInt& pow10(int exponent) {
  static const std::array<BigInt, 39> table = [] {
    std::array<BigInt, 39> powers;
    powers[0] = 1;
    for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * 10;
    return powers;
  }();
  TRIPARTITE_ASSERT(exponent >= 0 && exponent <= 38);
  return table[static_cast<std::size_t>(exponent)];
}

BigInt floor_div(const BigInt& numerator, const BigInt& denominator) {
  TRIPARTITE_ASSERT(denominator > 0);
  BigInt quotient = numerator / denominator;  // truncates toward zero
  BigInt remainder = numerator - quotient * denominator;
  if (remainder < 0) quotient -= 1;
  return quotient;
}

BigInt round_half_even(const BigInt& numerator, const BigInt& denominator) {
  TRIPARTITE_ASSERT(denominator != 0);
  BigInt num = numerator;
  BigInt den = denominator;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  BigInt quotient = floor_div(num, den);
  BigInt remainder = num - quotient * den;  // 0 <= remainder < den
  BigInt twice = remainder * 2;
  if (twice > den || (twice == den && (quotient & 1) != 0)) quotient += 1;
  return quotient;
}

std::optional<std::int64_t> to_int64(const BigInt& value) {
  if (value > std::numeric_limits<std::int64_t>::max() || value < std::numeric_limits<std::int64_t>::min()) {
    return std::nullopt;
  }
  return value.convert_to<std::int64_t>();
}

Result<Decimal> Decimal::parse(std::string_view text, int max_scale) {
  TRIPARTITE_ASSERT(max_scale >= 0 && max_scale <= 18);
  if (text.empty()) return invalid("empty, expected a decimal number");
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    pos = 1;
  }
  std::size_t int_digits = 0;
  std::size_t frac_digits = 0;
  bool seen_point = false;
  // Up to 18 digits the units are exact in 64 bits (10^18 - 1 < 2^63): no BigInt for the
  // amounts, weights and rates of a season (import parses millions). From the 19th digit on
  // they are carried on in a BigInt, so that the range check below sees the exact value.
  // Leading zeros carry nothing and count for nothing: 000000000000000000005.000 is 5.000.
  constexpr std::size_t kExactDigits = 18;
  std::uint64_t small = 0;
  std::size_t small_digits = 0;  // digits in `small` from its first non-zero one
  std::optional<BigInt> large;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c >= '0' && c <= '9') {
      const int digit = c - '0';
      if (large) {
        *large = *large * 10 + digit;
      } else if (small == 0 && digit == 0) {
        // a leading zero (or a zero right after the point of 0.0…): the units stay 0
      } else if (small_digits < kExactDigits) {
        small = small * 10 + static_cast<std::uint64_t>(digit);
        ++small_digits;
      } else {
        large = BigInt(small) * 10 + digit;
      }
      if (seen_point) {
        ++frac_digits;
      } else {
        ++int_digits;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      return invalid(shown_text(text) + " is not a decimal number");
    }
  }
  if (int_digits == 0 || (seen_point && frac_digits == 0)) {
    return invalid(shown_text(text) + " is not a decimal number");
  }
  if (frac_digits > static_cast<std::size_t>(max_scale)) {
    return invalid(shown_text(text) + " has " + std::to_string(frac_digits) + " decimals, at most " +
                   std::to_string(max_scale) + " allowed");
  }
  if (!large) {
    const auto exact = static_cast<std::int64_t>(small);
    return Decimal{negative ? -exact : exact, static_cast<int>(frac_digits)};
  }
  BigInt units = negative ? BigInt(-*large) : *large;
  auto fits = to_int64(units);
  if (!fits) return invalid(shown_text(text) + " is too large");
  return Decimal{*fits, static_cast<int>(frac_digits)};
}

Decimal Decimal::rescaled(int new_scale) const {
  TRIPARTITE_ASSERT(new_scale >= scale && new_scale <= 18);
  auto value = to_int64(BigInt(units) * pow10(new_scale - scale));
  TRIPARTITE_ASSERT(value.has_value());
  return Decimal{*value, new_scale};
}

std::strong_ordering compare(const Decimal& a, const Decimal& b) {
  BigInt left = BigInt(a.units) * pow10(b.scale);
  BigInt right = BigInt(b.units) * pow10(a.scale);
  if (left < right) return std::strong_ordering::less;
  if (left > right) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

std::string Decimal::to_string() const { return format_units(units, scale); }

std::string format_units(std::int64_t units, int scale) {
  TRIPARTITE_ASSERT(scale >= 0 && scale <= 18);
  bool negative = units < 0;
  // Work in unsigned to print INT64_MIN correctly.
  std::uint64_t magnitude = negative ? (~static_cast<std::uint64_t>(units) + 1) : static_cast<std::uint64_t>(units);
  std::string digits = std::to_string(magnitude);
  if (digits.size() <= static_cast<std::size_t>(scale)) {
    digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
  }
  if (scale > 0) digits.insert(digits.size() - static_cast<std::size_t>(scale), 1, '.');
  return negative ? "-" + digits : digits;
}

}  // namespace tripartite::ledger
