// Journal entries: the balance check and the canonical record form. See journal.hpp.
#include "ledger/journal.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace tripartite::ledger {

Status check_balanced(const JournalEntry& entry) {
  if (entry.postings.size() < 2) {
    return invalid("entry " + entry.id + " has " + std::to_string(entry.postings.size()) +
                   " posting(s), at least 2 are needed");
  }
  // Per asset: the sum, and the sum of the debits (so that balances can never overflow).
  // An entry moves one or two assets, so a short list searched in order is the cheapest map
  // (verify checks every entry of a season).
  struct AssetSum {
    std::string_view asset;
    std::int64_t sum = 0;
    std::int64_t debits = 0;
  };
  std::vector<AssetSum> sums;
  sums.reserve(4);
  for (const auto& posting : entry.postings) {
    if (posting.account.empty()) return invalid("entry " + entry.id + " has a posting without an account");
    if (posting.asset.empty()) return invalid("entry " + entry.id + " has a posting without an asset");
    auto it = std::find_if(sums.begin(), sums.end(), [&](const AssetSum& s) { return s.asset == posting.asset; });
    if (it == sums.end()) it = sums.insert(sums.end(), AssetSum{posting.asset});
    bool overflow = __builtin_add_overflow(it->sum, posting.amount, &it->sum);
    if (posting.amount > 0) overflow = overflow || __builtin_add_overflow(it->debits, posting.amount, &it->debits);
    if (overflow) return invalid("entry " + entry.id + " moves more than the largest representable amount");
  }
  // The first unbalanced asset in byte order is the one reported.
  const AssetSum* unbalanced = nullptr;
  for (const auto& total : sums) {
    if (total.sum != 0 && (unbalanced == nullptr || total.asset < unbalanced->asset)) unbalanced = &total;
  }
  if (unbalanced != nullptr) {
    return invalid("entry " + entry.id + " does not balance in " + std::string(unbalanced->asset) +
                   ": postings sum to " + std::to_string(unbalanced->sum));
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

std::string entry_bytes(const JournalEntry& entry) {
  std::string out;
  out.reserve(160 + entry.memo.size() + entry.postings.size() * 72);
  char number[24];
  auto member = [&out](std::string_view key, std::string_view text) { canonical::append_member(out, key, text); };
  out.push_back('{');
  member("date", entry.date);
  out.push_back(',');
  member("id", entry.id);
  out += ",\"kind\":\"entry\",";
  member("memo", entry.memo);
  out += ",\"postings\":[";
  for (std::size_t i = 0; i < entry.postings.size(); ++i) {
    const Posting& posting = entry.postings[i];
    if (i != 0) out.push_back(',');
    out.push_back('{');
    member("account", posting.account);
    out += ",\"amount\":";
    auto [end, ec] = std::to_chars(number, number + sizeof number, posting.amount);
    out.append(number, end);
    out.push_back(',');
    member("asset", posting.asset);
    out.push_back(',');
    member("tag", posting.tag);
    out.push_back('}');
  }
  out += "],\"refs\":{";
  bool first = true;
  for (const auto& [key, value] : entry.refs) {  // std::map: keys in byte order
    if (!first) out.push_back(',');
    first = false;
    member(key, value);
  }
  out += "}}";
  return out;
}

namespace {

// The one reader of an entry record of the plain shape (entry_from_plain_bytes): false for
// anything else. Each posting is passed to on_posting as views into bytes, in order; the
// other members are stored in *header when it is given (the postings are not).
template <typename OnPosting>
bool scan_plain_entry(std::string_view bytes, JournalEntry* header, OnPosting&& on_posting) {
  canonical::ShapeScanner in(bytes);
  std::string_view text;
  auto string_member = [&](std::string_view key, std::string* out) {
    if (!in.key(key) || !in.plain_string(text)) return false;
    if (out != nullptr) out->assign(text);
    return true;
  };
  auto field = [&](std::string JournalEntry::*member) { return header == nullptr ? nullptr : &(header->*member); };
  if (!in.literal('{') || !string_member("date", field(&JournalEntry::date)) || !in.literal(',')) return false;
  if (!string_member("id", field(&JournalEntry::id)) || !in.literal(',')) return false;
  if (!in.key("kind") || !in.plain_string(text) || text != "entry" || !in.literal(',')) return false;
  if (!string_member("memo", field(&JournalEntry::memo)) || !in.literal(',')) return false;
  if (!in.key("postings") || !in.literal('[')) return false;
  do {
    PostingView posting;
    if (!in.literal('{') || !in.key("account") || !in.plain_string(posting.account) || !in.literal(',')) return false;
    if (!in.key("amount") || !in.integer(posting.amount) || !in.literal(',')) return false;
    if (!in.key("asset") || !in.plain_string(posting.asset) || !in.literal(',')) return false;
    if (!in.key("tag") || !in.plain_string(posting.tag) || !in.literal('}')) return false;
    on_posting(posting);
  } while (in.literal(','));
  if (!in.literal(']') || !in.literal(',') || !in.key("refs") || !in.literal('{')) return false;
  if (!in.literal('}')) {
    std::string_view previous;
    bool first = true;
    do {
      std::string_view key;
      if (!in.plain_string(key) || (!first && !(previous < key))) return false;
      if (!in.literal(':') || !in.plain_string(text)) return false;
      if (header != nullptr) header->refs.emplace_hint(header->refs.end(), std::string(key), std::string(text));
      previous = key;
      first = false;
    } while (in.literal(','));
    if (!in.literal('}')) return false;
  }
  return in.literal('}') && in.at_end();
}

}  // namespace

std::optional<JournalEntry> entry_from_plain_bytes(std::string_view bytes) {
  JournalEntry entry;
  // One allocation for the postings instead of one per doubling (a settlement entry has ~18):
  // a plain string cannot hold a quote, so this text only starts a posting.
  std::size_t expected = 0;
  for (auto at = bytes.find(R"({"account":")"); at != std::string_view::npos; at = bytes.find(R"({"account":")", at + 1)) {
    ++expected;
  }
  entry.postings.reserve(expected);
  bool plain = scan_plain_entry(bytes, &entry, [&](const PostingView& posting) {
    entry.postings.push_back(Posting{std::string(posting.account), std::string(posting.asset), posting.amount,
                                     std::string(posting.tag)});
  });
  if (!plain) return std::nullopt;
  return entry;
}

Status for_each_posting(std::string_view bytes, const std::function<Status(const PostingView&)>& visit) {
  // The views are collected first: a record that turns out not to be of the plain shape
  // after some postings is read again by the full parser, and nothing was visited twice.
  thread_local std::vector<PostingView> postings;
  postings.clear();
  if (scan_plain_entry(bytes, nullptr, [&](const PostingView& posting) { postings.push_back(posting); })) {
    for (const auto& posting : postings) TRIPARTITE_CHECK(visit(posting));
    return Status::success();
  }
  TRIPARTITE_TRY(entry, entry_from_bytes(bytes));
  for (const auto& posting : entry.postings) {
    TRIPARTITE_CHECK(visit(PostingView{posting.account, posting.asset, posting.amount, posting.tag}));
  }
  return Status::success();
}

Result<JournalEntry> entry_from_bytes(std::string_view bytes) {
  if (auto entry = entry_from_plain_bytes(bytes)) return std::move(*entry);
  TRIPARTITE_TRY(record, canonical::parse(bytes));
  return entry_from_record(record);
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
