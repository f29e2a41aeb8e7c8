// Remittance reconciliation. See reconcile.hpp.
//
// Invariants: the expected amounts are read from the settlement entries' postings only (the
// same postings remittances.csv sums), never recomputed; a statement is accepted whole or
// not at all (any diagnostic refuses it); the pure pairing step counts each transfer once.
#include "settlement/reconcile.hpp"

#include <algorithm>
#include <set>

#include "contracts/csv.hpp"
#include "contracts/repository.hpp"
#include "ledger/canonical.hpp"
#include "settlement/posting.hpp"

namespace tripartite::settlement {

std::string_view to_string(RemittanceStatus status) {
  switch (status) {
    case RemittanceStatus::matched:
      return "matched";
    case RemittanceStatus::short_paid:
      return "short";
    case RemittanceStatus::over_paid:
      return "over";
    case RemittanceStatus::missing:
      return "missing";
  }
  return "missing";
}

std::string RunReconciliation::received_on() const {
  std::string latest;
  for (const auto& transfer : transfers) latest = std::max(latest, transfer.date);
  return latest;
}

bool ReconciliationReport::fully_matched() const {
  if (!unexpected.empty()) return false;
  return std::all_of(runs.begin(), runs.end(),
                     [](const RunReconciliation& run) { return run.status == RemittanceStatus::matched; });
}

ReconciliationReport reconcile(const std::string& lender, std::vector<ExpectedRemittance> expected,
                               std::vector<StatementTransfer> transfers) {
  ReconciliationReport report;
  report.lender = lender;
  std::sort(expected.begin(), expected.end(),
            [](const ExpectedRemittance& a, const ExpectedRemittance& b) { return a.run_id < b.run_id; });
  std::map<std::string, std::size_t> by_run;
  for (auto& remittance : expected) {
    TRIPARTITE_ASSERT(by_run.count(remittance.run_id) == 0);
    by_run[remittance.run_id] = report.runs.size();
    RunReconciliation run;
    run.expected = std::move(remittance);
    report.runs.push_back(std::move(run));
  }
  std::stable_sort(transfers.begin(), transfers.end(),
                   [](const StatementTransfer& a, const StatementTransfer& b) { return a.line < b.line; });
  for (auto& transfer : transfers) {
    auto found = by_run.find(transfer.reference);
    if (found == by_run.end()) {
      report.unexpected.push_back({std::move(transfer), "no run of " + lender + " has this reference"});
      continue;
    }
    RunReconciliation& run = report.runs[found->second];
    if (!(transfer.currency == run.expected.currency)) {
      std::string reason = "currency " + transfer.currency.code + ", the run is in " + run.expected.currency.code;
      report.unexpected.push_back({std::move(transfer), std::move(reason)});
      continue;
    }
    if (transfer.date < run.expected.as_of) {  // both YYYY-MM-DD: byte order is date order
      // The off-taker remits a run's repayments once the run is settled: a transfer dated
      // before the run's as_of cannot be that remittance (and would be signed into the
      // lender's acknowledgement as its receipt date).
      std::string reason = "dated " + transfer.date + ", before run " + run.expected.run_id + " (as of " +
                           run.expected.as_of + ")";
      report.unexpected.push_back({std::move(transfer), std::move(reason)});
      continue;
    }
    run.received_minor += transfer.amount_minor;
    run.transfers.push_back(std::move(transfer));
  }

  std::map<std::string, CurrencyTotals> totals;
  for (auto& run : report.runs) {
    if (run.transfers.empty()) {
      run.status = RemittanceStatus::missing;
    } else if (run.received_minor == run.expected.amount_minor) {
      run.status = RemittanceStatus::matched;
    } else if (run.received_minor < run.expected.amount_minor) {
      run.status = RemittanceStatus::short_paid;
    } else {
      run.status = RemittanceStatus::over_paid;
    }
    CurrencyTotals& total = totals[run.expected.currency.code];
    total.currency = run.expected.currency;
    total.expected_minor += run.expected.amount_minor;
    total.received_minor += run.received_minor;
    switch (run.status) {
      case RemittanceStatus::matched:
        total.matched += 1;
        break;
      case RemittanceStatus::short_paid:
        total.short_paid += 1;
        break;
      case RemittanceStatus::over_paid:
        total.over_paid += 1;
        break;
      case RemittanceStatus::missing:
        total.missing += 1;
        break;
    }
  }
  for (const auto& item : report.unexpected) {
    CurrencyTotals& total = totals[item.transfer.currency.code];
    total.currency = item.transfer.currency;
    total.unexpected_minor += item.transfer.amount_minor;
    total.unexpected += 1;
  }
  for (auto& [code, total] : totals) report.totals.push_back(total);
  return report;
}

Result<std::vector<ExpectedRemittance>> load_expected_remittances(ledger::Store& store, const std::string& lender,
                                                                  const std::function<void(std::uint64_t)>& progress) {
  TRIPARTITE_TRY(parties, contracts::load_parties(store));
  auto party = parties.parties.find(lender);
  if (party == parties.parties.end()) return invalid("--lender: party " + lender + " is not in the ledger");
  if (party->second.role != contracts::Role::lender) {
    return invalid("--lender: party " + lender + " has role " + std::string(contracts::to_string(party->second.role)) +
                   ", not lender");
  }

  std::map<std::string, contracts::Currency> currencies;  // season -> currency
  TRIPARTITE_CHECK(store.scan({"season"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(season, contracts::decode_season(record.body));
    currencies[season.terms.id.value] = season.terms.currency;
    return Status::success();
  }));
  std::map<std::string, std::string> farmer_of_loan;  // the lender's loans only
  TRIPARTITE_CHECK(store.scan({"loan"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(value, ledger::canonical::parse(record.body));
    TRIPARTITE_TRY(loan_lender, ledger::canonical::get_string(value, "lender"));
    if (loan_lender == lender) farmer_of_loan[record.index.key] = record.index.subject;
    return Status::success();
  }));
  std::map<std::string, contracts::RunRecord> runs;
  TRIPARTITE_CHECK(store.scan({"run"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(run, contracts::decode_run(record.body));
    runs[run.id] = run;
    return Status::success();
  }));
  std::set<std::string> acknowledged;
  ledger::RecordFilter acknowledgements{"acknowledgement"};
  acknowledgements.subject = lender;
  TRIPARTITE_CHECK(store.scan(acknowledgements, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(acknowledgement, contracts::decode_acknowledgement(record.body));
    if (acknowledgement.lender.value == lender) acknowledged.insert(acknowledgement.run);
    return Status::success();
  }));

