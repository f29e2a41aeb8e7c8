// A settlement run end to end over the store (SPEC §3, §6, §7): plan every farmer, check the
// run's invariants, post one batch signed by the off-taker (one entry per farmer, then the
// run record), and write the run's files. Also re-writes a past run's files from the log.
//
// Invariants: nothing is posted unless every farmer's plan succeeded and, over the run,
// remittances + payouts = gross; the batch commits atomically; output files are written only
// after the commit, to temporary names renamed into place. A run that would settle nothing
// records nothing and uses no run number; an as_of before the season's last run is refused.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "contracts/model.hpp"
#include "ledger/crypto.hpp"
#include "ledger/store.hpp"
#include "settlement/outputs.hpp"

namespace tripartite::settlement {

struct SettleRequest {
  contracts::SeasonId season;
  Date as_of;
  std::string signer_party;               // must be the season's off-taker
  const ledger::PrivateKey* key = nullptr;  // nullptr: a dry run, nothing is posted
  std::string out_directory;              // "" = no files
  std::function<void(std::int64_t farmers)> progress;
};

struct SettleOutcome {
  std::string run_id;  // the run's id (for a dry run: the id it would get)
  bool nothing_to_settle = false;
  bool dry_run = false;
  RunTotals totals;
  contracts::SeasonTerms terms;
};

Result<SettleOutcome> settle_season(ledger::Store& store, const SettleRequest& request);

// Writes settlement.csv, payouts.csv and remittances.csv of a stored run into directory,
// re-derived from the log and checked against the posted entries (as verify --replay does).
Result<SettleOutcome> write_past_run_files(ledger::Store& store, const std::string& run_id,
                                           const std::string& directory);

}  // namespace tripartite::settlement
