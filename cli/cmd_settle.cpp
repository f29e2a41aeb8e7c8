// `tripartite settle --db PATH --season ID --as-of DATE --key FILE [--dry-run] [--out DIR]`:
// one settlement run (SPEC §3, §7), posted as one batch signed by the off-taker: a journal
// entry per farmer, then the run record. Prints a summary table; --out writes the run's
// settlement.csv, payouts.csv and remittances.csv. A dry run, or a run with nothing to
// settle, posts nothing, uses no run number and exits 0; an as_of before the season's last
// run exits 2. The files are written only after the run is committed.
#include <iomanip>
#include <sstream>

#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "settlement/outputs.hpp"
#include "settlement/runner.hpp"

namespace tripartite::cli {
namespace {

struct Options {
  std::string db, season, as_of, key, out;
  bool dry_run = false;
};

void print_summary(const std::string& run_id, const settlement::RunTotals& totals, const contracts::SeasonTerms& terms,
                   bool dry_run) {
  auto money = [&](std::int64_t minor) { return ledger::format_units(minor, terms.currency.exponent); };
  std::cout << (dry_run ? "DRY RUN (nothing posted) " : "") << "settlement run " << run_id << " — "
            << totals.farmers << " farmers, " << totals.deliveries << " deliveries, "
            << totals.payable.to_kg_string() << " payable kg of " << totals.weight.to_kg_string() << " kg delivered\n";
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

int run(const Options& options) {
  auto as_of = contracts::parse_date(options.as_of);
  if (!as_of) return fail(invalid("--as-of: '" + options.as_of + "' is not a date (YYYY-MM-DD)"));
  auto store_result = open_store(options.db);
  if (!store_result) return fail(store_result.error());
  ledger::Store& store = **store_result;
  contracts::SeasonId season(options.season);
  auto terms = contracts::load_terms(store, season);
  if (!terms) return fail(terms.error());
  auto parties = contracts::load_parties(store);
  if (!parties) return fail(parties.error());
  auto signer = load_signing_key(options.key, *parties, false);
  if (!signer) return fail(signer.error());
  std::string offtaker;
  for (const auto& party : terms->parties) {
    if (party.role == contracts::Role::offtaker) offtaker = party.id.value;
  }
  if (signer->party != offtaker) {
    return fail(invalid("settlement runs of season " + season.value + " are signed by its off-taker " + offtaker +
                        "; the key given is " + signer->party + "'s"));
  }
  auto prices = contracts::load_market_prices(store, season);
  if (!prices) return fail(prices.error());
  auto runs = contracts::load_runs(store, season);
  if (!runs) return fail(runs.error());
  if (!runs->empty() && date::sys_days(*as_of) < date::sys_days(runs->back().run.as_of)) {
    return fail(invalid("--as-of " + options.as_of + " is before the season's last run " + runs->back().run.id +
                        " (as of " + contracts::format_date(runs->back().run.as_of) + "); runs go in date order"));
  }
  auto size = store.size();
  if (!size) return fail(size.error());
  int number = static_cast<int>(runs->size()) + 1;

  settlement::RunContext context;
  context.terms = *terms;
  context.market_prices = *prices;
  if (!runs->empty()) context.previous_run = runs->back();
  context.run_id = settlement::run_id_for(season, number);
  context.as_of = *as_of;
  context.visible_before_seq = *size + 1;

  std::unique_ptr<ledger::Transaction> transaction;
  if (!options.dry_run) {
    auto begun = store.begin();
    if (!begun) return fail(begun.error());
    transaction = std::move(begun).value();
    auto status = transaction->begin_batch(signer->party, "run:" + context.run_id);
    if (!status.ok()) return fail(status.error());
  }
  std::unique_ptr<settlement::RunFiles> files;
  if (!options.out.empty() && !options.dry_run) {
    auto opened = settlement::RunFiles::open(options.out, context.run_id, *terms);
    if (!opened) return fail(opened.error());
    files = std::move(opened).value();
  }
  settlement::RunTotals totals;
  Progress progress("settling farmers");
  auto counts = settlement::plan_run(store, context, [&](const settlement::FarmerPlan& plan,
                                                         const ledger::JournalEntry& entry) -> Status {
    totals.add(plan);
    progress.update(static_cast<std::uint64_t>(totals.farmers));
    if (transaction) {
      auto record = contracts::encode_entry(entry);
      TRIPARTITE_TRY(seq, transaction->append(record.index, record.body, &entry));
      (void)seq;
    }
    if (files) {
      TRIPARTITE_TRY(farmer_record, store.find("farmer", plan.farmer.value));
      if (!farmer_record) return internal_error("farmer " + plan.farmer.value + " is not in the ledger");
      TRIPARTITE_TRY(farmer, contracts::decode_farmer(farmer_record->body));
      TRIPARTITE_CHECK(files->add(plan, farmer));
    }
    return Status::success();
  });
  progress.finish();
  if (!counts) return fail(counts.error());
  // SPEC §6 invariant, checked before anything is posted: remittances + payouts = gross.
  std::int64_t remitted = 0;
  for (const auto& [party, amount] : totals.remittances) remitted += amount;
  if (remitted + totals.net_payout != totals.gross) {
    return fail(internal_error("run does not add up: remittances + payouts != gross; nothing was posted"));
  }
  if (counts->farmers == 0) {
    std::cout << "nothing to settle in season " << season.value << " as of " << options.as_of
              << ": every delivery dated on or before it is already settled; no run was recorded\n";
    return 0;
  }
  if (options.dry_run) {
    print_summary(context.run_id, totals, *terms, true);
    return 0;
  }
  contracts::RunRecord record{context.run_id, season, number, *as_of, counts->farmers, counts->deliveries};
  auto encoded = contracts::encode_run(record);
  auto appended = transaction->append(encoded.index, encoded.body);
  if (!appended) return fail(appended.error());
  auto sealed = transaction->seal_batch(signer->key);
  if (!sealed) return fail(sealed.error());
  auto committed = transaction->commit();
  if (!committed.ok()) return fail(committed.error());
  print_summary(context.run_id, totals, *terms, false);
  if (files) {
    auto finished = files->finish(totals);
    if (!finished.ok()) return fail(finished.error());
    std::cout << "wrote " << options.out << "/settlement.csv, payouts.csv, remittances.csv\n";
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
  command->add_option("--season", options->season, "Season id, e.g. 2026A")->required();
  command->add_option("--as-of", options->as_of, "Settle deliveries dated on or before this date (YYYY-MM-DD)")
      ->required();
  command->add_option("--key", options->key, "The off-taker's private key file")->required();
  command->add_flag("--dry-run", options->dry_run, "Show the run's summary; post nothing, use no run number");
  command->add_option("--out", options->out,
                      "Write settlement.csv, payouts.csv and remittances.csv of the run into this folder");
  command->callback([&action, options] { action = [options] { return run(*options); }; });
}

}  // namespace tripartite::cli
