// Currencies (ISO 4217 exponents), money and weight parsing, largest-remainder allocation.
#include "ledger/money.hpp"

#include <algorithm>
#include <array>

namespace tripartite::ledger {
namespace {

struct CurrencyRow {
  std::string_view code;
  int exponent;
};

// ISO 4217 minor-unit exponents of every currency in circulation (the list as of 2025: the
// fund codes and units of account such as CLF, and the precious metals, are left out; they
// are not what a farmer is paid in). SPEC §1 names KES, TZS, GHS, NGN, ETB, ZMW, MWK, USD,
// EUR, INR (2) and UGX, RWF, XOF, XAF, VND (0) "at least"; an off-taker may settle in any.
constexpr std::array<CurrencyRow, 155> kCurrencies{{
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2},
    {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2},
    {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2},
    {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3},
    {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2},
    {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0},
    {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2},
    {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2},
    {"ZMW", 2}, {"ZWG", 2},
}};

}  // namespace

Result<Currency> Currency::from_code(std::string_view code) {
  for (const auto& row : kCurrencies) {
    if (row.code == code) return Currency{std::string(code), row.exponent};
  }
  return invalid("unknown currency '" + std::string(code) + "' (expected an ISO 4217 code such as KES, UGX, USD)");
}

Result<Money> Money::parse(std::string_view text, const Currency& currency) {
  auto decimal = Decimal::parse(text, currency.exponent);
  if (!decimal) {
    return invalid(decimal.error().message + (decimal.error().message.find("decimals") != std::string::npos
                                                  ? " for " + currency.code
                                                  : ""));
  }
  Decimal scaled = *decimal;
  auto minor = to_int64(BigInt(scaled.units) * pow10(currency.exponent - scaled.scale));
  if (!minor) return invalid("'" + std::string(text) + "' is too large");
  return Money{currency, *minor};
}

Result<Grams> Grams::parse_kg(std::string_view text) {
  auto decimal = Decimal::parse(text, 3);
  if (!decimal) return decimal.error();
  auto grams = to_int64(BigInt(decimal->units) * pow10(3 - decimal->scale));
  if (!grams) return invalid("'" + std::string(text) + "' is too large");
  return Grams{*grams};
}

Result<std::int64_t> round_to_int64(const BigInt& numerator, const BigInt& denominator) {
  auto value = to_int64(round_half_even(numerator, denominator));
  if (!value) return invalid("amount out of range");
  return *value;
}

std::map<std::string, std::int64_t> allocate_largest_remainder(std::int64_t amount,
                                                               const std::map<std::string, Decimal>& shares) {
  TRIPARTITE_ASSERT(amount >= 0);
  TRIPARTITE_ASSERT(!shares.empty());
  int scale = 0;
  for (const auto& [key, share] : shares) {
    TRIPARTITE_ASSERT(!share.is_negative());
    scale = std::max(scale, share.scale);
  }
  const BigInt& denominator = pow10(scale);
  struct Part {
    const std::string* key;
    std::int64_t floor;
    BigInt remainder;
  };
  std::vector<Part> parts;
  parts.reserve(shares.size());
  BigInt share_sum = 0;
  std::int64_t allocated = 0;
  for (const auto& [key, share] : shares) {
    BigInt numerator = BigInt(share.units) * pow10(scale - share.scale);
    share_sum += numerator;
    BigInt exact = BigInt(amount) * numerator;
    BigInt floor = exact / denominator;  // amount, share >= 0
    auto floor64 = to_int64(floor);
    TRIPARTITE_ASSERT(floor64.has_value());
    parts.push_back(Part{&key, *floor64, exact - floor * denominator});
    allocated += *floor64;
  }
  TRIPARTITE_ASSERT(share_sum == denominator);
  std::int64_t left = amount - allocated;
  TRIPARTITE_ASSERT(left >= 0 && static_cast<std::size_t>(left) < parts.size() + 1);
  std::vector<std::size_t> order(parts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Largest remainder first; the map already iterates keys in byte order, so a stable sort
  // leaves ties with the key that sorts first.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return parts[a].remainder > parts[b].remainder; });
  for (std::size_t i = 0; i < static_cast<std::size_t>(left); ++i) parts[order[i]].floor += 1;
  std::map<std::string, std::int64_t> result;
  for (const auto& part : parts) result.emplace(*part.key, part.floor);
  return result;
}

}  // namespace tripartite::ledger
