// The SQLite implementation of the ledger store (store.hpp).
//
// One connection, rollback journal, synchronous=EXTRA (a command is one transaction, so the
// fsyncs per command are cheap and a committed settlement survives a power cut), prepared
// statements reused for every row. A Transaction is BEGIN IMMEDIATE … COMMIT; each batch is
// a SAVEPOINT inside it so a replayed batch can be dropped alone. The tree frontier (the
// compact range of the Merkle tree) is persisted in `meta` with each batch, so tree heads are
// computed incrementally. Schema: docs/ledger.md ("Database schema"); version in meta.
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "ledger/sqlite_statement.hpp"
#include "ledger/store.hpp"
#include "ledger/tlog.hpp"

namespace tripartite::ledger {
namespace {

using sqlite_detail::exec;
using sqlite_detail::kBusyTimeoutMs;
using sqlite_detail::sqlite_message;
using sqlite_detail::Statement;

// Version 2 keeps no posting rows (balances are summed from the entry records); a version 1
// ledger is migrated when opened (migrate_from_version_1).
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE records(
  seq INTEGER PRIMARY KEY,
  batch INTEGER NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  season TEXT NOT NULL,
  subject TEXT NOT NULL,
  date TEXT NOT NULL,
  body BLOB NOT NULL,
  leaf BLOB NOT NULL);
CREATE UNIQUE INDEX records_by_key ON records(kind, key);
CREATE INDEX records_by_subject ON records(kind, season, subject, key);
CREATE TABLE batches(
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  author TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  tree_size INTEGER NOT NULL,
  digest BLOB NOT NULL,
  note TEXT NOT NULL);
)sql";

// The meta row listing the record kinds that hold journal entries, one per line, sorted.
constexpr const char* kEntryKinds = "entry_kinds";

std::string join_kinds(const std::set<std::string>& kinds) {
  std::string out;
  for (const auto& kind : kinds) {
    if (!out.empty()) out += '\n';
    out += kind;
  }
  return out;
}

std::set<std::string> split_kinds(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    out.emplace(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return out;
}

// Orders pairs of strings, or of views, by their bytes (first, then second), so that a map
// keyed by std::string pairs can be searched with views.
struct PairByteOrder {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  template <typename Pair>
  static View view(const Pair& pair) {
    return View(pair.first, pair.second);
  }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

// A command is one transaction that may write far more pages than the 256 MB page cache
// holds (an import or a run at a million farmers writes gigabytes). With a write-ahead log
// every page the cache spills is appended to the log again each time it is spilled (index
// pages are modified over and over), and then copied into the database at the checkpoint:
// an import of 100,000 farmers wrote 1.17 GB for a 512 MB ledger and spent a third of its
// time in the kernel. With the rollback journal (DELETE) a page is written in place and
// only the original of a page that existed before the transaction is journaled once: the
// same import wrote 521 MB and took 25-35% less time (docs/performance.md). Atomicity and
// durability are the same with synchronous=EXTRA: in this mode a transaction commits when its
// journal is deleted, and EXTRA also syncs the folder after the deletion (FULL does not),
// so a power cut right after a command reported success cannot bring the journal back and
// roll the command back. A ledger created with a write-ahead log by an earlier version is
// switched on its first open (SQLite checkpoints the log into the database and deletes
// it); that needs no other connection open, so when one is, the ledger stays in WAL mode
// for this command, which is as safe and only slower.
Status use_rollback_journal(sqlite3* db, const std::string& path) {
  Statement statement;
  TRIPARTITE_CHECK(statement.prepare(db, "PRAGMA journal_mode=DELETE"));
  auto row = statement.step();
  if (!row) return row.error();
  std::string mode = *row ? std::string(statement.column_view(0)) : std::string();
  if (mode != "delete" && mode != "wal") {
    return internal_error(path + ": the database is in journal mode '" + mode + "', not a rollback journal or WAL");
  }
  return Status::success();
}

Hash to_hash(std::string_view bytes) {
  Hash hash{};
  TRIPARTITE_ASSERT(bytes.size() == hash.size());
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

// Every table and index of a database (SQLite's own excepted) as "type name: sql", by name.
Result<std::vector<std::string>> schema_of(sqlite3* db) {
  Statement statement;
  TRIPARTITE_CHECK(statement.prepare(
      db, "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"));
  std::vector<std::string> out;
  while (true) {
    TRIPARTITE_TRY(row, statement.step());
    if (!row) break;
    out.push_back(statement.column_text(0) + " " + statement.column_text(1) + ": " + statement.column_text(2));
  }
  return out;
}

class SqliteStore;

// A crash test's injected crash: the same signal as `kill -9`, so nothing of this process
// runs after it (no destructor, no rollback, no buffered output).
[[noreturn]] void crash_now() {
  std::raise(SIGKILL);
  std::abort();  // not reached: SIGKILL cannot be caught
}

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(SqliteStore& store) : store_(store) {}
  ~SqliteTransaction() override;
  Status begin_batch(std::string_view author, std::string_view idempotency_key) override;
  Result<std::uint64_t> append(const RecordIndex& index, std::string_view body, const JournalEntry* entry) override {
    return append_with_leaf(index, body, leaf_hash(body), body.find('\n') != std::string_view::npos, entry);
  }
  Result<std::uint64_t> append(const RecordIndex& index, const HashedBody& body, const JournalEntry* entry) override {
    return append_with_leaf(index, body.bytes(), body.leaf(), body.has_line_break(), entry);
  }
  Result<SealOutcome> seal_batch(const PrivateKey& key) override;
  Result<SealOutcome> seal_batch_with_note(std::string_view note) override;
  Status commit() override;

 private:
  // Closes the batch with the note make_note gives for its checkpoint.
  Result<SealOutcome> seal(const std::function<Result<std::string>(const Checkpoint&)>& make_note);
  Result<std::uint64_t> append_with_leaf(const RecordIndex& index, std::string_view body, const Hash& leaf,
                                         bool line_break, const JournalEntry* entry);
  Status note_entry_kind(const std::string& kind, bool is_entry);

  SqliteStore& store_;
  bool finished_ = false;
  bool batch_open_ = false;
  std::string author_;
  std::string idempotency_key_;
  std::uint64_t first_seq_ = 0;
  std::uint64_t batch_records_ = 0;
  TreeFrontier frontier_before_batch_;
  std::set<std::string> entry_kinds_before_batch_;
  BatchDigest batch_digest_;  // SHA-256 over the batch's leaf hashes: its content digest
};

// Reads a record from the columns seq, batch, kind, key, season, subject, date, body (in
// that order) into `record`, reusing its strings' memory.
void read_record_into(const Statement& statement, StoredRecord& record) {
  record.seq = statement.column_uint(0);
  record.batch = statement.column_uint(1);
  record.index.kind.assign(statement.column_view(2));
  record.index.key.assign(statement.column_view(3));
  record.index.season.assign(statement.column_view(4));
  record.index.subject.assign(statement.column_view(5));
  record.index.date.assign(statement.column_view(6));
  record.body.assign(statement.column_view(7));
}

StoredRecord read_record(const Statement& statement) {
  StoredRecord record;
  read_record_into(statement, record);
  return record;
}

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override {
    statements_.clear();
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Store>> open(const std::string& path, OpenMode mode, const std::string& ledger_id) {
    struct stat info {};
    bool exists = ::stat(path.c_str(), &info) == 0;
    if (exists && S_ISDIR(info.st_mode)) {
      return invalid(path + (mode == OpenMode::create_new
                                 ? ": is a folder; give the path of a new ledger file (e.g. " + path + "/ledger.db)"
                                 : ": is a folder, not a ledger file"));
    }
    if (mode == OpenMode::create_new && exists) return invalid(path + ": already exists; refusing to overwrite a ledger");
    if (mode == OpenMode::open_existing && !exists) return invalid(path + ": no such ledger (create it with `tripartite init`)");
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore());
    // A connection is used by one thread at a time (the pipelines' other threads never touch
    // the store), so SQLite's per-call connection mutex and its allocation statistics (a
    // global mutex around every malloc) are pure cost: 7% of import's writing thread.
    static std::once_flag configured;
    std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (mode == OpenMode::create_new ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &store->db_, flags, nullptr) != SQLITE_OK) {
      return invalid(sqlite_message(store->db_, path));
    }
    sqlite3_busy_timeout(store->db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(store->db_, 0);
    if (mode == OpenMode::open_existing) {
      // A file that is not a SQLite database at all (a CSV, a key, a damaged header) is the
      // user's mistake, not an internal error: say so before SQLite's own words are needed.
      int read = sqlite3_exec(store->db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
      if (read == SQLITE_NOTADB) return invalid(path + ": not a Tripartite ledger (not a SQLite database)");
    }
    // A new ledger uses 16 KB pages (SQLite's default is 4 KB): a quarter of the page reads
    // and B-tree splits for records of 200 bytes to 2 KB. At 20,000 farmers import, settle
    // and verify took 15-20%, 20% and 10% less time (docs/performance.md); with the deliveries
    // in random order and a 16 MB cache (the index far larger than the cache, as at a
    // million farmers) 16 KB pages still beat 4 KB and 64 KB. An existing ledger keeps its size.
    if (mode == OpenMode::create_new) TRIPARTITE_CHECK(exec(store->db_, "PRAGMA page_size=16384"));
    TRIPARTITE_CHECK(use_rollback_journal(store->db_, path));
    TRIPARTITE_CHECK(exec(store->db_, "PRAGMA synchronous=EXTRA; PRAGMA cache_size=-262144;"));
    if (mode == OpenMode::create_new) {
      TRIPARTITE_CHECK(store->create_schema(ledger_id));
    }
    TRIPARTITE_CHECK(store->load_meta(path));
    TRIPARTITE_CHECK(store->prepare_statements());
    return std::unique_ptr<Store>(std::move(store));
  }

  const std::string& ledger_id() const override { return ledger_id_; }

  Result<std::unique_ptr<Transaction>> begin() override {
    if (in_transaction_) return internal_error("a transaction is already open");
    TRIPARTITE_CHECK(exec(db_, "BEGIN IMMEDIATE"));
    // Another process may have written since we opened: reload the frontier.
    auto frontier = read_frontier();
    if (!frontier) {
      (void)exec(db_, "ROLLBACK");
      return frontier.error();
    }
    frontier_ = std::move(frontier).value();
    auto kinds = read_meta(kEntryKinds);
    if (!kinds) {
      (void)exec(db_, "ROLLBACK");
      return kinds.error();
    }
    entry_kinds_ = split_kinds(*kinds);
    in_transaction_ = true;
    return std::unique_ptr<Transaction>(new SqliteTransaction(*this));
  }

  Result<std::optional<StoredRecord>> find(std::string_view kind, std::string_view key) override {
    Statement& statement = *find_;
    statement.bind(1, kind);
    statement.bind(2, key);
    auto row = statement.step();
    if (!row) {
      statement.reset();
      return row.error();
    }
    std::optional<StoredRecord> found;
    if (*row) found = read_record(statement);
    statement.reset();
    return found;
  }

  Result<std::optional<StoredRecord>> record_at(std::uint64_t seq) override {
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(db_, "SELECT seq, batch, kind, key, season, subject, date, body FROM records WHERE seq = ?1"));
    statement.bind(1, seq);
    TRIPARTITE_TRY(row, statement.step());
    if (!row) return std::optional<StoredRecord>();
    return std::optional<StoredRecord>(read_record(statement));
  }

  Status scan(const RecordFilter& filter, const std::function<Status(const StoredRecord&)>& visit) override {
    TRIPARTITE_TRY(cursor, open_cursor(filter));
    while (true) {
      TRIPARTITE_TRY(record, cursor->next());
      if (!record) break;
      TRIPARTITE_CHECK(visit(*record));
    }
    return Status::success();
  }

  Result<std::unique_ptr<RecordCursor>> open_cursor(const RecordFilter& filter) override;

  Status scan_keys(std::string_view kind, const std::function<Status(std::string_view key)>& visit) override {
    Statement statement;  // served by the index records_by_key alone
    TRIPARTITE_CHECK(statement.prepare(db_, "SELECT key FROM records WHERE kind = ?1 ORDER BY key"));
    statement.bind(1, kind);
    while (true) {
      TRIPARTITE_TRY(row, statement.step());
      if (!row) break;
      TRIPARTITE_CHECK(visit(statement.column_view(0)));
    }
    return Status::success();
  }

  Status scan_log(const std::function<Status(StoredRecord&, const Hash& leaf)>& visit) override {
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(
        db_,
        "SELECT seq, batch, kind, key, season, subject, date, body, leaf, "
        "CASE WHEN typeof(batch) <> 'integer' THEN 'batch' WHEN typeof(kind) <> 'text' THEN 'kind' "
        "WHEN typeof(key) <> 'text' THEN 'key' WHEN typeof(season) <> 'text' THEN 'season' "
        "WHEN typeof(subject) <> 'text' THEN 'subject' WHEN typeof(date) <> 'text' THEN 'date' ELSE '' END "
        "FROM records ORDER BY seq"));
    while (true) {
      TRIPARTITE_TRY(row, statement.step());
      if (!row) break;
      std::string leaf = statement.column_text(8);
      Hash hash{};
      if (leaf.size() == hash.size()) hash = to_hash(leaf);  // a wrong size fails verification later
      StoredRecord record = read_record(statement);
      record.mistyped_column = statement.column_text(9);
      TRIPARTITE_CHECK(visit(record, hash));
    }
    return Status::success();
  }

  Result<std::vector<StoredBatch>> batches() override {
    Statement statement;
    // The last column names the first column not of the schema's type, as in scan_log (an
    // idempotency key stored as a BLOB would not be found when its batch is replayed).
    TRIPARTITE_CHECK(statement.prepare(
        db_,
        "SELECT id, idempotency_key, author, first_seq, tree_size, digest, note, "
        "CASE WHEN typeof(idempotency_key) <> 'text' THEN 'idempotency_key' WHEN typeof(author) <> 'text' "
        "THEN 'author' WHEN typeof(first_seq) <> 'integer' THEN 'first_seq' WHEN typeof(tree_size) <> 'integer' "
        "THEN 'tree_size' WHEN typeof(note) <> 'text' THEN 'note' ELSE '' END "
        "FROM batches ORDER BY id"));
    std::vector<StoredBatch> out;
    while (true) {
      TRIPARTITE_TRY(row, statement.step());
      if (!row) break;
      if (!statement.column_view(7).empty()) {
        return verification_error("verification failed: the batches table holds the column " +
                                  statement.column_text(7) + " of batch " + std::to_string(statement.column_uint(0)) +
                                  " with another type than the schema's");
      }
      out.push_back(StoredBatch{statement.column_uint(0), statement.column_text(1), statement.column_text(2),
                                statement.column_uint(3), statement.column_uint(4), statement.column_text(5),
                                statement.column_text(6)});
    }
    return out;
  }

  Result<std::uint64_t> size() override {
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(db_, "SELECT COALESCE(MAX(seq), 0) FROM records"));
    TRIPARTITE_TRY(row, statement.step());
    TRIPARTITE_ASSERT(row);
    return statement.column_uint(0);
  }

