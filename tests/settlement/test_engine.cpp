// Unit tests of the settlement rules (SPEC §3) on the cases the reference season does not
// exercise: half-even ties, shrink ties, the largest-remainder tie-break, flat loans, day
// counts, per-kg coalition fees, floor_market prices, several loans and lenders, loans after
// as_of, a zero-decimal currency, several deductions of one kind, deductions cut short,
// the loan cap, a zero net payout, and the errors. Every expected value is computed by hand
// in the comment next to it.
#include <catch2/catch.hpp>

#include "contracts/importer.hpp"

#include "builders.hpp"

namespace tripartite::settlement::test {
namespace {

using contracts::DayCount;
using contracts::InterestMethod;
using contracts::MarketPrice;

const Date kAsOf = ymd(2026, 8, 31);

FarmerPlan plan_of(const contracts::SeasonTerms& terms, std::vector<contracts::Delivery> deliveries,
                   std::vector<LoanState> loans = {}, const Date& as_of = kAsOf, std::vector<MarketPrice> prices = {}) {
  SeasonContext context{&terms, std::move(prices)};
  return plan_or_throw(context, farmer_input("F1", std::move(deliveries), std::move(loans)), as_of);
}

contracts::Delivery kg(const std::string& id, const std::string& weight_kg, const std::string& grade = "A",
                       const std::string& agent = "") {
  return delivery(id, "F1", grade, weight_kg, "", ymd(2026, 7, 1), agent);
}

LoanSpec spec(const std::string& id, const std::string& lender, const std::string& principal, const Date& disbursed_on,
              const contracts::LoanProduct& loan_product) {
  return LoanSpec{id, "F1", lender, principal, disbursed_on, loan_product};
}

}  // namespace

TEST_CASE("delivery value rounds half-even to the minor unit, ties both ways", "[settlement][rounding]") {
  struct Row {
    const char* currency;
    int exponent;
    const char* base_per_kg;
    std::int64_t value_minor;  // of 1.000 kg
  };
  const Row rows[] = {
      {"KES", 2, "0.005", 0},       // 0.5 cent → 0 (even)
      {"KES", 2, "0.015", 2},       // 1.5 → 2 (even)
      {"KES", 2, "0.025", 2},       // 2.5 → 2 (even)
      {"KES", 2, "10.005", 1000},   // 1000.5 → 1000
      {"KES", 2, "10.015", 1002},   // 1001.5 → 1002
      {"KES", 2, "10.0051", 1001},  // 1000.51 → 1001 (not a tie)
      {"KES", 2, "10.0049", 1000},  // 1000.49 → 1000
      {"UGX", 0, "2.5", 2},         // 2.5 shillings → 2
      {"UGX", 0, "3.5", 4},         // 3.5 → 4
      {"BHD", 3, "0.0125", 12},     // 12.5 fils → 12
  };
  for (const auto& row : rows) {
    INFO(row.currency << " " << row.base_per_kg);
    const auto terms = plain_terms(row.currency, row.exponent, row.base_per_kg);
    const auto plan = plan_of(terms, {kg("D1", "1.000")});
    CHECK(plan.deliveries.at(0).value_minor == row.value_minor);
    CHECK(plan.gross_minor == row.value_minor);
    CHECK(plan.net_payout_minor == row.value_minor);
  }
}

TEST_CASE("the delivery value is rounded once, from the exact price × multiplier × weight", "[settlement][rounding]") {
  // 1.115 kg × 4.49 × 0.90 = 1.115 × 4.041 = 4.505715 → 4.51. Rounding the unit price
  // 4.041 to 4.04 first would give 1.115 × 4.04 = 4.5046 → 4.50.
  const auto terms = plain_terms("KES", 2, "4.49");
  const auto plan = plan_of(terms, {kg("D1", "1.115", "B")});
  CHECK(plan.deliveries.at(0).unit_price.to_string(4) == "4.0410");
  CHECK(plan.deliveries.at(0).value_minor == 451);
}

TEST_CASE("levies round half-even, ties both ways", "[settlement][rounding]") {
  struct Row {
    const char* weight_kg;  // at 1.00 per kg: gross = weight
    std::int64_t levy_minor;
  };
  const Row rows[] = {
      {"10.500", 10},  // 1050 × 0.01 = 10.5 → 10
      {"11.500", 12},  // 11.5 → 12
      {"0.500", 0},    // 0.5 → 0
      {"0.700", 1},    // 0.7 → 1
  };
  for (const auto& row : rows) {
    INFO(row.weight_kg);
    auto terms = plain_terms("KES", 2, "1.00");
    terms.deductions = {levy("CESS", "0.01")};
    const auto plan = plan_of(terms, {kg("D1", row.weight_kg)});
    CHECK(plan.levy_minor == row.levy_minor);
    CHECK(plan.net_payout_minor == plan.gross_minor - row.levy_minor);
  }
}

TEST_CASE("moisture shrink rounds half-even to the gram", "[settlement][rounding]") {
  struct Row {
    const char* target;
    const char* moisture;  // "" = not measured
    const char* weight_kg;
    std::int64_t payable_grams;
  };
  const Row rows[] = {
      {"0", "50", "0.001", 0},              // 1 × 50/100 = 0.5 g → 0
      {"0", "50", "0.003", 2},              // 1.5 → 2
      {"10", "55", "0.005", 2},             // 5 × 45/90 = 2.5 → 2
      {"10", "55", "0.007", 4},             // 3.5 → 4
      {"13.5", "15.0", "300.000", 294798},  // 300000 × 85/86.5 = 294797.687… → 294798
      {"13.5", "14.2", "250.000", 247977},  // 250000 × 85.8/86.5 = 247976.878… → 247977
      {"13.5", "13.5", "300.000", 300000},  // moisture = target: no shrink
      {"13.5", "13.499", "300.000", 300000},
      {"13.5", "", "300.000", 300000},     // not measured: no shrink
      {"0", "0.001", "1000.000", 999990},  // 1000000 × 99.999/100
      {"12.345", "20.5", "7.777", 7053},   // 7777 × 79.5/87.655 = 7053.465… → 7053
  };
  for (const auto& row : rows) {
    INFO("target " << row.target << " moisture " << row.moisture << " weight " << row.weight_kg);
    auto terms = plain_terms();
    terms.price.moisture_target_pct = dec(row.target);
    const auto plan = plan_of(terms, {delivery("D1", "F1", "A", row.weight_kg, row.moisture, ymd(2026, 7, 1))});
    CHECK(plan.deliveries.at(0).payable.grams == row.payable_grams);
    CHECK(plan.payable_total.grams == row.payable_grams);
    CHECK(plan.weight_total.grams == grams(row.weight_kg));
  }
}

TEST_CASE("the coalition fee split breaks largest-remainder ties by party id byte order", "[settlement][split]") {
  struct Row {
    const char* weight_kg;  // at 10.00 per kg, fee 1% of gross
    std::map<std::string, Decimal> split;
    std::vector<std::pair<std::string, std::int64_t>> payments;
  };
  const Row rows[] = {
      // gross 1.00, fee 0.01 = 1 cent; halves tie at 0.5: ABE sorts first
      {"0.100", shares({{"ZED", "0.5"}, {"ABE", "0.5"}}), {{"ABE", 1}}},
      // byte order: 'Z' (0x5A) sorts before 'a' (0x61)
      {"0.100", shares({{"a", "0.5"}, {"Z", "0.5"}}), {{"Z", 1}}},
      // 2 cents: exact 0.666666 / 0.666668 / 0.666666, floors 0; B has the largest remainder,
      // A and C tie for the second cent: A
      {"0.200", shares({{"A", "0.333333"}, {"B", "0.333334"}, {"C", "0.333333"}}), {{"A", 1}, {"B", 1}}},
      // 5 cents by 0.40 / 0.35 / 0.25: 2.0 / 1.75 / 1.25 → floors 2 + 1 + 1, the cent left to
      // the largest remainder 0.75: 2 / 2 / 1
      {"0.500",
       shares({{"SUP1", "0.40"}, {"TRN1", "0.35"}, {"COAL", "0.25"}}),
       {{"COAL", 1}, {"SUP1", 2}, {"TRN1", 2}}},
  };
  for (const auto& row : rows) {
    INFO(row.weight_kg);
    auto terms = plain_terms();
    terms.deductions = {coalition_fee_rate("0.01", row.split)};
    const auto plan = plan_of(terms, {kg("D1", row.weight_kg)});
    const auto& line = plan.deductions.at(0);
    std::vector<std::pair<std::string, std::int64_t>> got;
    for (const auto& payment : line.payments) got.emplace_back(payment.party.value, payment.amount_minor);
    CHECK(got == row.payments);
  }
}

TEST_CASE("flat loans accrue on the original principal, and stop once it is repaid", "[settlement][loans]") {
  const auto flat = product("FLAT", "0.12", InterestMethod::flat, DayCount::act_365f, "0");
  const auto declining = product("DECL", "0.12", InterestMethod::declining, DayCount::act_365f, "0");
  // First period 2026-01-01 → 2026-07-01, 181 days, nothing repaid: both methods give
  // 1000.00 × 0.12 × 181/365 = 59.506… → 59.51.
  // Second period 2026-07-01 → 2026-12-31, 183 days, 400.00 principal left:
  //   flat      1000.00 × 0.12 × 183/365 = 60.164… → 60.16
  //   declining  400.00 × 0.12 × 183/365 = 24.065… → 24.07
  // Principal repaid, 5.00 interest still owed: flat and declining charge nothing more.
  struct Row {
    const char* name;
    contracts::LoanProduct loan_product;
    const char* principal_outstanding;
    std::optional<Date> last_settled;
    Date to;
    std::int64_t interest_minor;
  };
  const Row rows[] = {
      {"flat, first period", flat, "1000.00", std::nullopt, ymd(2026, 7, 1), 5951},
      {"declining, first period", declining, "1000.00", std::nullopt, ymd(2026, 7, 1), 5951},
      {"flat, partly repaid", flat, "400.00", ymd(2026, 7, 1), ymd(2026, 12, 31), 6016},
      {"declining, partly repaid", declining, "400.00", ymd(2026, 7, 1), ymd(2026, 12, 31), 2407},
      {"flat, repaid", flat, "0.00", ymd(2026, 7, 1), ymd(2026, 12, 31), 0},
      {"declining, repaid", declining, "0.00", ymd(2026, 7, 1), ymd(2026, 12, 31), 0},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    LoanSpec loan = spec("L1", "BANK1", "1000.00", ymd(2026, 1, 1), row.loan_product);
    loan.principal_outstanding = row.principal_outstanding;
    loan.interest_outstanding = "5.00";
    loan.last_settled_as_of = row.last_settled;
    const LoanState state = loan_state(loan);
    auto interest = accrued_interest_minor(state, row.to);
    REQUIRE(interest.ok());
    CHECK(*interest == row.interest_minor);
    // The plan charges the same, whether or not it collects it (no loan_repayment here).
    const auto plan =
        plan_of(plain_terms(), {delivery("D1", "F1", "A", "1.000", "", ymd(2026, 7, 1))}, {state}, row.to);
    REQUIRE(plan.loans.size() == 1);
    CHECK(plan.loans[0].interest_charged_minor == row.interest_minor);
    CHECK(plan.loans[0].interest_due_minor == 500 + row.interest_minor);
    CHECK(plan.loans[0].outstanding_after_minor == minor(row.principal_outstanding) + 500 + row.interest_minor);
    CHECK(plan.loan_outstanding_after_minor == plan.loans[0].outstanding_after_minor);
  }
}

TEST_CASE("flat interest stops after the run that repays the principal", "[settlement][loans]") {
  const auto flat = product("FLAT", "0.12", InterestMethod::flat, DayCount::act_365f, "0");
  auto terms = plain_terms("KES", 2, "10.00");
  terms.deductions = {loan_repayment("1")};
  // Run 1 as of 2026-07-01: 1000.00 × 0.12 × 181/365 = 59.51 interest; gross 2000.00 repays
  // 1059.51 in full.
  LoanSpec loan = spec("L1", "BANK1", "1000.00", ymd(2026, 1, 1), flat);
  const auto run1 = plan_of(terms, {kg("D1", "200.000")}, {loan_state(loan)}, ymd(2026, 7, 1));
  REQUIRE(run1.loans.size() == 1);
  CHECK(run1.loans[0].interest_charged_minor == 5951);
  CHECK(run1.loan_repayment_minor == 105951);
  CHECK(run1.loans[0].outstanding_after_minor == 0);
  // Run 2 as of 2026-12-31 with what run 1 left (nothing): no interest, nothing taken.
  loan.principal_outstanding = "0";
  loan.last_settled_as_of = ymd(2026, 7, 1);
  const auto run2 =
      plan_of(terms, {delivery("D2", "F1", "A", "1.000", "", ymd(2026, 12, 1))}, {loan_state(loan)}, ymd(2026, 12, 31));
  CHECK(run2.loans.at(0).interest_charged_minor == 0);
  CHECK(run2.loan_repayment_minor == 0);
  CHECK(run2.net_payout_minor == 1000);
}

TEST_CASE("day counts: ACT/365F, ACT/360 and 30/360", "[settlement][daycount]") {
  struct Row {
    DayCount day_count;
    const char* principal;
    const char* rate;
    Date from;
    Date to;
    std::int64_t interest_minor;
  };
  const Row rows[] = {
      // 2026-01-31 → 2026-03-31: 59 actual days; 30/360: D1 31→30, D2 31→30, 60 days.
      // 10000.00 × 0.10 = 1000.00 a year: × 59/365 = 161.643… ; × 59/360 = 163.888… ; × 60/360 = 166.666…
      {DayCount::act_365f, "10000.00", "0.10", ymd(2026, 1, 31), ymd(2026, 3, 31), 16164},
      {DayCount::act_360, "10000.00", "0.10", ymd(2026, 1, 31), ymd(2026, 3, 31), 16389},
      {DayCount::thirty_360, "10000.00", "0.10", ymd(2026, 1, 31), ymd(2026, 3, 31), 16667},
      // 2026-02-28 → 2026-03-31: 31 actual days; 30/360: D1 28 stays, so D2 31 stays: 30 + 3 = 33.
      // 1000.00 × 31/360 = 86.111… ; × 33/360 = 91.666…
      {DayCount::act_360, "10000.00", "0.10", ymd(2026, 2, 28), ymd(2026, 3, 31), 8611},
      {DayCount::thirty_360, "10000.00", "0.10", ymd(2026, 2, 28), ymd(2026, 3, 31), 9167},
      // 30/360 2026-01-30 → 2026-01-31: D2 31→30 as D1 = 30: 0 days
      {DayCount::thirty_360, "10000.00", "0.10", ymd(2026, 1, 30), ymd(2026, 1, 31), 0},
      // 30/360 one year: 360/360
      {DayCount::thirty_360, "10000.00", "0.10", ymd(2026, 1, 15), ymd(2027, 1, 15), 100000},
      // ACT/365F over a leap year: 366/365 → 1002.739… → 1002.74
      {DayCount::act_365f, "10000.00", "0.10", ymd(2028, 1, 1), ymd(2029, 1, 1), 100274},
      // ACT/360 half-even ties: 10.00 × r × 180/360 (2026-01-01 → 2026-06-30 is 180 days)
      {DayCount::act_360, "10.00", "0.001", ymd(2026, 1, 1), ymd(2026, 6, 30), 0},  // 0.5 → 0
      {DayCount::act_360, "10.00", "0.003", ymd(2026, 1, 1), ymd(2026, 6, 30), 2},  // 1.5 → 2
      // start = as_of: no interest
      {DayCount::act_365f, "10000.00", "0.10", ymd(2026, 3, 31), ymd(2026, 3, 31), 0},
  };
  for (const auto& row : rows) {
    INFO("day count " << static_cast<int>(row.day_count) << " from " << contracts::format_date(row.from) << " to "
                      << contracts::format_date(row.to));
    const LoanState state = loan_state(
        spec("L1", "BANK1", row.principal, row.from, product("P", row.rate, InterestMethod::declining, row.day_count)));
    auto interest = accrued_interest_minor(state, row.to);
    REQUIRE(interest.ok());
    CHECK(*interest == row.interest_minor);
    const auto plan = plan_of(plain_terms(), {delivery("D1", "F1", "A", "1.000", "", row.to)}, {state}, row.to);
    CHECK(plan.loans.at(0).interest_charged_minor == row.interest_minor);
    CHECK(plan.loans.at(0).interest_from == row.from);
  }
}

TEST_CASE("interest accrues from the later of disbursement and the last run", "[settlement][loans]") {
  const auto act = product("P", "0.365", InterestMethod::declining, DayCount::act_365f, "0");
  LoanSpec loan = spec("L1", "BANK1", "1000.00", ymd(2026, 3, 1), act);
  loan.last_settled_as_of = ymd(2026, 2, 1);  // an earlier run of the farmer, before this loan
  CHECK(accrual_start(loan_state(loan)) == ymd(2026, 3, 1));
  CHECK(*accrued_interest_minor(loan_state(loan), ymd(2026, 3, 11)) == 1000);  // 1000 × 0.365 × 10/365 = 10.00
  loan.last_settled_as_of = ymd(2026, 3, 6);
  CHECK(accrual_start(loan_state(loan)) == ymd(2026, 3, 6));
  CHECK(*accrued_interest_minor(loan_state(loan), ymd(2026, 3, 11)) == 500);  // 5 days = 5.00
}

TEST_CASE("coalition fee per payable kg", "[settlement][deductions]") {
  struct Row {
    std::vector<contracts::Delivery> deliveries;
    std::int64_t gross_minor;
    std::int64_t fee_minor;
  };
  const Row rows[] = {
      // 100.000 + 50.500 kg (13.0 <= 13.5: no shrink) = 150.500 kg × 0.45 = 67.725 → 67.72 (tie)
      {{kg("D1", "100.000"), delivery("D2", "F1", "A", "50.500", "13.0", ymd(2026, 7, 2))}, 150500, 6772},
      // + 10.000 kg at 22.0: 10 × 78/86.5 = 9.017341… → 9.017 kg payable; 159.517 × 0.45
      // = 71.78265 → 71.78 (on the delivered 160.5 kg it would be 72.22)
      {{kg("D1", "100.000"), delivery("D2", "F1", "A", "50.500", "13.0", ymd(2026, 7, 2)),
        delivery("D3", "F1", "A", "10.000", "22.0", ymd(2026, 7, 3))},
       159517,
       7178},
  };
  for (const auto& row : rows) {
    auto terms = plain_terms();
    terms.deductions = {coalition_fee_per_kg("0.45", shares({{"COAL", "1"}}))};
    const auto plan = plan_of(terms, row.deliveries);
    CHECK(plan.gross_minor == row.gross_minor);
    CHECK(plan.deductions.at(0).computed_minor == row.fee_minor);
    CHECK(plan.coalition_fee_minor == row.fee_minor);
    REQUIRE(plan.deductions.at(0).payments.size() == 1);
    CHECK(plan.deductions.at(0).payments[0].party.value == "COAL");
    CHECK(plan.deductions.at(0).payments[0].amount_minor == row.fee_minor);
  }
}

TEST_CASE("floor_market: max(floor, market × (1 − discount)) at the latest price on or before", "[settlement][price]") {
  auto terms = plain_terms();
  terms.price.method = contracts::PriceMethod::floor_market;
  terms.price.floor_per_kg = dec("30.00");
  terms.price.market_discount = dec("0.05");
  // Deliberately out of date order: the latest on or before, not the last in the list.
  const std::vector<MarketPrice> prices{
      {ymd(2026, 8, 1), dec("35.00")}, {ymd(2026, 7, 1), dec("40.00")}, {ymd(2026, 7, 15), dec("30.00")}};
  struct Row {
    Date delivered_on;
    const char* grade;
    const char* unit_price;    // 4 decimals
    std::int64_t value_minor;  // of 1.000 kg
  };
  const Row rows[] = {
      {ymd(2026, 7, 10), "A", "38.0000", 3800},  // market 40.00 (07-01): 38.00 > floor
      {ymd(2026, 7, 15), "A", "30.0000", 3000},  // market 30.00 (same day): 28.50 < floor 30.00
      {ymd(2026, 7, 31), "A", "30.0000", 3000},  // still 30.00 (07-15): floor
      {ymd(2026, 8, 1), "A", "33.2500", 3325},   // 35.00 × 0.95 = 33.25
      {ymd(2026, 8, 1), "B", "29.9250", 2992},   // 33.25 × 0.90 = 29.925 (below the floor after the
                                                 // multiplier: the floor applies before it) → 29.92 (tie)
      {ymd(2026, 7, 15), "B", "27.0000", 2700},  // floor 30.00 × 0.90
  };
  for (const auto& row : rows) {
    INFO("delivered " << contracts::format_date(row.delivered_on) << " grade " << row.grade);
    const auto plan =
        plan_of(terms, {delivery("D1", "F1", row.grade, "1.000", "", row.delivered_on)}, {}, kAsOf, prices);
    CHECK(plan.deliveries.at(0).unit_price.to_string(4) == row.unit_price);
    CHECK(plan.deliveries.at(0).value_minor == row.value_minor);
  }
}

TEST_CASE("floor_market without a market price on or before the delivery is an error naming it",
          "[settlement][price]") {
  auto terms = plain_terms();
  terms.price.method = contracts::PriceMethod::floor_market;
  terms.price.floor_per_kg = dec("30.00");
  terms.price.market_discount = dec("0.05");
  SeasonContext context{&terms, {{ymd(2026, 7, 1), dec("40.00")}}};
  const auto input = farmer_input("F1", {delivery("D-OK", "F1", "A", "1.000", "", ymd(2026, 7, 1)),
                                         delivery("D-EARLY", "F1", "A", "1.000", "", ymd(2026, 6, 30))});
  auto plan = plan_farmer(context, input, kAsOf);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().kind == ErrorKind::invalid_input);
  CHECK_THAT(plan.error().message, Catch::Contains("D-EARLY") && Catch::Contains("2026-06-30"));
  SeasonContext no_prices{&terms, {}};
  auto none =
      plan_farmer(no_prices, farmer_input("F1", {delivery("D-OK", "F1", "A", "1.000", "", ymd(2026, 7, 1))}), kAsOf);
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().message, Catch::Contains("D-OK"));
}

