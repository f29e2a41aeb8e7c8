// Balanced journal entries: the only way value moves in the ledger.
//
// Invariants: an entry has two or more postings; for every asset (a currency code such as
// "KES", or "kg:<commodity>" for quantities in grams) its postings sum to exactly zero;
// amounts are int64 minor units (or grams) and never overflow when summed. The store
// refuses an unbalanced entry before writing it and `verify` re-checks every stored one.
// Sign convention: debit positive, credit negative (docs/ledger.md, chart of accounts).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/canonical.hpp"
#include "ledger/result.hpp"

namespace tripartite::ledger {

struct Posting {
  std::string account;  // "<kind>:<id>[:<sub>]", e.g. "loan:L001:principal"
  std::string asset;    // "KES", "kg:maize"
  std::int64_t amount = 0;
  std::string tag;      // why: "gross", "levy", "coalition_fee", "principal" ... (may be empty)
  friend bool operator==(const Posting&, const Posting&) = default;
};

struct JournalEntry {
  std::string id;    // unique in the ledger, e.g. "2026A-R1-F001"
  std::string date;  // effective date, YYYY-MM-DD
  std::string memo;  // one human line
  std::map<std::string, std::string> refs;  // what it is about: {"run": ..., "farmer": ...}
  std::vector<Posting> postings;
  friend bool operator==(const JournalEntry&, const JournalEntry&) = default;
};

// OK when the entry has >= 2 postings, each asset sums to zero without overflow, and every
// account and asset is non-empty; otherwise an invalid_input error saying what is wrong.
Status check_balanced(const JournalEntry& entry);

// The canonical record of an entry: {"date","id","kind":"entry","memo","postings":[...],"refs":{...}}
canonical::Value entry_to_record(const JournalEntry& entry);
Result<JournalEntry> entry_from_record(const canonical::Value& record);

// The same record as bytes, written directly: equal to entry_to_record(entry).serialise().
std::string entry_bytes(const JournalEntry& entry);
// The entry of a record's bytes: equal to entry_from_record(parse(bytes)), errors included.
// A record of the usual shape (plain strings) is read straight into the entry; anything
// else goes through the full parser.
Result<JournalEntry> entry_from_bytes(std::string_view bytes);
// Only the fast path: the entry when bytes are an entry record of exactly that shape, with
// strings without escapes; nothing for anything else (another kind, escapes, any fault).
std::optional<JournalEntry> entry_from_plain_bytes(std::string_view bytes);

// A posting of an entry record, as views into the record's bytes.
struct PostingView {
  std::string_view account;
  std::string_view asset;
  std::int64_t amount = 0;
  std::string_view tag;
};
// Visits the postings of an entry record's bytes in order without building the entry (no
// allocation for a record of the usual shape): the postings entry_from_bytes would give,
// and its error for bytes that are not an entry record. Balances read millions of entries.
Status for_each_posting(std::string_view bytes, const std::function<Status(const PostingView&)>& visit);

}  // namespace tripartite::ledger
