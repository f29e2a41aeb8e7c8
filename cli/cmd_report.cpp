// Reports from the ledger on standard output:
// - `tripartite report loans --db PATH --as-of DATE [--lender ID] [--format table|csv|json]`:
//   the point-in-time loan book (SPEC §6);
// - `tripartite report balances --db PATH [--party ID] [--as-of DATE] [--format table|csv|json]`:
//   the trial balance (every account's balance per asset, and per-asset totals, which are
//   zero because every entry balances) or, with --party, the accounts of one party.
//
// Invariants: balances are sums of the postings of the entry records (Store::balances
// reads them from the entries' bytes), for entries effective on or before --as-of;
// amounts are printed with the asset's decimals (the currency's exponent, 3 for kg), never
// through floating point; accounts are sorted by byte order. A trial balance whose totals are not zero is reported as a verification
// failure (exit 3): it cannot happen unless the database was altered.
#include <algorithm>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "cli/common.hpp"
#include "contracts/csv_writer.hpp"
#include "contracts/records.hpp"
#include "ledger/canonical.hpp"
#include "ledger/money.hpp"
#include "settlement/outputs.hpp"

namespace tripartite::cli {
namespace {

struct LoanOptions {
  std::string db, as_of, lender, format = "table";
};

std::vector<std::vector<std::string>> loan_cells(const std::vector<settlement::LoanReportRow>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    auto money = [&](std::int64_t minor) { return ledger::format_units(minor, row.exponent); };
    cells.push_back({row.loan_id, row.farmer_id, row.lender_id, money(row.principal), money(row.fees_charged),
                     money(row.interest_accrued), money(row.repaid_fees), money(row.repaid_interest),
                     money(row.repaid_principal), money(row.outstanding), row.status, row.due_on,
                     std::to_string(row.days_past_due)});
  }
  return cells;
}

const std::vector<std::string> kLoanColumns = {"loan_id",          "farmer_id",        "lender_id",   "principal",
                                               "fees_charged",     "interest_accrued", "repaid_fees", "repaid_interest",
                                               "repaid_principal", "outstanding",      "status",      "due_on",
                                               "days_past_due"};

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells,
                 std::size_t first_numeric, std::size_t last_numeric) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::ostringstream line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      bool numeric = i >= first_numeric && i <= last_numeric;
      line << (i == 0 ? "" : "  ") << (numeric ? std::right : std::left) << std::setw(static_cast<int>(widths[i]))
           << row[i];
    }
    std::string text = line.str();
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::cout << text << "\n";
  };
  print_row(header);
  for (const auto& row : cells) print_row(row);
}

int run_loans(const LoanOptions& options) {
  auto as_of = parse_date_option("--as-of", options.as_of);
  if (!as_of) return fail(as_of.error());
  auto store = open_store(options.db);
  if (!store) return fail(store.error());
  std::optional<std::string> lender;
  if (!options.lender.empty()) {
    // An unknown or mistyped lender is an error, not an empty report a bank could read as
    // "no loans outstanding".
    auto party = (*store)->find("party", options.lender);
    if (!party) return fail(party.error());
    if (!*party) {
      auto farmer = (*store)->find("farmer", options.lender);
      if (!farmer) return fail(farmer.error());
      return fail(invalid("--lender: " + options.lender +
                          (*farmer ? " is a farmer, not a lender (the report lists every farmer's loans; --lender "
                                     "keeps one lender's)"
                                   : " is not a party of the ledger")));
    }
    auto decoded = contracts::decode_party((*party)->body);
    if (!decoded) return fail(decoded.error());
    if (decoded->role != contracts::Role::lender) {
      return fail(invalid("--lender: " + options.lender + " has role " + std::string(contracts::to_string(decoded->role)) +
                          ", not lender"));
    }
    lender = options.lender;
  }
  auto rows = settlement::loan_report(**store, *as_of, lender);
  if (!rows) return fail(rows.error());
  if (options.format == "csv") {
    std::cout << settlement::loan_report_csv(*rows);
  } else if (options.format == "json") {
    // Amounts stay strings (exact decimals with the currency's places, as in the CSV); the
    // days past due are a count, so a JSON number.
    ledger::canonical::Array items;
    auto cells = loan_cells(*rows);
    for (std::size_t row = 0; row < cells.size(); ++row) {
      ledger::canonical::Object object;
      for (std::size_t i = 0; i < cells[row].size(); ++i) object[kLoanColumns[i]] = cells[row][i];
      object["days_past_due"] = (*rows)[row].days_past_due;
      items.emplace_back(std::move(object));
    }
    std::cout << ledger::canonical::Value(std::move(items)).serialise() << "\n";
  } else {
    print_table(kLoanColumns, loan_cells(*rows), 3, 9);
  }
  return 0;
}

