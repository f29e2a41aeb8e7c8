// The settlement rules of SPEC §3: one farmer's deliveries and loans in, a settlement plan out.
//
// Invariants: pure (no I/O, no clock, no globals). Every product is formed exactly as a
// BigInt ratio and rounded once, half-even, where SPEC §3 says: the payable weight to the
// gram, each delivery value, each levy / coalition fee / agent's commission, each loan's
// interest for the period; the loan cap is a floor. The waterfall never takes more than what
// remains, so the net payout is never negative. Terms that would break these rules (a
// negative rate, shares not summing to 1) are refused as invalid_input before anything is
// computed; a returned plan has passed assert_plan_invariants.
#include "settlement/engine.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "contracts/daycount.hpp"
#include "ledger/money.hpp"

namespace tripartite::settlement {
namespace {

using contracts::Deduction;
using contracts::DeductionKind;
using contracts::Delivery;
using ledger::Decimal;
using ledger::floor_div;
using ledger::Grams;
using ledger::round_half_even;

constexpr int kGramsPerKgExponent = 3;

// 10^exponent for any exponent >= 0 (ledger::pow10 stops at 38; scales of products of
// three 18-place decimals go beyond).
BigInt ten_to(int exponent) {
  TRIPARTITE_ASSERT(exponent >= 0);
  if (exponent <= 38) return ledger::pow10(exponent);
  return boost::multiprecision::pow(BigInt(10), static_cast<unsigned>(exponent));
}

Result<std::int64_t> fit(const BigInt& value, const std::string& what) {
  auto fitted = ledger::to_int64(value);
  if (!fitted) return invalid(what + " does not fit in a 64-bit amount");
  return *fitted;
}

// Rounds a non-negative exact amount to int64; a negative one means the terms are wrong.
Result<std::int64_t> fit_amount(const BigInt& numerator, const BigInt& denominator, const std::string& what) {
  BigInt rounded = round_half_even(numerator, denominator);
  if (rounded < 0) return invalid(what + " is negative");
  return fit(rounded, what);
}

std::string deduction_name(std::size_t index, DeductionKind kind) {
  return "deduction " + std::to_string(index + 1) + " (" + std::string(contracts::to_string(kind)) + ")";
}

std::string delivery_name(const Delivery& delivery) { return "delivery " + delivery.id.value; }

// ---- terms -------------------------------------------------------------------------------

Status check_fraction(const std::optional<Decimal>& value, const std::string& what) {
  if (!value) return invalid(what + " is missing");
  if (value->is_negative()) return invalid(what + " is negative");
  return Status::success();
}

Status check_shares(const std::map<std::string, Decimal>& shares, const std::string& what) {
  if (shares.empty()) return invalid(what + ": no shares");
  BigInt sum = 0;
  constexpr int kScale = 18;
  for (const auto& [party, share] : shares) {
    if (share.is_negative()) return invalid(what + ": share of " + party + " is negative");
    sum += BigInt(share.units) * ten_to(kScale - share.scale);
  }
  if (sum != ten_to(kScale)) return invalid(what + ": shares do not sum to exactly 1");
  return Status::success();
}

Status check_deduction(const Deduction& deduction, std::size_t index) {
  const std::string what = deduction_name(index, deduction.kind);
  switch (deduction.kind) {
    case DeductionKind::levy:
      if (deduction.to.value.empty()) return invalid(what + ": no authority to pay");
      return check_fraction(deduction.rate, what + ": rate");
    case DeductionKind::coalition_fee:
      if (deduction.rate.has_value() == deduction.per_kg.has_value()) {
        return invalid(what + ": exactly one of rate and per_kg is needed");
      }
      TRIPARTITE_CHECK(check_fraction(deduction.rate ? deduction.rate : deduction.per_kg,
                                      what + (deduction.rate ? ": rate" : ": per_kg")));
      return check_shares(deduction.shares, what);
    case DeductionKind::agent_commission:
      return check_fraction(deduction.per_kg, what + ": per_kg");
    case DeductionKind::loan_repayment:
      return check_fraction(deduction.max_share_of_gross, what + ": max_share_of_gross");
  }
  TRIPARTITE_ASSERT(false && "unknown deduction kind");
  return Status::success();
}

Status check_terms(const contracts::SeasonTerms& terms) {
  const auto& price = terms.price;
  const Decimal hundred{100, 0};
  if (price.moisture_target_pct.is_negative() || price.moisture_target_pct >= hundred) {
    return invalid("price: moisture_target_pct must be >= 0 and < 100");
  }
  if (price.method == contracts::PriceMethod::fixed) {
    TRIPARTITE_CHECK(check_fraction(price.base_per_kg, "price: base_per_kg"));
  } else {
    TRIPARTITE_CHECK(check_fraction(price.floor_per_kg, "price: floor_per_kg"));
    TRIPARTITE_CHECK(check_fraction(price.market_discount, "price: market_discount"));
    if (price.market_discount >= Decimal{1, 0}) return invalid("price: market_discount must be < 1");
  }
  for (const auto& [grade, multiplier] : price.grade_multipliers) {
    TRIPARTITE_CHECK(check_fraction(multiplier, "price: grade " + grade));
  }
  for (std::size_t i = 0; i < terms.deductions.size(); ++i) TRIPARTITE_CHECK(check_deduction(terms.deductions[i], i));
  return Status::success();
}

// ---- step 1–3: deliveries ----------------------------------------------------------------

// weight × (100 − moisture) / (100 − target), half-even to the gram, when moisture > target.
Result<Grams> payable_weight(const Delivery& delivery, const Decimal& target) {
  if (delivery.weight.grams <= 0) return invalid(delivery_name(delivery) + ": weight must be positive");
  if (!delivery.moisture_pct) return delivery.weight;
  const Decimal& moisture = *delivery.moisture_pct;
  if (moisture.is_negative() || moisture >= Decimal{100, 0}) {
    return invalid(delivery_name(delivery) + ": moisture must be >= 0 and < 100");
  }
  if (moisture <= target) return delivery.weight;
  // (100 − m) / (100 − t) with m = mu/10^ms, t = tu/10^ts: (100·10^ms − mu)·10^ts / ((100·10^ts − tu)·10^ms)
  BigInt kept = BigInt(100) * ten_to(moisture.scale) - moisture.units;
  BigInt basis = BigInt(100) * ten_to(target.scale) - target.units;
  TRIPARTITE_ASSERT(kept > 0 && basis > 0);  // at their own scales; the ratio is < 1 as m > t
  BigInt grams =
      round_half_even(BigInt(delivery.weight.grams) * kept * ten_to(target.scale), basis * ten_to(moisture.scale));
  TRIPARTITE_ASSERT(grams >= 0 && grams <= delivery.weight.grams);
  return Grams{grams.convert_to<std::int64_t>()};
}

// The latest market price dated on or before the delivery (the list need not be sorted).
const contracts::MarketPrice* market_price_for(const std::vector<contracts::MarketPrice>& prices,
                                               const Date& delivered_on) {
  const contracts::MarketPrice* latest = nullptr;
  for (const auto& price : prices) {
    if (price.date <= delivered_on && (latest == nullptr || price.date > latest->date)) latest = &price;
  }
  return latest;
}

Result<UnitPrice> unit_price(const SeasonContext& context, const Delivery& delivery) {
  const auto& price = context.terms->price;
  auto grade = price.grade_multipliers.find(delivery.grade);
  if (grade == price.grade_multipliers.end()) {
    return invalid(delivery_name(delivery) + ": unknown grade '" + delivery.grade + "'");
  }
  UnitPrice per_kg;
  if (price.method == contracts::PriceMethod::fixed) {
    per_kg = UnitPrice{BigInt(price.base_per_kg.units), price.base_per_kg.scale};
  } else {
    const auto* market = market_price_for(context.market_prices, delivery.delivered_on);
    if (market == nullptr) {
      return invalid(delivery_name(delivery) + ": no market price dated on or before " +
                     contracts::format_date(delivery.delivered_on) + " (price method floor_market)");
    }
    if (market->price_per_kg.is_negative())
      return invalid("market price of " + contracts::format_date(market->date) + " is negative");
    // market × (1 − discount), exact at scale ms + ds.
    const Decimal& discount = price.market_discount;
    UnitPrice discounted{BigInt(market->price_per_kg.units) * (ten_to(discount.scale) - discount.units),
                         market->price_per_kg.scale + discount.scale};
    const Decimal& floor = price.floor_per_kg;
    bool floor_wins = BigInt(floor.units) * ten_to(discounted.scale) > discounted.numerator * ten_to(floor.scale);
    per_kg = floor_wins ? UnitPrice{BigInt(floor.units), floor.scale} : discounted;
  }
  return UnitPrice{per_kg.numerator * grade->second.units, per_kg.scale + grade->second.scale};
}

Status price_deliveries(const SeasonContext& context, const FarmerInput& input, const Date& as_of,
                        const std::string& currency_code, int exponent, FarmerPlan& plan) {
  const auto& terms = *context.terms;
  BigInt weight_total = 0;
  BigInt payable_total = 0;
  BigInt gross = 0;
  for (const auto& delivery : input.deliveries) {
    TRIPARTITE_ASSERT(delivery.farmer == input.farmer);
    TRIPARTITE_ASSERT(delivery.delivered_on <= as_of);
    TRIPARTITE_TRY(payable, payable_weight(delivery, terms.price.moisture_target_pct));
    TRIPARTITE_TRY(price, unit_price(context, delivery));
    // payable kg × price = grams/10^3 × numerator/10^scale, in minor units × 10^exponent.
    TRIPARTITE_TRY(value, fit_amount(BigInt(payable.grams) * price.numerator * ten_to(exponent),
                                     ten_to(price.scale + kGramsPerKgExponent),
                                     delivery_name(delivery) + ": value in " + currency_code));
    weight_total += delivery.weight.grams;
    payable_total += payable.grams;
    gross += value;
    plan.deliveries.push_back(DeliveryLine{delivery.id, delivery.grade, delivery.delivered_on, delivery.agent,
                                           delivery.weight, payable, std::move(price), value});
  }
  std::sort(plan.deliveries.begin(), plan.deliveries.end(),
            [](const DeliveryLine& a, const DeliveryLine& b) { return a.delivery < b.delivery; });
  TRIPARTITE_TRY(weight, fit(weight_total, "total weight"));
  TRIPARTITE_TRY(payable, fit(payable_total, "total payable weight"));
  TRIPARTITE_TRY(gross_minor, fit(gross, "gross"));
  plan.weight_total = Grams{weight};
  plan.payable_total = Grams{payable};
  plan.gross_minor = gross_minor;
  return Status::success();
}

// ---- loans -------------------------------------------------------------------------------

Status charge_loans(const FarmerInput& input, const Date& as_of, FarmerPlan& plan) {
  std::vector<const LoanState*> taking_part;
  for (const auto& state : input.loans) {
    TRIPARTITE_ASSERT(state.loan.farmer == input.farmer);
    TRIPARTITE_ASSERT(state.principal_outstanding_minor >= 0 && state.fees_outstanding_minor >= 0 &&
                      state.interest_outstanding_minor >= 0);
    if (state.loan.disbursed_on <= as_of) taking_part.push_back(&state);
  }
  std::sort(taking_part.begin(), taking_part.end(), [](const LoanState* a, const LoanState* b) {
    if (a->loan.disbursed_on != b->loan.disbursed_on) return a->loan.disbursed_on < b->loan.disbursed_on;
    return a->loan.id < b->loan.id;
  });
  for (const auto* state : taking_part) {
    TRIPARTITE_TRY(charged, accrued_interest_minor(*state, as_of));
    const std::string what = "loan " + state->loan.id.value;
    TRIPARTITE_TRY(interest_due, fit(BigInt(state->interest_outstanding_minor) + charged, what + ": interest due"));
    TRIPARTITE_CHECK(fit(BigInt(state->fees_outstanding_minor) + interest_due + state->principal_outstanding_minor,
                         what + ": amount due"));
    LoanAllocation allocation;
    allocation.loan = state->loan.id;
    allocation.lender = state->loan.lender;
    allocation.interest_from = accrual_start(*state);
    allocation.interest_charged_minor = charged;
    allocation.fees_due_minor = state->fees_outstanding_minor;
    allocation.interest_due_minor = interest_due;
    allocation.principal_due_minor = state->principal_outstanding_minor;
    plan.loans.push_back(allocation);
  }
  return Status::success();
}

std::int64_t still_due(const LoanAllocation& loan) {
  return (loan.fees_due_minor - loan.fees_paid_minor) + (loan.interest_due_minor - loan.interest_paid_minor) +
         (loan.principal_due_minor - loan.principal_paid_minor);
}

// Pays min(left, due − paid) into `paid`.
std::int64_t pay_part(std::int64_t& left, std::int64_t due, std::int64_t& paid) {
  std::int64_t amount = std::min(left, due - paid);
  paid += amount;
  left -= amount;
  return amount;
}

// ---- step 4: the waterfall ---------------------------------------------------------------

class Waterfall {
 public:
  Waterfall(const contracts::SeasonTerms& terms, int exponent, FarmerPlan& plan)
      : terms_(terms), exponent_(exponent), plan_(plan), remaining_(plan.gross_minor) {}

