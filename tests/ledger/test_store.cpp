// The SQLite store: append-only batches, balanced entries, idempotent replay, atomicity
// under injected failures (the file is byte-for-byte unchanged), and durability on reopen.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "ledger/store.hpp"
#include "ledger/tlog.hpp"

using namespace tripartite::ledger;
using tripartite::Result;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("tripartite-store-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The database with any rollback journal or write-ahead log beside it: what "the database"
// is on disk.
std::string database_snapshot(const fs::path& db) {
  std::string out = file_bytes(db);
  if (fs::exists(db.string() + "-journal")) out += "|journal|" + file_bytes(db.string() + "-journal");
  if (fs::exists(db.string() + "-wal")) out += "|wal|" + file_bytes(db.string() + "-wal");
  return out;
}

// The file format version bytes of the SQLite header (offsets 18 and 19): 1 = rollback
// journal, 2 = write-ahead log.
std::pair<int, int> journal_format(const std::string& path) {
  std::string header = file_bytes(path).substr(0, 100);
  REQUIRE(header.size() == 100);
  return {static_cast<unsigned char>(header[18]), static_cast<unsigned char>(header[19])};
}

JournalEntry sample_entry(const std::string& id, std::int64_t amount) {
  JournalEntry entry;
  entry.id = id;
  entry.date = "2026-07-01";
  entry.memo = "test";
  entry.refs = {{"season", "S1"}};
  entry.postings = {Posting{"offtaker:OT1:purchases", "KES", amount, "gross"},
                    Posting{"farmer:F1:payout", "KES", -amount, "net_payout"}};
  return entry;
}

void append_entry(Transaction& tx, const JournalEntry& entry) {
  std::string body = entry_to_record(entry).serialise();
  auto seq = tx.append(RecordIndex{"entry", entry.id, "S1", "F1", entry.date}, body, &entry);
  REQUIRE(seq.ok());
}

// One transaction of one batch (idempotency key `batch`) holding one entry, committed.
void commit_entry(Store& store, const PrivateKey& key, const std::string& batch, const JournalEntry& entry) {
  auto tx = store.begin();
  REQUIRE(tx.ok());
  REQUIRE((*tx)->begin_batch("OT1", batch).ok());
  append_entry(**tx, entry);
  REQUIRE((*tx)->seal_batch(key).ok());
  REQUIRE((*tx)->commit().ok());
}

}  // namespace

TEST_CASE("a batch of balanced entries is written, signed and balances add up") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  std::string path = (dir.path / "ledger.db").string();
  {
    auto store = open_sqlite_store(path, OpenMode::create_new);
    REQUIRE(store.ok());
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "batch-1").ok());
    append_entry(**tx, sample_entry("E1", 1000));
    append_entry(**tx, sample_entry("E2", 250));
    auto sealed = (*tx)->seal_batch(*key);
    REQUIRE(sealed.ok());
    CHECK(*sealed == SealOutcome::written);
    REQUIRE((*tx)->commit().ok());
  }
  auto store = open_sqlite_store(path, OpenMode::open_existing);
  REQUIRE(store.ok());
  CHECK((*store)->size().value() == 2);
  auto balances = (*store)->balances("", "");
  REQUIRE(balances.ok());
  REQUIRE(balances->size() == 2);
  CHECK(balances->at(0).account == "farmer:F1:payout");
  CHECK(balances->at(0).amount == -1250);
  CHECK(balances->at(1).amount == 1250);
  auto batches = (*store)->batches();
  REQUIRE(batches.ok());
  REQUIRE(batches->size() == 1);
  CHECK(batches->at(0).tree_size == 2);
  auto note = parse_note(batches->at(0).note);
  REQUIRE(note.ok());
  CHECK(verify_note_signature(*note, "OT1", key->public_key_raw()));
  auto checkpoint = parse_checkpoint_body(note->body);
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->origin == (*store)->origin());
  auto leaves = (*store)->leaf_hashes(0);
  REQUIRE(leaves.ok());
  CHECK(checkpoint->root == merkle_root(*leaves));
}

