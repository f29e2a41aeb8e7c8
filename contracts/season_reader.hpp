// Reading and validating a season folder (SPEC §2): coalition.toml into SeasonTerms, and
// each CSV file, one row at a time, into the values of model.hpp.
//
// Invariants: a value handed to a callback (or returned) satisfies every rule of SPEC §1–§2
// that can be checked from its row and from what the Registry knows; a row with any problem
// is reported and not handed on. Every problem of a file is reported, as
// `FILE:LINE: field: message` (FILE is the file's name without its directory; LINE the
// physical line where the CSV record starts, header = line 1, or the line of the offending
// TOML key; field a column name or a dotted TOML path such as `deduction[2].shares.SUP1`,
// arrays of tables counted from 1), at most kMaximumDiagnosticsPerFile per file followed by
// one line saying how many more were not shown. Diagnostics of a CSV file come in line
// order, and within a row in the column order of SPEC §2 (a delivery's commitment check,
// reported on delivered_on, comes last); those of coalition.toml are sorted by line
// (stable), file-level ones (line 0) first.
//
// Duplicates within a file (farmer_id, commitment_id, loan_id, delivery_id, market price
// date) are found by the reader itself, exactly, naming both lines ("duplicate delivery_id
// D7, first on line 3"; an id counts as seen even when the rest of its row is refused).
// It keeps every id seen in a compact open-addressing index: 8 bytes per slot (at most 70%
// full) plus the id's length plus 5 bytes per id — measured: 276 MB peak resident and about
// 31 s for a 10-million-row deliveries.csv with 8-character ids (Release build). Nothing
// else grows with the file. Uniqueness across the ledger (an id imported earlier) is the
// caller's, through its store.
//
// Memory: the CSV readers stream (see csv.hpp); coalition.toml is read whole and refused
// above 1 MiB. Nothing here stores anything: all-or-nothing is the importer's business.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "contracts/csv.hpp"
#include "contracts/model.hpp"
#include "ledger/result.hpp"

namespace tripartite::contracts {

// What references are resolved against: the ledger's records plus what the current import
// has accepted so far. The readers only ask; they never add. (An importer typically answers
// from its store and from the rows its callbacks have staged.)
class Registry {
 public:
  virtual ~Registry() = default;
  // The role of the party with that id anywhere in the ledger (farmer ids and party ids
  // never collide), or nothing when no such party is known.
  virtual std::optional<Role> party_role(const PartyId& party) const = 0;
  // Its role in this season: the parties of the season's coalition.toml. CSV rows may name
  // only these (a season has exactly one off-taker, its own lenders and agents).
  virtual std::optional<Role> season_party_role(const PartyId& party) const = 0;
  virtual bool farmer_exists(const FarmerId& farmer) const = 0;
  virtual bool product_exists(const ProductId& product) const = 0;
  // True when the season's price terms have a multiplier for that grade.
  virtual bool grade_exists(const std::string& grade) const = 0;
  // The earliest signed_on of the commitments between that farmer and that off-taker.
  virtual std::optional<Date> earliest_commitment(const FarmerId& farmer, const PartyId& offtaker) const = 0;
};

// A Registry held in memory, filled by the caller in file order (terms, farmers,
// commitments). For tests, and for checking a folder on its own.
class InMemoryRegistry final : public Registry {
 public:
  // The terms' parties, loan products and grades.
  void add_terms(const SeasonTerms& terms);
  void add_farmer(const Farmer& farmer);
  void add_commitment(const Commitment& commitment);

  std::optional<Role> party_role(const PartyId& party) const override;
  std::optional<Role> season_party_role(const PartyId& party) const override { return party_role(party); }
  bool farmer_exists(const FarmerId& farmer) const override;
  bool product_exists(const ProductId& product) const override;
  bool grade_exists(const std::string& grade) const override;
  std::optional<Date> earliest_commitment(const FarmerId& farmer, const PartyId& offtaker) const override;

