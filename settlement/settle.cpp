// Settlement runs over the store. See settle.hpp.
#include "settlement/settle.hpp"

#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "settlement/runner.hpp"

namespace tripartite::settlement {
namespace {

std::string offtaker_of(const contracts::SeasonTerms& terms) {
  for (const auto& party : terms.parties) {
    if (party.role == contracts::Role::offtaker) return party.id.value;
  }
  return {};
}

Status check_totals(const RunTotals& totals) {
  ledger::BigInt paid_out = totals.net_payout;  // exact: the sum cannot wrap
  for (const auto& [party, amount] : totals.remittances) paid_out += amount;
  if (paid_out != ledger::BigInt(totals.gross)) {
    return internal_error("the run does not add up (remittances + payouts != gross); nothing was posted");
  }
  return Status::success();
}

// Adds each plan to the totals and to the files, looking up the farmer's payout details.
class RunSink {
 public:
  RunSink(ledger::Store& store, RunFiles* files, const std::function<void(std::int64_t)>& progress)
      : store_(store), files_(files), progress_(progress) {}
  Status add(const FarmerPlan& plan) {
    TRIPARTITE_CHECK(totals.add(plan));
    if (progress_) progress_(totals.farmers);
    if (files_ == nullptr) return Status::success();
    TRIPARTITE_TRY(record, store_.find("farmer", plan.farmer.value));
    if (!record) return internal_error("farmer " + plan.farmer.value + " is not in the ledger");
    TRIPARTITE_TRY(farmer, contracts::decode_farmer(record->body));
    return files_->add(plan, farmer);
  }
  RunTotals totals;

 private:
  ledger::Store& store_;
  RunFiles* files_;
  std::function<void(std::int64_t)> progress_;
};

}  // namespace

Result<SettleOutcome> settle_season(ledger::Store& store, const SettleRequest& request) {
  SettleOutcome outcome;
  outcome.dry_run = request.key == nullptr;
  // A run is planned on what the ledger holds inside its own write transaction: the season's
  // runs, the log's size and the deliveries read after another command's settle or import
  // has committed, never before (two settles started together: the second then finds the
  // first's run and settles what is left, or nothing).
  std::unique_ptr<ledger::Transaction> transaction;
  if (!outcome.dry_run) {
    TRIPARTITE_TRY(begun, store.begin());
    transaction = std::move(begun);
  }
  TRIPARTITE_TRY(terms, contracts::load_terms(store, request.season));
  outcome.terms = terms;
  const std::string offtaker = offtaker_of(terms);
  if (request.signer_party != offtaker) {
    return invalid("settlement runs of season " + request.season.value + " are signed by its off-taker " + offtaker +
                   "; the key given is " + request.signer_party + "'s");
  }
  TRIPARTITE_TRY(prices, contracts::load_market_prices(store, request.season));
  TRIPARTITE_TRY(runs, contracts::load_runs(store, request.season));
  if (!runs.empty() && date::sys_days(request.as_of) < date::sys_days(runs.back().run.as_of)) {
    return invalid("as of " + contracts::format_date(request.as_of) + " is before the season's last run " +
                   runs.back().run.id + " (as of " + contracts::format_date(runs.back().run.as_of) +
                   "); runs go in date order");
  }
  TRIPARTITE_TRY(size, store.size());
  const int number = static_cast<int>(runs.size()) + 1;
  RunContext context;
  context.terms = terms;
  context.market_prices = std::move(prices);
  if (!runs.empty()) context.previous_run = runs.back();
  context.run_id = run_id_for(request.season, number);
  context.as_of = request.as_of;
  context.visible_before_seq = size + 1;
  outcome.run_id = context.run_id;

  if (transaction) TRIPARTITE_CHECK(transaction->begin_batch(request.signer_party, "run:" + context.run_id));
  std::unique_ptr<RunFiles> files;
  if (!request.out_directory.empty() && !outcome.dry_run) {
    TRIPARTITE_TRY(opened, RunFiles::open(request.out_directory, context.run_id, terms));
    files = std::move(opened);
  }
  RunSink sink(store, files.get(), request.progress);
  TRIPARTITE_TRY(counts, plan_run(store, context, [&](const FarmerPlan& plan, const ledger::JournalEntry& entry,
                                                      const contracts::EncodedRecord& record) -> Status {
    if (transaction) {
      TRIPARTITE_TRY(seq, transaction->append(record.index, record.body, &entry));
      (void)seq;
    }
    return sink.add(plan);
  }));
  outcome.totals = sink.totals;
  TRIPARTITE_CHECK(check_totals(outcome.totals));
  if (counts.farmers == 0) {
    outcome.nothing_to_settle = true;
    return outcome;
  }
  if (outcome.dry_run) return outcome;
  contracts::RunRecord record{context.run_id, request.season, number, request.as_of, counts.farmers, counts.deliveries};
  auto encoded = contracts::encode_run(record);
  TRIPARTITE_TRY(run_seq, transaction->append(encoded.index, encoded.body));
  (void)run_seq;
  TRIPARTITE_TRY(sealed, transaction->seal_batch(*request.key));
  (void)sealed;
  TRIPARTITE_CHECK(transaction->commit());
  if (files) {
    // The run is posted: a failure now must not read as if nothing happened (running the
    // command again would say there is nothing to settle).
    Status written = files->finish(outcome.totals);
    if (!written.ok()) {
      return Error{written.error().kind,
                   written.error().message + "; run " + context.run_id +
                       " IS recorded in the ledger, only its files are missing: write them with `tripartite settle "
                       "--db LEDGER --rewrite-files " + context.run_id + " --out DIR`"};
    }
  }
  return outcome;
}

Result<SettleOutcome> write_past_run_files(ledger::Store& store, const std::string& run_id,
                                           const std::string& directory) {
  TRIPARTITE_TRY(record, store.find("run", run_id));
  if (!record) return invalid("run " + run_id + " is not in the ledger");
  TRIPARTITE_TRY(run, contracts::decode_run(record->body));
  TRIPARTITE_TRY(terms, contracts::load_terms(store, run.season));
  TRIPARTITE_TRY(runs, contracts::load_runs(store, run.season));
  std::size_t k = 0;
  while (k < runs.size() && runs[k].run.id != run_id) ++k;
  TRIPARTITE_ASSERT(k < runs.size());
  TRIPARTITE_TRY(context, context_of_stored_run(store, terms, runs, k));
  TRIPARTITE_TRY(files, RunFiles::open(directory, run_id, terms));
  RunSink sink(store, files.get(), {});
  TRIPARTITE_TRY(counts, plan_run(store, context, [&](const FarmerPlan& plan, const ledger::JournalEntry& entry,
                                                      const contracts::EncodedRecord& encoded) -> Status {
    TRIPARTITE_TRY(posted, store.find(encoded.index.kind, encoded.index.key));
    if (!posted || posted->body != encoded.body) {
      return verification_error("run " + run_id + ": entry " + entry.id + " in the ledger differs from the re-derived one");
    }
    return sink.add(plan);
  }));
  if (counts.farmers != run.farmers) return verification_error("run " + run_id + ": farmer count differs from the log");
  TRIPARTITE_CHECK(check_totals(sink.totals));
  TRIPARTITE_CHECK(files->finish(sink.totals));
  SettleOutcome outcome;
  outcome.run_id = run_id;
  outcome.totals = sink.totals;
  outcome.terms = terms;
  return outcome;
}

}  // namespace tripartite::settlement
