// The settlement rules (SPEC §3) as a pure function: terms, one farmer's unsettled
// deliveries and loan positions, and the as-of date in; that farmer's settlement plan out.
//
// Invariants: no I/O, no clock, no global state — the same inputs always give the same plan,
// which is what lets `verify --replay` re-run a settlement from the ledger's own records.
// Every amount is exact: products are formed with Boost.Multiprecision and rounded once,
// half-even, where SPEC §3 says. A returned plan satisfies
//   gross == levy + coalition_fee + agent_commission + loan_repayment + net_payout,
//   each deduction line's payments sum to its taken amount, each loan's fees+interest+
//   principal paid sum to what the waterfall gave it, and net_payout >= 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "ledger/result.hpp"

namespace tripartite::settlement {

using contracts::Date;
using ledger::BigInt;

// A loan as it stands before this run. The caller passes every loan of the farmer in the
// season; loans disbursed after as_of take no part (they appear in no allocation and not in
// loan_outstanding_after).
struct LoanState {
  contracts::Loan loan;
  contracts::LoanProduct product;
  std::int64_t principal_outstanding_minor = 0;
  std::int64_t fees_outstanding_minor = 0;      // origination fee charged at disbursement, unpaid
  std::int64_t interest_outstanding_minor = 0;  // interest charged by earlier runs, unpaid
  // Interest accrues from the later of disbursed_on and the as_of of the previous run that
  // settled this farmer and charged this loan (last_charged_as_of); the caller passes that
  // as_of here (none = never charged).
  std::optional<Date> last_settled_as_of;
};

// The as_of of the last of a farmer's earlier settlements, given as (sequence number of the
// settlement entry, as_of), that was recorded after the loan (loan_seq): the last run that
// charged the loan its interest. A run recorded before a loan was imported did not know it
// and charged it nothing, so a loan book imported late accrues from disbursement, not from
// that run (docs/settlement.md).
std::optional<Date> last_charged_as_of(const std::vector<std::pair<std::uint64_t, Date>>& settlements,
                                       std::uint64_t loan_seq);

struct FarmerInput {
  contracts::FarmerId farmer;
  std::vector<contracts::Delivery> deliveries;  // unsettled, delivered_on <= as_of, any order
  std::vector<LoanState> loans;
};

struct SeasonContext {
  const contracts::SeasonTerms* terms = nullptr;
  std::vector<contracts::MarketPrice> market_prices;  // sorted by date, one per date
};

// An exact unit price: numerator / 10^scale per kg.
struct UnitPrice {
  BigInt numerator;
  int scale = 0;
  std::string to_string(int decimals) const;  // rounded half-even for display only
};

struct DeliveryLine {
  contracts::DeliveryId delivery;
  std::string grade;
  Date delivered_on;
  std::optional<contracts::PartyId> agent;
  ledger::Grams weight;
  ledger::Grams payable;         // after moisture shrink, rounded half-even to the gram
  UnitPrice unit_price;          // price per kg × grade multiplier, exact
  std::int64_t value_minor = 0;  // payable × unit price, rounded half-even
};

struct Payment {
  contracts::PartyId party;
  std::int64_t amount_minor = 0;
};

struct DeductionLine {
  contracts::DeductionKind kind = contracts::DeductionKind::levy;
  std::size_t waterfall_index = 0;  // position in terms.deductions
  std::int64_t computed_minor = 0;  // the deduction's own amount, before min(·, remaining)
  std::int64_t taken_minor = 0;     // what it took
  std::vector<Payment> payments;    // levy: the authority; coalition_fee: each share (party
                                    // id order); agent_commission: each agent (id order);
                                    // loan_repayment: each lender (id order). Sum = taken;
                                    // zero amounts are left out.
};

struct LoanAllocation {
  contracts::LoanId loan;
  contracts::PartyId lender;
  Date interest_from;                       // start of this run's accrual period
  std::int64_t interest_charged_minor = 0;  // accrued by this run, rounded once
  std::int64_t fees_due_minor = 0;          // before payment
  std::int64_t interest_due_minor = 0;      // before payment, including this run's charge
  std::int64_t principal_due_minor = 0;     // before payment
  std::int64_t fees_paid_minor = 0;
  std::int64_t interest_paid_minor = 0;
  std::int64_t principal_paid_minor = 0;
  std::int64_t outstanding_after_minor = 0;  // fees + interest + principal still owed
};

struct FarmerPlan {
  contracts::FarmerId farmer;
  std::vector<DeliveryLine> deliveries;   // by delivery id
  std::vector<DeductionLine> deductions;  // in waterfall order
  std::vector<LoanAllocation> loans;      // loans disbursed <= as_of, in (disbursed_on, loan_id) order
  ledger::Grams weight_total;
  ledger::Grams payable_total;
  std::int64_t gross_minor = 0;
  std::int64_t levy_minor = 0;  // column totals over deductions of each kind
  std::int64_t coalition_fee_minor = 0;
  std::int64_t agent_commission_minor = 0;
  std::int64_t loan_repayment_minor = 0;
  std::int64_t net_payout_minor = 0;
  std::int64_t loan_outstanding_after_minor = 0;
};

// Start of the accrual period of a loan at a run: the later of disbursed_on and
// last_settled_as_of.
Date accrual_start(const LoanState& state);

// The interest a loan accrues from accrual_start(state) to `to` (SPEC §3):
// base × annual_rate × yearfrac(start, to), rounded once, half-even; base = outstanding
// principal (declining) or the original principal while any principal is outstanding (flat).
// 0 when start >= to or nothing is outstanding. plan_farmer charges exactly this; the loan
// report uses it for the interest accrued since the last run. Errors (invalid_input): a
// negative rate, an amount that does not fit in int64.
Result<std::int64_t> accrued_interest_minor(const LoanState& state, const Date& to);

// Settles one farmer as of `as_of`. Errors (invalid_input): a floor_market delivery with
// no market price dated on or before it (the message names the delivery), an unknown grade,
// an amount that does not fit in int64 (including a plan whose journal entry would not),
// and terms the readers should have refused (a negative rate or price, shares not summing
// to 1, a coalition fee with both or neither of rate and per_kg, a moisture or target
// outside [0, 100), a weight that is not positive) — refused, never aborted on.
// REQUIRES: context.terms != nullptr, input.deliveries non-empty and all dated <= as_of.
Result<FarmerPlan> plan_farmer(const SeasonContext& context, const FarmerInput& input, const Date& as_of);

}  // namespace tripartite::settlement