TEST_CASE("several loans and lenders: (disbursed_on, loan_id) order, fees then interest then principal",
          "[settlement][loans]") {
  const auto no_interest = product("P0", "0", InterestMethod::declining, DayCount::act_365f, "0");
  auto terms = plain_terms();
  terms.deductions = {loan_repayment("0.25")};
  LoanSpec lb = spec("LB", "BANK2", "100.00", ymd(2026, 2, 1), no_interest);
  lb.fees_outstanding = "2.00";
  LoanSpec la = spec("LA", "BANK1", "100.00", ymd(2026, 2, 1), no_interest);
  la.fees_outstanding = "2.00";
  LoanSpec l0 = spec("L0", "BANK2", "100.00", ymd(2026, 3, 1), no_interest);  // sorts first by id, but later
  l0.fees_outstanding = "2.00";
  l0.interest_outstanding = "10.00";
  // gross 100 kg × 10.00 = 1000.00, cap floor(1000.00 × 0.25) = 250.00; due 102 + 102 + 112 = 316.00
  // LA (BANK1) 102.00 in full, LB (BANK2) 102.00 in full, L0 the 46.00 left: fees 2.00,
  // interest 10.00, principal 34.00, leaving 66.00. BANK1 102.00, BANK2 102.00 + 46.00 = 148.00.
  const auto plan = plan_of(terms, {kg("D1", "100.000")}, {loan_state(l0), loan_state(lb), loan_state(la)});
  REQUIRE(plan.loans.size() == 3);
  CHECK(plan.loans[0].loan.value == "LA");
  CHECK(plan.loans[1].loan.value == "LB");
  CHECK(plan.loans[2].loan.value == "L0");
  CHECK(plan.loans[0].principal_paid_minor == 10000);
  CHECK(plan.loans[1].principal_paid_minor == 10000);
  CHECK(plan.loans[2].fees_paid_minor == 200);
  CHECK(plan.loans[2].interest_paid_minor == 1000);
  CHECK(plan.loans[2].principal_paid_minor == 3400);
  CHECK(plan.loans[2].outstanding_after_minor == 6600);
  const auto& line = plan.deductions.at(0);
  CHECK(line.computed_minor == 25000);
  CHECK(line.taken_minor == 25000);
  REQUIRE(line.payments.size() == 2);
  CHECK(line.payments[0].party.value == "BANK1");
  CHECK(line.payments[0].amount_minor == 10200);
  CHECK(line.payments[1].party.value == "BANK2");
  CHECK(line.payments[1].amount_minor == 14800);
  CHECK(plan.loan_outstanding_after_minor == 6600);
  CHECK(plan.net_payout_minor == 75000);
}