TEST_CASE("an unbalanced entry is refused with a clear error") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "l.db").string(), OpenMode::create_new);
  REQUIRE(store.ok());
  auto tx = (*store)->begin();
  REQUIRE(tx.ok());
  REQUIRE((*tx)->begin_batch("OT1", "b").ok());
  JournalEntry entry = sample_entry("E1", 100);
  entry.postings[1].amount = -99;
  auto appended = (*tx)->append(RecordIndex{"entry", "E1", "", "", ""}, entry_to_record(entry).serialise(), &entry);
  REQUIRE_FALSE(appended.ok());
  CHECK(appended.error().message.find("does not balance in KES") != std::string::npos);
  JournalEntry single = sample_entry("E2", 100);
  single.postings.pop_back();
  CHECK_FALSE(check_balanced(single).ok());
  JournalEntry mixed = sample_entry("E3", 100);
  mixed.postings[1].asset = "UGX";
  CHECK_FALSE(check_balanced(mixed).ok());
}

TEST_CASE("idempotency: an identical replayed batch is a no-op, different content is refused") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  auto store = open_sqlite_store((dir.path / "l.db").string(), OpenMode::create_new);
  REQUIRE(store.ok());
  auto write = [&](const std::string& id, std::int64_t amount) -> Result<SealOutcome> {
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "same-key").ok());
    JournalEntry entry = sample_entry(id, amount);
    std::string body = entry_to_record(entry).serialise();
    // A replay appends under a fresh record key: the idempotency key alone must catch it.
    auto seq = (*tx)->append(RecordIndex{"entry", id + "-" + std::to_string((*store)->size().value()), "", "", ""},
                             body, &entry);
    REQUIRE(seq.ok());
    auto sealed = (*tx)->seal_batch(*key);
    if (sealed.ok()) REQUIRE((*tx)->commit().ok());
    return sealed;
  };
  REQUIRE(write("E1", 100).value() == SealOutcome::written);
  CHECK((*store)->size().value() == 1);
  REQUIRE(write("E1", 100).value() == SealOutcome::replay_ignored);
  CHECK((*store)->size().value() == 1);
  CHECK((*store)->batches()->size() == 1);
  auto conflicting = write("E1", 101);
  REQUIRE_FALSE(conflicting.ok());
  CHECK(conflicting.error().message.find("different content") != std::string::npos);
  CHECK((*store)->size().value() == 1);
}

TEST_CASE("a failure injected in the middle of a batch leaves the database byte-for-byte as before") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  fs::path path = dir.path / "l.db";
  auto store = open_sqlite_store(path.string(), OpenMode::create_new);
  REQUIRE(store.ok());
  commit_entry(**store, *key, "first", sample_entry("E0", 5));
  std::string before = database_snapshot(path);
  auto root_before = (*store)->leaf_hashes(0).value();
  for (std::uint64_t fail_at = 1; fail_at <= 5; ++fail_at) {
    INFO("failure at append " << fail_at);
    (*store)->inject_append_failure(fail_at);
    {
      auto tx = (*store)->begin();
      REQUIRE(tx.ok());
      REQUIRE((*tx)->begin_batch("OT1", "second").ok());
      bool failed = false;
      for (int i = 1; i <= 5 && !failed; ++i) {
        JournalEntry entry = sample_entry("E" + std::to_string(i), i);
        auto seq = (*tx)->append(RecordIndex{"entry", entry.id, "", "", ""}, entry_to_record(entry).serialise(), &entry);
        failed = !seq.ok();
      }
      CHECK(failed);
      // The transaction is dropped without commit: everything rolls back.
    }
    (*store)->inject_append_failure(0);
    CHECK(database_snapshot(path) == before);
    CHECK((*store)->size().value() == 1);
    CHECK((*store)->leaf_hashes(0).value() == root_before);
  }
  // The store is still usable, and the tree continues from the committed state.
  commit_entry(**store, *key, "third", sample_entry("E9", 9));
  auto batches = (*store)->batches().value();
  REQUIRE(batches.size() == 2);
  auto checkpoint = parse_checkpoint_body(parse_note(batches[1].note)->body);
  CHECK(checkpoint->size == 2);
  CHECK(checkpoint->root == merkle_root((*store)->leaf_hashes(0).value()));
}

TEST_CASE("record keys are unique per kind, reads see the open transaction") {
  TempDir dir;
  auto key = PrivateKey::generate();
  auto store = open_sqlite_store((dir.path / "l.db").string(), OpenMode::create_new);
  REQUIRE(store.ok());
  auto tx = (*store)->begin();
  REQUIRE((*tx)->begin_batch("COAL", "k").ok());
  REQUIRE((*tx)->append(RecordIndex{"farmer", "F1", "", "F1", ""}, "{\"id\":\"F1\",\"kind\":\"farmer\"}").ok());
  auto found = (*store)->find("farmer", "F1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->seq == 1);
  auto duplicate = (*tx)->append(RecordIndex{"farmer", "F1", "", "F1", ""}, "{\"id\":\"F1\",\"kind\":\"farmer\"}");
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().message == "farmer F1 is already in the ledger");
  CHECK((*tx)->append(RecordIndex{"party", "F1", "", "", ""}, "{\"id\":\"F1\",\"kind\":\"party\"}").ok());
  auto line_break = (*tx)->append(RecordIndex{"party", "X", "", "", ""}, "{\n}");
  CHECK_FALSE(line_break.ok());
}

