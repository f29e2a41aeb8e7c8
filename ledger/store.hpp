// The ledger store: an append-only log of canonical records with their postings, written
// in signed batches, behind an interface so that another database can serve it later.
//
// Invariants:
// - Records get sequence numbers 1, 2, 3 … in append order; a stored record's bytes are
//   never changed or deleted (there is no update or delete in this interface).
// - Every record is appended inside a batch; a batch ends with a checkpoint (the C2SP
//   tlog-checkpoint of the tree after its last record) signed by the batch's author.
// - All batches of one `Transaction` commit together or not at all: a crash, an error or a
//   destroyed uncommitted transaction leaves the database exactly as before.
// - An entry record is refused unless it balances (check_balanced). Its postings are kept
//   only in its canonical bytes: balances are summed from the entry records themselves
//   (no second copy of every posting to write at settlement, nor to check in verify). The
//   store remembers which record kinds hold entries; a kind holds entries only or none.
// - A batch's idempotency key is unique: sealing a batch whose key exists with the same
//   content digest drops the batch (replay is a no-op); with different content it fails.
// The store knows nothing of farmers or harvests: a record is a kind, a key and a few index
// columns (season, subject, date) chosen by the caller, plus its canonical bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.hpp"
#include "ledger/journal.hpp"
#include "ledger/result.hpp"
#include "ledger/tlog.hpp"

namespace tripartite::ledger {

// The columns a record is found by. kind and key are unique together when key is not empty.
struct RecordIndex {
  std::string kind;     // "farmer", "delivery", "entry", "key", …
  std::string key;      // id within the kind ("" = none)
  std::string season;   // "" when ledger-wide
  std::string subject;  // the farmer or party the record is about ("" = none)
  std::string date;     // effective date YYYY-MM-DD ("" = none)
  friend bool operator==(const RecordIndex&, const RecordIndex&) = default;
};

// A record's canonical bytes with their RFC 6962 leaf hash. Only this type computes the
// hash, from the bytes it holds, so the hashing can be done on another thread than the
// append (import does it on its reading thread) without the store trusting a caller's hash.
// It also notes whether the bytes hold a line break (which no record may), on the same
// thread.
class HashedBody {
 public:
  explicit HashedBody(std::string bytes)
      : bytes_(std::move(bytes)), leaf_(leaf_hash(bytes_)), line_break_(bytes_.find('\n') != std::string::npos) {}
  const std::string& bytes() const { return bytes_; }
  const Hash& leaf() const { return leaf_; }
  bool has_line_break() const { return line_break_; }

 private:
  std::string bytes_;
  Hash leaf_;
  bool line_break_;
};

struct StoredRecord {
  std::uint64_t seq = 0;
  std::uint64_t batch = 0;
  RecordIndex index;
  std::string body;  // canonical bytes, exactly as written
  // scan_log only: the first column of the row not stored with the schema's type (a BLOB
  // where the schema writes TEXT), "" when none. SQLite compares values of different types
  // as different, so such a row would be invisible to every look-up by that column (a
  // delivery left out of settlement, an entry out of the balances) while its bytes still
  // hash right: verify refuses it.
  std::string mistyped_column;
};

struct StoredBatch {
  std::uint64_t id = 0;
  std::string idempotency_key;
  std::string author;
  std::uint64_t first_seq = 0;  // first record of the batch
  std::uint64_t tree_size = 0;  // records in the log after the batch
  std::string digest;           // SHA-256 over the batch's leaf hashes, in order (raw bytes)
  std::string note;             // the signed checkpoint (C2SP signed-note text)
};

struct StoredPosting {
  std::uint64_t seq = 0;   // the entry record
  std::uint32_t index = 0; // position in the entry
  std::string date;        // the entry's effective date
  Posting posting;
};

struct Balance {
  std::string account;
  std::string asset;
  std::int64_t amount = 0;
};

// What to scan. Records come in sequence order unless order_by_subject is set, in which
// case they come by (subject, key) in byte order.
struct RecordFilter {
  RecordFilter(std::string kind_of_record) : kind(std::move(kind_of_record)) {}  // NOLINT: implicit by design
  std::string kind;
  std::optional<std::string> season;
  std::optional<std::string> subject;
  std::uint64_t max_seq = 0;  // 0 = no limit; otherwise only records with seq < max_seq
  bool order_by_subject = false;
};

// A forward cursor over the records a RecordFilter selects (Store::open_cursor). Several
// may be open at once, e.g. to merge two record kinds ordered by subject.
class RecordCursor {
 public:
  virtual ~RecordCursor() = default;
  // The next record, or nullopt after the last.
  virtual Result<std::optional<StoredRecord>> next() = 0;
  // The next record into `row`, reusing its memory (settlement reads millions); false after
  // the last.
  virtual Result<bool> next_into(StoredRecord& row) = 0;
};

enum class SealOutcome { written, replay_ignored, empty_ignored };

class Transaction {
 public:
  virtual ~Transaction() = default;  // rolls back unless committed
  // Opens a batch written by `author` (a party id). REQUIRES: no batch open.
  virtual Status begin_batch(std::string_view author, std::string_view idempotency_key) = 0;
  // Appends a record to the open batch and returns its sequence number. An entry record
  // must pass `entry` (its postings are checked for balance), and every record of an entry
  // kind must be an entry (a kind holds entries only or none). Fails when (kind,
  // key) already exists. REQUIRES: a batch is open.
  virtual Result<std::uint64_t> append(const RecordIndex& index, std::string_view body,
                                       const JournalEntry* entry = nullptr) = 0;
  // The same, with the leaf hash already taken.
  virtual Result<std::uint64_t> append(const RecordIndex& index, const HashedBody& body,
                                       const JournalEntry* entry = nullptr) = 0;
  // Closes the open batch: computes the tree head, signs the checkpoint with `key` (key
  // name = the author) and stores it. A batch with no records is dropped (empty_ignored).
  virtual Result<SealOutcome> seal_batch(const PrivateKey& key) = 0;
  // Closes the open batch with a checkpoint signed elsewhere: `note` is stored as it is,
  // after checking that its body is this batch's checkpoint (origin, tree size, root). For
  // rebuilding a ledger from an audit export, whose notes are already verified.
  virtual Result<SealOutcome> seal_batch_with_note(std::string_view note) = 0;
  // Makes every sealed batch durable at once. REQUIRES: no batch open.
  virtual Status commit() = 0;
};

// Points of the write path where a crash test can kill the process (Store::inject_crash).
enum class CrashPoint {
  none,
  append,         // after the n-th record appended from now: inside the write transaction
  before_commit,  // every batch sealed, COMMIT not yet issued
  after_commit,   // COMMIT returned (the database file holds the transaction), nothing after
};

// Parses a crash point as written in TRIPARTITE_TEST_CRASH: "append:N", "before-commit",
// "after-commit"; nullopt when the text is none of these.
struct CrashSpec {
  CrashPoint point = CrashPoint::none;
  std::uint64_t nth_append = 0;
};
std::optional<CrashSpec> parse_crash_spec(std::string_view text);

class Store {
 public:
  virtual ~Store() = default;

