// The reference season 2026A (fixtures/reference): runs 1 and 2 settled farmer by farmer must
// reproduce the hand-computed expected/run{1,2}-settlement.csv column by column, and the
// payments of every plan must add up to expected/run{1,2}-remittances.csv and -payouts.csv.
//
// The inputs are written in code (builders.hpp) from the season folder's files; the expected
// values are written out below with their arithmetic, and are also read from the fixture
// files, so that the code, the comments and the files must all agree.
#include <catch2/catch.hpp>

#include "contracts/importer.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "builders.hpp"

namespace tripartite::settlement::test {
namespace {

using contracts::Role;

std::vector<std::vector<std::string>> read_csv(const std::string& relative) {
  std::ifstream in(std::string(TRIPARTITE_SOURCE_DIR) + "/fixtures/reference/expected/" + relative);
  if (!in) throw std::runtime_error("cannot open fixture " + relative);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);  // the fixtures quote nothing
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

std::vector<std::string> settlement_columns(const std::string& run_id, const FarmerPlan& plan) {
  return {run_id,
          plan.farmer.value,
          money_string(plan.gross_minor),
          money_string(plan.levy_minor),
          money_string(plan.coalition_fee_minor),
          money_string(plan.agent_commission_minor),
          money_string(plan.loan_repayment_minor),
          money_string(plan.net_payout_minor),
          money_string(plan.loan_outstanding_after_minor)};
}

const contracts::LoanProduct& input_product(const contracts::SeasonTerms& terms) { return terms.loan_products.at(0); }

LoanState fresh_loan(const contracts::SeasonTerms& terms, const std::string& id, const std::string& farmer,
                     const std::string& principal, const Date& disbursed_on) {
  LoanState state = loan_state(LoanSpec{id, farmer, "BANK1", principal, disbursed_on, input_product(terms)});
  state.loan.due_on = ymd(2026, 9, 30);
  // The origination fee is charged at disbursement and is still unpaid at the first run.
  auto fee = origination_fee_minor(state.loan, state.product);
  REQUIRE(fee.ok());
  state.fees_outstanding_minor = *fee;
  return state;
}

struct Run {
  std::string run_id;
  Date as_of;
  std::vector<FarmerInput> farmers;
};

Run run1(const contracts::SeasonTerms& terms) {
  return Run{"2026A-R1",
             ymd(2026, 8, 31),
             {farmer_input("F001",
                           {delivery("D1", "F001", "A", "500.000", "13.0", ymd(2026, 7, 10), "AG1"),
                            delivery("D2", "F001", "B", "300.000", "15.0", ymd(2026, 7, 20))},
                           {fresh_loan(terms, "L001", "F001", "15000.00", ymd(2026, 3, 1))}),
              farmer_input("F002", {delivery("D3", "F002", "C", "250.000", "14.2", ymd(2026, 7, 15), "AG2")},
                           {fresh_loan(terms, "L002", "F002", "12000.00", ymd(2026, 3, 5))}),
              farmer_input("F003", {delivery("D4", "F003", "A", "1200.500", "12.0", ymd(2026, 7, 25), "AG1")})}};
}

Run run2(const contracts::SeasonTerms& terms) {
  // What run 1 left of L002: principal 12000.00 − 4715.39 = 7284.61, fees and interest paid.
  LoanSpec l002{"L002", "F002", "BANK1", "12000.00", ymd(2026, 3, 5), input_product(terms)};
  l002.principal_outstanding = "7284.61";
  l002.last_settled_as_of = ymd(2026, 8, 31);
  return Run{"2026A-R2",
             ymd(2026, 10, 31),
             {farmer_input("F002", {delivery("D5", "F002", "B", "600.000", "13.5", ymd(2026, 10, 5), "AG2")},
                           {loan_state(l002)})}};
}

std::map<std::string, FarmerPlan> settle(const contracts::SeasonTerms& terms, const Run& run) {
  SeasonContext context{&terms, {}};
  std::map<std::string, FarmerPlan> plans;
  for (const auto& input : run.farmers) plans.emplace(input.farmer.value, plan_or_throw(context, input, run.as_of));
  return plans;
}

struct ExpectedRow {
  const char* farmer;
  const char* gross;
  const char* levy;
  const char* coalition_fee;
  const char* agent_commission;
  const char* loan_repayment;
  const char* net_payout;
  const char* loan_outstanding_after;
};

}  // namespace

TEST_CASE("reference run 1 reproduces run1-settlement.csv, per farmer and per column", "[settlement][reference]") {
  const auto terms = reference_terms();
  const Run run = run1(terms);
  const auto plans = settle(terms, run);

  // F001  D1 500.000 kg, 13.0 <= 13.5: no shrink; 500 × 38.50 × 1.05 = 20212.50
  //       D2 300 × 85/86.5 = 294.797687… → 294.798 kg; × 38.50 × 1.00 = 11349.723 → 11349.72
  //       gross 31562.22; levy 315.6222 → 315.62; fee 631.2444 → 631.24; AG1 500 × 0.50 = 250.00
  //       L001 fee 300.00 + interest 15000 × 0.18 × 183/365 = 1353.698… → 1353.70 + 15000.00
  //       = 16653.70 <= cap floor(31562.22 × 0.70) = 22093.55, <= remaining 30365.36: paid in full
  //       net 31562.22 − 315.62 − 631.24 − 250.00 − 16653.70 = 13711.66
  // F002  D3 250 × 85.8/86.5 = 247.976878… → 247.977 kg; × 38.50 × 0.90 = 8592.40305 → 8592.40
  //       levy 85.924 → 85.92; fee 171.848 → 171.85; AG2 247.977 × 0.50 = 123.9885 → 123.99
  //       L002 fee 240.00 + interest 12000 × 0.18 × 179/365 = 1059.287… → 1059.29 + 12000.00
  //       cap floor(8592.40 × 0.70) = floor(6014.68) binds: fee 240.00, interest 1059.29,
  //       principal 6014.68 − 1299.29 = 4715.39; left 12000.00 − 4715.39 = 7284.61
  //       net 8592.40 − 85.92 − 171.85 − 123.99 − 6014.68 = 2195.96
  // F003  D4 1200.500 kg, 12.0: no shrink; × 38.50 × 1.05 = 48530.2125 → 48530.21
  //       levy 485.3021 → 485.30; fee 970.6042 → 970.60; AG1 1200.5 × 0.50 = 600.25; no loan
  //       net 48530.21 − 485.30 − 970.60 − 600.25 = 46474.06
  const ExpectedRow expected[] = {
      {"F001", "31562.22", "315.62", "631.24", "250.00", "16653.70", "13711.66", "0.00"},
      {"F002", "8592.40", "85.92", "171.85", "123.99", "6014.68", "2195.96", "7284.61"},
      {"F003", "48530.21", "485.30", "970.60", "600.25", "0.00", "46474.06", "0.00"},
  };
  const auto file = read_csv("run1-settlement.csv");
  REQUIRE(file.size() == 1 + std::size(expected));
  REQUIRE(file[0] == std::vector<std::string>{"run_id", "farmer_id", "gross", "levy", "coalition_fee",
                                              "agent_commission", "loan_repayment", "net_payout",
                                              "loan_outstanding_after"});
  REQUIRE(plans.size() == std::size(expected));
  std::size_t row = 1;
  for (const auto& want : expected) {
    INFO("farmer " << want.farmer);
    const FarmerPlan& plan = plans.at(want.farmer);
    const std::vector<std::string> from_comments{run.run_id,          want.farmer,        want.gross,
                                                 want.levy,           want.coalition_fee, want.agent_commission,
                                                 want.loan_repayment, want.net_payout,    want.loan_outstanding_after};
    const auto got = settlement_columns(run.run_id, plan);
    for (std::size_t column = 0; column < got.size(); ++column) {
      INFO("column " << file[0][column]);
      CHECK(got[column] == from_comments[column]);
      CHECK(got[column] == file[row][column]);
    }
    ++row;
  }
}

TEST_CASE("reference run 1: delivery lines, fee split and loan allocations", "[settlement][reference]") {
  const auto terms = reference_terms();
  const auto plans = settle(terms, run1(terms));

  const auto& f001 = plans.at("F001");
  REQUIRE(f001.deliveries.size() == 2);
  CHECK(f001.deliveries[0].delivery.value == "D1");
  CHECK(f001.deliveries[0].payable.grams == 500000);
  CHECK(f001.deliveries[0].unit_price.to_string(4) == "40.4250");  // 38.50 × 1.05
  CHECK(f001.deliveries[0].value_minor == 2021250);
  CHECK(f001.deliveries[1].payable.grams == 294798);
  CHECK(f001.deliveries[1].value_minor == 1134972);
  CHECK(f001.weight_total.grams == 800000);
  CHECK(f001.payable_total.grams == 794798);
  // Fee split of 631.24 in cents, 63124: SUP1 25249.6, TRN1 22093.4, COAL 15781.0; the cent
  // left after the floors goes to the largest remainder, SUP1. Payments in party id order.
  const auto& fee = f001.deductions.at(1);
  REQUIRE(fee.kind == DeductionKind::coalition_fee);
  REQUIRE(fee.payments.size() == 3);
  CHECK(fee.payments[0].party.value == "COAL");
  CHECK(fee.payments[0].amount_minor == 15781);
  CHECK(fee.payments[1].party.value == "SUP1");
  CHECK(fee.payments[1].amount_minor == 25250);
  CHECK(fee.payments[2].party.value == "TRN1");
  CHECK(fee.payments[2].amount_minor == 22093);
  REQUIRE(f001.loans.size() == 1);
  CHECK(f001.loans[0].interest_from == ymd(2026, 3, 1));
  CHECK(f001.loans[0].interest_charged_minor == 135370);
  CHECK(f001.loans[0].fees_paid_minor == 30000);
  CHECK(f001.loans[0].interest_paid_minor == 135370);
  CHECK(f001.loans[0].principal_paid_minor == 1500000);
  CHECK(f001.loans[0].outstanding_after_minor == 0);

  const auto& f002 = plans.at("F002");
  CHECK(f002.deliveries.at(0).payable.grams == 247977);
  CHECK(f002.deliveries.at(0).unit_price.to_string(2) == "34.65");  // 38.50 × 0.90
  REQUIRE(f002.loans.size() == 1);
  const auto& l002 = f002.loans[0];
  CHECK(l002.interest_charged_minor == 105929);
  CHECK(l002.fees_due_minor == 24000);
  CHECK(l002.interest_due_minor == 105929);
  CHECK(l002.principal_due_minor == 1200000);
  CHECK(l002.fees_paid_minor == 24000);
  CHECK(l002.interest_paid_minor == 105929);
  CHECK(l002.principal_paid_minor == 471539);
  CHECK(l002.outstanding_after_minor == 728461);
  const auto& repayment = f002.deductions.at(3);
  CHECK(repayment.computed_minor == 601468);  // min(cap 6014.68, due 13299.29)
  CHECK(repayment.taken_minor == 601468);

  CHECK(plans.at("F003").loans.empty());
}

TEST_CASE("reference run 2 reproduces run2-settlement.csv", "[settlement][reference]") {
  const auto terms = reference_terms();
  const Run run = run2(terms);
  const auto plans = settle(terms, run);
  // F002  D5 600.000 kg at 13.5 = target: no shrink; 600 × 38.50 × 1.00 = 23100.00
  //       levy 231.00; fee 462.00; AG2 600 × 0.50 = 300.00
  //       L002 interest from 2026-08-31 to 2026-10-31 (61 days): 7284.61 × 0.18 × 61/365
  //       = 219.137… → 219.14; due 219.14 + 7284.61 = 7503.75 <= cap 16170.00: paid in full
  //       net 23100.00 − 231.00 − 462.00 − 300.00 − 7503.75 = 14603.25
  const ExpectedRow expected[] = {{"F002", "23100.00", "231.00", "462.00", "300.00", "7503.75", "14603.25", "0.00"}};
  const auto file = read_csv("run2-settlement.csv");
  REQUIRE(file.size() == 2);
  REQUIRE(plans.size() == 1);
  const auto& want = expected[0];
  const std::vector<std::string> from_comments{run.run_id,          want.farmer,        want.gross,
                                               want.levy,           want.coalition_fee, want.agent_commission,
                                               want.loan_repayment, want.net_payout,    want.loan_outstanding_after};
  const auto got = settlement_columns(run.run_id, plans.at("F002"));
  for (std::size_t column = 0; column < got.size(); ++column) {
    INFO("column " << file[0][column]);
    CHECK(got[column] == from_comments[column]);
    CHECK(got[column] == file[1][column]);
  }
  const auto& l002 = plans.at("F002").loans.at(0);
  CHECK(l002.interest_from == ymd(2026, 8, 31));
  CHECK(l002.interest_charged_minor == 21914);
  CHECK(l002.principal_paid_minor == 728461);
}

TEST_CASE("reference runs: payments add up to the expected remittances and payouts", "[settlement][reference]") {
  const auto terms = reference_terms();
  for (const auto& [run, name] :
       {std::pair{run1(terms), std::string("run1")}, std::pair{run2(terms), std::string("run2")}}) {
    INFO(name);
    const auto plans = settle(terms, run);
    std::map<std::string, std::int64_t> owed;
    for (const auto& [farmer, plan] : plans) {
      for (const auto& line : plan.deductions) {
        for (const auto& payment : line.payments) owed[payment.party.value] += payment.amount_minor;
      }
    }
    std::map<std::string, Role> roles;
    for (const auto& p : terms.parties) roles[p.id.value] = p.role;
    const auto remittances = read_csv(name + "-remittances.csv");
    REQUIRE(remittances.size() == owed.size() + 1);
    std::size_t row = 1;
    for (const auto& [party_id, amount] : owed) {
      INFO("party " << party_id);
      CHECK(remittances[row] == std::vector<std::string>{party_id,
                                                         std::string(contracts::to_string(roles.at(party_id))),
                                                         money_string(amount), "KES"});
      ++row;
    }
    const auto payouts = read_csv(name + "-payouts.csv");
    row = 1;
    for (const auto& [farmer, plan] : plans) {
      if (plan.net_payout_minor == 0) continue;
      REQUIRE(row < payouts.size());
      CHECK(payouts[row][0] == farmer);
      CHECK(payouts[row][3] == money_string(plan.net_payout_minor));
      CHECK(payouts[row][5] == run.run_id + "-" + farmer);
      ++row;
    }
    CHECK(row == payouts.size());
  }
}

TEST_CASE("reference loans: fees and interest of the loan report", "[settlement][reference]") {
  // loans-2026-08-31.csv / loans-2026-10-31.csv: L004 (F004, no deliveries, never settled)
  // 5000 × 0.18 × 174/365 = 429.041… → 429.04 to 2026-08-31; × 235/365 = 579.452… → 579.45
  // to 2026-10-31. Origination fees 2%: 300.00, 240.00, 100.00.
  const auto terms = reference_terms();
  const LoanState l004 = fresh_loan(terms, "L004", "F004", "5000.00", ymd(2026, 3, 10));
  CHECK(l004.fees_outstanding_minor == 10000);
  auto to_august = accrued_interest_minor(l004, ymd(2026, 8, 31));
  auto to_october = accrued_interest_minor(l004, ymd(2026, 10, 31));
  REQUIRE(to_august.ok());
  REQUIRE(to_october.ok());
  CHECK(*to_august == 42904);
  CHECK(*to_october == 57945);
  CHECK(fresh_loan(terms, "L001", "F001", "15000.00", ymd(2026, 3, 1)).fees_outstanding_minor == 30000);
  CHECK(fresh_loan(terms, "L002", "F002", "12000.00", ymd(2026, 3, 5)).fees_outstanding_minor == 24000);
}

}  // namespace tripartite::settlement::test
