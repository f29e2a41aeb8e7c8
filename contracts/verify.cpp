// Verification of a ledger or an audit export. See verify.hpp and docs/audit-format.md.
#include "contracts/verify.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <thread>
#include <utility>
#include <vector>

#include "contracts/importer.hpp"
#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "ledger/canonical.hpp"
#include "ledger/chunk_pipeline.hpp"
#include "ledger/line_blocks.hpp"
#include "ledger/tlog.hpp"

namespace tripartite::contracts {
namespace {

struct CheckpointRef {
  std::uint64_t tree_size = 0;
  std::string note;
  std::string author;  // the database's batch author; empty for an export (taken from the note)
  std::optional<std::string> digest;  // the database's batch digest; none for an export
};

Error at_record(std::uint64_t seq, const std::string& why) {
  return verification_error("verification failed at record " + std::to_string(seq) + ": " + why);
}
Error at_checkpoint(std::uint64_t size, const std::string& why) {
  return verification_error("verification failed at checkpoint of tree size " + std::to_string(size) + ": " + why);
}

// A record as read from the database (stored leaf and index columns) or an export (none).
// Its bytes are in its RecordBlock.
struct RawRecord {
  std::uint64_t seq = 0;
  std::size_t offset = 0;  // the record's bytes within the block
  std::size_t size = 0;
  std::optional<ledger::Hash> stored_leaf;
  std::optional<ledger::RecordIndex> stored_index;
  std::uint64_t stored_batch = 0;  // 0 = not stored (an export)
  std::string mistyped_column;     // StoredRecord::mistyped_column
};

// Consecutive records whose bytes share one buffer: one allocation for a few thousand
// records instead of one each, and the buffer is freed on the worker with everything else
// of the block (allocations passed between threads one by one made malloc a quarter of
// verify's time).
struct RecordBlock {
  std::vector<char> bytes;
  std::vector<RawRecord> records;
};

using FlatMember = std::array<std::uint32_t, 4>;  // key offset, key size, value offset, value size

// What can be computed of one record on its own — its leaf hash, its parse, its kind and
// whether the index columns agree — so that it can be done on the second core.
struct PreparedRecord {
  std::uint64_t seq = 0;
  std::string_view body;  // in the PreparedBlock's bytes
  std::optional<ledger::Hash> stored_leaf;
  std::optional<ledger::RecordIndex> stored_index;
  std::uint64_t stored_batch = 0;
  std::string mistyped_column;
  ledger::Hash leaf{};
  std::optional<ledger::canonical::Value> value;  // the parse; none for a flat record or an entry read directly
  std::optional<ledger::JournalEntry> entry;      // an entry record read straight from its bytes
  // A flat record of plain strings (every kind but entries, in practice) is read without
  // building a Value: its members in the block's flat list (keys ascending).
  std::size_t flat_begin = 0;
  std::size_t flat_count = 0;
  const FlatMember* flat = nullptr;  // set once the block is prepared
  std::string kind;
  std::uint64_t key_hash = 0;  // id_hash() of the (kind, key) the record's bytes give, masked
  std::string error;  // the first problem found after the leaf hash, in feed's order