// ---- balances -------------------------------------------------------------------------------

struct BalanceOptions {
  std::string db, party, as_of, format = "table";
};

// Decimals of an asset: the currency's exponent, 3 for kilograms ("kg:<commodity>"), else 0.
int asset_decimals(const std::string& asset) {
  if (asset.rfind("kg:", 0) == 0) return 3;
  auto currency = ledger::Currency::from_code(asset);
  return currency ? currency->exponent : 0;
}

// The party an account belongs to: the id part of payable:<P>, lender:<P>:*, offtaker:<P>:*,
// farmer:<P>:*; for loan:<L>:* the loan id (its farmer's, resolved by the caller).
std::pair<std::string, std::string> account_kind_and_id(const std::string& account) {
  auto first = account.find(':');
  if (first == std::string::npos) return {account, ""};
  auto second = account.find(':', first + 1);
  return {account.substr(0, first),
          account.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1)};
}

int run_balances(const BalanceOptions& options) {
  if (!options.as_of.empty()) {
    auto as_of = parse_date_option("--as-of", options.as_of);
    if (!as_of) return fail(as_of.error());
  }
  auto store_result = open_store(options.db);
  if (!store_result) return fail(store_result.error());
  ledger::Store& store = **store_result;

  std::set<std::string> loans_of_party;
  if (!options.party.empty()) {
    auto farmer = store.find("farmer", options.party);
    if (!farmer) return fail(farmer.error());
    auto party = store.find("party", options.party);
    if (!party) return fail(party.error());
    if (!*farmer && !*party)
      return fail(invalid("--party: " + options.party + " is neither a party nor a farmer of the ledger"));
    if (*farmer) {
      ledger::RecordFilter filter{"loan"};
      filter.subject = options.party;
      auto scanned = store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
        loans_of_party.insert(record.index.key);
        return Status::success();
      });
      if (!scanned.ok()) return fail(scanned.error());
    }
  }
  // Only the rows shown are kept (with --party, a handful of a million farmers' accounts).
  std::vector<ledger::Balance> rows;
  Status scanned = store.scan_balances("", options.as_of, 0, [&](const ledger::Balance& balance) -> Status {
    if (!options.party.empty()) {
      auto [kind, id] = account_kind_and_id(balance.account);
      bool own =
          (kind == "payable" || kind == "lender" || kind == "offtaker" || kind == "farmer") && id == options.party;
      bool loan = kind == "loan" && loans_of_party.count(id) != 0;
      if (!own && !loan) return Status::success();
    }
    rows.push_back(balance);
    return Status::success();
  });
  if (!scanned.ok()) return fail(scanned.error());
  std::sort(rows.begin(), rows.end(), [](const ledger::Balance& a, const ledger::Balance& b) {
    return a.account != b.account ? a.account < b.account : a.asset < b.asset;
  });
  struct Total {
    std::int64_t debit = 0, credit = 0;
  };
  std::map<std::string, Total> totals;
  for (const auto& row : rows) {
    Total& total = totals[row.asset];
    if (row.amount > 0) total.debit += row.amount;
    if (row.amount < 0) total.credit -= row.amount;
  }
  auto amount = [](std::int64_t units, const std::string& asset) {
    return ledger::format_units(units, asset_decimals(asset));
  };

  if (options.format == "csv") {
    std::cout << contracts::csv_line({"account", "asset", "balance"});
    for (const auto& row : rows)
      std::cout << contracts::csv_line({row.account, row.asset, amount(row.amount, row.asset)});
  } else if (options.format == "json") {
    ledger::canonical::Array accounts;
    for (const auto& row : rows) {
      ledger::canonical::Object object;
      object["account"] = row.account;
      object["asset"] = row.asset;
      object["balance"] = amount(row.amount, row.asset);
      accounts.emplace_back(std::move(object));
    }
    ledger::canonical::Array total_items;
    for (const auto& [asset, total] : totals) {
      ledger::canonical::Object object;
      object["asset"] = asset;
      object["credit"] = amount(total.credit, asset);
      object["debit"] = amount(total.debit, asset);
      object["net"] = amount(total.debit - total.credit, asset);
      total_items.emplace_back(std::move(object));
    }
    ledger::canonical::Object document;
    document["accounts"] = std::move(accounts);
    document["as_of"] = options.as_of;
    document["party"] = options.party;
    document["totals"] = std::move(total_items);
    std::cout << ledger::canonical::Value(std::move(document)).serialise() << "\n";
  } else {
    std::cout << (options.party.empty() ? "Trial balance" : "Balances of " + options.party)
              << (options.as_of.empty() ? "" : " as of " + options.as_of)
              << ", debit and credit balances per asset\n\n";
    std::vector<std::vector<std::string>> cells;
    for (const auto& row : rows) {
      // A zero balance shows 0 on both sides.
      cells.push_back({row.account, row.asset, row.amount >= 0 ? amount(row.amount, row.asset) : "",
                       row.amount <= 0 ? amount(-row.amount, row.asset) : ""});
    }
    for (const auto& [asset, total] : totals) {
      cells.push_back({"total", asset, amount(total.debit, asset), amount(total.credit, asset)});
    }
    if (!options.party.empty()) {
      for (const auto& [asset, total] : totals) {
        std::int64_t net = total.debit - total.credit;
        cells.push_back({"net", asset, net >= 0 ? amount(net, asset) : "", net <= 0 ? amount(-net, asset) : ""});
      }
    }
    print_table({"account", "asset", "debit", "credit"}, cells, 2, 3);
  }
  if (options.party.empty()) {
    for (const auto& [asset, total] : totals) {
      if (total.debit != total.credit) {
        return fail(verification_error("the trial balance does not balance in " + asset + ": debits " +
                                       amount(total.debit, asset) + ", credits " + amount(total.credit, asset) +
                                       " (run `tripartite verify`)"));
      }
    }
  }
  return 0;
}

}  // namespace