TEST_CASE("fees are paid before interest before principal within one loan", "[settlement][loans]") {
  const auto no_interest = product("P0", "0", InterestMethod::declining, DayCount::act_365f, "0");
  auto terms = plain_terms();
  terms.deductions = {loan_repayment("1")};
  struct Row {
    const char* weight_kg;  // gross at 10.00 per kg
    std::int64_t fees_paid, interest_paid, principal_paid;
  };
  // Owed: fees 3.00, interest 4.00, principal 100.00
  const Row rows[] = {
      {"0.200", 200, 0, 0},      // 2.00: part of the fees
      {"0.500", 300, 200, 0},    // 5.00: the fees, part of the interest
      {"1.000", 300, 400, 300},  // 10.00: fees, interest, 3.00 of principal
  };
  for (const auto& row : rows) {
    INFO(row.weight_kg);
    LoanSpec loan = spec("L1", "BANK1", "100.00", ymd(2026, 2, 1), no_interest);
    loan.fees_outstanding = "3.00";
    loan.interest_outstanding = "4.00";
    const auto plan = plan_of(terms, {kg("D1", row.weight_kg)}, {loan_state(loan)});
    CHECK(plan.loans.at(0).fees_paid_minor == row.fees_paid);
    CHECK(plan.loans.at(0).interest_paid_minor == row.interest_paid);
    CHECK(plan.loans.at(0).principal_paid_minor == row.principal_paid);
    CHECK(plan.net_payout_minor == 0);
  }
}

