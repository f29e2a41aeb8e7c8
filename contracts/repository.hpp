// Reading the domain back from the ledger: terms of a season, parties, registered keys,
// loans and deliveries, decoded from the records the store holds.
//
// Invariants: everything returned here comes from stored canonical records through the
// decoders of records.hpp — never from a second copy — so what settlement and the reports
// see is exactly what the signed log says.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "contracts/records.hpp"
#include "ledger/store.hpp"

namespace tripartite::contracts {

// Which role may author which record (SPEC §5). The coordinator: genesis, key registrations,
// parties, loan products, season terms, farmers, market prices; the off-taker: commitments,
// deliveries, settlement runs and their entries; a lender: its own loans and their
// disbursement entries, and its acknowledgements.
std::optional<Role> author_role_for_kind(std::string_view kind);

struct LedgerParties {
  std::map<std::string, Party> parties;          // by id
  std::map<std::string, std::string> keys;       // party id -> raw public key (32 bytes)
  std::optional<Genesis> genesis;
  // The party whose registered key is `raw_public_key`, if any.
  std::optional<std::string> party_for_key(const std::string& raw_public_key) const;
};

Result<LedgerParties> load_parties(ledger::Store& store);
// The season's terms, with its parties and loan products resolved. Not found: invalid_input.
Result<SeasonTerms> load_terms(ledger::Store& store, const SeasonId& season);
// Every loan product of the ledger by id (recorded before max_seq when it is not 0). A
// season's loans may name a product of an earlier season's terms (docs/settlement.md), so
// settlement and the loan report take products from here, not from one season's terms.
Result<std::map<std::string, LoanProduct>> load_loan_products(ledger::Store& store, std::uint64_t max_seq = 0);
// Market prices recorded before sequence number max_seq (0 = all), sorted by date.
Result<std::vector<MarketPrice>> load_market_prices(ledger::Store& store, const SeasonId& season,
                                                   std::uint64_t max_seq = 0);
struct StoredRun {
  RunRecord run;
  std::uint64_t seq = 0;        // the run record
  std::uint64_t batch_first_seq = 0;  // the first record of the run's batch
};
// The season's runs in log order, with where they stand in the log.
Result<std::vector<StoredRun>> load_runs(ledger::Store& store, const SeasonId& season);

}  // namespace tripartite::contracts