  Status run() {
    for (std::size_t i = 0; i < terms_.deductions.size(); ++i) {
      const Deduction& deduction = terms_.deductions[i];
      DeductionLine line;
      line.kind = deduction.kind;
      line.waterfall_index = i;
      const std::string what = deduction_name(i, deduction.kind);
      switch (deduction.kind) {
        case DeductionKind::levy:
          TRIPARTITE_CHECK(levy(deduction, what, line));
          break;
        case DeductionKind::coalition_fee:
          TRIPARTITE_CHECK(coalition_fee(deduction, what, line));
          break;
        case DeductionKind::agent_commission:
          TRIPARTITE_CHECK(agent_commission(deduction, what, line));
          break;
        case DeductionKind::loan_repayment:
          TRIPARTITE_CHECK(loan_repayment(deduction, what, line));
          break;
      }
      column(deduction.kind) += line.taken_minor;
      plan_.deductions.push_back(std::move(line));
    }
    plan_.net_payout_minor = remaining_;
    BigInt outstanding = 0;
    for (const auto& loan : plan_.loans) outstanding += loan.outstanding_after_minor;
    TRIPARTITE_TRY(outstanding_minor, fit(outstanding, "loan outstanding after"));
    plan_.loan_outstanding_after_minor = outstanding_minor;
    return Status::success();
  }

