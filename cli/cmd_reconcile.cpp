// `tripartite reconcile --db PATH --lender ID --statement FILE.csv [--format table|csv|json]
//  [--acknowledge --key FILE]`: a lender's bank statement of incoming transfers against what
// the ledger says the off-taker owes it per settlement run (settlement/reconcile.hpp).
//
// Invariants: a statement with any problem is refused whole (exit 2, every problem listed
// as FILE:LINE: field: message) and nothing is written; exit 0 only when every run is
// matched and no transfer is unexpected, else 5 (SPEC §7). With --acknowledge and the
// lender's own key, each fully matched run not yet acknowledged gets one `acknowledgement`
// record, all in one lender batch, before the report is printed; running it again writes
// nothing. Standard output holds only the report (messages go to stderr in csv/json).
#include <chrono>
#include <iomanip>
#include <map>
#include <set>
#include <tuple>

#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/csv_writer.hpp"
#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "ledger/canonical.hpp"
#include "settlement/reconcile.hpp"

namespace tripartite::cli {
namespace {

using settlement::ReconciliationReport;
using settlement::RunReconciliation;

struct Options {
  std::string db, lender, statement, format = "table", key;
  bool acknowledge = false;
};

std::string money(std::int64_t minor, const contracts::Currency& currency) {
  return ledger::format_units(minor, currency.exponent);
}

std::string acknowledged_text(const RunReconciliation& run, const std::set<std::string>& written) {
  if (written.count(run.expected.run_id) != 0) return "new";
  return run.expected.acknowledged ? "yes" : "no";
}

std::string statement_lines(const RunReconciliation& run) {
  std::string lines;
  for (const auto& transfer : run.transfers) lines += (lines.empty() ? "" : " ") + std::to_string(transfer.line);
  return lines;
}

// Prints rows in aligned columns; `right` marks numeric columns. No trailing spaces.
void print_columns(const std::vector<std::string>& header, const std::vector<bool>& right,
                   const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string padding(widths[i] - row[i].size(), ' ');
      line += (i == 0 ? "" : "  ") + (right[i] ? padding + row[i] : row[i] + padding);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

void print_table(const ReconciliationReport& report, const Options& options, const std::string& lender_name,
                 std::size_t transfers, const std::set<std::string>& written) {
  std::cout << "Remittances owed to " << report.lender << (lender_name.empty() ? "" : " (" + lender_name + ")")
            << " per settlement run, against " << options.statement << " (" << transfers << " transfer"
            << (transfers == 1 ? "" : "s") << ")\n\n";
  if (report.runs.empty()) {
    std::cout << "No settlement run owes " << report.lender << " a loan repayment.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : report.runs) {
      const auto& currency = run.expected.currency;
      rows.push_back({run.expected.run_id, run.expected.as_of, currency.code,
                      money(run.expected.amount_minor, currency), money(run.received_minor, currency),
                      money(run.difference_minor(), currency), std::string(settlement::to_string(run.status)),
                      acknowledged_text(run, written)});
    }
    print_columns({"run", "as of", "currency", "expected", "received", "difference", "status", "acknowledged"},
                  {false, false, false, true, true, true, false, false}, rows);

    std::cout << "\nLoans repaid in each run (what the expected amount covers)\n";
    rows.clear();
    for (const auto& run : report.runs) {
      const auto& currency = run.expected.currency;
      for (const auto& loan : run.expected.loans) {
        rows.push_back({run.expected.run_id, loan.loan_id, loan.farmer_id, money(loan.fees_paid_minor, currency),
                        money(loan.interest_paid_minor, currency), money(loan.principal_paid_minor, currency),
                        money(loan.total_minor(), currency)});
      }
    }
    print_columns({"run", "loan", "farmer", "fees", "interest", "principal", "total"},
                  {false, false, false, true, true, true, true}, rows);
  }

  std::cout << "\nTransfers on the statement\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<int, std::vector<std::string>>> by_line;
  for (const auto& run : report.runs) {
    for (const auto& t : run.transfers) {
      by_line.push_back({t.line,
                         {std::to_string(t.line), t.date, money(t.amount_minor, t.currency), t.currency.code,
                          t.reference, "run " + run.expected.run_id}});
    }
  }
  for (const auto& item : report.unexpected) {
    const auto& t = item.transfer;
    by_line.push_back({t.line,
                       {std::to_string(t.line), t.date, money(t.amount_minor, t.currency), t.currency.code, t.reference,
                        "unexpected: " + item.reason}});
  }
  std::sort(by_line.begin(), by_line.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, row] : by_line) rows.push_back(std::move(row));
  if (rows.empty()) {
    std::cout << "  (none)\n";
  } else {
    print_columns({"line", "date", "amount", "currency", "reference", "counted for"},
                  {true, false, true, false, false, false}, rows);
  }