TEST_CASE("a loan disbursed after as_of takes no part, one disbursed on as_of takes part without interest",
          "[settlement][loans]") {
  const auto loan_product = product("P", "0.18");
  auto terms = plain_terms();
  terms.deductions = {loan_repayment("0.5")};
  LoanSpec later = spec("L-LATER", "BANK1", "500.00", ymd(2026, 9, 1), loan_product);
  later.fees_outstanding = "10.00";
  LoanSpec same_day = spec("L-SAME", "BANK1", "50.00", kAsOf, loan_product);
  same_day.fees_outstanding = "1.00";
  // gross 100.00, cap 50.00; L-SAME owes fee 1.00 + principal 50.00 = 51.00 → 50.00 paid,
  // 1.00 of principal left. L-LATER: not in the plan, not in loan_outstanding_after.
  const auto plan = plan_of(terms, {kg("D1", "10.000")}, {loan_state(later), loan_state(same_day)});
  REQUIRE(plan.loans.size() == 1);
  CHECK(plan.loans[0].loan.value == "L-SAME");
  CHECK(plan.loans[0].interest_charged_minor == 0);
  CHECK(plan.loans[0].fees_paid_minor == 100);
  CHECK(plan.loans[0].principal_paid_minor == 4900);
  CHECK(plan.loan_outstanding_after_minor == 100);
  CHECK(plan.loan_repayment_minor == 5000);
  // Only a later loan: no allocation at all, nothing taken.
  const auto alone = plan_of(terms, {kg("D1", "10.000")}, {loan_state(later)});
  CHECK(alone.loans.empty());
  CHECK(alone.loan_repayment_minor == 0);
  CHECK(alone.loan_outstanding_after_minor == 0);
  CHECK(alone.net_payout_minor == 10000);
}

