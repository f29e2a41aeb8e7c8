// A settlement run over the ledger: reads the season's unsettled deliveries and loan
// positions from the store, farmer by farmer in id order, asks the pure engine for each
// farmer's plan, and hands plan and journal entry to a sink (which posts them, writes the
// output files, or — for `verify --replay` — compares them with what was posted).
//
// Invariants: everything is read as the log stood before sequence number
// `visible_before_seq` (the first record of the run's own batch), so re-running a stored
// run sees exactly what the original run saw. A delivery is settled by the first run of its
// season whose batch comes after it in the log and whose as_of is on or after its date:
// equivalently it is unsettled at a new run when the season's previous run came before it in
// the log or is dated before it. Memory: one table of loan balances (three integers per
// loan); deliveries, loans and past settlements stream, merged in farmer id order. The
// store is read on the calling thread only; farmers are decoded, planned and encoded on a
// second thread in chunks, and the sink sees them in farmer order on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "ledger/store.hpp"
#include "settlement/engine.hpp"

namespace tripartite::settlement {

struct RunContext {
  contracts::SeasonTerms terms;
  std::vector<contracts::MarketPrice> market_prices;
  std::optional<contracts::StoredRun> previous_run;  // the season's last run before this one
  std::string run_id;
  Date as_of;
  std::uint64_t visible_before_seq = 0;  // read only records with seq < this
};

// Called on the calling thread, in farmer id order, with each plan, its journal entry and the
// entry's canonical record.
using PlanSink = std::function<Status(const FarmerPlan& plan, const ledger::JournalEntry& entry,
                                      const contracts::EncodedRecord& record)>;

struct RunCounts {
  std::int64_t farmers = 0;
  std::int64_t deliveries = 0;
};

// Plans every farmer with unsettled deliveries dated on or before as_of, in farmer id order.
Result<RunCounts> plan_run(ledger::Store& store, const RunContext& context, const PlanSink& sink);

// The context in which the season's k-th stored run (0-based, in log order) was planned: the
// log as it stood before the run's batch, with the market prices recorded by then.
Result<RunContext> context_of_stored_run(ledger::Store& store, const contracts::SeasonTerms& terms,
                                         const std::vector<contracts::StoredRun>& runs, std::size_t k);

// "<season>-R<n>"
std::string run_id_for(const contracts::SeasonId& season, int number);

}  // namespace tripartite::settlement