  const std::string payable = "payable:" + lender;
  const std::string quoted_payable = "\"" + payable + "\"";
  std::map<std::string, ExpectedRemittance> by_run;
  std::map<std::string, std::map<std::string, LoanRepayment>> loans_by_run;
  std::uint64_t read = 0;
  TRIPARTITE_CHECK(store.scan({"settlement"}, [&](const ledger::StoredRecord& record) -> Status {
    read += 1;
    if (progress) progress(read);
    // Every run that repays one of the lender's loans credits payable:<lender>: skip the
    // entries that do not mention it without parsing them.
    if (record.body.find(quoted_payable) == std::string::npos) return Status::success();
    TRIPARTITE_TRY(entry, ledger::entry_from_bytes(record.body));
    auto run_ref = entry.refs.find("run");
    if (run_ref == entry.refs.end()) return internal_error("settlement entry " + entry.id + " names no run");
    const std::string& run_id = run_ref->second;
    auto run = runs.find(run_id);
    if (run == runs.end())
      return internal_error("settlement entry " + entry.id + " names run " + run_id + " which is not in the ledger");
    auto currency = currencies.find(run->second.season.value);
    if (currency == currencies.end()) return internal_error("run " + run_id + " has no season terms");
    ExpectedRemittance& expected = by_run[run_id];
    expected.run_id = run_id;
    expected.season = run->second.season.value;
    expected.as_of = contracts::format_date(run->second.as_of);
    expected.currency = currency->second;
    expected.acknowledged = acknowledged.count(run_id) != 0;
    for (const auto& posting : entry.postings) {
      if (posting.account == payable && posting.tag == "loan_repayment") {
        expected.amount_minor -= posting.amount;
        continue;
      }
      auto loan_account = parse_loan_account(posting.account);
      if (!loan_account) continue;
      const std::string& loan_id = loan_account->loan_id;
      auto farmer = farmer_of_loan.find(loan_id);
      if (farmer == farmer_of_loan.end()) continue;
      LoanRepayment& repayment = loans_by_run[run_id][loan_id];
      repayment.loan_id = loan_id;
      repayment.farmer_id = farmer->second;
      if (posting.tag == "fees_paid") repayment.fees_paid_minor -= posting.amount;
      if (posting.tag == "interest_paid") repayment.interest_paid_minor -= posting.amount;
      if (posting.tag == "principal_paid") repayment.principal_paid_minor -= posting.amount;
    }
    return Status::success();
  }));

