// `verify --replay`: re-runs every settlement run from the ledger's own records and checks
// that it posts exactly what was posted — the auditor's proof that each payment follows the
// contract terms in the log.
//
// Invariants: each run is re-planned from the log as it stood before the run's batch (the
// same deliveries, loan positions, market prices and previous run the original saw); every
// planned entry must be in the run's batch with identical canonical bytes, the batch must
// hold no other settlement entry, and the run record's counts must match.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ledger/store.hpp"

namespace tripartite::settlement {

struct ReplaySummary {
  std::uint64_t runs = 0;
  std::uint64_t entries = 0;
};

// Failures are ErrorKind::verification naming the run and the first differing record.
// progress, when given, is called with each run's id and the farmers re-derived so far.
Result<ReplaySummary> replay_runs(ledger::Store& store,
                                  const std::function<void(const std::string& run_id, std::uint64_t farmers)>& progress = {});

}  // namespace tripartite::settlement
