// DiskIdLines (disk_id_lines.hpp): ids and their first lines in a private temporary SQLite
// database, one table keyed by id. No journal and no syncs: the database lives as long as
// the object and nothing in it needs to survive a crash. One transaction is held open, so
// pages past the cache go to the temporary file once, and nothing is ever committed.
#include "ledger/disk_id_lines.hpp"

#include <sqlite3.h>

#include <string>

namespace tripartite::ledger {
namespace {

Error failure(sqlite3* db, const char* what) {
  return internal_error(std::string("duplicate-id check on disk: ") + what + ": " +
                        (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Result<std::unique_ptr<DiskIdLines>> DiskIdLines::open(std::size_t cache_bytes) {
  auto map = std::unique_ptr<DiskIdLines>(new DiskIdLines());
  // "" = a private temporary database on disk, deleted when the connection closes.
  if (sqlite3_open_v2("", &map->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    return failure(map->db_, "open");
  }
  const std::string setup = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-" +
                            std::to_string(cache_bytes / 1024) +
                            "; CREATE TABLE seen(id BLOB PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID; BEGIN;";
  if (sqlite3_exec(map->db_, setup.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return failure(map->db_, "setup");
  if (sqlite3_prepare_v3(map->db_, "INSERT OR IGNORE INTO seen(id, line) VALUES (?1, ?2)", -1, SQLITE_PREPARE_PERSISTENT,
                         &map->insert_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(map->db_, "SELECT line FROM seen WHERE id = ?1", -1, SQLITE_PREPARE_PERSISTENT, &map->find_,
                         nullptr) != SQLITE_OK) {
    return failure(map->db_, "prepare");
  }
  return map;
}

DiskIdLines::~DiskIdLines() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(find_);
  sqlite3_close(db_);
}

Result<std::optional<int>> DiskIdLines::insert(std::string_view id, int line) {
  // The id is bound as a blob: compared by its bytes, as the in-memory set compares them.
  sqlite3_bind_blob(insert_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  sqlite3_bind_int(insert_, 2, line);
  const int stepped = sqlite3_step(insert_);
  sqlite3_reset(insert_);
  if (stepped != SQLITE_DONE) return failure(db_, "insert");
  if (sqlite3_changes(db_) == 1) {
    size_ += 1;
    return std::optional<int>();
  }
  sqlite3_bind_blob(find_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  const int found = sqlite3_step(find_);
  std::optional<int> first;
  if (found == SQLITE_ROW) first = sqlite3_column_int(find_, 0);
  sqlite3_reset(find_);
  if (!first) return failure(db_, found == SQLITE_DONE ? "an id neither new nor found" : "find");
  return first;
}

}  // namespace tripartite::ledger
