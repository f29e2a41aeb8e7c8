// Importing a season folder into the ledger as signed batches (SPEC §2, §5).
//
// Invariants: one import is one store transaction — every problem of the folder is
// collected as a diagnostic and, if there is any, nothing is committed (the ledger's tree
// head is the same before and after). Each part is written by the party entitled to sign it:
// the coordinator writes the genesis (on an empty ledger), key registrations, parties, loan
// products, season terms, farmers and market prices; the off-taker commitments and
// deliveries; each lender its own loans with their disbursement entries. One batch per
// author and file. Re-import is incremental: a record already in the ledger with the same
// bytes is skipped, one with the same id and different bytes is an error (a correction is an
// explicit reversal). Deliveries stream: memory does not grow with their number beyond the
// readers' duplicate index.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "contracts/model.hpp"
#include "ledger/crypto.hpp"
#include "ledger/store.hpp"

namespace tripartite::contracts {

struct ImportSigner {
  std::string party;
  const ledger::PrivateKey* key = nullptr;
};

struct ImportOptions {
  std::string directory;
  std::vector<ImportSigner> signers;  // who signs: every author (--keys) or one (--key)
  // --keys: public keys to register in the coordinator's batch (party -> raw key).
  std::map<std::string, std::string> keys_to_register;
  // --keys: the signers are meant to be every author of the folder. A part whose author has
  // no key among them is then an error (nothing is imported), not a part left out: a
  // lender's loans left out without a word would make the next run pay their farmers with
  // nothing deducted. With --key, parts of other authors are left out and listed.
  bool every_author = false;
  // Rows dated after this day (the CLI gives tomorrow in UTC) are imported with a warning: a
  // year typed wrong (2062 for 2026) is a valid date, and a delivery so dated would wait
  // unpaid for a run of that date. None = not checked (the import stays independent of the
  // clock either way: it stores the same records).
  std::optional<Date> future_after;
  // Called now and then while a file's rows are read: the file and its rows read so far.
  std::function<void(const std::string& file, std::uint64_t rows)> progress;
};

struct FileSummary {
  std::string file;
  std::string author;
  std::int64_t added = 0;
  std::int64_t unchanged = 0;
};

struct ImportSummary {
  std::string season;
  std::vector<FileSummary> files;
  std::vector<std::string> skipped;  // parts no given key may sign
  std::vector<std::string> warnings;  // stored, but worth a word ("FILE: message")
  std::vector<std::string> notes;     // what was deliberately not read ("FILE: message")
  std::uint64_t tree_size = 0;
};

// Returns the summary when the import committed; an invalid_input error when there were
// diagnostics (all of them in `diagnostics`) or a key may not sign what it must; other
// errors as they come. On any error nothing is stored.
Result<ImportSummary> import_season(ledger::Store& store, const ImportOptions& options, Diagnostics& diagnostics);

// The origination fee of a loan: principal × origination_fee, rounded half-even once to the
// minor unit (SPEC §3), charged at disbursement. Errors: an amount that does not fit in int64.
Result<std::int64_t> origination_fee_minor(const Loan& loan, const LoanProduct& product);

// The disbursement entry of a loan (docs/ledger.md): principal owed to the lender, and the
// origination fee (principal × fee, rounded half-even once) when it is not zero.
Result<ledger::JournalEntry> disbursement_entry(const Loan& loan, const LoanProduct& product, const SeasonId& season,
                                                const Currency& currency);

}  // namespace tripartite::contracts
