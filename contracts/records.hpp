// The canonical ledger records of the domain: how each party, term, farmer, commitment,
// loan, delivery, market price, key registration, settlement run and lender's acknowledgement
// is written into the log, and read back. The byte form is documented in docs/audit-format.md and is permanent.
//
// Invariants: to_record(x) is canonical JSON (ledger/canonical.hpp) with a "kind" member;
// decimals are written normalised (money with exactly the currency's decimals, weights and
// moisture with exactly 3, rates and prices with trailing zeros removed), so the same value
// always gives the same bytes and a re-import of identical data is recognised as identical.
// from_record(to_record(x)) == x for every valid x.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/model.hpp"
#include "ledger/canonical.hpp"
#include "ledger/store.hpp"

namespace tripartite::contracts {

namespace canonical = ledger::canonical;

// A canonical record with the index columns the store files it under.
struct EncodedRecord {
  ledger::RecordIndex index;
  std::string body;
};

// Rates and prices: the shortest exact decimal ("38.5", "0.02", "1").
std::string normalised_decimal(const Decimal& value);

// How two records with the same kind and id differ, member by member (top-level members of
// their canonical JSON, in byte order): for an import that meets a record already in the
// ledger with other content, so that the message names what changed. A member absent on one
// side shows as ''; a value that is not a string is shown as its canonical JSON.
struct MemberDifference {
  std::string member;
  std::string here;    // shown_text of the value being imported
  std::string ledger;  // shown_text of the value in the ledger
};
std::vector<MemberDifference> member_differences(std::string_view here, std::string_view ledger);
// "weight_kg '512.300' here, '512.000' in the ledger; grade 'B' here, 'A' in the ledger"
// (at most `limit` members, then "and N more"); "" when the bodies do not both parse as
// objects or do not differ member by member.
std::string describe_differences(std::string_view here, std::string_view ledger, std::size_t limit = 3);

EncodedRecord encode_genesis(const std::string& ledger_id, const PartyId& coordinator, const std::string& public_key_raw);
EncodedRecord encode_key(const PartyId& party, const std::string& public_key_raw);
EncodedRecord encode_party(const Party& party);
EncodedRecord encode_loan_product(const LoanProduct& product);
EncodedRecord encode_season(const SeasonTerms& terms);
EncodedRecord encode_farmer(const Farmer& farmer);
EncodedRecord encode_commitment(const Commitment& commitment, const SeasonId& season);
EncodedRecord encode_loan(const Loan& loan, const SeasonId& season, const Currency& currency);
EncodedRecord encode_delivery(const Delivery& delivery, const SeasonId& season);
EncodedRecord encode_market_price(const MarketPrice& price, const SeasonId& season);
// An entry record's index: kind "settlement" when refs has "run", "disbursement" when it
// has "loan", else "entry"; season and subject from refs "season" and "farmer".
EncodedRecord encode_entry(const ledger::JournalEntry& entry);

struct KeyRegistration {
  PartyId party;
  std::string public_key_raw;  // 32 bytes
};
struct Genesis {
  std::string ledger_id;
  PartyId coordinator;
  std::string public_key_raw;
};

// A settlement run: the record that opens a run's batch (its entries follow it).
struct RunRecord {
  std::string id;          // "<season>-R<n>"
  SeasonId season;
  int number = 0;
  Date as_of;
  std::int64_t farmers = 0;
  std::int64_t deliveries = 0;
};
EncodedRecord encode_run(const RunRecord& run);

// A lender's signed acknowledgement that it received a run's remittance in full
// (`tripartite reconcile --acknowledge`). Key "<run>/<lender>"; filed under the run's season
// (the run id up to its last "-R"), subject = the lender, date = received_on.
struct Acknowledgement {
  std::string run;          // "<season>-R<n>"
  PartyId lender;
  Currency currency;
  std::int64_t amount_minor = 0;  // what the lender received for the run
  Date received_on;               // the date of the latest transfer for the run
};
EncodedRecord encode_acknowledgement(const Acknowledgement& acknowledgement);
// The season of a run id "<season>-R<n>": everything before the last "-R"; "" when the id
// has no "-R<digits>" suffix.
std::string season_of_run_id(std::string_view run_id);

Result<Genesis> decode_genesis(std::string_view body);
Result<KeyRegistration> decode_key(std::string_view body);
Result<Party> decode_party(std::string_view body);
Result<LoanProduct> decode_loan_product(std::string_view body);
// Needs the loan products and parties to rebuild the full terms: the caller passes a lookup.
struct SeasonRecord {
  SeasonTerms terms;                   // parties and loan_products filled by the caller
  std::vector<std::string> party_ids;
  std::vector<std::string> product_ids;
};
Result<SeasonRecord> decode_season(std::string_view body);
Result<Farmer> decode_farmer(std::string_view body);
Result<Commitment> decode_commitment(std::string_view body);
Result<Loan> decode_loan(std::string_view body, const Currency& currency);
Result<Delivery> decode_delivery(std::string_view body);
Result<MarketPrice> decode_market_price(std::string_view body);
Result<RunRecord> decode_run(std::string_view body);
Result<Acknowledgement> decode_acknowledgement(std::string_view body);

// A record's id is the (kind, key) pair the records table's unique index holds once
// (docs/audit-format.md §2). For every kind but "entry" the key is the member `first`, or
// `first` + "/" + `second` when `second` is not empty; a missing member reads "".
struct IdRule {
  std::string_view first;
  std::string_view second;
};
// The id rule of a record kind other than "entry"; nullopt for a kind no ledger holds.
std::optional<IdRule> id_rule(std::string_view kind);
// The members of a record of a kind that verify reads without decoding it (farmer,
// commitment, delivery, market_price: millions of records, every member a string), in byte
// order, exactly as the encoders write them (docs/audit-format.md §2: all present, no
// others); nullptr for any other kind, which verify decodes in full.
const std::vector<std::string_view>* flat_record_members(std::string_view kind);
// An entry's id is (entry_id_kind(refs has "run", refs has "loan"), its `id`): "settlement",
// "disbursement" or "entry".
std::string_view entry_id_kind(bool refs_run, bool refs_loan);

// The index columns a stored record must have, recomputed from its bytes (for verify's
// "every table row agrees with its record" check). Unknown kinds are an error.
Result<ledger::RecordIndex> index_of_record(std::string_view body);
// The same, from a record already parsed, or from a flat record of plain strings read by
// canonical::scan_flat_strings (the same index as its parse would give).
Result<ledger::RecordIndex> index_of_parsed_record(const canonical::Value& record);
Result<ledger::RecordIndex> index_of_flat_record(const canonical::FlatMembers& members);
// The index of an entry record ("settlement", "disbursement" or "entry" by its refs).
ledger::RecordIndex index_of_entry(const ledger::JournalEntry& entry);

}  // namespace tripartite::contracts
