// Remittance reconciliation for a lender (`tripartite reconcile`): what the ledger says the
// off-taker owes a lender per settlement run, against the transfers on the lender's bank
// statement, run by run.
//
// Expected, per run: −Σ of the run's `payable:<lender>` postings tagged `loan_repayment`
// (exactly the lender's row of that run's remittances.csv), with the loans of that lender the
// run repaid and how much of each went to fees, interest and principal (the `*_paid`
// postings on `loan:<L>:*`). Received, per run: the sum of the statement's transfers whose
// reference is the run id and whose currency is the run's currency.
//
// Invariants: `reconcile` is pure (no I/O); every run with an expected amount appears once,
// with status matched (received == expected), short (0 < received < expected), over
// (received > expected) or missing (no transfer); every statement row is either counted in
// exactly one run or listed once as unexpected (its reference is no run of this lender, or
// its currency is not the run's). Runs are sorted by run id, unexpected rows by line;
// amounts are integers of the currency's minor unit, never floating point. Totals are per
// currency and add up the rows above them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "contracts/records.hpp"
#include "ledger/result.hpp"
#include "ledger/store.hpp"

namespace tripartite::settlement {

// How much of one loan a run repaid.
struct LoanRepayment {
  std::string loan_id;
  std::string farmer_id;
  std::int64_t fees_paid_minor = 0;
  std::int64_t interest_paid_minor = 0;
  std::int64_t principal_paid_minor = 0;
  std::int64_t total_minor() const { return fees_paid_minor + interest_paid_minor + principal_paid_minor; }
};

// What the off-taker owes the lender for one run, from the ledger.
struct ExpectedRemittance {
  std::string run_id;
  std::string season;
  std::string as_of;  // YYYY-MM-DD
  contracts::Currency currency;
  std::int64_t amount_minor = 0;
  std::vector<LoanRepayment> loans;  // by loan id
  bool acknowledged = false;         // the lender already acknowledged this run
};

// One row of the lender's bank statement.
struct StatementTransfer {
  int line = 0;      // physical line in the statement file (header = 1)
  std::string date;  // YYYY-MM-DD
  contracts::Currency currency;
  std::int64_t amount_minor = 0;
  std::string reference;
};

enum class RemittanceStatus { matched, short_paid, over_paid, missing };
std::string_view to_string(RemittanceStatus status);  // matched | short | over | missing

struct RunReconciliation {
  ExpectedRemittance expected;
  std::int64_t received_minor = 0;
  std::vector<StatementTransfer> transfers;  // the statement rows counted for this run, by line
  RemittanceStatus status = RemittanceStatus::missing;
  std::int64_t difference_minor() const { return received_minor - expected.amount_minor; }
  // The date of the latest transfer ("" when none).
  std::string received_on() const;
};

struct UnexpectedTransfer {
  StatementTransfer transfer;
  std::string reason;  // "no run of BANK1 has this reference", "currency USD, the run is in KES"
};

struct CurrencyTotals {
  contracts::Currency currency;
  std::int64_t expected_minor = 0;
  std::int64_t received_minor = 0;    // counted in runs
  std::int64_t unexpected_minor = 0;  // received but matching no run
  std::int64_t matched = 0, short_paid = 0, over_paid = 0, missing = 0, unexpected = 0;
};

struct ReconciliationReport {
  std::string lender;
  std::vector<RunReconciliation> runs;         // by run id
  std::vector<UnexpectedTransfer> unexpected;  // by statement line
  std::vector<CurrencyTotals> totals;          // by currency code
  // True when every run is matched and no transfer is unexpected.
  bool fully_matched() const;
};

// Pairs expected remittances with statement transfers (pure).
ReconciliationReport reconcile(const std::string& lender, std::vector<ExpectedRemittance> expected,
                               std::vector<StatementTransfer> transfers);

// The runs in which the ledger says the off-taker owes `lender` a loan repayment, with the
// loans each repaid, and whether the lender already acknowledged each. `progress` (may be
// empty) is told how many settlement entries have been read. Errors: the party is not in
// the ledger or is not a lender (invalid_input); a ledger that cannot be read (internal).
Result<std::vector<ExpectedRemittance>> load_expected_remittances(
    ledger::Store& store, const std::string& lender, const std::function<void(std::uint64_t)>& progress = {});

// Reads a statement CSV (RFC 4180, columns date,amount,currency,reference in any order).
// Every problem is added to `diagnostics` as FILE:LINE: field: message (FILE as given):
// a date that is not YYYY-MM-DD, an unknown currency, an amount that is not a positive
// decimal with at most the currency's decimals, an empty reference, an empty file. The
// transfers are returned only when there was no problem; otherwise invalid_input.
Result<std::vector<StatementTransfer>> read_bank_statement(const std::string& path, Diagnostics& diagnostics);

// The acknowledgement record of a matched run, dated its latest transfer.
// REQUIRES: run.status == matched.
contracts::Acknowledgement acknowledgement_for(const std::string& lender, const RunReconciliation& run);

}  // namespace tripartite::settlement