 private:
  std::int64_t& column(DeductionKind kind) {
    switch (kind) {
      case DeductionKind::levy:
        return plan_.levy_minor;
      case DeductionKind::coalition_fee:
        return plan_.coalition_fee_minor;
      case DeductionKind::agent_commission:
        return plan_.agent_commission_minor;
      case DeductionKind::loan_repayment:
        return plan_.loan_repayment_minor;
    }
    TRIPARTITE_ASSERT(false && "unknown deduction kind");
    return plan_.levy_minor;
  }

  // min(amount, what remains), taken from what remains.
  std::int64_t take(std::int64_t amount) {
    TRIPARTITE_ASSERT(amount >= 0);
    std::int64_t taken = std::min(amount, remaining_);
    remaining_ -= taken;
    return taken;
  }

  Result<std::int64_t> of_gross(const Decimal& rate, const std::string& what) const {
    return fit_amount(BigInt(plan_.gross_minor) * rate.units, ten_to(rate.scale), what);
  }

  Result<std::int64_t> per_kg(const BigInt& grams, const Decimal& amount_per_kg, const std::string& what) const {
    return fit_amount(grams * amount_per_kg.units * ten_to(exponent_),
                      ten_to(amount_per_kg.scale + kGramsPerKgExponent), what);
  }

