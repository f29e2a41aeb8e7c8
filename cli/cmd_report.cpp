// `tripartite report loans --db PATH --as-of DATE [--lender ID] [--format table|csv|json]`:
// the point-in-time loan book (SPEC §6) on standard output.
#include <iomanip>

#include "cli/common.hpp"
#include "ledger/canonical.hpp"
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

const std::vector<std::string> kLoanColumns = {"loan_id",         "farmer_id",       "lender_id",
                                               "principal",       "fees_charged",    "interest_accrued",
                                               "repaid_fees",     "repaid_interest", "repaid_principal",
                                               "outstanding",     "status",          "due_on",
                                               "days_past_due"};

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells,
                 std::size_t first_numeric, std::size_t last_numeric) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      bool numeric = i >= first_numeric && i <= last_numeric;
      std::cout << (i == 0 ? "" : "  ") << (numeric ? std::right : std::left)
                << std::setw(static_cast<int>(widths[i])) << row[i];
    }
    std::cout << "\n";
  };
  print_row(header);
  for (const auto& row : cells) print_row(row);
}

int run_loans(const LoanOptions& options) {
  auto as_of = contracts::parse_date(options.as_of);
  if (!as_of) return fail(invalid("--as-of: '" + options.as_of + "' is not a date (YYYY-MM-DD)"));
  auto store = open_store(options.db);
  if (!store) return fail(store.error());
  std::optional<std::string> lender;
  if (!options.lender.empty()) lender = options.lender;
  auto rows = settlement::loan_report(**store, *as_of, lender);
  if (!rows) return fail(rows.error());
  if (options.format == "csv") {
    std::cout << settlement::loan_report_csv(*rows);
  } else if (options.format == "json") {
    ledger::canonical::Array items;
    for (const auto& cells : loan_cells(*rows)) {
      ledger::canonical::Object object;
      for (std::size_t i = 0; i < cells.size(); ++i) object[kLoanColumns[i]] = cells[i];
      items.emplace_back(std::move(object));
    }
    std::cout << ledger::canonical::Value(std::move(items)).serialise() << "\n";
  } else {
    print_table(kLoanColumns, loan_cells(*rows), 3, 9);
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
  loans->add_option("--lender", options->lender, "Only this lender's loans");
  loans->add_option("--format", options->format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  loans->callback([&action, options] { action = [options] { return run_loans(*options); }; });
}

}  // namespace tripartite::cli