TEST_CASE("open refuses a missing file, an existing file on create, and a foreign database") {
  TempDir dir;
  std::string path = (dir.path / "l.db").string();
  CHECK_FALSE(open_sqlite_store(path, OpenMode::open_existing).ok());
  REQUIRE(open_sqlite_store(path, OpenMode::create_new).ok());
  CHECK_FALSE(open_sqlite_store(path, OpenMode::create_new).ok());
  std::string foreign = (dir.path / "foreign.db").string();
  { std::ofstream(foreign) << "not a database at all, just text"; }
  auto text = open_sqlite_store(foreign, OpenMode::open_existing);
  REQUIRE_FALSE(text.ok());
  // The user's mistake (exit 2), said in our words, not an internal error in SQLite's.
  CHECK(text.error().kind == tripartite::ErrorKind::invalid_input);
  CHECK(text.error().message == foreign + ": not a Tripartite ledger (not a SQLite database)");
  std::string empty = (dir.path / "empty.db").string();
  { std::ofstream{empty}; }
  auto nothing = open_sqlite_store(empty, OpenMode::open_existing);
  REQUIRE_FALSE(nothing.ok());
  CHECK(nothing.error().kind == tripartite::ErrorKind::invalid_input);
}

TEST_CASE("a new ledger is created with 16 KB pages", "[store]") {
  TempDir dir;
  std::string path = (dir.path / "l.db").string();
  { REQUIRE(open_sqlite_store(path, OpenMode::create_new).ok()); }
  // The page size is the big-endian 16-bit number at offset 16 of the SQLite file header.
  std::string header = file_bytes(path).substr(0, 100);
  REQUIRE(header.size() == 100);
  CHECK(header.substr(0, 16) == std::string("SQLite format 3\0", 16));
  const unsigned high = static_cast<unsigned char>(header[16]);
  const unsigned low = static_cast<unsigned char>(header[17]);
  const unsigned page_size = high * 256U + low;
  CHECK(page_size == 16384);
  REQUIRE(open_sqlite_store(path, OpenMode::open_existing).ok());
}

TEST_CASE("a ledger uses the rollback journal, one in WAL mode is switched on open, nothing lost", "[store]") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  std::string path = (dir.path / "l.db").string();
  {
    auto store = open_sqlite_store(path, OpenMode::create_new);
    REQUIRE(store.ok());
    commit_entry(**store, *key, "first", sample_entry("E1", 7));
  }
  CHECK(journal_format(path) == std::pair<int, int>{1, 1});
  CHECK_FALSE(fs::exists(path + "-wal"));
  CHECK_FALSE(fs::exists(path + "-journal"));
  // A ledger written by an earlier version is in WAL mode: its header says so (a closed
  // ledger whose log was checkpointed has no -wal file).
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(18);
    file.write("\x02\x02", 2);
  }
  REQUIRE(journal_format(path) == std::pair<int, int>{2, 2});
  {
    auto store = open_sqlite_store(path, OpenMode::open_existing);
    REQUIRE(store.ok());
    CHECK((*store)->size().value() == 1);
    commit_entry(**store, *key, "second", sample_entry("E2", 8));
  }
  CHECK(journal_format(path) == std::pair<int, int>{1, 1});
  CHECK_FALSE(fs::exists(path + "-wal"));
  auto store = open_sqlite_store(path, OpenMode::open_existing);
  REQUIRE(store.ok());
  CHECK((*store)->size().value() == 2);
  auto balances = (*store)->balances("offtaker:", "");
  REQUIRE(balances.ok());
  REQUIRE(balances->size() == 1);
  CHECK((*balances)[0].amount == 15);
}