TEST_CASE("a zero-decimal currency (UGX)", "[settlement][currency]") {
  auto terms = plain_terms("UGX", 0, "1100");
  terms.price.grade_multipliers["A"] = dec("1.05");
  terms.deductions = {levy("CESS", "0.01"), coalition_fee_per_kg("5", shares({{"COAL", "0.5"}, {"SUP1", "0.5"}})),
                      agent_commission("2"), loan_repayment("0.5")};
  LoanSpec loan = spec("L1", "BANK1", "100000", ymd(2026, 5, 23), product("P", "0.2"));
  loan.exponent = 0;
  loan.fees_outstanding = "1000";
  // 123.457 kg × 1100 × 1.05 = 142592.835 → 142593
  // levy 1425.93 → 1426; fee 123.457 × 5 = 617.285 → 617: COAL 308.5 / SUP1 308.5 → the
  // shilling left to COAL (tie, sorts first): 309 / 308; agent 123.457 × 2 = 246.914 → 247
  // interest 2026-05-23 → 2026-08-31 = 100 days: 100000 × 0.2 × 100/365 = 5479.45 → 5479
  // due 1000 + 5479 + 100000 = 106479; cap floor(142593 × 0.5) = 71296 binds:
  // fees 1000, interest 5479, principal 64817, left 35183
  // net 142593 − 1426 − 617 − 247 − 71296 = 69007
  const auto plan = plan_of(terms, {kg("D1", "123.457", "A", "AG1")}, {loan_state(loan)});
  CHECK(plan.gross_minor == 142593);
  CHECK(plan.levy_minor == 1426);
  CHECK(plan.coalition_fee_minor == 617);
  REQUIRE(plan.deductions.at(1).payments.size() == 2);
  CHECK(plan.deductions.at(1).payments[0].amount_minor == 309);
  CHECK(plan.deductions.at(1).payments[1].amount_minor == 308);
  CHECK(plan.agent_commission_minor == 247);
  CHECK(plan.loans.at(0).interest_charged_minor == 5479);
  CHECK(plan.loans.at(0).principal_paid_minor == 64817);
  CHECK(plan.loan_repayment_minor == 71296);
  CHECK(plan.loan_outstanding_after_minor == 35183);
  CHECK(plan.net_payout_minor == 69007);
}