  static void add_payment(DeductionLine& line, const contracts::PartyId& party, std::int64_t amount) {
    if (amount > 0) line.payments.push_back(Payment{party, amount});
  }

  Status levy(const Deduction& deduction, const std::string& what, DeductionLine& line) {
    TRIPARTITE_TRY(computed, of_gross(*deduction.rate, what));
    line.computed_minor = computed;
    line.taken_minor = take(computed);
    add_payment(line, deduction.to, line.taken_minor);
    return Status::success();
  }

  Status coalition_fee(const Deduction& deduction, const std::string& what, DeductionLine& line) {
    Result<std::int64_t> computed = deduction.rate ? of_gross(*deduction.rate, what)
                                                   : per_kg(BigInt(plan_.payable_total.grams), *deduction.per_kg, what);
    if (!computed) return computed.error();
    line.computed_minor = *computed;
    line.taken_minor = take(*computed);
    // The amount taken, not the amount computed, is what the shares divide (SPEC §3).
    for (const auto& [party, amount] : ledger::allocate_largest_remainder(line.taken_minor, deduction.shares)) {
      add_payment(line, contracts::PartyId(party), amount);
    }
    return Status::success();
  }

  Status agent_commission(const Deduction& deduction, const std::string& what, DeductionLine& line) {
    std::map<contracts::PartyId, BigInt> grams_by_agent;  // agent id (byte) order
    for (const auto& delivery : plan_.deliveries) {
      if (delivery.agent) grams_by_agent[*delivery.agent] += delivery.payable.grams;
    }
    BigInt computed_total = 0;
    for (const auto& [agent, grams] : grams_by_agent) {
      TRIPARTITE_TRY(computed, per_kg(grams, *deduction.per_kg, what + " for " + agent.value));
      computed_total += computed;
      std::int64_t taken = take(computed);
      line.taken_minor += taken;
      add_payment(line, agent, taken);
    }
    TRIPARTITE_TRY(computed_minor, fit(computed_total, what));
    line.computed_minor = computed_minor;
    return Status::success();
  }