TEST_CASE("crash points for the crash test are parsed strictly", "[store]") {
  auto append = parse_crash_spec("append:25");
  REQUIRE(append.has_value());
  CHECK(append->point == CrashPoint::append);
  CHECK(append->nth_append == 25);
  auto before = parse_crash_spec("before-commit");
  REQUIRE(before.has_value());
  CHECK(before->point == CrashPoint::before_commit);
  auto after = parse_crash_spec("after-commit");
  REQUIRE(after.has_value());
  CHECK(after->point == CrashPoint::after_commit);
  for (const char* bad : {"", "append:", "append:0", "append:-1", "append:1x", "append:1234567890123456789",
                          "commit", "Before-commit", " append:1"}) {
    INFO(bad);
    CHECK_FALSE(parse_crash_spec(bad).has_value());
  }
}

TEST_CASE("a record appended with its hash taken beforehand is the same record, and scan_keys lists keys", "[store]") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  auto write = [&](const std::string& name, bool hashed_beforehand) {
    auto store = open_sqlite_store((dir.path / name).string(), OpenMode::create_new);
    REQUIRE(store.ok());
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "b1").ok());
    for (const char* id : {"F2", "F10", "F1"}) {
      RecordIndex index{"farmer", id, "S1", id, ""};
      std::string body = std::string("{\"id\":\"") + id + "\"}";
      auto seq = hashed_beforehand ? (*tx)->append(index, HashedBody(body)) : (*tx)->append(index, body);
      REQUIRE(seq.ok());
    }
    REQUIRE((*tx)->append(RecordIndex{"delivery", "D1", "S1", "F1", ""}, HashedBody("{\"d\":1}")).ok());
    // A duplicate key is refused through the hashed path too, and so is a line break.
    CHECK(!(*tx)->append(RecordIndex{"farmer", "F2", "S1", "F2", ""}, HashedBody("{\"other\":1}")).ok());
    auto line_break = (*tx)->append(RecordIndex{"farmer", "F3", "S1", "F3", ""}, HashedBody("{\"id\":\n\"F3\"}"));
    REQUIRE_FALSE(line_break.ok());
    CHECK(line_break.error().message == "a record's canonical bytes hold a line break");
    std::vector<std::string> keys;
    REQUIRE((*store)->scan_keys("farmer", [&](std::string_view k) {
      keys.emplace_back(k);
      return tripartite::Status::success();
    }).ok());
    CHECK(keys == std::vector<std::string>{"F1", "F10", "F2"});  // byte order, the open transaction's included
    REQUIRE((*tx)->seal_batch(*key).ok());
    REQUIRE((*tx)->commit().ok());
    auto leaves = (*store)->leaf_hashes(0);
    REQUIRE(leaves.ok());
    REQUIRE(leaves->size() == 4);
    CHECK(leaves->at(0) == leaf_hash("{\"id\":\"F2\"}"));
    CHECK(leaves->at(3) == leaf_hash("{\"d\":1}"));
    return merkle_root(*leaves);
  };
  CHECK(write("hashed.db", true) == write("plain.db", false));
}

// A new ledger in `dir` holding one committed batch of the records `fill` appends.
std::unique_ptr<Store> ledger_of_one_batch(const TempDir& dir, const std::function<void(Transaction&)>& fill) {
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  auto store = open_sqlite_store((dir.path / "l.db").string(), OpenMode::create_new);
  REQUIRE(store.ok());
  auto tx = (*store)->begin();
  REQUIRE(tx.ok());
  REQUIRE((*tx)->begin_batch("OT1", "b1").ok());
  fill(**tx);
  REQUIRE((*tx)->seal_batch(*key).ok());
  REQUIRE((*tx)->commit().ok());
  return std::move(*store);
}