TEST_CASE("two levies each apply in their place and add up in their column", "[settlement][deductions]") {
  auto terms = plain_terms();
  terms.deductions = {levy("CESS", "0.01"), coalition_fee_rate("0.02", shares({{"COAL", "1"}})), levy("TOWN", "0.005"),
                      levy("CESS", "0.001")};
  // gross 1000.00: CESS 10.00, coalition 20.00, TOWN 5.00, CESS 1.00; levy column 16.00
  const auto plan = plan_of(terms, {kg("D1", "100.000")});
  REQUIRE(plan.deductions.size() == 4);
  CHECK(plan.deductions[0].taken_minor == 1000);
  CHECK(plan.deductions[2].waterfall_index == 2);
  CHECK(plan.deductions[2].payments.at(0).party.value == "TOWN");
  CHECK(plan.deductions[2].taken_minor == 500);
  CHECK(plan.deductions[3].payments.at(0).party.value == "CESS");
  CHECK(plan.deductions[3].taken_minor == 100);
  CHECK(plan.levy_minor == 1600);
  CHECK(plan.coalition_fee_minor == 2000);
  CHECK(plan.net_payout_minor == 96400);
}

TEST_CASE("two loan_repayment deductions each take their cap in their place", "[settlement][deductions]") {
  const auto no_interest = product("P0", "0", InterestMethod::declining, DayCount::act_365f, "0");
  auto terms = plain_terms();
  terms.deductions = {loan_repayment("0.10"), levy("CESS", "0.01"), loan_repayment("0.10")};
  // gross 1000.00; loan 300.00: 100.00, levy 10.00, 100.00 more; 100.00 left owing
  const auto plan =
      plan_of(terms, {kg("D1", "100.000")}, {loan_state(spec("L1", "BANK1", "300.00", ymd(2026, 1, 1), no_interest))});
  CHECK(plan.deductions.at(0).taken_minor == 10000);
  CHECK(plan.deductions.at(2).taken_minor == 10000);
  CHECK(plan.loan_repayment_minor == 20000);
  CHECK(plan.loans.at(0).principal_paid_minor == 20000);
  CHECK(plan.loan_outstanding_after_minor == 10000);
  CHECK(plan.net_payout_minor == 79000);
}

