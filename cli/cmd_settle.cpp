// `tripartite settle --db PATH --season ID --as-of DATE --key FILE [--dry-run] [--out DIR]`:
// one settlement run (SPEC §3, §7), posted as one batch signed by the off-taker: a journal
// entry per farmer, then the run record. Prints a summary table; --out writes the run's
// settlement.csv, payouts.csv and remittances.csv. A dry run, or a run with nothing to
// settle, posts nothing, uses no run number and exits 0; an as_of before the season's last
// run exits 2. The files are written only after the run is committed.
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "settlement/outputs.hpp"
#include "settlement/settle.hpp"

namespace tripartite::cli {
namespace {

struct Options {
  std::string db, season, as_of, key, out, rewrite_run;
  bool dry_run = false;
};

// SPEC §3's loan_repayment deducts for the loans in the ledger. A lender of the season with
// none there (its loans.csv not imported yet, say) gets nothing from the run, and its
// farmers are paid in full: said before the run is recorded. Loans are read only until every
// lender of the season has been seen (usually a few records).
void warn_lenders_without_loans(ledger::Store& store, const contracts::SeasonId& season) {
  auto terms = contracts::load_terms(store, season);
  if (!terms || !terms->deducts_loan_repayment()) return;  // an unknown season: settle says so
  std::set<std::string> missing;
  for (const auto& party : terms->parties) {
    if (party.role == contracts::Role::lender) missing.insert(party.id.value);
  }
  ledger::RecordFilter filter{"loan"};
  filter.season = season.value;
  auto cursor = store.open_cursor(filter);
  if (!cursor) return;
  ledger::StoredRecord record;
  while (!missing.empty()) {
    auto more = (*cursor)->next_into(record);
    if (!more || !*more) break;
    auto loan = contracts::decode_loan(record.body, terms->currency);
    if (loan) missing.erase(loan->lender.value);
  }
  for (const auto& lender : missing) {
    std::cerr << "warning: season " << season.value << " deducts loan repayments, but lender " << lender
              << " has no loan of this season in the ledger: this run deducts nothing for " << lender
              << " (if its loans.csv is yet to be imported, import it before settling)\n";
  }
}

void print_summary(const std::string& run_id, const settlement::RunTotals& totals, const contracts::SeasonTerms& terms,
                   bool dry_run) {
  auto money = [&](std::int64_t minor) { return ledger::format_units(minor, terms.currency.exponent); };
  std::cout << (dry_run ? "DRY RUN (nothing posted; recorded now, it would be run " + run_id + ") — "
                        : "settlement run " + run_id + " — ")
            << totals.farmers << (totals.farmers == 1 ? " farmer, " : " farmers, ") << totals.deliveries
            << (totals.deliveries == 1 ? " delivery, " : " deliveries, ") << totals.payable.to_kg_string()
            << " payable kg of " << totals.weight.to_kg_string() << " kg delivered\n";
  const std::vector<std::pair<std::string, std::int64_t>> rows = {
      {"gross", totals.gross},
      {"levy", totals.levy},
      {"coalition fee", totals.coalition_fee},
      {"agent commission", totals.agent_commission},
      {"loan repayment", totals.loan_repayment},
      {"net payout", totals.net_payout},
  };
  for (const auto& [label, amount] : rows) {
    std::cout << "  " << std::left << std::setw(18) << label << std::right << std::setw(20) << money(amount) << " "
              << terms.currency.code << "\n";
  }
  std::cout << "  loans: " << totals.loans_repaid << " fully repaid, " << totals.loans_partly << " partly, "
            << totals.loans_untouched << " untouched\n";
}

// The run whose files are in `directory`, read from its settlement.csv (the first column of
// the first row), or "" when there is none. Only to tell the user what --out replaces.
std::string run_in_folder(const std::string& directory) {
  std::ifstream file(directory + "/settlement.csv");
  std::string header, row;
  if (!file || !std::getline(file, header) || header.rfind("run_id,", 0) != 0 || !std::getline(file, row)) return {};
  return row.substr(0, row.find(','));
}

// Says so when writing a run's files replaced another run's, and how to get those back (they
// can always be re-derived from the ledger; nothing is lost, but the user should know).
void note_replaced(const std::string& previous_run, const std::string& run_id, const Options& options) {
  if (previous_run.empty() || previous_run == run_id) return;
  std::cerr << "note: " << options.out << " held the files of run " << previous_run << "; they were replaced by run "
            << run_id << "'s. To write them again elsewhere: tripartite settle --db " << options.db
            << " --rewrite-files " << previous_run << " --out OTHER_FOLDER\n";
}

// --season and --as-of are not needed with --rewrite-files (the run's record holds both),
// but a script may pass them; when given they must be the run's, so that a mistyped run id
// does not write another season's or date's files where the user expects these.
Status check_rewrite_matches(ledger::Store& store, const Options& options) {
  TRIPARTITE_TRY(record, store.find("run", options.rewrite_run));
  if (!record) return invalid("--rewrite-files: run " + options.rewrite_run + " is not in the ledger");
  TRIPARTITE_TRY(run, contracts::decode_run(record->body));
  if (!options.season.empty() && options.season != run.season.value) {
    return invalid("--season: run " + run.id + " is of season " + run.season.value + ", not " + options.season);
  }
  if (!options.as_of.empty() && options.as_of != contracts::format_date(run.as_of)) {
    return invalid("--as-of: run " + run.id + " is as of " + contracts::format_date(run.as_of) + ", not " +
                   options.as_of);
  }
  return Status::success();
}

int run(const Options& options) {
  auto store = open_store(options.db);
  if (!store) return fail(store.error());
  if (!options.rewrite_run.empty()) {
    if (options.out.empty()) return fail(Error{ErrorKind::usage, "settle: --rewrite-files needs --out DIR"});
    if (Status matches = check_rewrite_matches(**store, options); !matches.ok()) return fail(matches.error());
    const std::string previous_run = run_in_folder(options.out);
    auto outcome = settlement::write_past_run_files(**store, options.rewrite_run, options.out);
    if (!outcome) return fail(outcome.error());
    std::cout << "re-derived run " << outcome->run_id << " from the ledger and wrote " << options.out
              << "/settlement.csv, payouts.csv, remittances.csv\n";
    note_replaced(previous_run, outcome->run_id, options);
    return 0;
  }
  if (options.season.empty() || options.as_of.empty() || options.key.empty()) {
    return fail(Error{ErrorKind::usage, "settle: --season, --as-of and --key are required (see --help)"});
  }
  auto as_of = parse_date_option("--as-of", options.as_of);
  if (!as_of) return fail(as_of.error());
  // A run dated ahead charges loan interest up to that date, and no later run of the season
  // may be dated before it: said before anything is recorded. A warning, not a refusal:
  // what a run posts must not depend on the clock of the machine that makes it.
  if (options.as_of > tomorrow_utc()) {  // both YYYY-MM-DD: byte order is date order
    std::cerr << "warning: --as-of " << options.as_of
              << " is in the future by this machine's clock: the run charges loan interest up to that date, and a "
                 "later run of season "
              << options.season << " cannot be dated before it"
              << (options.dry_run ? "" : " (--dry-run shows a run without recording it)") << "\n";
  }
  // An unknown season is said first: on a new ledger the off-taker's key is not registered
  // either, but the season is what is missing.
  auto season = contracts::load_terms(**store, contracts::SeasonId(options.season));
  if (!season) return fail(season.error());
  auto parties = contracts::load_parties(**store);
  if (!parties) return fail(parties.error());
  auto signer = load_signing_key(options.key, *parties, false);
  if (!signer) return fail(signer.error());
  settlement::SettleRequest request;
  request.season = contracts::SeasonId(options.season);
  request.as_of = *as_of;
  request.signer_party = signer->party;
  request.key = options.dry_run ? nullptr : &signer->key;
  request.out_directory = options.dry_run ? std::string() : options.out;
  const std::string previous_run = request.out_directory.empty() ? std::string() : run_in_folder(options.out);
  warn_lenders_without_loans(**store, request.season);
  Progress progress("settling farmers");
  request.progress = [&progress](std::int64_t farmers) { progress.update(static_cast<std::uint64_t>(farmers)); };
  auto outcome = settlement::settle_season(**store, request);
  progress.finish();
  if (!outcome) return fail(outcome.error());
  if (outcome->nothing_to_settle) {
    std::cout << "nothing to settle in season " << options.season << " as of " << options.as_of
              << ": every delivery dated on or before it is already settled; no run was recorded\n";
    return 0;
  }
  print_summary(outcome->run_id, outcome->totals, outcome->terms, outcome->dry_run);
  if (outcome->dry_run && !options.out.empty()) std::cout << "(a dry run writes no files)\n";
  if (!outcome->dry_run && !options.out.empty()) {
    std::cout << "wrote " << options.out << "/settlement.csv, payouts.csv, remittances.csv\n";
    note_replaced(previous_run, outcome->run_id, options);
  }
  if (!outcome->dry_run && options.out.empty()) {
    std::cout << "run " << outcome->run_id << " is recorded; no files were written (no --out): `tripartite settle --db "
              << options.db << " --rewrite-files " << outcome->run_id
              << " --out DIR` writes its settlement.csv, payouts.csv and remittances.csv\n";
  }
  return 0;
}

}  // namespace

void setup_settle(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "settle",
      "Settle a season as of a date: every delivery dated on or before it and not yet settled is paid\n"
      "through the waterfall (levies, coalition fee, agent commissions, loan repayment, farmer payout).\n"
      "Signed by the season's off-taker. Running it again settles nothing and says so.");
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file")->required();
  command->add_option("--season", options->season, "Season id, e.g. 2026A (required)")->check(id_validator());
  command->add_option("--as-of", options->as_of,
                      "Settle deliveries dated on or before this date, YYYY-MM-DD (required)");
  command->add_option("--key", options->key,
                      "The off-taker's private key file (required; --rewrite-files signs nothing and needs none)");
  auto* dry_run =
      command->add_flag("--dry-run", options->dry_run, "Show the run's summary; post nothing, use no run number");
  command->add_option("--out", options->out,
                      "Write settlement.csv, payouts.csv and remittances.csv of the run into this folder");
  command
      ->add_option("--rewrite-files", options->rewrite_run,
                   "Re-derive the files of a past run (RUN_ID) from the ledger into --out, checked against\n"
                   "what was posted (after a crash between the commit and the files, or a lost folder).\n"
                   "Needs only --db and --out (the run's season and date are in the ledger); --season\n"
                   "and --as-of, if given, must be the run's")
      ->check(id_validator())
      ->excludes(dry_run);
  command->callback([&action, options] {
    action = [options] {
      if (!options->out.empty()) options->out = folder_argument(options->out);
      return run(*options);
    };
  });
}

}  // namespace tripartite::cli
