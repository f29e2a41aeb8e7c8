// Replaying settlement runs. See replay.hpp.
#include "settlement/replay.hpp"

#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "settlement/runner.hpp"

namespace tripartite::settlement {

Result<ReplaySummary> replay_runs(ledger::Store& store,
                                  const std::function<void(const std::string& run_id, std::uint64_t farmers)>& progress) {
  ReplaySummary summary;
  std::vector<std::string> seasons;
  TRIPARTITE_CHECK(store.scan({"season"}, [&](const ledger::StoredRecord& record) -> Status {
    seasons.push_back(record.index.key);
    return Status::success();
  }));
  for (const auto& season_id : seasons) {
    contracts::SeasonId season(season_id);
    TRIPARTITE_TRY(terms, contracts::load_terms(store, season));
    TRIPARTITE_TRY(runs, contracts::load_runs(store, season));
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const contracts::StoredRun& stored = runs[k];
      auto fail = [&](std::uint64_t seq, const std::string& why) {
        return verification_error("replay of run " + stored.run.id + " failed at record " + std::to_string(seq) + ": " + why);
      };
      if (stored.run.number != static_cast<int>(k) + 1 || stored.run.id != run_id_for(season, stored.run.number)) {
        return fail(stored.seq, "runs of season " + season_id + " are not numbered 1, 2, … in log order");
      }
      TRIPARTITE_TRY(context, context_of_stored_run(store, terms, runs, k));
      std::uint64_t matched = 0;
      auto counts = plan_run(store, context, [&](const FarmerPlan&, const ledger::JournalEntry& entry,
                                                 const contracts::EncodedRecord& encoded) -> Status {
        TRIPARTITE_TRY(posted, store.find(encoded.index.kind, encoded.index.key));
        if (!posted) return fail(stored.seq, "entry " + entry.id + " should have been posted and was not");
        if (posted->seq < stored.batch_first_seq || posted->seq > stored.seq) {
          return fail(posted->seq, "entry " + entry.id + " is outside the run's batch");
        }
        if (posted->body != encoded.body) return fail(posted->seq, "entry " + entry.id + " differs from what the terms give");
        matched += 1;
        if (progress) progress(stored.run.id, matched);
        return Status::success();
      });
      if (!counts) {
        if (counts.error().kind == ErrorKind::verification) return counts.error();
        return fail(stored.seq, counts.error().message);
      }
      // The batch holds no settlement entry the replay did not produce.
      std::uint64_t posted_in_batch = 0;
      ledger::RecordFilter filter{"settlement"};
      filter.season = season_id;
      filter.max_seq = stored.seq;
      std::uint64_t first_extra = 0;
      TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
        if (record.seq >= stored.batch_first_seq) {
          posted_in_batch += 1;
          if (first_extra == 0 && record.index.key.rfind(stored.run.id + "-", 0) != 0) first_extra = record.seq;
        }
        return Status::success();
      }));
      if (first_extra != 0) return fail(first_extra, "a settlement entry of another run inside this run's batch");
      if (posted_in_batch != matched) {
        return fail(stored.seq, std::to_string(posted_in_batch) + " entries were posted, the terms give " +
                                    std::to_string(matched));
      }
      if (counts->farmers != stored.run.farmers || counts->deliveries != stored.run.deliveries) {
        return fail(stored.seq, "the run record's counts differ from the replay");
      }
      summary.runs += 1;
      summary.entries += matched;
    }
  }
  return summary;
}

}  // namespace tripartite::settlement
