// Farmer statements (`tripartite statement`): for a farmer and a settlement run, each
// delivery, each deduction and who received it, each loan's position before and after, and
// the net payout and where it was paid — as aligned plain text, CSV, JSON, or one SMS.
//
// Invariants: a statement is never read from a second copy of the numbers. Each run's plan is
// re-derived with the pure engine (settlement::plan_run, from the log as it stood before the
// run's batch, exactly as `verify --replay` does) and its journal entry must have the same
// canonical bytes as the entry posted in the run's batch; otherwise the statement is refused
// (ErrorKind::verification) — a statement never shows what the ledger does not say. Amounts
// are integers of the currency's minor unit printed with exactly its decimals; weights are
// grams printed as kg with 3 decimals; nothing is floating point. An SMS is plain printable
// ASCII of at most kSmsMaximumLength characters (asserted), shortened deterministically.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "contracts/records.hpp"
#include "ledger/canonical.hpp"
#include "ledger/store.hpp"
#include "settlement/engine.hpp"

namespace tripartite::settlement {

// One farmer in one run, re-derived and checked against the posted entry.
struct FarmerRunStatement {
  contracts::Farmer farmer;
  contracts::RunRecord run;
  const contracts::SeasonTerms* terms = nullptr;  // valid during the visit only
  FarmerPlan plan;
  std::vector<contracts::Delivery> deliveries;  // the delivery records of plan.deliveries, same order
  std::vector<contracts::Loan> loans;           // the loan records of plan.loans, same order
  std::uint64_t entry_seq = 0;                  // the posted settlement entry
  std::string reference() const { return run.id + "-" + farmer.id.value; }  // the payout reference
};

using StatementVisitor = std::function<Status(const FarmerRunStatement&)>;

struct StatementQuery {
  std::optional<std::string> farmer;  // one farmer (every run that settled it, unless run is set)
  std::optional<std::string> run;     // one run (every farmer of it, unless farmer is set)
};

// Visits the statements the query asks for, runs by run id, farmers by farmer id. Errors:
// an unknown farmer or run, or a farmer not in the run (invalid_input); a re-derived plan
// that differs from the posted entry (verification). REQUIRES: farmer or run is set.
// `progress` (may be empty) is told how many farmers of a run have been planned.
Status for_each_statement(ledger::Store& store, const StatementQuery& query, const StatementVisitor& visit,
                          const std::function<void(std::uint64_t)>& progress = {});

// The statement as plain text, in aligned columns.
std::string statement_text(const FarmerRunStatement& statement);

// The statement as CSV rows (no header), one per delivery, gross, deduction payment, loan
// component and the net payout; columns kStatementCsvHeader.
extern const char* const kStatementCsvHeader;
std::string statement_csv_rows(const FarmerRunStatement& statement);

// The statement as a JSON object (canonical: members sorted, amounts as decimal strings).
ledger::canonical::Value statement_json(const FarmerRunStatement& statement);

// ---- SMS ----------------------------------------------------------------------------------

inline constexpr std::size_t kSmsMaximumLength = 160;

// What an SMS says, in minor units and grams.
struct SmsFacts {
  std::string reference;  // "<run>-<farmer>"
  std::string currency_code;
  int exponent = 2;
  std::string commodity;
  std::int64_t payable_grams = 0;
  std::int64_t gross_minor = 0;
  std::int64_t levy_minor = 0;
  std::int64_t coalition_fee_minor = 0;
  std::int64_t agent_commission_minor = 0;
  std::int64_t loan_repayment_minor = 0;
  std::int64_t net_payout_minor = 0;
  contracts::PayoutMethod payout_method = contracts::PayoutMethod::mobile_money;
  std::string payout_account;
};

SmsFacts sms_facts(const FarmerRunStatement& statement);

// One plain-ASCII message of at most 160 characters:
//   "<payable>kg <commodity> gross <g> levy <l> coalition <c> agent <a> loan <r>
//    net <CUR> <n> to <method> <account> ref <reference>"
// (one line; deduction groups that are zero are left out, and "to …" when nothing is paid).
// When it is longer than 160 characters, optional parts are dropped in this order until it
// fits: the commodity, the payout account, the kilograms, the deduction groups (replaced by
// one "deductions <total>"), the gross, that deductions total, the payout method, the
// currency code. If even
// "net <n> ref <reference>" is too long (ids near 64 characters and a net amount of 17 or
// more digits), it is cut to 157 characters followed by "...". Bytes outside printable
// ASCII (in a phone number or account) become '?'.
std::string sms_text(const SmsFacts& facts);

}  // namespace tripartite::settlement