TEST_CASE("a cursor reads the same records into a reused row as one at a time, in both orders", "[store]") {
  TempDir dir;
  auto store = ledger_of_one_batch(dir, [](Transaction& tx) {
    // Bodies of very different lengths, so that a reused row must both grow and shrink.
    const std::vector<std::pair<std::string, std::string>> deliveries = {
        {"D3", "F2"}, {"D1", "F10"}, {"D2", "F1"}, {"D4", "F2"}, {"D5", "F1"}};
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      const auto& [id, farmer] = deliveries[i];
      std::string body = "{\"id\":\"" + id + "\",\"pad\":\"" + std::string(i % 2 == 0 ? 300 : 3, 'x') + "\"}";
      REQUIRE(tx.append(RecordIndex{"delivery", id, "S1", farmer, "2026-09-0" + std::to_string(i + 1)}, body).ok());
    }
    REQUIRE(tx.append(RecordIndex{"farmer", "F1", "", "F1", ""}, "{\"id\":\"F1\"}").ok());
  });

  for (bool by_subject : {false, true}) {
    RecordFilter filter{"delivery"};
    filter.season = "S1";
    filter.order_by_subject = by_subject;
    auto one_at_a_time = store->open_cursor(filter);
    auto into_row = store->open_cursor(filter);
    REQUIRE(one_at_a_time.ok());
    REQUIRE(into_row.ok());
    std::vector<std::string> order;
    StoredRecord row;
    while (true) {
      auto expected = (*one_at_a_time)->next();
      auto more = (*into_row)->next_into(row);
      REQUIRE(expected.ok());
      REQUIRE(more.ok());
      REQUIRE(expected->has_value() == *more);
      if (!*more) break;
      CHECK(row.seq == (*expected)->seq);
      CHECK(row.batch == (*expected)->batch);
      CHECK(row.index == (*expected)->index);
      CHECK(row.body == (*expected)->body);
      order.push_back(row.index.key);
    }
    CHECK(order == (by_subject ? std::vector<std::string>{"D2", "D5", "D1", "D3", "D4"}
                               : std::vector<std::string>{"D3", "D1", "D2", "D4", "D5"}));
    auto after = (*into_row)->next_into(row);
    REQUIRE(after.ok());
    CHECK_FALSE(*after);  // still the end
  }
}

TEST_CASE("record_at finds a record by its sequence number, and nothing outside the log", "[store]") {
  TempDir dir;
  auto store = ledger_of_one_batch(dir, [](Transaction& tx) {
    for (int i = 1; i <= 3; ++i) {
      const std::string id = "F" + std::to_string(i);
      REQUIRE(tx.append(RecordIndex{"farmer", id, "S1", id, ""}, "{\"id\":\"" + id + "\"}").ok());
    }
  });
  std::vector<StoredRecord> scanned;
  REQUIRE(store->scan_log([&](StoredRecord& record, const Hash&) {
    scanned.push_back(record);
    return tripartite::Status::success();
  }).ok());
  REQUIRE(scanned.size() == 3);
  for (const auto& expected : scanned) {
    auto found = store->record_at(expected.seq);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->seq == expected.seq);
    CHECK((*found)->batch == expected.batch);
    CHECK((*found)->index == expected.index);
    CHECK((*found)->body == expected.body);
  }
  for (std::uint64_t outside : {0ULL, 4ULL, 1000ULL}) {
    auto found = store->record_at(outside);
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
  }
}

TEST_CASE("a ledger rebuilt with signed notes from elsewhere: each note must be its batch's checkpoint", "[store]") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  // The original ledger: one batch of one record, signed here.
  auto original = open_sqlite_store((dir.path / "a.db").string(), OpenMode::create_new);
  REQUIRE(original.ok());
  const RecordIndex index{"note", "N1", "", "", ""};
  {
    auto tx = (*original)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("COAL", "b1").ok());
    REQUIRE((*tx)->append(index, R"({"kind":"note"})").ok());
    REQUIRE((*tx)->seal_batch(*key).ok());
    REQUIRE((*tx)->commit().ok());
  }
  auto batches = (*original)->batches();
  REQUIRE(batches.ok());
  const std::string note = batches->front().note;
  // The copy, with the original's ledger id, takes that note as it is.
  auto copy = open_sqlite_store((dir.path / "b.db").string(), OpenMode::create_new, (*original)->ledger_id());
  REQUIRE(copy.ok());
  CHECK((*copy)->ledger_id() == (*original)->ledger_id());
  {
    auto tx = (*copy)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("COAL", "b1").ok());
    REQUIRE((*tx)->append(index, R"({"kind":"note"})").ok());
    auto sealed = (*tx)->seal_batch_with_note(note);
    REQUIRE(sealed.ok());
    CHECK(*sealed == SealOutcome::written);
    REQUIRE((*tx)->commit().ok());
  }
  auto copied = (*copy)->batches();
  REQUIRE(copied.ok());
  CHECK(copied->front().note == note);
  CHECK(copied->front().digest == batches->front().digest);
  // Other records under the same note: refused, and the batch is dropped.
  auto other = open_sqlite_store((dir.path / "c.db").string(), OpenMode::create_new, (*original)->ledger_id());
  REQUIRE(other.ok());
  auto tx = (*other)->begin();
  REQUIRE(tx.ok());
  REQUIRE((*tx)->begin_batch("COAL", "b1").ok());
  REQUIRE((*tx)->append(index, R"({"kind":"other"})").ok());
  auto refused = (*tx)->seal_batch_with_note(note);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == tripartite::ErrorKind::verification);
  CHECK(refused.error().message == "the note of tree size 1 is not the checkpoint of the batch's records");
  REQUIRE((*tx)->commit().ok());
  auto size = (*other)->size();
  REQUIRE(size.ok());
  CHECK(*size == 0);
}