void setup_report(CLI::App& app, Action& action) {
  auto* report = app.add_subcommand("report", "Reports from the ledger.");
  report->require_subcommand(1);
  auto* loans = report->add_subcommand(
      "loans",
      "Each loan as of a date: principal, fees and interest charged (with interest accrued since the\n"
      "last run), what was repaid, what is outstanding, and open / repaid / arrears with days past due.");
  auto options = std::make_shared<LoanOptions>();
  loans->add_option("--db", options->db, "Ledger file")->required();
  loans->add_option("--as-of", options->as_of, "Report date (YYYY-MM-DD)")->required();
  loans->add_option("--lender", options->lender, "Only this lender's loans")->check(id_validator());
  loans->add_option("--format", options->format, "table (default), csv or json")
      ->transform(CLI::IsMember({"table", "csv", "json"}, CLI::ignore_case));
  loans->callback([&action, options] { action = [options] { return run_loans(*options); }; });

  auto* balances = report->add_subcommand(
      "balances",
      "Trial balance: every account's balance per asset (debit positive, credit negative) and the\n"
      "per-asset totals, which are zero; with --party, the accounts of one party (payable:<P>,\n"
      "lender:<P>:*, offtaker:<P>:*, farmer:<P>:* and a farmer's loan:<L>:*).");
  auto balance_options = std::make_shared<BalanceOptions>();
  balances->add_option("--db", balance_options->db, "Ledger file")->required();
  balances->add_option("--party", balance_options->party, "Only the accounts of this party or farmer")
      ->check(id_validator());
  balances->add_option("--as-of", balance_options->as_of,
                       "Entries effective on or before this date (YYYY-MM-DD; default: all)");
  balances->add_option("--format", balance_options->format, "table (default), csv or json")
      ->transform(CLI::IsMember({"table", "csv", "json"}, CLI::ignore_case));
  balances->callback(
      [&action, balance_options] { action = [balance_options] { return run_balances(*balance_options); }; });
}

}  // namespace tripartite::cli