  virtual const std::string& ledger_id() const = 0;
  // "tripartite/<ledger id>", the checkpoint origin line.
  std::string origin() const { return "tripartite/" + ledger_id(); }

  // Starts the one write transaction of a command. Only one at a time.
  virtual Result<std::unique_ptr<Transaction>> begin() = 0;

  // Reads see the open transaction's uncommitted records too (same connection).
  virtual Result<std::optional<StoredRecord>> find(std::string_view kind, std::string_view key) = 0;
  // The record with sequence number seq, if there is one (a direct look-up, for proofs).
  virtual Result<std::optional<StoredRecord>> record_at(std::uint64_t seq) = 0;
  virtual Status scan(const RecordFilter& filter, const std::function<Status(const StoredRecord&)>& visit) = 0;
  // The same records as scan(), pulled one at a time. The cursor must not outlive the store.
  virtual Result<std::unique_ptr<RecordCursor>> open_cursor(const RecordFilter& filter) = 0;
  // The key of every record of that kind (open transaction included), in byte order,
  // without reading the records themselves.
  virtual Status scan_keys(std::string_view kind, const std::function<Status(std::string_view key)>& visit) = 0;
  // Every record in sequence order with its stored leaf hash (for verify and export). The
  // record is the visitor's to keep: it may move the bytes out. A stored leaf that is not
  // 32 bytes long (a damaged row) is passed as 32 zero bytes, which no record hashes to.
  virtual Status scan_log(const std::function<Status(StoredRecord&, const Hash& leaf)>& visit) = 0;
  virtual Result<std::vector<StoredBatch>> batches() = 0;
  virtual Result<std::uint64_t> size() = 0;  // number of records
  // The postings of every entry record, read from the entries' bytes; with a non-empty
  // prefix only accounts starting with it. Entries come kind by kind, in no particular
  // order within a kind, and an entry's postings in their order (callers sum).
  virtual Status scan_postings(std::string_view account_prefix,
                               const std::function<Status(const StoredPosting&)>& visit) = 0;
  // Sum of postings per (account, asset) for entries dated on or before as_of ("" = all)
  // and, when max_seq != 0, recorded before sequence number max_seq; accounts starting with
  // prefix; sorted by account, then asset; zero sums included. A sum past 64 bits fails.
  virtual Result<std::vector<Balance>> balances(std::string_view account_prefix, std::string_view as_of,
                                                std::uint64_t max_seq = 0) = 0;
  // The same balances, visited one at a time (the sums are held until the entries are read:
  // one per account the prefix selects).
  virtual Status scan_balances(std::string_view account_prefix, std::string_view as_of, std::uint64_t max_seq,
                               const std::function<Status(const Balance&)>& visit) = 0;
  // For verify: the record kinds the store holds as entry kinds, as stored, in byte order.
  virtual Result<std::vector<std::string>> entry_kinds() = 0;
  // Leaf hashes of records 1..count (count = 0: all), for proofs.
  virtual Result<std::vector<Hash>> leaf_hashes(std::uint64_t count) = 0;
  // For verify: the persisted tree frontier as stored (TreeFrontier::serialise form), which
  // the next batch's tree head is computed from.
  virtual Result<std::string> stored_frontier() = 0;
  // For verify: fails (verification) when the database's tables and indexes are not
  // exactly the store's schema (a dropped unique index would let an id be stored twice).
  virtual Status check_schema() = 0;

  // For fault-injection tests: the n-th append from now (1 = the next) fails as an I/O
  // error would, after the record has been written inside the transaction. 0 = never.
  virtual void inject_append_failure(std::uint64_t nth_append) = 0;

  // For crash tests: the process kills itself with SIGKILL, exactly as `kill -9` from outside
  // would, at a chosen point of the write path. The point is given by the test, so the test
  // does not depend on timing. none = never.
  virtual void inject_crash(CrashPoint point, std::uint64_t nth_append = 0) = 0;
};

enum class OpenMode { create_new, open_existing };

// Opens (or creates, with a fresh random ledger id, or `ledger_id` when given) a SQLite
// ledger at `path`. create_new fails when the file exists; open_existing fails when it does
// not or is not a Tripartite ledger of a schema version this build reads. A given ledger id
// is for a ledger rebuilt from an audit export (verify --audit --replay).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, OpenMode mode,
                                                 const std::string& ledger_id = "");

}  // namespace tripartite::ledger