  Status scan_postings(std::string_view account_prefix,
                       const std::function<Status(const StoredPosting&)>& visit) override {
    StoredPosting stored;  // one row, its strings' memory reused
    return scan_entry_postings(account_prefix, "", 0,
                               [&](std::uint64_t seq, std::string_view date, std::uint32_t index, const PostingView& posting) {
                                 stored.seq = seq;
                                 stored.index = index;
                                 stored.date.assign(date);
                                 stored.posting.account.assign(posting.account);
                                 stored.posting.asset.assign(posting.asset);
                                 stored.posting.amount = posting.amount;
                                 stored.posting.tag.assign(posting.tag);
                                 return visit(stored);
                               });
  }

  Result<std::vector<Balance>> balances(std::string_view account_prefix, std::string_view as_of,
                                        std::uint64_t max_seq) override {
    std::vector<Balance> out;
    TRIPARTITE_CHECK(scan_balances(account_prefix, as_of, max_seq, [&](const Balance& balance) -> Status {
      out.push_back(balance);
      return Status::success();
    }));
    return out;
  }

  Status scan_balances(std::string_view account_prefix, std::string_view as_of, std::uint64_t max_seq,
                       const std::function<Status(const Balance&)>& visit) override {
    // By (account, asset) in byte order; looked up by views, so that a posting of an account
    // already summed allocates nothing.
    std::map<std::pair<std::string, std::string>, std::int64_t, PairByteOrder> sums;
    TRIPARTITE_CHECK(scan_entry_postings(
        account_prefix, as_of, max_seq,
        [&](std::uint64_t, std::string_view, std::uint32_t, const PostingView& posting) -> Status {
          const std::pair<std::string_view, std::string_view> key(posting.account, posting.asset);
          auto it = sums.find(key);
          if (it == sums.end()) it = sums.emplace(std::pair(std::string(posting.account), std::string(posting.asset)), 0).first;
          if (__builtin_add_overflow(it->second, posting.amount, &it->second)) {
            return invalid("the postings of account " + std::string(posting.account) + " in " + std::string(posting.asset) +
                           " do not sum to a 64-bit amount");
          }
          return Status::success();
        }));
    for (const auto& [key, amount] : sums) TRIPARTITE_CHECK(visit(Balance{key.first, key.second, amount}));
    return Status::success();
  }