 private:
  std::map<std::string, Role> party_roles_;
  std::set<std::string> farmers_;
  std::set<std::string> products_;
  std::set<std::string> grades_;
  std::map<std::pair<std::string, std::string>, Date> earliest_commitments_;  // (farmer, offtaker)
};

// Reads coalition.toml: every rule of SPEC §2 (required and unknown keys at every level,
// roles, ids, decimal strings rather than TOML numbers, decimals and ranges, price method,
// grades, loan products, the deduction waterfall and its references to the file's own
// parties, exactly one off-taker, at least one coordinator). When `known` is given, a party
// id that is a known farmer id is refused too. Returns the terms when the file has no
// problem; otherwise an error, with every problem in `diagnostics`.
// With `key_lines`, also fills it (from the same parse) with the line of every key of the
// file, by its path with 0-based array indices ("price.base_per_kg", "party[2].name",
// "deduction[0].rate"), for diagnostics found later against the ledger.
using KeyLines = std::map<std::string, int>;
Result<SeasonTerms> read_coalition(const std::string& path, Diagnostics& diagnostics, const Registry* known = nullptr,
                                   KeyLines* key_lines = nullptr);

// How the terms read from a coalition.toml (its key_lines) differ from the season's terms in
// the ledger: one diagnostic per differing key ("coalition.toml:LINE: price.base_per_kg:
// '39.00' here, '38.50' in the terms of season 2026A in the ledger; …"), in line order;
// empty when they agree.
Diagnostics terms_differences(const KeyLines& key_lines, const SeasonTerms& ledger, const SeasonTerms& folder);

// See ReadContext::refused.
struct RefusedRows {
  std::unordered_map<std::string, int> farmers;
  std::map<std::pair<std::string, std::string>, int> commitments;
};

// What the CSV readers check rows against. When coalition.toml itself is invalid the terms
// are unknown: leave both empty and only row-local and within-file checks run (so that the
// terms' errors do not drown in unresolved references).
struct ReadContext {
  const Registry* registry = nullptr;  // resolves references; nullptr: references are not checked
  std::optional<Currency> currency;    // loans.csv principal; none: checked as a decimal only
                                       // (principal_minor is then 0 — for diagnostics only)
  // false when farmers.csv / commitments.csv could not be read as a whole (missing, empty, a
  // bad header): references to farmers / the commitment check are then not resolved, so
  // that one bad header gives its own lines, not one "unknown farmer" per row elsewhere.
  bool farmers_readable = true;
  bool commitments_readable = true;
  // Rows refused so far whose id could be read: a farmer's farmers.csv line by farmer id, a
  // commitment's commitments.csv line by (farmer, off-taker). Filled by read_farmers and
  // read_commitments when given, so that a row of another file that names a refused farmer
  // or rests on a refused commitment points at that line instead of saying "unknown farmer"
  // or "no commitment" (the root cause, not its echo). nullptr: not kept.
  RefusedRows* refused = nullptr;
};

// True when `diagnostics`, from index `from` on, hold a problem of `file` as a whole (line
// 0) or of its header (line 1): its rows could not be read.
bool file_unreadable(const Diagnostics& diagnostics, std::size_t from, std::string_view file);

template <class T>
using RowCallback = std::function<void(const T& value, int line)>;

// Each reader opens its file (a missing file is a diagnostic; a file with no header row is
// one too, except market_prices.csv, which may be absent, empty or header-only), checks the
// header, and calls `on_row` with each row that has no problem, in file order, with the line
// where the row starts. The callback may add the value to the registry the reader consults:
// later rows then see it. Returns true when the file produced no diagnostic.
//
// farmers.csv: ids; farmer_id not a party id (registry); name required; group_id empty or
// an id; payout_method mobile_money | bank | cash; payout_account required unless cash.
bool read_farmers(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                  const RowCallback<Farmer>& on_row);
// commitments.csv: ids; farmer known; offtaker_id a party of role offtaker; quantity_kg > 0
// with at most 3 decimals; signed_on a date.
bool read_commitments(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                      const RowCallback<Commitment>& on_row);
// loans.csv (optional column paid_to): ids; farmer known; lender_id a lender; product known;
// principal > 0 with at most the currency's decimals; dates, disbursed_on <= due_on;
// paid_to empty or an input_supplier.
bool read_loans(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                const RowCallback<Loan>& on_row);
// deliveries.csv: ids; farmer known; offtaker_id an offtaker; grade in the price terms;
// weight_kg > 0 with at most 3 decimals; moisture_pct empty or 0 <= m < 100 with at most 3
// decimals; delivered_on a date, on or after the earliest commitment between that farmer
// and that off-taker; agent_id empty or an agent.
bool read_deliveries(const std::string& path, const ReadContext& context, Diagnostics& diagnostics,
                     const RowCallback<Delivery>& on_row);
// market_prices.csv: date a date, one row per date; price_per_kg > 0 with at most 8 decimals.
bool read_market_prices(const std::string& path, Diagnostics& diagnostics, const RowCallback<MarketPrice>& on_row);

// A whole season folder, in memory.
struct SeasonFolder {
  std::optional<SeasonTerms> terms;  // none when coalition.toml is invalid
  std::vector<Farmer> farmers;
  std::vector<Commitment> commitments;
  std::vector<Loan> loans;
  std::vector<Delivery> deliveries;
  std::vector<MarketPrice> market_prices;
};

// Reads every file of the folder in SPEC order (coalition.toml, farmers.csv,
// commitments.csv, loans.csv, deliveries.csv, market_prices.csv when present and the season
// is not priced fixed: SPEC §2 ignores it then), each checked
// against an InMemoryRegistry holding the records accepted before it. Holds everything in
// memory: for tests, small seasons and `--dry-run`-style checks; a streaming importer
// composes the readers above with its own Registry instead.
SeasonFolder read_season_folder(const std::string& directory, Diagnostics& diagnostics);

}  // namespace tripartite::contracts
