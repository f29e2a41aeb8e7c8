// Interest for one accrual period. See interest.hpp.
#include "settlement/interest.hpp"

#include "contracts/daycount.hpp"

namespace tripartite::settlement {

Result<std::int64_t> interest_for_period(const contracts::LoanProduct& product, std::int64_t original_principal_minor,
                                         std::int64_t outstanding_principal_minor, const contracts::Date& start,
                                         const contracts::Date& end) {
  if (date::sys_days(end) <= date::sys_days(start) || outstanding_principal_minor <= 0) return std::int64_t{0};
  std::int64_t base = product.method == contracts::InterestMethod::declining ? outstanding_principal_minor
                                                                              : original_principal_minor;
  auto fraction = contracts::year_fraction(product.day_count, start, end);
  ledger::BigInt numerator = ledger::BigInt(base) * product.annual_rate.units * fraction.days;
  ledger::BigInt denominator = ledger::pow10(product.annual_rate.scale) * fraction.basis;
  return ledger::round_to_int64(numerator, denominator);
}

}  // namespace tripartite::settlement
