// Journal entries: the balance check and the canonical record form. See journal.hpp.
#include "ledger/journal.hpp"


namespace tripartite::ledger {

Status check_balanced(const JournalEntry& entry) {
  if (entry.postings.size() < 2) {
    return invalid("entry " + entry.id + " has " + std::to_string(entry.postings.size()) +
                   " posting(s), at least 2 are needed");
  }
  // Per asset: the sum, and the sum of the debits (so that balances can never overflow).
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> sums;
  for (const auto& posting : entry.postings) {
    if (posting.account.empty()) return invalid("entry " + entry.id + " has a posting without an account");
    if (posting.asset.empty()) return invalid("entry " + entry.id + " has a posting without an asset");
    auto& [sum, debits] = sums[posting.asset];
    bool overflow = __builtin_add_overflow(sum, posting.amount, &sum);
    if (posting.amount > 0) overflow = overflow || __builtin_add_overflow(debits, posting.amount, &debits);
    if (overflow) return invalid("entry " + entry.id + " moves more than the largest representable amount");
  }
  for (const auto& [asset, totals] : sums) {
    if (totals.first != 0) {
      return invalid("entry " + entry.id + " does not balance in " + asset + ": postings sum to " +
                     std::to_string(totals.first));
    }
  }
  return Status::success();
}

canonical::Value entry_to_record(const JournalEntry& entry) {
  canonical::Array postings;
  postings.reserve(entry.postings.size());
  for (const auto& posting : entry.postings) {
    canonical::Object object;
    object["account"] = posting.account;
    object["amount"] = posting.amount;
    object["asset"] = posting.asset;
    object["tag"] = posting.tag;
    postings.emplace_back(std::move(object));
  }
  canonical::Object refs;
  for (const auto& [key, value] : entry.refs) refs[key] = value;
  canonical::Object record;
  record["date"] = entry.date;
  record["id"] = entry.id;
  record["kind"] = "entry";
  record["memo"] = entry.memo;
  record["postings"] = std::move(postings);
  record["refs"] = std::move(refs);
  return canonical::Value(std::move(record));
}

Result<JournalEntry> entry_from_record(const canonical::Value& record) {
  JournalEntry entry;
  TRIPARTITE_TRY(kind, canonical::get_string(record, "kind"));
  if (kind != "entry") return invalid("record is a '" + kind + "', not an entry");
  TRIPARTITE_TRY(id, canonical::get_string(record, "id"));
  TRIPARTITE_TRY(date, canonical::get_string(record, "date"));
  TRIPARTITE_TRY(memo, canonical::get_string(record, "memo"));
  entry.id = id;
  entry.date = date;
  entry.memo = memo;
  const auto* refs = record.find("refs");
  if (refs == nullptr || !refs->is_object()) return invalid("entry record has no 'refs' object");
  for (const auto& [key, value] : refs->as_object()) {
    if (!value.is_string()) return invalid("entry ref '" + key + "' is not a string");
    entry.refs[key] = value.as_string();
  }
  const auto* postings = record.find("postings");
  if (postings == nullptr || !postings->is_array()) return invalid("entry record has no 'postings' array");
  for (const auto& item : postings->as_array()) {
    if (!item.is_object()) return invalid("entry posting is not an object");
    TRIPARTITE_TRY(account, canonical::get_string(item, "account"));
    TRIPARTITE_TRY(asset, canonical::get_string(item, "asset"));
    TRIPARTITE_TRY(amount, canonical::get_int(item, "amount"));
    TRIPARTITE_TRY(tag, canonical::get_string(item, "tag"));
    if (item.as_object().size() != 4) return invalid("entry posting has unknown keys");
    entry.postings.push_back(Posting{account, asset, amount, tag});
  }
  if (record.as_object().size() != 6) return invalid("entry record has unknown keys");
  return entry;
}

}  // namespace tripartite::ledger