  std::cout << "\nTotals\n";
  rows.clear();
  for (const auto& total : report.totals) {
    const auto& currency = total.currency;
    rows.push_back({currency.code, money(total.expected_minor, currency), money(total.received_minor, currency),
                    money(total.received_minor - total.expected_minor, currency),
                    money(total.unexpected_minor, currency), std::to_string(total.matched),
                    std::to_string(total.short_paid), std::to_string(total.over_paid), std::to_string(total.missing),
                    std::to_string(total.unexpected)});
  }
  print_columns({"currency", "expected", "received", "difference", "unexpected amount", "matched", "short", "over",
                 "missing", "unexpected"},
                {false, true, true, true, true, true, true, true, true, true}, rows);
  std::cout << "\n"
            << (report.fully_matched() ? "Every run is matched." : "There are differences (exit status 5).") << "\n";
}

void print_csv(const ReconciliationReport& report, const std::set<std::string>& written) {
  std::cout << contracts::csv_line({"run_id", "as_of", "currency", "expected", "received", "difference", "status",
                                    "acknowledged", "statement_lines", "loans_repaid", "note"});
  for (const auto& run : report.runs) {
    const auto& currency = run.expected.currency;
    std::cout << contracts::csv_line({run.expected.run_id, run.expected.as_of, currency.code,
                                      money(run.expected.amount_minor, currency), money(run.received_minor, currency),
                                      money(run.difference_minor(), currency),
                                      std::string(settlement::to_string(run.status)), acknowledged_text(run, written),
                                      statement_lines(run), std::to_string(run.expected.loans.size()), ""});
  }
  for (const auto& item : report.unexpected) {
    const auto& t = item.transfer;
    std::cout << contracts::csv_line({t.reference, "", t.currency.code, money(0, t.currency),
                                      money(t.amount_minor, t.currency), money(t.amount_minor, t.currency),
                                      "unexpected", "", std::to_string(t.line), "0", item.reason});
  }
}

void print_json(const ReconciliationReport& report, const Options& options, const std::set<std::string>& written) {
  namespace canonical = ledger::canonical;
  auto transfer_json = [](const settlement::StatementTransfer& t) {
    canonical::Object o;
    o["amount"] = money(t.amount_minor, t.currency);
    o["currency"] = t.currency.code;
    o["date"] = t.date;
    o["line"] = static_cast<std::int64_t>(t.line);
    o["reference"] = t.reference;
    return canonical::Value(std::move(o));
  };
  canonical::Array runs;
  for (const auto& run : report.runs) {
    const auto& currency = run.expected.currency;
    canonical::Array loans;
    for (const auto& loan : run.expected.loans) {
      canonical::Object l;
      l["farmer"] = loan.farmer_id;
      l["fees_paid"] = money(loan.fees_paid_minor, currency);
      l["interest_paid"] = money(loan.interest_paid_minor, currency);
      l["loan"] = loan.loan_id;
      l["principal_paid"] = money(loan.principal_paid_minor, currency);
      l["total"] = money(loan.total_minor(), currency);
      loans.emplace_back(std::move(l));
    }
    canonical::Array transfers;
    for (const auto& t : run.transfers) transfers.push_back(transfer_json(t));
    canonical::Object r;
    r["acknowledged"] = acknowledged_text(run, written);
    r["as_of"] = run.expected.as_of;
    r["currency"] = currency.code;
    r["difference"] = money(run.difference_minor(), currency);
    r["expected"] = money(run.expected.amount_minor, currency);
    r["loans"] = std::move(loans);
    r["received"] = money(run.received_minor, currency);
    r["run"] = run.expected.run_id;
    r["season"] = run.expected.season;
    r["status"] = std::string(settlement::to_string(run.status));
    r["transfers"] = std::move(transfers);
    runs.emplace_back(std::move(r));
  }
  canonical::Array unexpected;
  for (const auto& item : report.unexpected) {
    canonical::Value value = transfer_json(item.transfer);
    value["reason"] = item.reason;
    unexpected.push_back(std::move(value));
  }
  canonical::Array totals;
  for (const auto& total : report.totals) {
    canonical::Object t;
    t["currency"] = total.currency.code;
    t["difference"] = money(total.received_minor - total.expected_minor, total.currency);
    t["expected"] = money(total.expected_minor, total.currency);
    t["matched"] = total.matched;
    t["missing"] = total.missing;
    t["over"] = total.over_paid;
    t["received"] = money(total.received_minor, total.currency);
    t["short"] = total.short_paid;
    t["unexpected"] = total.unexpected;
    t["unexpected_amount"] = money(total.unexpected_minor, total.currency);
    totals.emplace_back(std::move(t));
  }
  canonical::Object o;
  o["fully_matched"] = report.fully_matched() ? "yes" : "no";
  o["lender"] = report.lender;
  o["runs"] = std::move(runs);
  o["statement"] = options.statement;
  o["totals"] = std::move(totals);
  o["unexpected"] = std::move(unexpected);
  std::cout << canonical::Value(std::move(o)).serialise() << "\n";
}

// Writes one acknowledgement per fully matched run not yet acknowledged, in one batch signed
// by the lender. Returns the runs written.
Result<std::set<std::string>> acknowledge(ledger::Store& store, ReconciliationReport& report, const Options& options) {
  TRIPARTITE_TRY(parties, contracts::load_parties(store));
  TRIPARTITE_TRY(signer, load_signing_key(options.key, parties, false));
  if (signer.party != report.lender) {
    return invalid("--key: acknowledgements of " + report.lender + " are signed by " + report.lender +
                   "; the key given is " + signer.party + "'s");
  }
  std::vector<RunReconciliation*> to_write;
  for (auto& run : report.runs) {
    if (run.status == settlement::RemittanceStatus::matched && !run.expected.acknowledged) to_write.push_back(&run);
  }
  std::set<std::string> written;
  if (to_write.empty()) return written;
  TRIPARTITE_TRY(transaction, store.begin());
  // Under the write lock: a reconcile run at the same time may have acknowledged some of
  // these runs since the report was read. Those are acknowledged already, not written twice.
  std::vector<std::pair<RunReconciliation*, contracts::EncodedRecord>> records;
  for (RunReconciliation* run : to_write) {
    auto encoded = contracts::encode_acknowledgement(settlement::acknowledgement_for(report.lender, *run));
    TRIPARTITE_TRY(existing, store.find(encoded.index.kind, encoded.index.key));
    if (existing) {
      run->expected.acknowledged = true;
    } else {
      records.emplace_back(run, std::move(encoded));
    }
  }
  if (records.empty()) return written;
  std::string idempotency_key = "acknowledgement:" + report.lender + ":";
  for (std::size_t i = 0; i < records.size(); ++i)
    idempotency_key += (i == 0 ? "" : ",") + records[i].first->expected.run_id;
  TRIPARTITE_CHECK(transaction->begin_batch(signer.party, idempotency_key));
  for (const auto& [run, encoded] : records) {
    TRIPARTITE_TRY(seq, transaction->append(encoded.index, encoded.body));
    (void)seq;
  }
  TRIPARTITE_TRY(sealed, transaction->seal_batch(signer.key));
  (void)sealed;
  TRIPARTITE_CHECK(transaction->commit());
  for (const auto& [run, encoded] : records) {
    run->expected.acknowledged = true;
    written.insert(run->expected.run_id);
  }
  return written;
}

// A statement lists transfers already made, and a matched transfer's date is signed into
// the acknowledgement as its receipt date; a transfer dated in the future is most likely a
// typing error. It is a warning, not a refusal: the result must not depend on the clock of
// the machine it runs on (the same statement gives the same report on any day). "Future"
// is after tomorrow in UTC, so that a bank east of Greenwich may date by its own calendar.
void warn_future_transfers(const std::string& path, const std::vector<settlement::StatementTransfer>& transfers) {
  const std::string tomorrow = tomorrow_utc();
  for (const auto& transfer : transfers) {
    if (transfer.date > tomorrow) {  // both YYYY-MM-DD: byte order is date order
      std::cerr << "warning: " << path << ":" << transfer.line << ": date: " << transfer.date
                << " is in the future by this machine's clock; a statement lists transfers already made\n";
    }
  }
}

// A row repeating an earlier one (same date, amount, currency and reference) is most often
// a statement exported or pasted twice, but a lender may also receive two equal transfers in
// a day. So both are counted, as the statement says, with a warning naming the first line:
// a run then shows as `over` and the warning says why.
void warn_repeated_transfers(const std::string& path, const std::vector<settlement::StatementTransfer>& transfers) {
  std::map<std::tuple<std::string, std::string, std::int64_t, std::string>, int> first_line;
  for (const auto& transfer : transfers) {
    auto [at, inserted] = first_line.try_emplace(
        {transfer.date, transfer.currency.code, transfer.amount_minor, transfer.reference}, transfer.line);
    if (!inserted) {
      std::cerr << "warning: " << path << ":" << transfer.line << ": reference: the same date, amount, currency and"
                << " reference as line " << at->second
                << "; both are counted (a row exported twice? remove one if so)\n";
    }
  }
}

int run(const Options& options) {
  auto store_result = open_store(options.db);
  if (!store_result) return fail(store_result.error());
  ledger::Store& store = **store_result;

  Diagnostics diagnostics;
  auto transfers = settlement::read_bank_statement(options.statement, diagnostics);
  if (!transfers) {
    for (const auto& diagnostic : diagnostics) std::cerr << diagnostic.format() << "\n";
    return fail(transfers.error());
  }
  warn_future_transfers(options.statement, *transfers);
  warn_repeated_transfers(options.statement, *transfers);
  const std::size_t transfer_count = transfers->size();

  Progress progress("reading settlement entries");
  auto expected = settlement::load_expected_remittances(store, options.lender,
                                                        [&progress](std::uint64_t done) { progress.update(done); });
  progress.finish();
  if (!expected) return fail(expected.error());
  ReconciliationReport report =
      settlement::reconcile(options.lender, std::move(expected).value(), std::move(transfers).value());

  std::set<std::string> written;
  if (options.acknowledge) {
    auto acknowledged = acknowledge(store, report, options);
    if (!acknowledged) return fail(acknowledged.error());
    written = std::move(acknowledged).value();
  }

  std::string lender_name;
  auto parties = contracts::load_parties(store);
  if (parties) {
    auto party = parties->parties.find(options.lender);
    if (party != parties->parties.end()) lender_name = party->second.name;
  }
  if (options.format == "csv") {
    print_csv(report, written);
  } else if (options.format == "json") {
    print_json(report, options, written);
  } else {
    print_table(report, options, lender_name, transfer_count, written);
  }
  if (options.acknowledge) {
    std::ostream& out = options.format == "table" ? std::cout : std::cerr;
    if (written.empty()) {
      out << (options.format == "table" ? "\n" : "") << "acknowledge: nothing new to acknowledge\n";
    } else {
      out << (options.format == "table" ? "\n" : "") << "acknowledged " << written.size() << " fully matched run"
          << (written.size() == 1 ? "" : "s") << " in one batch signed by " << options.lender << ":";
      for (const auto& run_id : written) out << " " << run_id;
      out << "\n";
    }
  }
  if (report.fully_matched()) return 0;
  std::int64_t differences = static_cast<std::int64_t>(report.unexpected.size());
  for (const auto& run : report.runs) {
    if (run.status != settlement::RemittanceStatus::matched) differences += 1;
  }
  return fail(Error{ErrorKind::reconciliation, "reconciliation found " + std::to_string(differences) + " difference" +
                                                   (differences == 1 ? "" : "s")});
}

}  // namespace

