// Interest for one accrual period (SPEC §3), shared by settlement runs and the loan report.
//
// interest = base × annual_rate × yearfrac(start, end), rounded once, half-even, to the
// minor unit; base = outstanding principal (declining) or the original principal while any
// principal is outstanding (flat; nothing once it is repaid). Zero when end <= start.
#pragma once

#include <cstdint>

#include "contracts/model.hpp"
#include "ledger/result.hpp"

namespace tripartite::settlement {

Result<std::int64_t> interest_for_period(const contracts::LoanProduct& product, std::int64_t original_principal_minor,
                                         std::int64_t outstanding_principal_minor, const contracts::Date& start,
                                         const contracts::Date& end);

}  // namespace tripartite::settlement
