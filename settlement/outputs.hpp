// What a settlement run and the loan book look like to the people who use them (SPEC §6):
// settlement.csv, payouts.csv, remittances.csv, and the point-in-time loan report.
//
// Invariants: amounts are printed with exactly the currency's decimals; rows are sorted by
// farmer id, party id or loan id (byte order); a farmer in a run always has a settlement
// row, a zero net payout gets no payout row, a party owed nothing gets no remittance row.
// Files are written to temporary names and renamed into place only when complete.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "ledger/store.hpp"
#include "settlement/engine.hpp"

namespace tripartite::settlement {

// Totals of a run, per column and per recipient, built up farmer by farmer.
struct RunTotals {
  std::int64_t farmers = 0;
  std::int64_t deliveries = 0;
  ledger::Grams weight;
  ledger::Grams payable;
  std::int64_t gross = 0;
  std::int64_t levy = 0;
  std::int64_t coalition_fee = 0;
  std::int64_t agent_commission = 0;
  std::int64_t loan_repayment = 0;
  std::int64_t net_payout = 0;
  std::int64_t loans_repaid = 0;     // loans fully repaid by this run
  std::int64_t loans_partly = 0;     // paid something, still owing
  std::int64_t loans_untouched = 0;  // paid nothing
  std::map<std::string, std::int64_t> remittances;  // party id -> amount owed by the off-taker
  // Fails (invalid_input) when a total would pass what a 64-bit amount holds.
  Status add(const FarmerPlan& plan);
};

// The three files of a run, streamed farmer by farmer into DIR.
class RunFiles {
 public:
  static Result<std::unique_ptr<RunFiles>> open(const std::string& directory, const std::string& run_id,
                                                const contracts::SeasonTerms& terms);
  ~RunFiles();
  Status add(const FarmerPlan& plan, const contracts::Farmer& farmer);
  // Writes remittances.csv and renames the three files into place.
  Status finish(const RunTotals& totals);

 private:
  RunFiles() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct LoanReportRow {
  std::string loan_id;
  std::string farmer_id;
  std::string lender_id;
  int exponent = 2;
  std::int64_t principal = 0;
  std::int64_t fees_charged = 0;
  std::int64_t interest_accrued = 0;
  std::int64_t repaid_fees = 0;
  std::int64_t repaid_interest = 0;
  std::int64_t repaid_principal = 0;
  std::int64_t outstanding = 0;
  std::string status;  // open | repaid | arrears
  std::string due_on;
  std::int64_t days_past_due = 0;
};

// The loan book as of a date (SPEC §6): loans disbursed on or before it, runs dated on or
// before it, plus interest accrued since the last run (or disbursement), rounded once.
Result<std::vector<LoanReportRow>> loan_report(ledger::Store& store, const Date& as_of,
                                               const std::optional<std::string>& lender);

std::string loan_report_csv(const std::vector<LoanReportRow>& rows);

extern const char* const kLoanReportHeader;

}  // namespace tripartite::settlement
