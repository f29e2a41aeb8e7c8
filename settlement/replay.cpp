// Replaying settlement runs. See replay.hpp.
#include "settlement/replay.hpp"

#include <algorithm>

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
      std::vector<std::uint64_t> matched_seqs;  // the posted entries the replay gives
      auto counts = plan_run(store, context, [&](const FarmerPlan&, const ledger::JournalEntry& entry,
                                                 const contracts::EncodedRecord& encoded) -> Status {
        TRIPARTITE_TRY(posted, store.find(encoded.index.kind, encoded.index.key));
        if (!posted) return fail(stored.seq, "entry " + entry.id + " should have been posted and was not");
        if (posted->seq < stored.batch_first_seq || posted->seq > stored.seq) {
          return fail(posted->seq, "entry " + entry.id + " is outside the run's batch");
        }
        if (posted->body != encoded.body) return fail(posted->seq, "entry " + entry.id + " differs from what the terms give");
        matched += 1;
        matched_seqs.push_back(posted->seq);
        if (progress) progress(stored.run.id, matched);
        return Status::success();
      });
      if (!counts) {
        if (counts.error().kind == ErrorKind::verification) return counts.error();
        return fail(stored.seq, counts.error().message);
      }
      // The batch holds no settlement entry the replay did not produce: the first one that is
      // not is named.
      std::sort(matched_seqs.begin(), matched_seqs.end());
      std::uint64_t posted_in_batch = 0;
      std::uint64_t first_unmatched = 0;
      std::string unmatched_key;
      ledger::RecordFilter filter{"settlement"};
      filter.season = season_id;
      filter.max_seq = stored.seq;
      std::uint64_t first_extra = 0;
      TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
        if (record.seq >= stored.batch_first_seq) {
          posted_in_batch += 1;
          if (first_extra == 0 && record.index.key.rfind(stored.run.id + "-", 0) != 0) first_extra = record.seq;
          if (first_unmatched == 0 && !std::binary_search(matched_seqs.begin(), matched_seqs.end(), record.seq)) {
            first_unmatched = record.seq;
            unmatched_key = record.index.key;
          }
        }
        return Status::success();
      }));
      if (first_extra != 0) return fail(first_extra, "a settlement entry of another run inside this run's batch");
      if (first_unmatched != 0) {
        return fail(first_unmatched,
                    "entry " + unmatched_key + " was posted, but the terms give no such entry in this run (" +
                        std::to_string(posted_in_batch) + " posted, " + std::to_string(matched) + " given)");
      }
      if (posted_in_batch != matched) {  // every posted entry is matched: the terms gave one entry twice
        return fail(stored.seq, std::to_string(posted_in_batch) + " settlement entries posted, the terms give " +
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
