// Test builders for settlement: terms, deliveries and loan states written in code, from
// decimal strings, so that every test's inputs read like the season files they stand for.
//
// Invariants: a malformed literal throws (Catch reports it as a failure of the test that
// used it); nothing here rounds or computes an expected value — the tests write those out.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "contracts/model.hpp"
#include "ledger/money.hpp"
#include "settlement/engine.hpp"

namespace tripartite::settlement::test {

using contracts::Date;
using contracts::DeductionKind;
using ledger::Decimal;

inline Decimal dec(const std::string& text) {
  auto parsed = Decimal::parse(text, 18);
  if (!parsed) throw std::runtime_error("bad decimal literal " + text + ": " + parsed.error().message);
  return *parsed;
}

// Minor units of a decimal amount with `exponent` decimals: minor("7284.61", 2) == 728461.
inline std::int64_t minor(const std::string& text, int exponent = 2) {
  auto money = ledger::Money::parse(text, ledger::Currency{"XXX", exponent});
  if (!money) throw std::runtime_error("bad amount literal " + text + ": " + money.error().message);
  return money->minor;
}

inline std::int64_t grams(const std::string& kg) {
  auto parsed = ledger::Grams::parse_kg(kg);
  if (!parsed) throw std::runtime_error("bad weight literal " + kg);
  return parsed->grams;
}

inline Date ymd(int year, unsigned month, unsigned day) {
  Date date{date::year{year}, date::month{month}, date::day{day}};
  if (!date.ok()) throw std::runtime_error("bad date literal");
  return date;
}

inline std::string money_string(std::int64_t amount_minor, int exponent = 2) {
  return ledger::format_units(amount_minor, exponent);
}

inline contracts::Deduction levy(const std::string& to, const std::string& rate) {
  contracts::Deduction deduction;
  deduction.kind = DeductionKind::levy;
  deduction.to = contracts::PartyId(to);
  deduction.rate = dec(rate);
  return deduction;
}

inline std::map<std::string, Decimal> shares(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::map<std::string, Decimal> out;
  for (const auto& [party, share] : list) out.emplace(party, dec(share));
  return out;
}

inline contracts::Deduction coalition_fee_rate(const std::string& rate, std::map<std::string, Decimal> split) {
  contracts::Deduction deduction;
  deduction.kind = DeductionKind::coalition_fee;
  deduction.rate = dec(rate);
  deduction.shares = std::move(split);
  return deduction;
}

inline contracts::Deduction coalition_fee_per_kg(const std::string& per_kg, std::map<std::string, Decimal> split) {
  contracts::Deduction deduction;
  deduction.kind = DeductionKind::coalition_fee;
  deduction.per_kg = dec(per_kg);
  deduction.shares = std::move(split);
  return deduction;
}

inline contracts::Deduction agent_commission(const std::string& per_kg) {
  contracts::Deduction deduction;
  deduction.kind = DeductionKind::agent_commission;
  deduction.per_kg = dec(per_kg);
  return deduction;
}

inline contracts::Deduction loan_repayment(const std::string& max_share) {
  contracts::Deduction deduction;
  deduction.kind = DeductionKind::loan_repayment;
  deduction.max_share_of_gross = dec(max_share);
  return deduction;
}

inline contracts::Party party(const std::string& id, contracts::Role role) {
  return contracts::Party{contracts::PartyId(id), role, id + " name"};
}

inline contracts::LoanProduct product(const std::string& id, const std::string& rate,
                                      contracts::InterestMethod method = contracts::InterestMethod::declining,
                                      contracts::DayCount day_count = contracts::DayCount::act_365f,
                                      const std::string& fee = "0.02") {
  return contracts::LoanProduct{contracts::ProductId(id), dec(rate), method, day_count, dec(fee)};
}

// The reference season 2026A of fixtures/reference/coalition.toml, written in code.
inline contracts::SeasonTerms reference_terms() {
  using contracts::Role;
  contracts::SeasonTerms terms;
  terms.id = contracts::SeasonId("2026A");
  terms.currency = ledger::Currency{"KES", 2};
  terms.commodity = "maize";
  terms.parties = {
      party("COAL", Role::coordinator),    party("OT1", Role::offtaker),          party("BANK1", Role::lender),
      party("SUP1", Role::input_supplier), party("TRN1", Role::service_provider), party("AG1", Role::agent),
      party("AG2", Role::agent),           party("CESS", Role::authority)};
  terms.price.method = contracts::PriceMethod::fixed;
  terms.price.base_per_kg = dec("38.50");
  terms.price.moisture_target_pct = dec("13.5");
  terms.price.grade_multipliers = {{"A", dec("1.05")}, {"B", dec("1.00")}, {"C", dec("0.90")}};
  terms.loan_products = {product("INPUT-2026A", "0.18")};
  terms.deductions = {levy("CESS", "0.01"),
                      coalition_fee_rate("0.02", shares({{"SUP1", "0.40"}, {"TRN1", "0.35"}, {"COAL", "0.25"}})),
                      agent_commission("0.50"), loan_repayment("0.70")};
  return terms;
}

// Plain terms for unit tests: one offtaker OT, price `base` per kg of grade "A" (× 1), grade
// "B" × 0.90, moisture target 13.5, no deductions.
inline contracts::SeasonTerms plain_terms(const std::string& currency = "KES", int exponent = 2,
                                          const std::string& base = "10.00") {
  contracts::SeasonTerms terms;
  terms.id = contracts::SeasonId("S1");
  terms.currency = ledger::Currency{currency, exponent};
  terms.commodity = "coffee";
  terms.parties = {party("OT", contracts::Role::offtaker)};
  terms.price.base_per_kg = dec(base);
  terms.price.moisture_target_pct = dec("13.5");
  terms.price.grade_multipliers = {{"A", dec("1")}, {"B", dec("0.90")}};
  return terms;
}

// A delivery; moisture "" = not measured, agent "" = delivered directly.
inline contracts::Delivery delivery(const std::string& id, const std::string& farmer, const std::string& grade,
                                    const std::string& weight_kg, const std::string& moisture, const Date& on,
                                    const std::string& agent = "") {
  contracts::Delivery out;
  out.id = contracts::DeliveryId(id);
  out.farmer = contracts::FarmerId(farmer);
  out.offtaker = contracts::PartyId("OT1");
  out.grade = grade;
  out.weight = ledger::Grams{grams(weight_kg)};
  if (!moisture.empty()) out.moisture_pct = dec(moisture);
  out.delivered_on = on;
  if (!agent.empty()) out.agent = contracts::PartyId(agent);
  return out;
}

struct LoanSpec {
  LoanSpec(std::string id_, std::string farmer_, std::string lender_, std::string principal_, const Date& disbursed_on_,
           contracts::LoanProduct product_)
      : id(std::move(id_)),
        farmer(std::move(farmer_)),
        lender(std::move(lender_)),
        principal(std::move(principal_)),
        disbursed_on(disbursed_on_),
        product(std::move(product_)) {}
  std::string id;
  std::string farmer;
  std::string lender;
  std::string principal;  // original principal, as a decimal string
  Date disbursed_on;
  contracts::LoanProduct product;
  std::string principal_outstanding;  // "" = the original principal
  std::string fees_outstanding = "0";
  std::string interest_outstanding = "0";
  std::optional<Date> last_settled_as_of;
  int exponent = 2;
};

inline LoanState loan_state(const LoanSpec& spec) {
  LoanState state;
  state.loan.id = contracts::LoanId(spec.id);
  state.loan.farmer = contracts::FarmerId(spec.farmer);
  state.loan.lender = contracts::PartyId(spec.lender);
  state.loan.product = spec.product.id;
  state.loan.principal_minor = minor(spec.principal, spec.exponent);
  state.loan.disbursed_on = spec.disbursed_on;
  state.loan.due_on = spec.disbursed_on;
  state.product = spec.product;
  state.principal_outstanding_minor =
      minor(spec.principal_outstanding.empty() ? spec.principal : spec.principal_outstanding, spec.exponent);
  state.fees_outstanding_minor = minor(spec.fees_outstanding, spec.exponent);
  state.interest_outstanding_minor = minor(spec.interest_outstanding, spec.exponent);
  state.last_settled_as_of = spec.last_settled_as_of;
  return state;
}

inline FarmerInput farmer_input(const std::string& farmer, std::vector<contracts::Delivery> deliveries,
                                std::vector<LoanState> loans = {}) {
  return FarmerInput{contracts::FarmerId(farmer), std::move(deliveries), std::move(loans)};
}

// Plans or throws with the error's message (for tests that expect success).
inline FarmerPlan plan_or_throw(const SeasonContext& context, const FarmerInput& input, const Date& as_of) {
  auto plan = plan_farmer(context, input, as_of);
  if (!plan) throw std::runtime_error("plan_farmer failed: " + plan.error().message);
  return std::move(plan).value();
}

}  // namespace tripartite::settlement::test