void setup_reconcile(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "reconcile",
      "Reconcile a lender's bank statement (CSV: date,amount,currency,reference = run id) against the\n"
      "loan repayments the ledger says the off-taker owes it per settlement run: matched, short, over,\n"
      "missing, unexpected, with totals. Exit 0 when everything matches, 5 when there are differences.\n"
      "--acknowledge --key FILE records the lender's signed acknowledgement of each fully matched run.");
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file")->required();
  command->add_option("--lender", options->lender, "The lender's party id")->required()->check(id_validator());
  command
      ->add_option("--statement", options->statement,
                   "Bank statement CSV with a header row: date (YYYY-MM-DD, received), amount (positive,\n"
                   "at most the currency's decimals, no thousands separator: 22668.38), currency (KES),\n"
                   "reference (the run id on the transfer, e.g. 2026A-R1); columns in any order")
      ->required();
  command->add_option("--format", options->format, "table (default), csv or json")
      ->transform(CLI::IsMember({"table", "csv", "json"}, CLI::ignore_case));
  auto* acknowledge_flag =
      command->add_flag("--acknowledge", options->acknowledge,
                        "Record a signed acknowledgement of each fully matched run not yet acknowledged (needs --key)");
  auto* key = command->add_option("--key", options->key, "The lender's private key file (with --acknowledge)");
  acknowledge_flag->needs(key);
  key->needs(acknowledge_flag);
  command->callback([&action, options] { action = [options] { return run(*options); }; });
}

}  // namespace tripartite::cli