  Result<std::vector<std::string>> entry_kinds() override {
    TRIPARTITE_TRY(text, read_meta(kEntryKinds));
    const std::set<std::string> kinds = split_kinds(text);
    if (join_kinds(kinds) != text) {
      return verification_error("verification failed: the store's list of entry kinds is not one sorted kind per line");
    }
    return std::vector<std::string>(kinds.begin(), kinds.end());
  }

  Result<std::vector<Hash>> leaf_hashes(std::uint64_t count) override {
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(db_, count == 0 ? "SELECT leaf FROM records ORDER BY seq"
                                                       : "SELECT leaf FROM records WHERE seq <= ?1 ORDER BY seq"));
    if (count != 0) statement.bind(1, count);
    std::vector<Hash> out;
    while (true) {
      TRIPARTITE_TRY(row, statement.step());
      if (!row) break;
      std::string leaf = statement.column_text(0);
      if (leaf.size() != 32) return verification_error("record " + std::to_string(out.size() + 1) + ": stored leaf hash is not 32 bytes");
      out.push_back(to_hash(leaf));
    }
    return out;
  }

  Result<std::string> stored_frontier() override { return read_meta("frontier"); }

  Status check_schema() override {
    TRIPARTITE_TRY(actual, schema_of(db_));
    sqlite3* reference = nullptr;
    if (sqlite3_open_v2(":memory:", &reference, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      sqlite3_close(reference);
      return internal_error("opening an in-memory database");
    }
    Status created = exec(reference, kSchema);
    auto expected = created.ok() ? schema_of(reference) : Result<std::vector<std::string>>(created.error());
    sqlite3_close(reference);
    if (!expected) return expected.error();
    // Each entry is "type name: sql", sorted by name: an object missing, one too many, or one
    // of the same name made otherwise, named as such.
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find(':')); };
    std::map<std::string, std::string> have, want;
    for (const auto& entry : actual) have.emplace(name_of(entry), entry);
    for (const auto& entry : *expected) want.emplace(name_of(entry), entry);
    auto refuse = [](const std::string& why) {
      return verification_error("verification failed: the database's schema is not Tripartite's: " + why);
    };
    for (const auto& [name, entry] : want) {
      auto found = have.find(name);
      if (found == have.end()) return refuse("the " + name + " is missing (the schema has " + entry + ")");
      if (found->second != entry) return refuse(found->second + " where the schema has " + entry);
    }
    for (const auto& [name, entry] : have) {
      if (want.count(name) == 0) return refuse("an extra " + entry);
    }
    return Status::success();
  }

  void inject_append_failure(std::uint64_t nth_append) override { fail_at_append_ = nth_append; }
  void inject_crash(CrashPoint point, std::uint64_t nth_append) override {
    crash_point_ = point;
    crash_at_append_ = nth_append;
  }

 private:
  friend class SqliteTransaction;
  SqliteStore() = default;

  // The postings of the entry records (dated on or before as_of when given, before max_seq
  // when not 0) whose account starts with the prefix, read from the entries' bytes:
  // visit(seq, date, position in the entry, posting).
  using EntryPostingVisitor = std::function<Status(std::uint64_t, std::string_view, std::uint32_t, const PostingView&)>;
  Status scan_entry_postings(std::string_view account_prefix, std::string_view as_of, std::uint64_t max_seq,
                             const EntryPostingVisitor& visit) {
    std::set<std::string> kinds = entry_kinds_;
    if (!in_transaction_) {  // another process may have written since we opened
      TRIPARTITE_TRY(text, read_meta(kEntryKinds));
      kinds = split_kinds(text);
    }
    std::string sql = "SELECT seq, date, body FROM records WHERE kind = ?1";
    if (!as_of.empty()) sql += " AND date <= ?2";
    if (max_seq != 0) sql += " AND seq < ?3";
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(db_, sql));
    for (const auto& kind : kinds) {
      statement.bind(1, kind);
      if (!as_of.empty()) statement.bind(2, as_of);
      if (max_seq != 0) statement.bind(3, max_seq);
      while (true) {
        TRIPARTITE_TRY(row, statement.step());
        if (!row) break;
        const std::uint64_t seq = statement.column_uint(0);
        const std::string_view date = statement.column_view(1);
        std::uint32_t index = 0;
        Status visited = Status::success();  // the visitor's own error, passed on as it is
        Status read = for_each_posting(statement.column_view(2), [&](const PostingView& posting) -> Status {
          const std::uint32_t at = index++;
          if (!posting.account.starts_with(account_prefix)) return Status::success();
          visited = visit(seq, date, at, posting);
          return visited;
        });
        TRIPARTITE_CHECK(visited);
        if (!read.ok()) {
          if (read.error().kind != ErrorKind::invalid_input) return read;
          return verification_error("record " + std::to_string(seq) + " of entry kind " + kind +
                                    " is not a journal entry: " + read.error().message);
        }
      }
      statement.reset();
    }
    return Status::success();
  }

  // Version 1 kept every posting a second time, as a row of a postings table. Version 2
  // sums balances from the entry records: the rows are dropped (nothing is lost, they were
  // copies), and the kinds of the records they came from become the entry kinds.
  Status migrate_from_version_1() {
    TRIPARTITE_CHECK(exec(db_, "BEGIN IMMEDIATE"));
    auto migrate = [&]() -> Status {
      std::set<std::string> kinds;
      Statement statement;
      TRIPARTITE_CHECK(statement.prepare(
          db_, "SELECT DISTINCT r.kind FROM postings p JOIN records r ON r.seq = p.seq WHERE p.idx = 0"));
      while (true) {
        TRIPARTITE_TRY(row, statement.step());
        if (!row) break;
        kinds.insert(statement.column_text(0));
      }
      statement.reset();
      TRIPARTITE_CHECK(exec(db_, "DROP INDEX postings_by_account; DROP TABLE postings;"));
      Statement insert;
      TRIPARTITE_CHECK(insert.prepare(db_, "INSERT INTO meta(name, value) VALUES (?1, ?2)"));
      insert.bind(1, std::string_view(kEntryKinds));
      insert.bind(2, join_kinds(kinds));
      TRIPARTITE_CHECK(insert.run());
      return exec(db_, "UPDATE meta SET value = '2' WHERE name = 'schema_version'");
    };
    Status status = migrate();
    if (!status.ok()) {
      (void)exec(db_, "ROLLBACK");
      return status;
    }
    return exec(db_, "COMMIT");
  }

  Status create_schema(const std::string& ledger_id) {
    TRIPARTITE_CHECK(exec(db_, "BEGIN IMMEDIATE"));
    Status status = exec(db_, kSchema);
    if (status.ok()) {
      std::string id = ledger_id.empty() ? to_hex(random_bytes(16)) : ledger_id;
      Statement insert;
      status = insert.prepare(db_, "INSERT INTO meta(name, value) VALUES (?1, ?2)");
      if (status.ok()) {
        insert.bind(1, std::string_view("schema_version"));
        insert.bind(2, std::to_string(kSchemaVersion));
        status = insert.run();
      }
      if (status.ok()) {
        insert.bind(1, std::string_view("ledger_id"));
        insert.bind(2, id);
        status = insert.run();
      }
      if (status.ok()) {
        insert.bind(1, std::string_view("frontier"));
        insert.bind_blob(2, TreeFrontier().serialise());
        status = insert.run();
      }
      if (status.ok()) {
        insert.bind(1, std::string_view(kEntryKinds));
        insert.bind(2, std::string_view(""));
        status = insert.run();
      }
    }
    if (!status.ok()) {
      (void)exec(db_, "ROLLBACK");
      return status;
    }
    return exec(db_, "COMMIT");
  }

  Result<std::string> read_meta(const std::string& name) {
    Statement statement;
    TRIPARTITE_CHECK(statement.prepare(db_, "SELECT value FROM meta WHERE name = ?1"));
    statement.bind(1, name);
    TRIPARTITE_TRY(row, statement.step());
    if (!row) return invalid("not a Tripartite ledger (no " + name + ")");
    return statement.column_text(0);
  }

  Status load_meta(const std::string& path) {
    Statement probe;
    if (!probe.prepare(db_, "SELECT value FROM meta WHERE name = 'schema_version'").ok()) {
      return invalid(path + ": not a Tripartite ledger");
    }
    auto version = read_meta("schema_version");
    if (!version) return invalid(path + ": " + version.error().message);
    if (*version == "1") {
      Status migrated = migrate_from_version_1();
      if (!migrated.ok()) return invalid(path + ": migrating the ledger from schema version 1: " + migrated.error().message);
      version = read_meta("schema_version");
      if (!version) return invalid(path + ": " + version.error().message);
    }
    if (*version != std::to_string(kSchemaVersion)) {
      return invalid(path + ": ledger schema version " + *version + ", this build reads version " +
                     std::to_string(kSchemaVersion));
    }
    TRIPARTITE_TRY(id, read_meta("ledger_id"));
    ledger_id_ = id;
    TRIPARTITE_TRY(kinds, read_meta(kEntryKinds));
    entry_kinds_ = split_kinds(kinds);
    return Status::success();
  }

  Result<TreeFrontier> read_frontier() {
    TRIPARTITE_TRY(bytes, read_meta("frontier"));
    return TreeFrontier::parse(bytes);
  }

  static std::string random_bytes(std::size_t count);

  Status prepare_statements() {
    auto make = [&](std::unique_ptr<Statement>& slot, const char* sql) -> Status {
      slot = std::make_unique<Statement>();
      statements_.push_back(slot.get());
      return slot->prepare(db_, sql);
    };
    TRIPARTITE_CHECK(make(find_, "SELECT seq, batch, kind, key, season, subject, date, body FROM records WHERE kind = ?1 AND key = ?2"));
    TRIPARTITE_CHECK(make(insert_record_,
                          "INSERT INTO records(seq, batch, kind, key, season, subject, date, body, leaf) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    TRIPARTITE_CHECK(make(any_of_kind_, "SELECT 1 FROM records WHERE kind = ?1 LIMIT 1"));
    TRIPARTITE_CHECK(make(save_entry_kinds_, "UPDATE meta SET value = ?1 WHERE name = 'entry_kinds'"));
    TRIPARTITE_CHECK(make(find_batch_, "SELECT digest FROM batches WHERE idempotency_key = ?1"));
    TRIPARTITE_CHECK(make(insert_batch_,
                          "INSERT INTO batches(id, idempotency_key, author, first_seq, tree_size, digest, note) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    TRIPARTITE_CHECK(make(next_batch_, "SELECT COALESCE(MAX(id), 0) + 1 FROM batches"));
    TRIPARTITE_CHECK(make(save_frontier_, "UPDATE meta SET value = ?1 WHERE name = 'frontier'"));
    return Status::success();
  }

  sqlite3* db_ = nullptr;
  std::string ledger_id_;
  bool in_transaction_ = false;
  TreeFrontier frontier_;
  std::uint64_t fail_at_append_ = 0;
  CrashPoint crash_point_ = CrashPoint::none;
  std::uint64_t crash_at_append_ = 0;
  std::uint64_t current_batch_ = 0;
  std::set<std::string> entry_kinds_;  // as in the meta row, plus the open transaction's
  std::vector<Statement*> statements_;
  std::unique_ptr<Statement> find_, insert_record_, any_of_kind_, save_entry_kinds_, find_batch_, insert_batch_,
      next_batch_, save_frontier_;
};

std::string SqliteStore::random_bytes(std::size_t count) {
  std::string out(count, '\0');
  sqlite3_randomness(static_cast<int>(count), out.data());
  return out;
}

// A cursor over a prepared statement's rows: Interface is RecordCursor or PostingCursor,
// read_into fills a row of the interface's row type from the current row.
template <typename Interface, typename Row, void (*read_into)(const Statement&, Row&)>
class StatementCursor : public Interface {
 public:
  Statement& statement() { return statement_; }
  Result<std::optional<Row>> next() override {
    Row row;
    TRIPARTITE_TRY(more, step_into(row));
    if (!more) return std::optional<Row>();
    return std::optional<Row>(std::move(row));
  }

 protected:
  // The next row into `row`; false after the last.
  Result<bool> step_into(Row& row) {
    if (done_) return false;
    TRIPARTITE_TRY(more, statement_.step());
    if (!more) {
      done_ = true;
      return false;
    }
    read_into(statement_, row);
    return true;
  }

 private:
  Statement statement_;
  bool done_ = false;
};

class SqliteRecordCursor final : public StatementCursor<RecordCursor, StoredRecord, read_record_into> {
 public:
  Result<bool> next_into(StoredRecord& row) override { return step_into(row); }
};

Result<std::unique_ptr<RecordCursor>> SqliteStore::open_cursor(const RecordFilter& filter) {
  auto cursor = std::make_unique<SqliteRecordCursor>();
  std::string sql = "SELECT seq, batch, kind, key, season, subject, date, body FROM records WHERE kind = ?1";
  if (filter.season) sql += " AND season = ?2";
  if (filter.subject) sql += " AND subject = ?3";
  if (filter.max_seq != 0) sql += " AND seq < ?4";
  sql += filter.order_by_subject ? " ORDER BY subject, key" : " ORDER BY seq";
  Statement& statement = cursor->statement();
  TRIPARTITE_CHECK(statement.prepare(db_, sql));
  statement.bind(1, filter.kind);
  if (filter.season) statement.bind(2, *filter.season);
  if (filter.subject) statement.bind(3, *filter.subject);
  if (filter.max_seq != 0) statement.bind(4, filter.max_seq);
  return std::unique_ptr<RecordCursor>(std::move(cursor));
}

SqliteTransaction::~SqliteTransaction() {
  if (!finished_) {
    (void)exec(store_.db_, "ROLLBACK");
    store_.in_transaction_ = false;
  }
}

Status SqliteTransaction::begin_batch(std::string_view author, std::string_view idempotency_key) {
  TRIPARTITE_ASSERT(!batch_open_ && !finished_);
  if (author.empty()) return internal_error("a batch needs an author");
  if (idempotency_key.empty()) return internal_error("a batch needs an idempotency key");
  TRIPARTITE_CHECK(exec(store_.db_, "SAVEPOINT batch"));
  auto next = store_.next_batch_->step();
  if (!next) {
    store_.next_batch_->reset();
    return next.error();
  }
  store_.current_batch_ = store_.next_batch_->column_uint(0);
  store_.next_batch_->reset();
  author_ = author;
  idempotency_key_ = idempotency_key;
  first_seq_ = store_.frontier_.size() + 1;
  batch_records_ = 0;
  frontier_before_batch_ = store_.frontier_;
  entry_kinds_before_batch_ = store_.entry_kinds_;
  batch_digest_.reset();
  batch_open_ = true;
  return Status::success();
}

Result<std::uint64_t> SqliteTransaction::append_with_leaf(const RecordIndex& index, std::string_view body,
                                                          const Hash& leaf, bool line_break, const JournalEntry* entry) {
  TRIPARTITE_ASSERT(batch_open_);
  if (entry != nullptr) TRIPARTITE_CHECK(check_balanced(*entry));
  if (line_break) return internal_error("a record's canonical bytes hold a line break");
  TRIPARTITE_CHECK(note_entry_kind(index.kind, entry != nullptr));
  std::uint64_t seq = store_.frontier_.size() + 1;
  Statement& insert = *store_.insert_record_;
  insert.bind(1, seq);
  insert.bind(2, store_.current_batch_);
  // Borrowed: index, body and leaf outlive run(), which resets the statement.
  insert.bind_borrowed(3, index.kind);
  insert.bind_borrowed(4, index.key);
  insert.bind_borrowed(5, index.season);
  insert.bind_borrowed(6, index.subject);
  insert.bind_borrowed(7, index.date);
  insert.bind_blob_borrowed(8, body);
  insert.bind_blob_borrowed(9, std::string_view(reinterpret_cast<const char*>(leaf.data()), leaf.size()));
  Status inserted = insert.run();
  if (!inserted.ok()) {
    if (inserted.error().kind == ErrorKind::invalid_input) {
      return invalid(index.kind + " " + index.key + " is already in the ledger");
    }
    return inserted.error();
  }
  store_.frontier_.append(leaf);
  batch_digest_.add(leaf);
  ++batch_records_;
  if (store_.crash_point_ == CrashPoint::append && --store_.crash_at_append_ == 0) crash_now();
  if (store_.fail_at_append_ != 0 && --store_.fail_at_append_ == 0) {
    return internal_error("injected failure after appending record " + std::to_string(seq));
  }
  return seq;
}

// A kind holds entries only or none: balances read every record of an entry kind as an
// entry. The first entry of a kind with no records makes it an entry kind.
Status SqliteTransaction::note_entry_kind(const std::string& kind, bool is_entry) {
  const bool entry_kind = store_.entry_kinds_.count(kind) != 0;
  if (entry_kind == is_entry) return Status::success();
  if (entry_kind) return internal_error("a " + kind + " record that is not a journal entry (that kind holds entries)");
  Statement& any = *store_.any_of_kind_;
  any.bind(1, kind);
  auto found = any.step();
  any.reset();
  if (!found) return found.error();
  if (*found) return internal_error("a journal entry of kind " + kind + ", whose records are not entries");
  store_.entry_kinds_.insert(kind);
  Statement& save = *store_.save_entry_kinds_;
  save.bind(1, join_kinds(store_.entry_kinds_));
  return save.run();
}

Result<SealOutcome> SqliteTransaction::seal_batch(const PrivateKey& key) {
  return seal([&](const Checkpoint& checkpoint) -> Result<std::string> {
    return sign_note(checkpoint_body(checkpoint), author_, key);
  });
}

Result<SealOutcome> SqliteTransaction::seal_batch_with_note(std::string_view note) {
  return seal([&](const Checkpoint& checkpoint) -> Result<std::string> {
    auto parsed = parse_note(note);
    if (!parsed) return parsed.error();
    auto body = parse_checkpoint_body(parsed->body);
    if (!body) return body.error();
    if (*body != checkpoint) {
      return verification_error("the note of tree size " + std::to_string(body->size) +
                                " is not the checkpoint of the batch's records");
    }
    return std::string(note);
  });
}

Result<SealOutcome> SqliteTransaction::seal(const std::function<Result<std::string>(const Checkpoint&)>& make_note) {
  TRIPARTITE_ASSERT(batch_open_);
  batch_open_ = false;
  auto drop_batch = [&]() -> Status {
    store_.frontier_ = frontier_before_batch_;
    store_.entry_kinds_ = entry_kinds_before_batch_;
    TRIPARTITE_CHECK(exec(store_.db_, "ROLLBACK TO batch"));
    return exec(store_.db_, "RELEASE batch");
  };
  if (batch_records_ == 0) {
    TRIPARTITE_CHECK(drop_batch());
    return SealOutcome::empty_ignored;
  }
  std::string digest = batch_digest_.finish();
  Statement& find = *store_.find_batch_;
  find.bind(1, idempotency_key_);
  auto existing = find.step();
  std::string existing_digest = (existing && *existing) ? find.column_text(0) : std::string();
  bool found = existing && *existing;
  find.reset();
  if (!existing) return existing.error();
  if (found) {
    TRIPARTITE_CHECK(drop_batch());
    if (existing_digest == digest) return SealOutcome::replay_ignored;
    return invalid("batch '" + idempotency_key_ + "' was already written with different content");
  }
  Checkpoint checkpoint{store_.origin(), store_.frontier_.size(), store_.frontier_.root()};
  auto made = make_note(checkpoint);
  if (!made) {
    TRIPARTITE_CHECK(drop_batch());
    return made.error();
  }
  const std::string& note = *made;
  Statement& insert = *store_.insert_batch_;
  insert.bind(1, store_.current_batch_);
  insert.bind(2, idempotency_key_);
  insert.bind(3, author_);
  insert.bind(4, first_seq_);
  insert.bind(5, store_.frontier_.size());
  insert.bind_blob(6, digest);
  insert.bind(7, note);
  TRIPARTITE_CHECK(insert.run());
  Statement& save = *store_.save_frontier_;
  save.bind_blob(1, store_.frontier_.serialise());
  TRIPARTITE_CHECK(save.run());
  TRIPARTITE_CHECK(exec(store_.db_, "RELEASE batch"));
  return SealOutcome::written;
}

Status SqliteTransaction::commit() {
  TRIPARTITE_ASSERT(!batch_open_ && !finished_);
  if (store_.crash_point_ == CrashPoint::before_commit) crash_now();
  TRIPARTITE_CHECK(exec(store_.db_, "COMMIT"));
  if (store_.crash_point_ == CrashPoint::after_commit) crash_now();
  finished_ = true;
  store_.in_transaction_ = false;
  return Status::success();
}

}  // namespace

std::optional<CrashSpec> parse_crash_spec(std::string_view text) {
  if (text == "before-commit") return CrashSpec{CrashPoint::before_commit, 0};
  if (text == "after-commit") return CrashSpec{CrashPoint::after_commit, 0};
  constexpr std::string_view prefix = "append:";
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view digits = text.substr(prefix.size());
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n == 0) return std::nullopt;
  return CrashSpec{CrashPoint::append, n};
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, OpenMode mode, const std::string& ledger_id) {
  return SqliteStore::open(path, mode, ledger_id);
}

}  // namespace tripartite::ledger