TEST_CASE("a deduction is cut short by what remains", "[settlement][deductions]") {
  SECTION("a coalition fee: the shares divide what was taken") {
    auto terms = plain_terms();
    terms.deductions = {levy("CESS", "0.60"),
                        coalition_fee_rate("0.50", shares({{"SUP1", "0.40"}, {"TRN1", "0.35"}, {"COAL", "0.25"}})),
                        agent_commission("1"), loan_repayment("1")};
    // gross 100.00: levy 60.00; fee computed 50.00, takes the 40.00 left: 16.00 / 14.00 / 10.00
    // (of the computed 50.00 it would be 20.00 / 17.50 / 12.50); the agent and loan take 0.
    const auto plan = plan_of(terms, {kg("D1", "10.000", "A", "AG1")},
                              {loan_state(spec("L1", "BANK1", "5.00", ymd(2026, 1, 1), product("P", "0")))});
    const auto& fee = plan.deductions.at(1);
    CHECK(fee.computed_minor == 5000);
    CHECK(fee.taken_minor == 4000);
    REQUIRE(fee.payments.size() == 3);
    CHECK(fee.payments[0].amount_minor == 1000);  // COAL
    CHECK(fee.payments[1].amount_minor == 1600);  // SUP1
    CHECK(fee.payments[2].amount_minor == 1400);  // TRN1
    CHECK(plan.deductions.at(2).computed_minor == 1000);
    CHECK(plan.deductions.at(2).taken_minor == 0);
    CHECK(plan.deductions.at(2).payments.empty());
    CHECK(plan.deductions.at(3).computed_minor == 500);
    CHECK(plan.deductions.at(3).taken_minor == 0);
    CHECK(plan.loans.at(0).outstanding_after_minor == 500);
    CHECK(plan.net_payout_minor == 0);
  }
  SECTION("agent commissions: each agent's min in turn, in agent id order") {
    auto terms = plain_terms();
    terms.deductions = {levy("CESS", "0.90"), agent_commission("1.50")};
    // gross (5 + 5 + 1) kg × 10.00 = 110.00; levy 99.00 leaves 11.00. AG1 (sorts first)
    // 5 × 1.50 = 7.50 in full; AG2 7.50 computed but only 3.50 left; the direct delivery
    // D3 pays no commission. Computed 15.00, taken 11.00.
    const auto plan = plan_of(terms, {kg("D1", "5.000", "A", "AG2"), kg("D2", "5.000", "A", "AG1"), kg("D3", "1.000")});
    const auto& line = plan.deductions.at(1);
    CHECK(plan.gross_minor == 11000);
    CHECK(plan.levy_minor == 9900);
    CHECK(line.computed_minor == 1500);
    CHECK(line.taken_minor == 1100);
    REQUIRE(line.payments.size() == 2);
    CHECK(line.payments[0].party.value == "AG1");
    CHECK(line.payments[0].amount_minor == 750);
    CHECK(line.payments[1].party.value == "AG2");
    CHECK(line.payments[1].amount_minor == 350);
    CHECK(plan.net_payout_minor == 0);
  }
  SECTION("a second levy after the first ones took most") {
    auto terms = plain_terms();
    terms.deductions = {levy("A1", "0.5"), coalition_fee_rate("0.4", shares({{"COAL", "1"}})), levy("A2", "0.2")};
    // gross 1000.00: A1 500.00, coalition 400.00, A2 computed 200.00 takes the 100.00 left
    const auto plan = plan_of(terms, {kg("D1", "100.000")});
    CHECK(plan.deductions.at(2).computed_minor == 20000);
    CHECK(plan.deductions.at(2).taken_minor == 10000);
    CHECK(plan.levy_minor == 60000);
    CHECK(plan.net_payout_minor == 0);
  }
}

TEST_CASE("the loan cap is floor(gross × max_share_of_gross) and can bind", "[settlement][loans]") {
  const auto no_interest = product("P0", "0", InterestMethod::declining, DayCount::act_365f, "0");
  auto terms = plain_terms("KES", 2, "1000.01");
  terms.deductions = {loan_repayment("0.70")};
  // gross 1000.01; 1000.01 × 0.70 = 700.007 → floor 700.00 (rounding would give 700.01);
  // loan 800.00: pays 700.00, 100.00 left
  const auto plan =
      plan_of(terms, {kg("D1", "1.000")}, {loan_state(spec("L1", "BANK1", "800.00", ymd(2026, 1, 1), no_interest))});
  CHECK(plan.deductions.at(0).computed_minor == 70000);
  CHECK(plan.loan_repayment_minor == 70000);
  CHECK(plan.loan_outstanding_after_minor == 10000);
  CHECK(plan.net_payout_minor == 30001);
}

TEST_CASE("net payout can be zero, never negative", "[settlement][deductions]") {
  const auto no_interest = product("P0", "0", InterestMethod::declining, DayCount::act_365f, "0");
  auto terms = plain_terms();
  terms.deductions = {levy("CESS", "0.01"), loan_repayment("1")};
  // gross 1000.00, levy 10.00, loan 5000.00 takes min(cap 1000.00, remaining 990.00) = 990.00
  const auto plan =
      plan_of(terms, {kg("D1", "100.000")}, {loan_state(spec("L1", "BANK1", "5000.00", ymd(2026, 1, 1), no_interest))});
  CHECK(plan.deductions.at(1).computed_minor == 100000);
  CHECK(plan.loan_repayment_minor == 99000);
  CHECK(plan.net_payout_minor == 0);
  CHECK(plan.loan_outstanding_after_minor == 401000);
}