  Status loan_repayment(const Deduction& deduction, const std::string& what, DeductionLine& line) {
    const Decimal& share = deduction.max_share_of_gross;
    BigInt cap = floor_div(BigInt(plan_.gross_minor) * share.units, ten_to(share.scale));
    BigInt due = 0;
    for (const auto& loan : plan_.loans) due += still_due(loan);
    TRIPARTITE_TRY(computed, fit(std::min(cap, due), what));
    line.computed_minor = computed;
    line.taken_minor = take(computed);
    std::int64_t left = line.taken_minor;
    std::map<contracts::PartyId, std::int64_t> by_lender;  // lender id (byte) order
    for (auto& loan : plan_.loans) {
      std::int64_t paid = pay_part(left, loan.fees_due_minor, loan.fees_paid_minor);
      paid += pay_part(left, loan.interest_due_minor, loan.interest_paid_minor);
      paid += pay_part(left, loan.principal_due_minor, loan.principal_paid_minor);
      loan.outstanding_after_minor = still_due(loan);
      if (paid > 0) by_lender[loan.lender] += paid;
    }
    TRIPARTITE_ASSERT(left == 0);
    for (const auto& [lender, amount] : by_lender) add_payment(line, lender, amount);
    return Status::success();
  }

  const contracts::SeasonTerms& terms_;
  int exponent_;
  FarmerPlan& plan_;
  std::int64_t remaining_;
};

// ---- invariants --------------------------------------------------------------------------

void assert_plan_invariants(const FarmerPlan& plan) {
  BigInt values = 0;
  BigInt payable = 0;
  for (const auto& line : plan.deliveries) {
    TRIPARTITE_ASSERT(line.payable.grams >= 0 && line.payable <= line.weight);
    TRIPARTITE_ASSERT(line.value_minor >= 0);
    values += line.value_minor;
    payable += line.payable.grams;
  }
  TRIPARTITE_ASSERT(values == plan.gross_minor);
  TRIPARTITE_ASSERT(payable == plan.payable_total.grams && plan.payable_total <= plan.weight_total);

  std::map<DeductionKind, BigInt> columns;
  for (const auto& line : plan.deductions) {
    TRIPARTITE_ASSERT(line.taken_minor >= 0 && line.taken_minor <= line.computed_minor);
    BigInt paid = 0;
    for (const auto& payment : line.payments) {
      TRIPARTITE_ASSERT(payment.amount_minor > 0);
      paid += payment.amount_minor;
    }
    TRIPARTITE_ASSERT(paid == line.taken_minor);
    columns[line.kind] += line.taken_minor;
  }
  TRIPARTITE_ASSERT(columns[DeductionKind::levy] == plan.levy_minor);
  TRIPARTITE_ASSERT(columns[DeductionKind::coalition_fee] == plan.coalition_fee_minor);
  TRIPARTITE_ASSERT(columns[DeductionKind::agent_commission] == plan.agent_commission_minor);
  TRIPARTITE_ASSERT(columns[DeductionKind::loan_repayment] == plan.loan_repayment_minor);
  TRIPARTITE_ASSERT(plan.net_payout_minor >= 0);
  TRIPARTITE_ASSERT(BigInt(plan.gross_minor) == BigInt(plan.levy_minor) + plan.coalition_fee_minor +
                                                    plan.agent_commission_minor + plan.loan_repayment_minor +
                                                    plan.net_payout_minor);

  BigInt loans_paid = 0;
  BigInt outstanding = 0;
  for (const auto& loan : plan.loans) {
    TRIPARTITE_ASSERT(loan.fees_paid_minor >= 0 && loan.fees_paid_minor <= loan.fees_due_minor);
    TRIPARTITE_ASSERT(loan.interest_paid_minor >= 0 && loan.interest_paid_minor <= loan.interest_due_minor);
    TRIPARTITE_ASSERT(loan.principal_paid_minor >= 0 && loan.principal_paid_minor <= loan.principal_due_minor);
    TRIPARTITE_ASSERT(loan.interest_charged_minor >= 0 && loan.interest_charged_minor <= loan.interest_due_minor);
    BigInt paid = BigInt(loan.fees_paid_minor) + loan.interest_paid_minor + loan.principal_paid_minor;
    BigInt due = BigInt(loan.fees_due_minor) + loan.interest_due_minor + loan.principal_due_minor;
    TRIPARTITE_ASSERT(paid + loan.outstanding_after_minor == due);
    loans_paid += paid;
    outstanding += loan.outstanding_after_minor;
  }
  TRIPARTITE_ASSERT(loans_paid == plan.loan_repayment_minor);
  TRIPARTITE_ASSERT(outstanding == plan.loan_outstanding_after_minor);
}

// The journal entry of the plan debits interest charged, gross and repayments: their sum must
// fit in int64 so that the entry balances without overflow (ledger::check_balanced).
Status check_postable(const FarmerPlan& plan) {
  BigInt debits = BigInt(plan.gross_minor) + plan.loan_repayment_minor;
  for (const auto& loan : plan.loans) debits += loan.interest_charged_minor;
  if (!ledger::to_int64(debits)) {
    return invalid("settlement of farmer " + plan.farmer.value + " moves more than the largest representable amount");
  }
  return Status::success();
}

}  // namespace

std::string UnitPrice::to_string(int decimals) const {
  TRIPARTITE_ASSERT(decimals >= 0 && scale >= 0);
  BigInt units = round_half_even(numerator * ten_to(decimals), ten_to(scale));
  const bool negative = units < 0;
  if (negative) units = -units;
  std::string digits = units.str();
  const auto places = static_cast<std::size_t>(decimals);
  if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
  if (places > 0) digits.insert(digits.size() - places, 1, '.');
  return negative ? "-" + digits : digits;
}

std::optional<Date> last_charged_as_of(const std::vector<std::pair<std::uint64_t, Date>>& settlements,
                                       std::uint64_t loan_seq) {
  std::optional<Date> last;
  for (const auto& [seq, as_of] : settlements) {
    if (seq > loan_seq && (!last || as_of > *last)) last = as_of;
  }
  return last;
}

Date accrual_start(const LoanState& state) {
  if (state.last_settled_as_of && *state.last_settled_as_of > state.loan.disbursed_on) {
    return *state.last_settled_as_of;
  }
  return state.loan.disbursed_on;
}

Result<std::int64_t> accrued_interest_minor(const LoanState& state, const Date& to) {
  const Decimal& rate = state.product.annual_rate;
  const std::string what = "interest of loan " + state.loan.id.value;
  if (rate.is_negative()) return invalid(what + ": annual_rate of product " + state.product.id.value + " is negative");
  const Date start = accrual_start(state);
  if (start >= to) return std::int64_t{0};
  TRIPARTITE_ASSERT(state.principal_outstanding_minor >= 0);
  std::int64_t base = state.principal_outstanding_minor;
  if (state.product.method == contracts::InterestMethod::flat) {
    base = state.principal_outstanding_minor > 0 ? state.loan.principal_minor : 0;
  }
  const auto fraction = contracts::year_fraction(state.product.day_count, start, to);
  TRIPARTITE_ASSERT(fraction.days >= 0 && fraction.basis > 0);
  return fit_amount(BigInt(base) * rate.units * fraction.days, ten_to(rate.scale) * fraction.basis, what);
}

Result<FarmerPlan> plan_farmer(const SeasonContext& context, const FarmerInput& input, const Date& as_of) {
  TRIPARTITE_ASSERT(context.terms != nullptr);
  TRIPARTITE_ASSERT(!input.deliveries.empty());
  const auto& terms = *context.terms;
  TRIPARTITE_ASSERT(terms.currency.exponent >= 0);
  TRIPARTITE_CHECK(check_terms(terms));
  FarmerPlan plan;
  plan.farmer = input.farmer;
  TRIPARTITE_CHECK(price_deliveries(context, input, as_of, terms.currency.code, terms.currency.exponent, plan));
  TRIPARTITE_CHECK(charge_loans(input, as_of, plan));
  for (auto& loan : plan.loans) loan.outstanding_after_minor = still_due(loan);  // when no loan_repayment
  TRIPARTITE_CHECK(Waterfall(terms, terms.currency.exponent, plan).run());
  TRIPARTITE_CHECK(check_postable(plan));
  assert_plan_invariants(plan);
  return plan;
}

}  // namespace tripartite::settlement