  std::vector<ExpectedRemittance> out;
  for (auto& [run_id, expected] : by_run) {
    for (auto& [loan_id, repayment] : loans_by_run[run_id]) {
      if (repayment.total_minor() != 0) expected.loans.push_back(repayment);
    }
    if (expected.amount_minor != 0) out.push_back(std::move(expected));
  }
  return out;
}

Result<std::vector<StatementTransfer>> read_bank_statement(const std::string& path, Diagnostics& diagnostics) {
  contracts::FileDiagnostics file(path, diagnostics);
  std::vector<StatementTransfer> transfers;
  // The sum of every amount of the statement, in minor units whatever their currency: while
  // it fits in 64 bits, so does every sum reconcile() makes of them (per run, per currency,
  // unexpected), since they are all positive.
  std::int64_t statement_total = 0;
  auto reader = contracts::CsvReader::open(path, {"date", "amount", "currency", "reference"}, {}, file);
  if (reader.ok()) {
    if (!reader->has_header()) file.add(0, "", "empty file, expected a header row: date,amount,currency,reference");
    contracts::CsvRow row;
    while (reader->next(row, file)) {
      const int line = row.line();
      bool good = true;
      auto problem = [&](const char* field, std::string message) {
        file.add(line, field, std::move(message));
        good = false;
      };
      StatementTransfer transfer;
      transfer.line = line;
      std::string_view date_text = row.get("date");
      if (date_text.empty()) {
        problem("date", "required");
      } else if (auto date = contracts::parse_date(date_text); !date) {
        problem("date", ledger::shown_text(date_text) + contracts::not_a_date(date_text));
      } else if (!contracts::in_accepted_years(*date)) {
        // A receipt date is signed into the lender's acknowledgement, for good.
        problem("date", ledger::shown_text(date_text) + contracts::kAcceptedYearsProblem);
      }
      transfer.date = std::string(date_text);
      std::string_view code = row.get("currency");
      std::optional<contracts::Currency> currency;
      if (code.empty()) {
        problem("currency", "required");
      } else {
        auto parsed = contracts::Currency::from_code(code);
        if (parsed) {
          currency = *parsed;
        } else {
          problem("currency", parsed.error().message);
        }
      }
      std::string_view amount_text = row.get("amount");
      if (amount_text.empty()) {
        problem("amount", "required");
      } else if (currency) {
        auto amount = ledger::Money::parse(amount_text, *currency);
        if (!amount) {
          problem("amount", amount.error().message);
        } else if (amount->minor <= 0) {
          problem("amount", ledger::quoted_text(amount_text) + " must be greater than 0");
        } else if (__builtin_add_overflow(statement_total, amount->minor, &statement_total)) {
          problem("amount", "the statement's amounts add up to more than 9223372036854775807 minor units, beyond what "
                            "can be summed exactly; no real statement holds that much");
        } else {
          transfer.amount_minor = amount->minor;
        }
      } else if (!ledger::Decimal::parse(amount_text, 18)) {
        problem("amount", ledger::quoted_text(amount_text) + " is not a decimal number");
      }
      std::string_view reference = row.get("reference");
      if (reference.empty()) {
        problem("reference", "required (the run id the off-taker put on its transfer, e.g. 2026A-R1)");
      } else if (reference.front() == ' ' || reference.back() == ' ' || reference.front() == '\t' ||
                 reference.back() == '\t') {
        problem("reference", ledger::quoted_text(reference) + " has leading or trailing white space");
      }
      transfer.reference = std::string(reference);
      if (currency) transfer.currency = *currency;
      if (good) transfers.push_back(std::move(transfer));
    }
  }
  file.finish();
  if (file.count() != 0 || !reader.ok()) {
    return invalid(path + ": the statement has " + std::to_string(file.count()) +
                   " problem(s); nothing was reconciled");
  }
  return transfers;
}

contracts::Acknowledgement acknowledgement_for(const std::string& lender, const RunReconciliation& run) {
  TRIPARTITE_ASSERT(run.status == RemittanceStatus::matched);
  auto received_on = contracts::parse_date(run.received_on());
  TRIPARTITE_ASSERT(received_on.has_value());
  contracts::Acknowledgement acknowledgement;
  acknowledgement.run = run.expected.run_id;
  acknowledgement.lender = contracts::PartyId(lender);
  acknowledgement.currency = run.expected.currency;
  acknowledgement.amount_minor = run.received_minor;
  acknowledgement.received_on = *received_on;
  return acknowledgement;
}

}  // namespace tripartite::settlement