TEST_CASE("a kind holds entries only or none, and balances are summed from the entries of those kinds", "[store]") {
  TempDir dir;
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  auto store = open_sqlite_store((dir.path / "l.db").string(), OpenMode::create_new);
  REQUIRE(store.ok());
  CHECK((*store)->entry_kinds().value().empty());
  const std::string farmer = R"({"id":"F1","kind":"farmer"})";
  {
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "b1").ok());
    append_entry(**tx, sample_entry("E1", 1000));
    REQUIRE((*tx)->append(RecordIndex{"farmer", "F1", "S1", "F1", ""}, farmer).ok());
    // A record of an entry kind that is not an entry, and an entry of a kind of non-entries.
    auto not_entry = (*tx)->append(RecordIndex{"entry", "X1", "S1", "F1", ""}, farmer);
    REQUIRE_FALSE(not_entry.ok());
    CHECK(not_entry.error().message.find("not a journal entry") != std::string::npos);
    JournalEntry entry = sample_entry("E2", 5);
    auto as_farmer = (*tx)->append(RecordIndex{"farmer", "E2", "S1", "F1", entry.date}, entry_to_record(entry).serialise(), &entry);
    REQUIRE_FALSE(as_farmer.ok());
    CHECK(as_farmer.error().message.find("whose records are not entries") != std::string::npos);
    REQUIRE((*tx)->seal_batch(*key).ok());
    REQUIRE((*tx)->commit().ok());
  }
  CHECK((*store)->entry_kinds().value() == std::vector<std::string>{"entry"});
  {
    // A replayed batch is dropped: a kind its entry would have made an entry kind is not one.
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "b1").ok());
    JournalEntry entry = sample_entry("E1", 1000);
    REQUIRE((*tx)->append(RecordIndex{"settlement", "E1", "S1", "F1", entry.date}, entry_to_record(entry).serialise(), &entry).ok());
    REQUIRE((*tx)->append(RecordIndex{"farmer", "F1b", "S1", "F1", ""}, farmer).ok());
    CHECK((*tx)->seal_batch(*key).value() == SealOutcome::replay_ignored);
    REQUIRE((*tx)->begin_batch("OT1", "b2").ok());
    REQUIRE((*tx)->append(RecordIndex{"settlement", "S-not-entry", "S1", "F1", ""}, farmer).ok());
    JournalEntry large = sample_entry("E3", std::int64_t{1} << 62);
    append_entry(**tx, large);
    REQUIRE((*tx)->seal_batch(*key).ok());
    REQUIRE((*tx)->commit().ok());
  }
  CHECK((*store)->entry_kinds().value() == std::vector<std::string>{"entry"});
  auto balances = (*store)->balances("farmer:", "");
  REQUIRE(balances.ok());
  REQUIRE(balances->size() == 1);
  CHECK(balances->at(0).amount == -1000 - (std::int64_t{1} << 62));
  std::vector<std::uint64_t> seen;
  REQUIRE((*store)->scan_postings("offtaker:", [&](const StoredPosting& stored) {
    seen.push_back(stored.seq);
    CHECK(stored.index == 0);
    CHECK(stored.date == "2026-07-01");
    return tripartite::Status::success();
  }).ok());
  std::sort(seen.begin(), seen.end());  // entries come in no particular order
  CHECK(seen == std::vector<std::uint64_t>{1, 4});
  // A third entry of 2^62 takes the farmer's payout past 64 bits: refused, not wrapped.
  {
    auto tx = (*store)->begin();
    REQUIRE(tx.ok());
    REQUIRE((*tx)->begin_batch("OT1", "b3").ok());
    append_entry(**tx, sample_entry("E4", std::int64_t{1} << 62));
    REQUIRE((*tx)->seal_batch(*key).ok());
    REQUIRE((*tx)->commit().ok());
  }
  auto overflow = (*store)->balances("", "");
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.error().kind == tripartite::ErrorKind::invalid_input);  // bad data, not a damaged record
  CHECK(overflow.error().message.rfind("the postings of account offtaker:OT1:purchases in KES do not sum to a 64-bit amount", 0) == 0);
  // Dated and sequence-bounded sums read only the entries they select.
  auto before = (*store)->balances("farmer:", "", 4);
  REQUIRE(before.ok());
  CHECK(before->at(0).amount == -1000);
}
