// plan_to_entry and contracts::disbursement_entry: the exact postings, in their fixed order, for
// plans worked by hand (the reference season's F002 and F003 in run 1), zero amounts left
// out, and every entry balanced.
#include <catch2/catch.hpp>

#include "contracts/importer.hpp"

#include "builders.hpp"
#include "settlement/posting.hpp"

namespace tripartite::settlement::test {
namespace {

using ledger::Posting;

FarmerPlan reference_plan(const contracts::SeasonTerms& terms, FarmerInput input) {
  SeasonContext context{&terms, {}};
  return plan_or_throw(context, input, ymd(2026, 8, 31));
}

}  // namespace

TEST_CASE("plan_to_entry: reference F002, run 1, posting by posting", "[settlement][posting]") {
  const auto terms = reference_terms();
  LoanSpec l002_spec{"L002", "F002", "BANK1", "12000.00", ymd(2026, 3, 5), terms.loan_products.at(0)};
  l002_spec.fees_outstanding = "240.00";
  const LoanState l002 = loan_state(l002_spec);
  const auto plan = reference_plan(
      terms, farmer_input("F002", {delivery("D3", "F002", "C", "250.000", "14.2", ymd(2026, 7, 15), "AG2")}, {l002}));
  const auto entry = plan_to_entry(plan, terms, "2026A-R1", ymd(2026, 8, 31));
  CHECK(entry.id == "2026A-R1-F002");
  CHECK(entry.date == "2026-08-31");
  CHECK(entry.memo == "settlement 2026A-R1 F002");
  CHECK(entry.refs == std::map<std::string, std::string>{{"farmer", "F002"}, {"run", "2026A-R1"}, {"season", "2026A"}});
  // Coalition fee 171.85 = 17185 cents: SUP1 6874.0, TRN1 6014.75, COAL 4296.25 → floors
  // 6874 + 6014 + 4296 = 17184, the cent left to TRN1 (remainder 0.75). Loan: fee 240.00,
  // interest 1059.29, principal 4715.39 = 6014.68. Shrink 250.000 − 247.977 = 2.023 kg.
  const std::vector<Posting> expected{
      {"loan:L002:interest", "KES", 105929, "interest_charged"},
      {"lender:BANK1:interest_income", "KES", -105929, "interest_charged"},
      {"offtaker:OT1:purchases", "KES", 859240, "gross"},
      {"payable:CESS", "KES", -8592, "levy"},
      {"payable:COAL", "KES", -4296, "coalition_fee"},
      {"payable:SUP1", "KES", -6874, "coalition_fee"},
      {"payable:TRN1", "KES", -6015, "coalition_fee"},
      {"payable:AG2", "KES", -12399, "agent_commission"},
      {"payable:BANK1", "KES", -601468, "loan_repayment"},
      {"loan:L002:fees", "KES", -24000, "fees_paid"},
      {"loan:L002:interest", "KES", -105929, "interest_paid"},
      {"loan:L002:principal", "KES", -471539, "principal_paid"},
      {"lender:BANK1:funds", "KES", 601468, "repayment"},
      {"farmer:F002:payout", "KES", -219596, "net_payout"},
      {"farmer:F002:produce", "kg:maize", -250000, "delivered"},
      {"offtaker:OT1:stock", "kg:maize", 247977, "payable"},
      {"offtaker:OT1:shrink", "kg:maize", 2023, "shrink"},
  };
  REQUIRE(entry.postings.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("posting " << i);
    CHECK(entry.postings[i] == expected[i]);
  }
  CHECK(ledger::check_balanced(entry).ok());
}

TEST_CASE("plan_to_entry leaves zero amounts out", "[settlement][posting]") {
  const auto terms = reference_terms();
  // F003: no loan, 12.0 <= 13.5 so no shrink.
  const auto plan = reference_plan(
      terms, farmer_input("F003", {delivery("D4", "F003", "A", "1200.500", "12.0", ymd(2026, 7, 25), "AG1")}));
  const auto entry = plan_to_entry(plan, terms, "2026A-R1", ymd(2026, 8, 31));
  const std::vector<Posting> expected{
      {"offtaker:OT1:purchases", "KES", 4853021, "gross"},
      {"payable:CESS", "KES", -48530, "levy"},
      {"payable:COAL", "KES", -24265, "coalition_fee"},  // 97060 × 0.25
      {"payable:SUP1", "KES", -38824, "coalition_fee"},  // 97060 × 0.40
      {"payable:TRN1", "KES", -33971, "coalition_fee"},  // 97060 × 0.35
      {"payable:AG1", "KES", -60025, "agent_commission"},
      {"farmer:F003:payout", "KES", -4647406, "net_payout"},
      {"farmer:F003:produce", "kg:maize", -1200500, "delivered"},
      {"offtaker:OT1:stock", "kg:maize", 1200500, "payable"},
  };
  CHECK(entry.postings == expected);
  for (const auto& posting : entry.postings) CHECK(posting.amount != 0);
}

TEST_CASE("plan_to_entry: a loan charged interest but paid nothing, and a zero net payout", "[settlement][posting]") {
  auto terms = plain_terms();
  terms.deductions = {levy("CESS", "1"), loan_repayment("1")};
  LoanSpec loan{"L1",
                "F1",
                "BANK9",
                "1000.00",
                ymd(2026, 8, 31),
                product("P", "0.365", contracts::InterestMethod::declining, contracts::DayCount::act_365f, "0")};
  SeasonContext context{&terms, {}};
  const auto plan = plan_or_throw(
      context, farmer_input("F1", {delivery("D1", "F1", "A", "1.000", "", ymd(2026, 8, 1))}, {loan_state(loan)}),
      ymd(2026, 9, 10));
  const auto entry = plan_to_entry(plan, terms, "S1-R3", ymd(2026, 9, 10));
  // 10.00 of interest charged (1000.00 × 0.365 × 10/365); the levy takes the whole 10.00 gross.
  const std::vector<Posting> expected{
      {"loan:L1:interest", "KES", 1000, "interest_charged"},
      {"lender:BANK9:interest_income", "KES", -1000, "interest_charged"},
      {"offtaker:OT:purchases", "KES", 1000, "gross"},
      {"payable:CESS", "KES", -1000, "levy"},
      {"farmer:F1:produce", "kg:coffee", -1000, "delivered"},
      {"offtaker:OT:stock", "kg:coffee", 1000, "payable"},
  };
  CHECK(entry.postings == expected);
  CHECK(entry.id == "S1-R3-F1");
  CHECK(entry.date == "2026-09-10");
  CHECK(entry.memo == "settlement S1-R3 F1");
  CHECK(entry.refs.at("season") == "S1");
}

TEST_CASE("disbursement_entry", "[settlement][posting]") {
  const auto terms = reference_terms();
  const LoanState l001 =
      loan_state(LoanSpec{"L001", "F001", "BANK1", "15000.00", ymd(2026, 3, 1), terms.loan_products.at(0)});
  const auto entry = contracts::disbursement_entry(l001.loan, l001.product, terms.id, terms.currency).value();
  CHECK(entry.id == "disburse-L001");
  CHECK(entry.date == "2026-03-01");
  CHECK(entry.refs == std::map<std::string, std::string>{{"farmer", "F001"}, {"loan", "L001"}, {"season", terms.id.value}});
  const std::vector<Posting> expected{
      {"loan:L001:principal", "KES", 1500000, "disbursed"},
      {"lender:BANK1:funds", "KES", -1500000, "disbursed"},
      {"loan:L001:fees", "KES", 30000, "fee_charged"},  // 15000.00 × 0.02
      {"lender:BANK1:fee_income", "KES", -30000, "fee_charged"},
  };
  CHECK(entry.postings == expected);
  CHECK(ledger::check_balanced(entry).ok());

  // No fee: two postings. A half-even fee: 2.50 × 0.01 = 2.5 cents → 2.
  const LoanState no_fee =
      loan_state(LoanSpec{"L9", "F9", "MFI", "80.00", ymd(2026, 4, 2),
                          product("P", "0.1", contracts::InterestMethod::flat, contracts::DayCount::act_360, "0")});
  const auto plain = contracts::disbursement_entry(no_fee.loan, no_fee.product, terms.id, ledger::Currency{"USD", 2}).value();
  CHECK(plain.postings == std::vector<Posting>{{"loan:L9:principal", "USD", 8000, "disbursed"},
                                               {"lender:MFI:funds", "USD", -8000, "disbursed"}});
  const LoanState tie =
      loan_state(LoanSpec{"L8", "F9", "MFI", "2.50", ymd(2026, 4, 2),
                          product("P", "0.1", contracts::InterestMethod::flat, contracts::DayCount::act_360, "0.01")});
  const auto tie_entry = contracts::disbursement_entry(tie.loan, tie.product, terms.id, ledger::Currency{"USD", 2}).value();
  REQUIRE(tie_entry.postings.size() == 4);
  CHECK(tie_entry.postings[2].amount == 2);
}

}  // namespace tripartite::settlement::test
