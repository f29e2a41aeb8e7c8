// Settlement plans and loan disbursements as balanced journal entries. See posting.hpp.
//
// Invariants: the posting order below is part of the ledger's permanent record; changing it
// changes every future entry's bytes. Each entry is asserted balanced before it is returned.
#include "settlement/posting.hpp"

#include <cstdio>

namespace tripartite::settlement {
namespace {

using ledger::JournalEntry;
using ledger::Posting;

// Appends a posting unless its amount is zero.
void post(JournalEntry& entry, std::string account, const std::string& asset, std::int64_t amount, std::string tag) {
  if (amount == 0) return;
  entry.postings.push_back(Posting{std::move(account), asset, amount, std::move(tag)});
}

const contracts::PartyId& offtaker_of(const contracts::SeasonTerms& terms) {
  for (const auto& party : terms.parties) {
    if (party.role == contracts::Role::offtaker) return party.id;
  }
  TRIPARTITE_ASSERT(false && "season terms without an offtaker party");
  return terms.parties.front().id;
}

void assert_balanced(const JournalEntry& entry) {
  const Status balanced = ledger::check_balanced(entry);
  if (!balanced.ok()) std::fprintf(stderr, "tripartite: %s\n", balanced.error().message.c_str());
  TRIPARTITE_ASSERT(balanced.ok());
}

}  // namespace

ledger::JournalEntry plan_to_entry(const FarmerPlan& plan, const contracts::SeasonTerms& terms,
                                   const std::string& run_id, const Date& as_of) {
  const std::string& money = terms.currency.code;
  const std::string kg = "kg:" + terms.commodity;
  const std::string& farmer = plan.farmer.value;
  const std::string offtaker = "offtaker:" + offtaker_of(terms).value;
  JournalEntry entry;
  entry.id = run_id + "-" + farmer;
  entry.date = contracts::format_date(as_of);
  entry.memo = "settlement " + run_id + " " + farmer;
  entry.refs = {{"farmer", farmer}, {"run", run_id}, {"season", terms.id.value}};

  for (const auto& loan : plan.loans) {
    const std::int64_t interest = loan.interest_charged_minor;
    post(entry, "loan:" + loan.loan.value + ":interest", money, interest, "interest_charged");
    post(entry, "lender:" + loan.lender.value + ":interest_income", money, -interest, "interest_charged");
  }
  post(entry, offtaker + ":purchases", money, plan.gross_minor, "gross");
  for (const auto& line : plan.deductions) {
    const std::string tag(contracts::to_string(line.kind));
    for (const auto& payment : line.payments) {
      post(entry, "payable:" + payment.party.value, money, -payment.amount_minor, tag);
    }
  }
  for (const auto& loan : plan.loans) {
    const std::string account = "loan:" + loan.loan.value;
    post(entry, account + ":fees", money, -loan.fees_paid_minor, "fees_paid");
    post(entry, account + ":interest", money, -loan.interest_paid_minor, "interest_paid");
    post(entry, account + ":principal", money, -loan.principal_paid_minor, "principal_paid");
    post(entry, "lender:" + loan.lender.value + ":funds", money,
         loan.fees_paid_minor + loan.interest_paid_minor + loan.principal_paid_minor, "repayment");
  }
  post(entry, "farmer:" + farmer + ":payout", money, -plan.net_payout_minor, "net_payout");

  post(entry, "farmer:" + farmer + ":produce", kg, -plan.weight_total.grams, "delivered");
  post(entry, offtaker + ":stock", kg, plan.payable_total.grams, "payable");
  post(entry, offtaker + ":shrink", kg, plan.weight_total.grams - plan.payable_total.grams, "shrink");
  assert_balanced(entry);
  return entry;
}

std::optional<LoanAccount> parse_loan_account(const std::string& account) {
  if (account.rfind("loan:", 0) != 0) return std::nullopt;
  auto last = account.rfind(':');
  if (last <= 5) return std::nullopt;
  return LoanAccount{account.substr(5, last - 5), account.substr(last + 1)};
}

}  // namespace tripartite::settlement
