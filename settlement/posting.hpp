// The second, small step of settlement: plans and loan disbursements as journal entries.
//
// Invariants: pure, like the engine. Every entry returned is balanced per asset (the
// season's currency code for money, "kg:<commodity>" for grams) and has passed
// ledger::check_balanced (asserted). Postings come in one fixed order and zero amounts are
// never posted, so the same plan always gives the same bytes — what `verify --replay`
// compares. Chart of accounts (debit positive, credit negative):
//   loan:<L>:principal|interest|fees     what the farmer owes on loan L
//   lender:<B>:funds|interest_income|fee_income
//   offtaker:<OT>:purchases|stock|shrink
//   payable:<party>                      what the off-taker owes a party after a run
//   farmer:<F>:payout|produce
#pragma once

#include <optional>
#include <string>

#include "contracts/model.hpp"
#include "ledger/journal.hpp"
#include "settlement/engine.hpp"

namespace tripartite::settlement {

// One balanced entry for one farmer's plan: id "<run_id>-<farmer>", dated as_of, memo
// "settlement <run_id> <farmer>", refs {farmer, run, season}. Postings, in this order:
// interest charged per loan; offtaker purchases (+gross); one credit to payable:<party>
// per payment of each deduction line, in waterfall order (tag = deduction kind); per loan
// paid, its fees / interest / principal credited and the lender's funds debited; the
// farmer's payout (−net); and in kg the farmer's produce (−weight), the off-taker's stock
// (+payable) and shrink (+weight − payable).
// REQUIRES: terms has an offtaker party; plan comes from plan_farmer with these terms.
ledger::JournalEntry plan_to_entry(const FarmerPlan& plan, const contracts::SeasonTerms& terms,
                                   const std::string& run_id, const Date& as_of);


// A loan account of the chart (docs/ledger.md): "loan:<id>:<part>", part principal | fees |
// interest. Nothing for any other account.
struct LoanAccount {
  std::string loan_id;
  std::string part;
};
std::optional<LoanAccount> parse_loan_account(const std::string& account);

}  // namespace tripartite::settlement
