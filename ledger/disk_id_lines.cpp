// DiskIdLines (disk_id_lines.hpp): ids and their first lines in a private temporary SQLite
// database, one table keyed by id. No journal and no syncs: the database lives as long as
// the object and nothing in it needs to survive a crash. One transaction is held open, so
// pages past the cache go to the temporary file once, and nothing is ever committed.
#include "ledger/disk_id_lines.hpp"

#include <string>

#include "ledger/sqlite_statement.hpp"

namespace tripartite::ledger {

using sqlite_detail::Statement;

struct DiskIdLines::Database {
  struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
  };
  Connection connection;  // declared first, so closed after the statements are finalized
  Statement insert;
  Statement find;
};

namespace {

Error failure(const Error& error) { return internal_error("duplicate-id check on disk: " + error.message); }

}  // namespace

DiskIdLines::DiskIdLines(std::unique_ptr<Database> database) : database_(std::move(database)) {}
DiskIdLines::~DiskIdLines() = default;

Result<std::unique_ptr<DiskIdLines>> DiskIdLines::open(std::size_t cache_bytes) {
  auto database = std::make_unique<Database>();
  // "" = a private temporary database on disk, deleted when the connection closes.
  if (sqlite3_open_v2("", &database->connection.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    return failure(internal_error(sqlite_detail::sqlite_message(database->connection.db, "open")));
  }
  const std::string setup = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-" +
                            std::to_string(cache_bytes / 1024) +
                            "; CREATE TABLE seen(id BLOB PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID; BEGIN;";
  if (auto done = sqlite_detail::exec(database->connection.db, setup.c_str()); !done.ok()) return failure(done.error());
  if (auto done = database->insert.prepare(database->connection.db, "INSERT OR IGNORE INTO seen(id, line) VALUES (?1, ?2)");
      !done.ok()) {
    return failure(done.error());
  }
  if (auto done = database->find.prepare(database->connection.db, "SELECT line FROM seen WHERE id = ?1"); !done.ok()) {
    return failure(done.error());
  }
  return std::unique_ptr<DiskIdLines>(new DiskIdLines(std::move(database)));
}

Result<std::optional<int>> DiskIdLines::insert(std::string_view id, int line) {
  // The id is bound as a blob: compared by its bytes, as the in-memory set compares them.
  Statement& insert = database_->insert;
  insert.bind_blob_borrowed(1, id);
  insert.bind(2, std::int64_t{line});
  if (auto done = insert.run(); !done.ok()) return failure(done.error());
  if (sqlite3_changes(database_->connection.db) == 1) {
    size_ += 1;
    return std::optional<int>();
  }
  Statement& find = database_->find;
  find.bind_blob_borrowed(1, id);
  auto found = find.step();
  std::optional<int> first;
  if (found.ok() && *found) first = static_cast<int>(find.column_int(0));
  find.reset();
  if (!found.ok()) return failure(found.error());
  if (!first) return failure(internal_error("an id neither new nor found"));
  return first;
}

}  // namespace tripartite::ledger