TEST_CASE("interest is charged even when the run collects none of it", "[settlement][loans]") {
  auto terms = plain_terms();
  terms.deductions = {levy("CESS", "1"), loan_repayment("1")};
  // 1000.00 × 0.365 × 10/365 = 10.00 charged; the levy takes everything, the loan nothing
  LoanSpec loan = spec("L1", "BANK1", "1000.00", ymd(2026, 8, 21),
                       product("P", "0.365", InterestMethod::declining, DayCount::act_365f, "0"));
  loan.fees_outstanding = "20.00";
  const auto plan = plan_of(terms, {kg("D1", "1.000")}, {loan_state(loan)});
  CHECK(plan.loans.at(0).interest_charged_minor == 1000);
  CHECK(plan.loan_repayment_minor == 0);
  CHECK(plan.loans.at(0).outstanding_after_minor == 2000 + 1000 + 100000);
  CHECK(plan.loan_outstanding_after_minor == 103000);
}

TEST_CASE("deliveries come out by delivery id, whatever order they go in", "[settlement]") {
  const auto terms = reference_terms();
  const auto forward = plan_of(terms, {kg("D1", "1.000"), kg("D2", "2.000"), kg("D10", "3.000")});
  const auto backward = plan_of(terms, {kg("D10", "3.000"), kg("D2", "2.000"), kg("D1", "1.000")});
  REQUIRE(forward.deliveries.size() == 3);
  CHECK(forward.deliveries[0].delivery.value == "D1");
  CHECK(forward.deliveries[1].delivery.value == "D10");  // byte order
  CHECK(forward.deliveries[2].delivery.value == "D2");
  for (std::size_t i = 0; i < 3; ++i) CHECK(backward.deliveries[i].delivery == forward.deliveries[i].delivery);
  CHECK(backward.gross_minor == forward.gross_minor);
}

TEST_CASE("errors: unknown grade, bad terms", "[settlement][errors]") {
  auto terms = plain_terms();
  SeasonContext context{&terms, {}};
  auto unknown = plan_farmer(context, farmer_input("F1", {kg("D7", "1.000", "Z")}), kAsOf);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind == ErrorKind::invalid_input);
  CHECK_THAT(unknown.error().message, Catch::Contains("D7") && Catch::Contains("'Z'"));

  struct Row {
    const char* name;
    contracts::Deduction deduction;
    const char* message;
  };
  auto both = coalition_fee_rate("0.01", shares({{"COAL", "1"}}));
  both.per_kg = dec("0.10");
  const Row rows[] = {
      {"negative levy", levy("CESS", "-0.01"), "negative"},
      {"shares not summing to 1", coalition_fee_rate("0.01", shares({{"A", "0.5"}, {"B", "0.49"}})), "sum"},
      {"rate and per_kg", both, "exactly one"},
      {"negative cap", loan_repayment("-0.1"), "negative"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    terms.deductions = {row.deduction};
    auto plan = plan_farmer(context, farmer_input("F1", {kg("D1", "1.000")}), kAsOf);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().kind == ErrorKind::invalid_input);
    CHECK_THAT(plan.error().message, Catch::Contains(row.message) && Catch::Contains("deduction 1"));
  }
}

TEST_CASE("amounts beyond int64 are errors, not wrap-arounds", "[settlement][errors]") {
  auto terms = plain_terms("KES", 2, "99999999999");
  SeasonContext context{&terms, {}};
  // 99999999999 × 10^6 kg = 10^17 KES = 10^19 cents > 9.22 × 10^18
  auto plan = plan_farmer(context, farmer_input("F1", {kg("D1", "1000000.000")}), kAsOf);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().kind == ErrorKind::invalid_input);
  CHECK_THAT(plan.error().message, Catch::Contains("D1"));
}

TEST_CASE("origination fee: principal × fee, half-even", "[settlement][loans]") {
  struct Row {
    const char* principal;
    const char* fee;
    std::int64_t fee_minor;
  };
  const Row rows[] = {
      {"15000.00", "0.02", 30000}, {"1.50", "0.01", 2},  // 1.5 cents → 2
      {"2.50", "0.01", 2},                               // 2.5 → 2
      {"2.51", "0.01", 3},                               // 2.51 → 3
      {"100.00", "0", 0},
  };
  for (const auto& row : rows) {
    INFO(row.principal << " × " << row.fee);
    const auto state = loan_state(spec("L1", "BANK1", row.principal, ymd(2026, 1, 1),
                                       product("P", "0.1", InterestMethod::declining, DayCount::act_365f, row.fee)));
    auto fee = origination_fee_minor(state.loan, state.product);
    REQUIRE(fee.ok());
    CHECK(*fee == row.fee_minor);
  }
}

TEST_CASE("UnitPrice prints rounded half-even for display", "[settlement]") {
  CHECK(UnitPrice{BigInt(40425), 3}.to_string(2) == "40.42");  // 40.425 → 40.42
  CHECK(UnitPrice{BigInt(40435), 3}.to_string(2) == "40.44");
  CHECK(UnitPrice{BigInt(5), 3}.to_string(2) == "0.00");
  CHECK(UnitPrice{BigInt(15), 3}.to_string(2) == "0.02");
  CHECK(UnitPrice{BigInt(1234), 2}.to_string(0) == "12");
  CHECK(UnitPrice{BigInt(7), 0}.to_string(3) == "7.000");
}

}  // namespace tripartite::settlement::test