  // A string member, with the errors canonical::get_string gives for the parsed record.
  Result<std::string> get_string(std::string_view key) const {
    if (value) return ledger::canonical::get_string(*value, key);
    const FlatMember* end = flat + flat_count;
    const FlatMember* it = std::lower_bound(flat, end, key, [&](const FlatMember& member, std::string_view k) {
      return body.substr(member[0], member[1]) < k;
    });
    if (it == end || body.substr((*it)[0], (*it)[1]) != key) {
      return invalid("record has no '" + std::string(key) + "'");
    }
    return std::string(body.substr((*it)[2], (*it)[3]));
  }
};

// A RecordBlock after prepare_block: it owns the bytes its records' views point into
// (a vector's buffer stays where it is when the vector is moved).
struct PreparedBlock {
  std::vector<char> bytes;
  std::vector<FlatMember> flat;
  std::vector<PreparedRecord> records;
};

// A 64-bit hash of a record's id, the (kind, key) pair a ledger holds once (records.hpp
// IdRule). Equal pairs hash equal; two pairs that merely collide are told apart by
// check_unique_keys, which compares the pairs themselves. The two parts are hashed apart
// and mixed (SplitMix64's finaliser), so that no string is built for the usual one-member
// key, and every bit (the top byte spreads the hashes, the low bits place them) depends on
// both.
std::uint64_t id_hash(std::string_view kind, std::string_view key) {
  std::uint64_t z = std::hash<std::string_view>{}(kind) * 0x9e3779b97f4a7c15ULL ^ std::hash<std::string_view>{}(key);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Takes the record's index as derived from its bytes: sets out.error when it cannot be
// derived (no ledger could have stored the record) or, in a database, when the records
// table's index columns are not the record's own; otherwise notes its key's hash.
void take_index(PreparedRecord& out, const Result<ledger::RecordIndex>& index, std::uint64_t key_hash_mask) {
  if (!index) {
    out.error = index.error().message;
  } else if (out.stored_index && !(*index == *out.stored_index)) {
    out.error = "the records table's index columns disagree with the record";
  } else {
    out.key_hash = id_hash(index->kind, index->key) & key_hash_mask;
  }
}

// What is wrong with a record of a kind read without a decode (flat_record_members) whose
// member names, in byte order, are name(0) … name(count - 1): "" when they are exactly the
// kind's.
template <class Name>
std::string members_problem(const std::string& kind, const std::vector<std::string_view>& expected, std::size_t count,
                            const Name& name) {
  std::size_t i = 0;
  while (i < count && i < expected.size() && name(i) == expected[i]) ++i;
  if (i == count && i == expected.size()) return "";
  const bool missing = i < expected.size() && (i == count || expected[i] < name(i));
  return "a " + kind + " record " +
         (missing ? "without the member '" + std::string(expected[i]) + "'"
                  : "with an unknown member '" + std::string(name(i)) + "'");
}

// The fast path of prepare(): a flat record other than an entry (an entry has postings; a
// flat "entry" takes the full parse and its error).
bool prepare_flat(PreparedRecord& out, std::vector<FlatMember>& flat, std::uint64_t key_hash_mask) {
  thread_local ledger::canonical::FlatMembers members;
  const std::string_view body = out.body;
  if (!ledger::canonical::scan_flat_strings(body, members)) return false;
  auto kind = ledger::canonical::find_flat(members, "kind");
  if (!kind || *kind == "entry") return false;
  out.kind = std::string(*kind);
  if (const auto* expected = flat_record_members(out.kind)) {  // read without a decode
    out.error = members_problem(out.kind, *expected, members.size(), [&](std::size_t i) { return members[i].first; });
    if (!out.error.empty()) return true;
  }
  if (out.stored_index) {
    take_index(out, index_of_flat_record(members), key_hash_mask);
    if (!out.error.empty()) return true;
  } else {
    // An export: only the id is needed. A one-member key is hashed from its member without
    // building the index; a key of two members (market prices, acknowledgements: few) is
    // built by the index; a kind no ledger holds hashes with an empty key (check_and_learn
    // refuses it).
    const std::optional<IdRule> rule = id_rule(out.kind);
    if (rule && rule->second.empty()) {
      auto member = canonical::find_flat(members, rule->first);
      out.key_hash = id_hash(out.kind, member.value_or(std::string_view())) & key_hash_mask;
    } else if (rule) {
      take_index(out, index_of_flat_record(members), key_hash_mask);
    } else {
      out.key_hash = id_hash(out.kind, "") & key_hash_mask;
    }
  }
  auto offset = [&](std::string_view part) { return static_cast<std::uint32_t>(part.data() - body.data()); };
  auto size = [](std::string_view part) { return static_cast<std::uint32_t>(part.size()); };
  out.flat_begin = flat.size();
  out.flat_count = members.size();
  for (const auto& [key, text] : members) flat.push_back({offset(key), size(key), offset(text), size(text)});
  return true;
}

// The fast path for entries (half of a season's bytes): read straight into a JournalEntry
// on this thread, so that the main thread only checks it.
bool prepare_entry(PreparedRecord& out, std::uint64_t key_hash_mask) {
  auto entry = ledger::entry_from_plain_bytes(out.body);
  if (!entry) return false;
  out.kind = "entry";
  if (out.stored_index) {
    take_index(out, index_of_entry(*entry), key_hash_mask);
    if (!out.error.empty()) return true;
  } else {  // an export: the id alone (records.hpp entry_id_kind)
    out.key_hash = id_hash(entry_id_kind(entry->refs.count("run") != 0, entry->refs.count("loan") != 0), entry->id) & key_hash_mask;
  }
  out.entry = std::move(entry);
  return true;
}

void prepare(PreparedRecord& out, std::vector<FlatMember>& flat, std::uint64_t key_hash_mask) {
  out.leaf = ledger::leaf_hash(out.body);
  if (!out.mistyped_column.empty()) {
    out.error = "the records table holds its column " + out.mistyped_column +
                " with another type than the schema's, which hides the record from look-ups by that column";
    return;
  }
  if (!ledger::is_valid_utf8(out.body)) {
    out.error = "the record is not valid UTF-8";
    return;
  }
  if (prepare_flat(out, flat, key_hash_mask) || prepare_entry(out, key_hash_mask)) return;
  auto value = ledger::canonical::parse(out.body);
  if (!value) {
    out.error = value.error().message;
    return;
  }
  auto kind = ledger::canonical::get_string(*value, "kind");
  if (!kind) {
    out.error = kind.error().message;
    return;
  }
  out.kind = *kind;
  if (const auto* expected = flat_record_members(out.kind)) {  // read without a decode; escapes in a string
    std::vector<std::string_view> names;
    for (const auto& [name, member] : value->as_object()) {
      if (!member.is_string()) {
        out.error = "a " + out.kind + " record whose member '" + name + "' is not a string";
        return;
      }
      names.push_back(name);
    }
    out.error = members_problem(out.kind, *expected, names.size(), [&](std::size_t i) { return names[i]; });
    if (!out.error.empty()) return;
  }
  take_index(out, index_of_parsed_record(*value), key_hash_mask);
  if (!out.error.empty()) return;
  out.value = std::move(*value);
}

std::uint64_t key_hash_mask(unsigned bits) {
  return bits == 0 || bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

// Runs on the worker: every record of the block hashed and read.
PreparedBlock prepare_block(RecordBlock block, std::uint64_t key_hash_mask) {
  PreparedBlock out;
  out.bytes = std::move(block.bytes);
  out.records.resize(block.records.size());
  out.flat.reserve(block.records.size() * 10);
  const std::string_view bytes(out.bytes.data(), out.bytes.size());
  for (std::size_t i = 0; i < block.records.size(); ++i) {
    RawRecord& raw = block.records[i];
    PreparedRecord& record = out.records[i];
    record.seq = raw.seq;
    record.body = bytes.substr(raw.offset, raw.size);
    record.stored_leaf = raw.stored_leaf;
    record.stored_index = std::move(raw.stored_index);
    record.stored_batch = raw.stored_batch;
    record.mistyped_column = std::move(raw.mistyped_column);
    prepare(record, out.flat, key_hash_mask);
  }
  for (auto& record : out.records) record.flat = out.flat.data() + record.flat_begin;
  return out;
}

// Appends to `repeats` each value of [first, last) that occurs there more than once (once
// for each further occurrence), using `table` as the open-addressing set (0 = empty, so a
// value of 0 is counted apart). The values are hashes: their low bits pick the slot.
void repeated_values(const std::uint64_t* first, const std::uint64_t* last, std::vector<std::uint64_t>& table,
                     std::vector<std::uint64_t>& repeats) {
  const auto count = static_cast<std::size_t>(last - first);
  if (count < 2) return;
  std::size_t slots = 1;
  while (slots < 2 * count) slots <<= 1;
  table.assign(slots, 0);
  const std::size_t mask = slots - 1;
  bool zero_seen = false;
  for (const std::uint64_t* it = first; it != last; ++it) {
    const std::uint64_t value = *it;
    if (value == 0) {
      if (zero_seen) repeats.push_back(0);
      zero_seen = true;
      continue;
    }
    for (std::size_t slot = static_cast<std::size_t>(value) & mask;; slot = (slot + 1) & mask) {
      if (table[slot] == 0) {
        table[slot] = value;
        break;
      }
      if (table[slot] == value) {
        repeats.push_back(value);
        break;
      }
    }
  }
}

class LogVerifier {
 public:
  // entry_kinds: a database's list of the record kinds that hold entries (balances are
  // summed from the records of those kinds); none for an export.
  LogVerifier(std::vector<CheckpointRef> checkpoints, bool keep_leaves, std::string expected_ledger_id,
              std::optional<std::vector<std::string>> entry_kinds = std::nullopt)
      : checkpoints_(std::move(checkpoints)),
        keep_leaves_(keep_leaves),
        expected_ledger_id_(std::move(expected_ledger_id)) {
    if (entry_kinds) stored_entry_kinds_.emplace(entry_kinds->begin(), entry_kinds->end());
  }

  void pin_coordinator_key(const std::optional<std::string>& raw) { coordinator_key_ = raw; }

  // One record, in sequence order, with what prepare() computed of it.
  Status feed(const PreparedRecord& record) {
    const std::uint64_t seq = record.seq;
    if (seq != frontier_.size() + 1) {
      return at_record(frontier_.size() + 1, "missing from the log (the next record found is " + std::to_string(seq) + ")");
    }
    const ledger::Hash& leaf = record.leaf;
    if (record.stored_leaf && *record.stored_leaf != leaf) {
      return at_record(seq, "stored leaf hash does not match the record's bytes");
    }
    if (!record.error.empty()) return at_record(seq, record.error);
    if (next_checkpoint_ >= checkpoints_.size()) return at_record(seq, "not covered by any checkpoint");
    const CheckpointRef& batch = checkpoints_[next_checkpoint_];
    const std::uint64_t stored_batch = record.stored_batch;
    if (stored_batch != 0 && stored_batch != next_checkpoint_ + 1) {
      return at_record(seq, "the records table puts it in batch " + std::to_string(stored_batch) + ", the checkpoints in batch " +
                                std::to_string(next_checkpoint_ + 1));
    }
    TRIPARTITE_TRY(author, batch_author(batch));
    TRIPARTITE_CHECK(check_and_learn(seq, record, author));
    key_hashes_.push_back(record.key_hash);
    if (stored_entry_kinds_ && record.stored_index) TRIPARTITE_CHECK(check_entry_kind(seq, record));
    frontier_.append(leaf);
    if (batch.digest) batch_digest_.add(leaf);
    if (keep_leaves_) leaves_.push_back(leaf);
    if (seq == batch.tree_size) TRIPARTITE_CHECK(check_checkpoint(batch, author));
    return Status::success();
  }

  Status finish() {
    if (next_checkpoint_ < checkpoints_.size()) {
      return at_checkpoint(checkpoints_[next_checkpoint_].tree_size,
                           "the log ends at record " + std::to_string(frontier_.size()) +
                               ": records it covers are missing (a truncated log?)");
    }
    if (frontier_.size() == 0) return verification_error("verification failed: the log is empty");
    return Status::success();
  }

  // After the log: the store's entry kinds are exactly the kinds its entries were stored as.
  Status finish_entry_kinds() {
    // Every kind seen was checked to be listed (check_entry_kind): only a listed kind no
    // entry has is left to find.
    if (!stored_entry_kinds_) return Status::success();
    for (const auto& kind : *stored_entry_kinds_) {
      if (seen_entry_kinds_.count(kind) == 0) {
        return verification_error("verification failed: the store lists " + kind + " as a kind of entries, but no entry is of that kind");
      }
    }
    return Status::success();
  }

  VerifySummary summary() const {
    VerifySummary out;
    out.records = frontier_.size();
    out.batches = checkpoints_.size();
    out.entries = entries_;
    out.ledger_id = ledger_id_;
    out.root = frontier_.root();
    return out;
  }

  // The sequence numbers, ascending, of the records checked so far whose key hash another
  // of them shares: the only records that can repeat a (kind, key). The hashes are spread
  // by their top byte into 256 runs (a copy, 8 bytes a record, freed before returning), and
  // each run is put in an open-addressing table small enough for the core's cache, half
  // the runs on a second thread (the pass is over, both cores are free). At a million
  // farmers (15.5 M records) this is a few tenths of a second; sorting the copy took 1 s.
  std::vector<std::uint64_t> key_hash_sharers() const {
    std::vector<std::uint64_t> shared;
    {
      std::array<std::size_t, 257> start{};
      for (const std::uint64_t hash : key_hashes_) start[(hash >> 56) + 1] += 1;
      for (std::size_t run = 1; run < start.size(); ++run) start[run] += start[run - 1];
      std::vector<std::uint64_t> spread(key_hashes_.size());
      std::array<std::size_t, 256> next{};
      std::copy(start.begin(), start.end() - 1, next.begin());
      for (const std::uint64_t hash : key_hashes_) spread[next[hash >> 56]++] = hash;
      auto find_in_runs = [&](std::size_t from, std::size_t to, std::vector<std::uint64_t>& repeats) {
        std::vector<std::uint64_t> table;
        for (std::size_t run = from; run < to; ++run) {
          repeated_values(spread.data() + start[run], spread.data() + start[run + 1], table, repeats);
        }
      };
      std::vector<std::uint64_t> other;
      std::thread helper(find_in_runs, 0, 128, std::ref(other));
      find_in_runs(128, 256, shared);
      helper.join();
      shared.insert(shared.end(), other.begin(), other.end());
      std::sort(shared.begin(), shared.end());
      shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
    }
    std::vector<std::uint64_t> seqs;
    if (shared.empty()) return seqs;
    for (std::size_t i = 0; i < key_hashes_.size(); ++i) {
      if (std::binary_search(shared.begin(), shared.end(), key_hashes_[i])) seqs.push_back(i + 1);  // record i + 1
    }
    return seqs;
  }

  const std::vector<ledger::Hash>& leaves() const { return leaves_; }
  // The tree frontier of the records verified, as the store persists it.
  std::string frontier_bytes() const { return frontier_.serialise(); }
  const std::map<std::string, std::string>& keys() const { return keys_; }
  // The record that registered each party's key (the genesis for the coordinator).
  std::uint64_t key_record(const std::string& party) const { return key_records_.at(party); }
  const std::string& ledger_id() const { return ledger_id_; }

 private:
  // A database's records of an entry kind are all entries and every entry is of an entry
  // kind: balances read exactly the records of those kinds. Checked once per run of
  // records of one kind (records come in long runs of one kind).
  Status check_entry_kind(std::uint64_t seq, const PreparedRecord& record) {
    const std::string& kind = record.stored_index->kind;
    const bool is_entry = record.kind == "entry";
    if (kind == last_kind_ && is_entry == last_was_entry_) return Status::success();
    const bool listed = stored_entry_kinds_->count(kind) != 0;
    if (is_entry && !listed) {
      return at_record(seq, "an entry stored as kind " + kind + ", which the store does not list as a kind of entries (balances would leave it out)");
    }
    if (!is_entry && listed) {
      return at_record(seq, "a record of kind " + kind + " that is not an entry, though the store lists " + kind + " as a kind of entries");
    }
    if (is_entry) seen_entry_kinds_.insert(kind);
    last_kind_ = kind;
    last_was_entry_ = is_entry;
    return Status::success();
  }

  Result<std::string> batch_author(const CheckpointRef& batch) {
    // One parse of each batch's note, not one per record.
    if (author_checkpoint_ == next_checkpoint_ && !author_.empty()) return author_;
    TRIPARTITE_TRY(author, parse_batch_author(batch));
    author_ = author;
    author_checkpoint_ = next_checkpoint_;
    return author;
  }

  Result<std::string> parse_batch_author(const CheckpointRef& batch) {
    auto note = ledger::parse_note(batch.note);
    if (!note) return at_checkpoint(batch.tree_size, "the signed note does not parse: " + note.error().message);
    if (note->signatures.size() != 1) return at_checkpoint(batch.tree_size, "expected exactly one signature");
    const std::string& signer = note->signatures.front().key_name;
    if (!batch.author.empty() && batch.author != signer) {
      return at_checkpoint(batch.tree_size, "the batch's author " + batch.author + " did not sign it (" + signer + " did)");
    }
    return signer;
  }

  std::optional<Role> role_of(const std::string& party) const {
    auto it = roles_.find(party);
    if (it == roles_.end()) return std::nullopt;
    return it->second;
  }

  Status check_and_learn(std::uint64_t seq, const PreparedRecord& record, const std::string& author) {
    // A view: compared with a dozen literals per record, which a view does by length first.
    const std::string_view kind = record.kind;
    const std::string_view body = record.body;
    if (seq == 1 && kind != "genesis") return at_record(seq, "the log does not start with a genesis record");
    if (kind == "genesis") {
      if (seq != 1) return at_record(seq, "a second genesis record");
      auto genesis = decode_genesis(body);
      if (!genesis) return at_record(seq, genesis.error().message);
      if (genesis->coordinator.value != author) return at_record(seq, "genesis names " + genesis->coordinator.value + " but is signed by " + author);
      if (coordinator_key_ && genesis->public_key_raw != *coordinator_key_) {
        return at_record(seq, "the genesis declares a coordinator key that is not the one given with --coordinator-key");
      }
      if (!expected_ledger_id_.empty() && genesis->ledger_id != expected_ledger_id_) {
        return at_record(seq, "genesis is for ledger " + genesis->ledger_id + ", this database is ledger " + expected_ledger_id_);
      }
      ledger_id_ = genesis->ledger_id;
      roles_[author] = Role::coordinator;
      keys_[author] = genesis->public_key_raw;
      key_records_[author] = seq;
      return Status::success();
    }
    std::optional<Role> required = author_role_for_kind(kind);
    std::optional<Role> author_role = role_of(author);
    if (pending_loan_ && kind != "entry") return loan_without_disbursement();
    if (kind == "entry") {
      // Read by prepare_entry, or parsed (an entry is never read flat: prepare_flat).
      std::optional<ledger::JournalEntry> parsed;
      const ledger::JournalEntry* entry = record.entry ? &*record.entry : nullptr;
      if (entry == nullptr) {
        TRIPARTITE_ASSERT(record.value.has_value());
        auto read = ledger::entry_from_record(*record.value);
        if (!read) return at_record(seq, read.error().message);
        parsed = std::move(*read);
        entry = &*parsed;
      }
      auto balanced = ledger::check_balanced(*entry);
      if (!balanced.ok()) return at_record(seq, balanced.error().message);
      entries_ += 1;
      auto run = entry->refs.find("run");
      auto loan = entry->refs.find("loan");
      if (run != entry->refs.end()) {
        auto season = entry->refs.find("season");
        auto offtaker = season == entry->refs.end() ? offtakers_.end() : offtakers_.find(season->second);
        if (offtaker == offtakers_.end() || offtaker->second != author) {
          return at_record(seq, "settlement entry signed by " + author + ", who is not the season's off-taker");
        }
        if (pending_loan_) return loan_without_disbursement();
        TRIPARTITE_CHECK(note_settlement_entry(seq, run->second));
        // What the off-taker owes each party for the run (remittances): −Σ payable:<party>.
        auto& owed = run_payables_[run->second];
        for (const auto& posting : entry->postings) {
          if (posting.account.starts_with("payable:")) owed[posting.account.substr(8)] -= posting.amount;
        }
      } else if (loan != entry->refs.end()) {
        auto lender = lenders_.find(loan->second);
        if (lender == lenders_.end() || lender->second != author) {
          return at_record(seq, "disbursement of loan " + loan->second + " signed by " + author + ", not its lender");
        }
        TRIPARTITE_CHECK(check_disbursement(seq, body, loan->second));
      } else {
        return at_record(seq, "an entry that is neither a settlement nor a disbursement");
      }
      return Status::success();
    }
    if (!required) return at_record(seq, "unknown record kind '" + std::string(kind) + "'");
    if (author_role != required) {
      return at_record(seq, "a " + std::string(kind) + " record signed by " + author + " (" +
                                (author_role ? std::string(to_string(*author_role)) : std::string("no role")) +
                                "); only a party of role " + std::string(to_string(*required)) + " may write it");
    }
    if (kind == "key") {
      auto key = decode_key(body);
      if (!key) return at_record(seq, key.error().message);
      if (keys_.count(key->party.value) != 0) return at_record(seq, "a second key for party " + key->party.value);
      keys_[key->party.value] = key->public_key_raw;
      key_records_[key->party.value] = seq;
    } else if (kind == "party") {
      auto party = decode_party(body);
      if (!party) return at_record(seq, party.error().message);
      auto known = roles_.find(party->id.value);
      if (known != roles_.end() && known->second != party->role) {
        return at_record(seq, "party " + party->id.value + " already has role " + std::string(to_string(known->second)));
      }
      roles_[party->id.value] = party->role;
    } else if (kind == "season") {
      auto season = decode_season(body);
      if (!season) return at_record(seq, season.error().message);
      std::vector<std::string> offtakers;
      for (const auto& id : season->party_ids) {
        if (role_of(id) == Role::offtaker) offtakers.push_back(id);
      }
      if (offtakers.size() != 1) {
        return at_record(seq, "season " + season->terms.id.value + " names " + std::to_string(offtakers.size()) +
                                  " parties of role offtaker; a season has exactly one");
      }
      offtakers_[season->terms.id.value] = offtakers.front();
      currencies_[season->terms.id.value] = season->terms.currency;
    } else if (kind == "loan_product") {
      auto product = decode_loan_product(body);
      if (!product) return at_record(seq, product.error().message);
      products_[product->id.value] = *product;
    } else if (kind == "loan") {
      auto parsed = record.get_string("lender");
      auto id = record.get_string("id");
      if (!parsed || !id) return at_record(seq, "loan record without lender or id");
      if (*parsed != author) return at_record(seq, "loan of lender " + *parsed + " signed by " + author);
      lenders_[*id] = *parsed;
      auto season = record.get_string("season");
      if (!season) return at_record(seq, season.error().message);
      auto currency = currencies_.find(*season);
      if (currency == currencies_.end()) return at_record(seq, "loan " + *id + " of season " + *season + ", which has no terms before it");
      auto loan = decode_loan(body, currency->second);
      if (!loan) return at_record(seq, loan.error().message);
      pending_loan_ = PendingLoan{seq, std::move(*loan), *season};
    } else if (kind == "acknowledgement") {
      auto lender = record.get_string("lender");
      if (!lender) return at_record(seq, lender.error().message);
      if (*lender != author) return at_record(seq, "acknowledgement of lender " + *lender + " signed by " + author);
      TRIPARTITE_CHECK(check_acknowledgement(seq, body));
    }
    if (kind == "run") TRIPARTITE_CHECK(check_run_record(seq, body));
    if (kind == "run" || kind == "delivery" || kind == "commitment") {
      auto season = record.get_string("season");
      if (!season) return at_record(seq, season.error().message);
      auto offtaker = offtakers_.find(*season);
      if (offtaker == offtakers_.end() || offtaker->second != author) {
        return at_record(seq, "a " + std::string(kind) + " of season " + *season + " signed by " + author + ", not its off-taker");
      }
      if (kind != "run") {
        auto named = record.get_string("offtaker");
        if (!named) return at_record(seq, named.error().message);
        if (*named != author) return at_record(seq, "a " + std::string(kind) + " for off-taker " + *named + " signed by " + author);
      }
    }
    return Status::success();
  }

  Status loan_without_disbursement() {
    return at_record(pending_loan_->seq,
                     "loan " + pending_loan_->loan.id.value + " is not followed by its disbursement entry");
  }

  // A disbursement entry comes right after its loan's record and is exactly the entry the
  // loan and its product give (principal and origination fee): a lender cannot add a second
  // one, nor post other amounts than its loan record says.
  Status check_disbursement(std::uint64_t seq, std::string_view body, const std::string& loan_id) {
    if (!pending_loan_ || pending_loan_->loan.id.value != loan_id) {
      return at_record(seq, "a disbursement of loan " + loan_id + " that does not follow the loan's record");
    }
    PendingLoan pending = std::move(*pending_loan_);
    pending_loan_.reset();
    auto product = products_.find(pending.loan.product.value);
    if (product == products_.end()) {
      return at_record(pending.seq, "loan " + loan_id + " names product " + pending.loan.product.value + ", not in the log before it");
    }
    auto expected = disbursement_entry(pending.loan, product->second, SeasonId(pending.season), currencies_.at(pending.season));
    if (!expected) return at_record(seq, expected.error().message);
    if (encode_entry(*expected).body != body) {
      return at_record(seq, "the disbursement of loan " + loan_id + " is not what its loan record and product give");
    }
    return Status::success();
  }

  // Settlement entries of a run are written in the run's batch, before the run's record,
  // one per farmer of the run (docs/audit-format.md): none outside, none after the record.
  Status note_settlement_entry(std::uint64_t seq, const std::string& run) {
    if (run_records_.count(run) != 0 || batch_run_closed_) {
      return at_record(seq, "a settlement entry of run " + run + " after that run's record");
    }
    if (batch_run_entries_ == 0) {
      batch_run_ = run;
      batch_run_first_seq_ = seq;
    } else if (batch_run_ != run) {
      return at_record(seq, "a settlement entry of run " + run + " in the batch of run " + batch_run_);
    }
    batch_run_entries_ += 1;
    return Status::success();
  }

  // A lender acknowledges a run that is in the log, once, for exactly what the run's entries
  // say the off-taker owes it (`tripartite reconcile --acknowledge` writes one only then).
  Status check_acknowledgement(std::uint64_t seq, std::string_view body) {
    auto acknowledgement = decode_acknowledgement(body);
    if (!acknowledgement) return at_record(seq, acknowledgement.error().message);
    const std::string& run = acknowledgement->run;
    const std::string& lender = acknowledgement->lender.value;
    if (run_records_.count(run) == 0) return at_record(seq, "an acknowledgement of run " + run + ", which is not in the log before it");
    if (!acknowledged_.emplace(run, lender).second) {
      return at_record(seq, "a second acknowledgement of run " + run + " by " + lender);
    }
    const auto& owed = run_payables_[run];
    auto due = owed.find(lender);
    const ledger::BigInt expected = due == owed.end() ? ledger::BigInt(0) : due->second;
    if (expected != ledger::BigInt(acknowledgement->amount_minor)) {
      return at_record(seq, "the acknowledgement of run " + run + " by " + lender +
                                " is not the amount the run's entries owe that lender");
    }
    return Status::success();
  }

  Status check_run_record(std::uint64_t seq, std::string_view body) {
    auto run = decode_run(body);
    if (!run) return at_record(seq, run.error().message);
    if (run->farmers <= 0) {
      return at_record(seq, "run " + run->id + " settled no farmer (a run that would settle nothing is not recorded)");
    }
    if (!run_records_.emplace(run->id, seq).second) return at_record(seq, "a second record of run " + run->id);
    if (batch_run_closed_) return at_record(seq, "a second run record in one batch");
    if (batch_run_entries_ != 0 && batch_run_ != run->id) {
      return at_record(seq, "run " + run->id + " closes a batch of settlement entries of run " + batch_run_);
    }
    if (static_cast<std::uint64_t>(run->farmers) != batch_run_entries_) {
      return at_record(seq, "run " + run->id + " settled " + std::to_string(run->farmers) + " farmers, its batch holds " +
                                std::to_string(batch_run_entries_) + " settlement entries");
    }
    batch_run_closed_ = true;
    return Status::success();
  }

  // At the end of a batch: no loan waits for its disbursement, no settlement entry for its run.
  Status close_batch() {
    if (pending_loan_) return loan_without_disbursement();
    if (batch_run_entries_ != 0 && !batch_run_closed_) {
      return at_record(batch_run_first_seq_, "settlement entries of run " + batch_run_ + " without the run's record in their batch");
    }
    batch_run_.clear();
    batch_run_entries_ = 0;
    batch_run_first_seq_ = 0;
    batch_run_closed_ = false;
    return Status::success();
  }

  Status check_checkpoint(const CheckpointRef& batch, const std::string& author) {
    TRIPARTITE_CHECK(close_batch());
    const bool digest_agrees = !batch.digest || batch_digest_.finish() == *batch.digest;
    batch_digest_.reset();
    auto note = ledger::parse_note(batch.note);
    auto checkpoint = ledger::parse_checkpoint_body(note->body);
    if (!digest_agrees) {
      // The digest column alone, or the records under it (then the signed root disagrees too).
      if (checkpoint && checkpoint->root == frontier_.root()) {
        return at_checkpoint(batch.tree_size, "the batches table's digest is not SHA-256 of the batch's leaf hashes");
      }
      const std::uint64_t first = (next_checkpoint_ == 0 ? 0 : checkpoints_[next_checkpoint_ - 1].tree_size) + 1;
      return at_checkpoint(batch.tree_size, "records " + std::to_string(first) + ".." +
                                                std::to_string(batch.tree_size) +
                                                " are not the ones this batch signed: their leaf hashes give neither "
                                                "the signed root nor the batch's digest (a record changed with its "
                                                "leaf hash recomputed, or records moved, added or removed)");
    }
    if (!checkpoint) return at_checkpoint(batch.tree_size, checkpoint.error().message);
    if (checkpoint->origin != "tripartite/" + ledger_id_) {
      return at_checkpoint(batch.tree_size, "origin '" + checkpoint->origin + "' is not tripartite/" + ledger_id_);
    }
    if (checkpoint->size != batch.tree_size) {
      return at_checkpoint(batch.tree_size, "the signed size is " + std::to_string(checkpoint->size));
    }
    if (checkpoint->root != frontier_.root()) {
      return at_checkpoint(batch.tree_size, "the signed root is not the Merkle root of records 1.." + std::to_string(batch.tree_size));
    }
    auto key = keys_.find(author);
    if (key == keys_.end()) return at_checkpoint(batch.tree_size, "signed by " + author + ", who has no registered key");
    if (!ledger::verify_note_signature(*note, author, key->second)) {
      return at_checkpoint(batch.tree_size, "the signature of " + author + " does not verify with its registered key");
    }
    next_checkpoint_ += 1;
    return Status::success();
  }

  std::vector<CheckpointRef> checkpoints_;
  bool keep_leaves_;
  std::string expected_ledger_id_;
  std::optional<std::string> coordinator_key_;  // VerifyOptions::coordinator_key
  std::size_t next_checkpoint_ = 0;
  ledger::TreeFrontier frontier_;
  std::vector<ledger::Hash> leaves_;
  std::string ledger_id_;
  std::map<std::string, Role> roles_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::uint64_t> key_records_;
  std::map<std::string, std::string> offtakers_;  // season -> off-taker
  std::unordered_map<std::string, std::string> lenders_;  // loan -> lender
  std::map<std::string, Currency> currencies_;              // season -> currency
  std::map<std::string, LoanProduct> products_;             // loan product id -> terms
  // A loan record whose disbursement entry must be the next record (docs/audit-format.md).
  struct PendingLoan {
    std::uint64_t seq = 0;
    Loan loan;
    std::string season;
  };
  std::optional<PendingLoan> pending_loan_;
  ledger::BatchDigest batch_digest_;  // over the current batch's leaves (a database's batches)
  // The current batch's settlement entries: their run, how many, the first one's seq, and
  // whether the run's record has come (it closes them).
  std::string batch_run_;
  std::uint64_t batch_run_entries_ = 0;
  std::uint64_t batch_run_first_seq_ = 0;
  bool batch_run_closed_ = false;
  std::unordered_map<std::string, std::uint64_t> run_records_;  // run id -> its record
  // run id -> party -> what the run's settlement entries say the off-taker owes it.
  std::unordered_map<std::string, std::map<std::string, ledger::BigInt>> run_payables_;
  std::set<std::pair<std::string, std::string>> acknowledged_;  // (run, lender)
  std::optional<std::set<std::string>> stored_entry_kinds_;  // a database's, as stored
  std::set<std::string> seen_entry_kinds_;
  std::string last_kind_;  // check_entry_kind's last run of one kind
  bool last_was_entry_ = false;
  std::size_t author_checkpoint_ = 0;
  std::string author_;  // the signer of checkpoints_[author_checkpoint_], once parsed
  std::uint64_t entries_ = 0;
  std::vector<std::uint64_t> key_hashes_;  // the key hash of record i + 1, for every record checked
};

// Visits the records with the given sequence numbers (ascending), in that order.
using RecordVisitor = std::function<Status(std::uint64_t seq, std::string_view body)>;
using ReadRecords = std::function<Status(const std::vector<std::uint64_t>& seqs, const RecordVisitor& visit)>;

// Fails at the first record whose (kind, key) an earlier record already has: ids are unique
// within a ledger (SPEC §2), which a database's unique index holds to but an export, read
// alone, does not show. Only the records whose key hash is shared are read again (none in
// a sound log, unless two pairs collide), and their pairs are compared exactly.
Status check_unique_keys(const LogVerifier& verifier, const ReadRecords& read) {
  const std::vector<std::uint64_t> seqs = verifier.key_hash_sharers();
  if (seqs.empty()) return Status::success();
  std::map<std::pair<std::string, std::string>, std::uint64_t> first;  // (kind, key) -> its first record
  return read(seqs, [&](std::uint64_t seq, std::string_view body) -> Status {
    auto value = canonical::parse(body);
    if (!value) return at_record(seq, value.error().message);
    auto index = index_of_parsed_record(*value);
    if (!index) return at_record(seq, index.error().message);
    auto [earlier, inserted] = first.emplace(std::make_pair(index->kind, index->key), seq);
    if (inserted) return Status::success();
    return at_record(seq, "a second " + index->kind + " record with key '" + index->key + "' (record " +
                              std::to_string(earlier->second) + " has it); an id is recorded once in a ledger");
  });
}

// Feeds records to a LogVerifier through a ChunkPipeline: while the verifier checks one
// block in order on this thread (and the caller reads the next), the block after it is
// hashed and parsed on another core. The verifier sees every record in sequence order.
class PreparePipeline {
 public:
  PreparePipeline(LogVerifier& verifier, const VerifyOptions& options)
      : block_records_(options.chunk_records == 0 ? 1 : options.chunk_records),
        progress_(options.progress),
        pipeline_(
            1,
            [mask = key_hash_mask(options.key_hash_bits)](RecordBlock block) { return prepare_block(std::move(block), mask); },
            [this, &verifier](const PreparedBlock& block) -> Status {
          for (const auto& record : block.records) TRIPARTITE_CHECK(verifier.feed(record));
          checked_ += block.records.size();
          if (progress_) progress_(checked_);
          return Status::success();
        }) {}

  std::size_t block_records() const { return block_records_; }
  Status add(RecordBlock block) { return pipeline_.add(std::move(block)); }
  Status finish() { return pipeline_.finish(); }

 private:
  std::size_t block_records_;
  std::function<void(std::uint64_t)> progress_;
  std::uint64_t checked_ = 0;
  ledger::ChunkPipeline<RecordBlock, PreparedBlock> pipeline_;
};

// Proves that a checkpoint kept by the auditor is a prefix of the verified log.
Result<std::uint64_t> check_kept_checkpoint(const std::string& text, const LogVerifier& verifier) {
  auto note = ledger::parse_note(text);
  if (!note) return verification_error("verification failed: the kept checkpoint does not parse: " + note.error().message);
  auto checkpoint = ledger::parse_checkpoint_body(note->body);
  if (!checkpoint) return verification_error("verification failed: the kept checkpoint: " + checkpoint.error().message);
  const std::uint64_t size = checkpoint->size;
  if (checkpoint->origin != "tripartite/" + verifier.ledger_id()) {
    return at_checkpoint(size, "the kept checkpoint is for another log (" + checkpoint->origin + ")");
  }
  bool signed_by_registered = false;
  for (const auto& signature : note->signatures) {
    auto key = verifier.keys().find(signature.key_name);
    if (key != verifier.keys().end() && ledger::verify_note_signature(*note, signature.key_name, key->second)) {
      signed_by_registered = true;
    }
  }
  if (!signed_by_registered) return at_checkpoint(size, "the kept checkpoint is not signed by a registered key of this log");
  const auto& leaves = verifier.leaves();
  if (size > leaves.size()) {
    return at_checkpoint(size, "the log has only " + std::to_string(leaves.size()) +
                                   " records: it was truncated after the kept checkpoint");
  }
  if (size == 0) {
    if (checkpoint->root != ledger::empty_root()) {
      return at_checkpoint(size, "the kept checkpoint's root is not the empty tree's");
    }
    return size;
  }
  auto proof = ledger::consistency_proof(leaves, size);
  ledger::Hash new_root = ledger::merkle_root(leaves);
  if (!ledger::verify_consistency(size, leaves.size(), checkpoint->root, new_root, proof)) {
    return at_checkpoint(size, "the log does not extend the kept checkpoint: its history was rewritten");
  }
  return size;
}

Result<std::string> read_whole(const std::filesystem::path& path) {
  return ledger::read_file(path.string());
}

// The checkpoints/ folder of an export, by tree size.
Result<std::vector<CheckpointRef>> read_export_checkpoints(const std::string& directory) {
  namespace fs = std::filesystem;
  const fs::path root(directory);
  std::error_code error;
  std::vector<CheckpointRef> checkpoints;
  for (const auto& item : fs::directory_iterator(root / "checkpoints", error)) {
    std::string name = item.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos || (name.size() > 1 && name[0] == '0')) {
      return verification_error("verification failed: checkpoints/" + name + " is not named by a tree size");
    }
    if (name == "0") return verification_error("verification failed: checkpoints/0 would be an empty batch");
    TRIPARTITE_TRY(note, read_whole(item.path()));
    std::uint64_t size = 0;
    auto [end, failure] = std::from_chars(name.data(), name.data() + name.size(), size);
    if (failure != std::errc() || end != name.data() + name.size()) {
      return verification_error("verification failed: checkpoints/" + name + " is not a tree size a log can have");
    }
    checkpoints.push_back(CheckpointRef{size, note, "", std::nullopt});
  }
  if (error) return invalid(directory + "/checkpoints: " + error.message());
  std::sort(checkpoints.begin(), checkpoints.end(),
            [](const CheckpointRef& a, const CheckpointRef& b) { return a.tree_size < b.tree_size; });
  return checkpoints;
}

}  // namespace

Result<VerifySummary> verify_store(ledger::Store& store, const VerifyOptions& options) {
  TRIPARTITE_CHECK(store.check_schema());
  TRIPARTITE_TRY(batches, store.batches());
  std::vector<CheckpointRef> checkpoints;
  std::uint64_t previous = 0;
  for (const auto& batch : batches) {
    if (batch.first_seq != previous + 1 || batch.tree_size < batch.first_seq) {
      return at_checkpoint(batch.tree_size, "batch " + std::to_string(batch.id) + " does not continue the previous batch");
    }
    previous = batch.tree_size;
    checkpoints.push_back(CheckpointRef{batch.tree_size, batch.note, batch.author, batch.digest});
  }
  TRIPARTITE_TRY(entry_kinds, store.entry_kinds());
  LogVerifier verifier(std::move(checkpoints), options.kept_checkpoint.has_value(), store.ledger_id(), std::move(entry_kinds));
  verifier.pin_coordinator_key(options.coordinator_key);
  auto pass = [&]() -> Status {
    PreparePipeline pipeline(verifier, options);
    RecordBlock block;
    TRIPARTITE_CHECK(store.scan_log([&](ledger::StoredRecord& record, const ledger::Hash& leaf) -> Status {
      if (block.records.empty()) {
        block.records.reserve(pipeline.block_records());
        block.bytes.reserve(pipeline.block_records() * 256);
      }
      block.records.push_back(RawRecord{record.seq, block.bytes.size(), record.body.size(), leaf,
                                        std::move(record.index), record.batch, std::move(record.mistyped_column)});
      block.bytes.insert(block.bytes.end(), record.body.begin(), record.body.end());
      if (block.records.size() < pipeline.block_records()) return Status::success();
      return pipeline.add(std::exchange(block, RecordBlock{}));
    }));
    if (!block.records.empty()) TRIPARTITE_CHECK(pipeline.add(std::move(block)));
    TRIPARTITE_CHECK(pipeline.finish());
    return verifier.finish();
  };
  const Status passed = pass();
  // A repeated id among the records checked comes before any later problem.
  TRIPARTITE_CHECK(check_unique_keys(verifier, [&](const std::vector<std::uint64_t>& seqs, const RecordVisitor& visit) -> Status {
    for (const std::uint64_t seq : seqs) {
      TRIPARTITE_TRY(record, store.record_at(seq));
      if (!record) return at_record(seq, "missing from the records table when read again");
      TRIPARTITE_CHECK(visit(seq, record->body));
    }
    return Status::success();
  }));
  TRIPARTITE_CHECK(passed);
  VerifySummary summary = verifier.summary();
  // A kept checkpoint the log no longer extends says most about a truncated log: first.
  if (options.kept_checkpoint) {
    TRIPARTITE_TRY(size, check_kept_checkpoint(*options.kept_checkpoint, verifier));
    summary.proven_checkpoint_size = size;
  }
  // The frontier the next batch's tree head will be computed from. It outlives the records
  // and batches of a log cut short (whole batches deleted), so it tells that case apart.
  TRIPARTITE_TRY(frontier, store.stored_frontier());
  if (frontier != verifier.frontier_bytes()) {
    auto stored = ledger::TreeFrontier::parse(frontier);
    if (stored && stored->size() > summary.records) {
      return at_record(summary.records + 1, "missing: the log ends at record " + std::to_string(summary.records) +
                                                ", but the ledger's tree frontier (meta 'frontier') is of " +
                                                std::to_string(stored->size()) + " records: records " +
                                                std::to_string(summary.records + 1) + ".." +
                                                std::to_string(stored->size()) +
                                                " were removed with their batches (a truncated log)");
    }
    return verification_error(
        "verification failed: the stored tree frontier (meta 'frontier') is not the frontier of records 1.." +
        std::to_string(summary.records) + "; the next batch's tree head would be wrong");
  }
  TRIPARTITE_CHECK(verifier.finish_entry_kinds());
  return summary;
}

constexpr const char* unterminated_journal =
    "the last record of journal.jsonl is not followed by a line break (export ends every record with \\n: "
    "the file was cut short or edited)";

Result<VerifySummary> verify_export(const std::string& directory, const VerifyOptions& options) {
  namespace fs = std::filesystem;
  fs::path root(directory);
  std::error_code error;
  if (!fs::exists(root, error)) return invalid(directory + ": no such folder");
  if (!fs::is_directory(root, error))
    return invalid(directory + ": not a folder (an audit export is a folder; a ledger file goes with --db)");
  if (!fs::is_regular_file(root / "journal.jsonl", error)) return invalid(directory + ": no journal.jsonl (not an audit export)");
  TRIPARTITE_TRY(checkpoints, read_export_checkpoints(directory));
  LogVerifier verifier(std::move(checkpoints), options.kept_checkpoint.has_value(), "");
  verifier.pin_coordinator_key(options.coordinator_key);
  auto pass = [&]() -> Status {
    std::ifstream journal(root / "journal.jsonl", std::ios::binary);
    ledger::LineBlockReader lines(journal);
    std::vector<ledger::LineSpan> spans;
    std::uint64_t seq = 0;
    PreparePipeline pipeline(verifier, options);
    while (true) {
      RecordBlock block;
      if (!lines.next(pipeline.block_records(), block.bytes, spans)) break;
      block.records.reserve(spans.size());
      for (const auto& span : spans)
        block.records.push_back(RawRecord{++seq, span.offset, span.size, std::nullopt, std::nullopt, 0, {}});
      TRIPARTITE_CHECK(pipeline.add(std::move(block)));
    }
    TRIPARTITE_CHECK(pipeline.finish());
    TRIPARTITE_CHECK(verifier.finish());
    // audit-format §5: record i's bytes, then '\n'. A last record without its line break
    // hashes the same, but the file is not what export writes (cut short, or edited).
    if (lines.unterminated_last_line()) return at_record(seq, unterminated_journal);
    return Status::success();
  };
  const Status passed = pass();
  // A repeated id among the records checked comes before any later problem.
  TRIPARTITE_CHECK(check_unique_keys(verifier, [&](const std::vector<std::uint64_t>& seqs, const RecordVisitor& visit) -> Status {
    std::ifstream journal(root / "journal.jsonl", std::ios::binary);
    std::string line;
    std::uint64_t seq = 0;
    for (const std::uint64_t wanted : seqs) {
      while (seq < wanted) {
        if (!std::getline(journal, line)) return at_record(wanted, "missing from journal.jsonl when read again");
        seq += 1;
      }
      TRIPARTITE_CHECK(visit(seq, line));
    }
    return Status::success();
  }));
  TRIPARTITE_CHECK(passed);
  // keys/ must hold exactly the keys the log registered, one <party>.pem each.
  for (const auto& [party, raw] : verifier.keys()) {
    const std::string file = "verification failed: keys/" + party + ".pem ";
    const std::string registered =
        " (record " + std::to_string(verifier.key_record(party)) + " registered " + party + "'s key)";
    auto text = read_whole(root / "keys" / (party + ".pem"));
    if (!text) return verification_error(file + "is missing" + registered);
    auto key = ledger::public_key_raw_from_pem(*text);
    if (!key || *key != raw) return verification_error(file + "is not the key the log registered" + registered);
  }
  for (const auto& item : fs::directory_iterator(root / "keys", error)) {
    std::string name = item.path().filename().string();
    const std::string party =
        name.size() > 4 && name.ends_with(".pem") ? name.substr(0, name.size() - 4) : std::string();
    if (verifier.keys().count(party) == 0) {
      return verification_error("verification failed: keys/" + name + " is not a key the log registered");
    }
  }
  VerifySummary summary = verifier.summary();
  if (options.kept_checkpoint) {
    TRIPARTITE_TRY(size, check_kept_checkpoint(*options.kept_checkpoint, verifier));
    summary.proven_checkpoint_size = size;
  }
  return summary;
}

Status rebuild_from_export(const std::string& directory, ledger::Store& store,
                           const std::function<void(std::uint64_t records)>& progress) {
  TRIPARTITE_TRY(checkpoints, read_export_checkpoints(directory));
  std::ifstream journal(std::filesystem::path(directory) / "journal.jsonl", std::ios::binary);
  if (!journal) return invalid(directory + ": no journal.jsonl (not an audit export)");
  TRIPARTITE_TRY(tx, store.begin());
  std::uint64_t seq = 0;
  std::string line;
  for (const auto& checkpoint : checkpoints) {
    auto note = ledger::parse_note(checkpoint.note);
    if (!note || note->signatures.size() != 1) {
      return at_checkpoint(checkpoint.tree_size, "the signed note does not parse");
    }
    TRIPARTITE_CHECK(tx->begin_batch(note->signatures.front().key_name, "export:" + std::to_string(checkpoint.tree_size)));
    while (seq < checkpoint.tree_size) {
      if (!std::getline(journal, line)) return at_checkpoint(checkpoint.tree_size, "the journal ends at record " + std::to_string(seq));
      seq += 1;
      auto value = canonical::parse(line);
      if (!value) return at_record(seq, value.error().message);
      TRIPARTITE_TRY(index, index_of_parsed_record(*value));
      const canonical::Value* kind = value->find("kind");
      if (kind != nullptr && kind->is_string() && kind->as_string() == "entry") {
        auto entry = ledger::entry_from_record(*value);
        if (!entry) return at_record(seq, entry.error().message);
        auto appended = tx->append(index, line, &*entry);
        if (!appended) return at_record(seq, appended.error().message);
      } else {
        auto appended = tx->append(index, line);
        if (!appended) return at_record(seq, appended.error().message);
      }
      if (progress && seq % 4096 == 0) progress(seq);
    }
    TRIPARTITE_TRY(sealed, tx->seal_batch_with_note(checkpoint.note));
    (void)sealed;
  }
  return tx->commit();
}

}  // namespace tripartite::contracts
