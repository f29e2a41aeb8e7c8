// SQLite helpers of the ledger module (internal: included by ledger/*.cpp only, which link
// SQLite): a prepared statement that owns its handle and turns SQLite's codes into Results,
// exec, and the message for a failed call. Used by the store (sqlite_store.cpp) and by the
// import's duplicate-id map on disk (disk_id_lines.cpp).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/result.hpp"

namespace tripartite::ledger::sqlite_detail {

// How long a command waits for a lock another connection holds (sqlite3_busy_timeout).
inline constexpr int kBusyTimeoutMs = 10000;

inline std::string sqlite_message(sqlite3* db, const std::string& what) {
  if (db == nullptr) return what + ": out of memory";
  const int code = sqlite3_errcode(db);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    // With the rollback journal a reader and a writer exclude each other while the writer
    // writes pages; neither holds the lock longer than its own command. This command waits
    // up to kBusyTimeoutMs at each step that needs the lock.
    return "the ledger is in use by another command, which kept it locked while this one waited (" +
           std::to_string(kBusyTimeoutMs / 1000) +
           " s at a time); this command changed nothing: run it again when the other has finished (" + what + ": " +
           sqlite3_errmsg(db) + ")";
  }
  if (code == SQLITE_READONLY) {
    const char* file = sqlite3_db_filename(db, "main");
    return std::string(file != nullptr && *file != '\0' ? file : "the ledger") +
           ": this user may not write it: the file, or the folder it is in (where the journal is written beside "
           "it), is read-only; this command changed nothing (" +
           what + ": " + sqlite3_errmsg(db) + ")";
  }
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
    return "the ledger file is damaged: it is not what SQLite wrote (" + what + ": " + sqlite3_errmsg(db) +
           "); restore it from a backup, or rebuild it from an audit export";
  }
  return what + ": " + sqlite3_errmsg(db);
}

// The error for a failed SQLite call: a damaged file is a ledger that does not verify (exit
// 3: an auditor's script must not read it as a crash of the tool); a constraint, or a ledger
// this user may not write, is a refused input (exit 2); anything else is internal.
inline Error sqlite_error(sqlite3* db, const std::string& what) {
  const int code = db == nullptr ? SQLITE_NOMEM : sqlite3_errcode(db);
  const ErrorKind kind = code == SQLITE_CORRUPT || code == SQLITE_NOTADB        ? ErrorKind::verification
                         : code == SQLITE_CONSTRAINT || code == SQLITE_READONLY ? ErrorKind::invalid_input
                                                                                : ErrorKind::internal;
  return Error{kind, sqlite_message(db, what)};
}

class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(statement_); }

  Status prepare(sqlite3* db, const std::string& sql) {
    sqlite3_finalize(statement_);
    statement_ = nullptr;
    db_ = db;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement_, nullptr) != SQLITE_OK) {
      return sqlite_error(db, "preparing '" + sql + "'");
    }
    return Status::success();
  }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  void bind(int i, std::int64_t value) { sqlite3_bind_int64(statement_, i, value); }
  void bind(int i, std::uint64_t value) { sqlite3_bind_int64(statement_, i, static_cast<std::int64_t>(value)); }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(statement_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(statement_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  // Without SQLite's copy: the caller keeps the bytes alive and unchanged until the
  // statement is reset (run() resets it, and reset() clears every binding).
  void bind_borrowed(int i, std::string_view text) {
    sqlite3_bind_text(statement_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind_blob_borrowed(int i, std::string_view bytes) {
    sqlite3_bind_blob(statement_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  // SQLITE_ROW → true, SQLITE_DONE → false, anything else → error.
  Result<bool> step() {
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, "database");
  }
  Status run() {
    auto stepped = step();
    reset();
    if (!stepped) return stepped.error();
    return Status::success();
  }
  std::int64_t column_int(int i) const { return sqlite3_column_int64(statement_, i); }
  std::uint64_t column_uint(int i) const { return static_cast<std::uint64_t>(sqlite3_column_int64(statement_, i)); }
  std::string column_text(int i) const { return std::string(column_view(i)); }
  // The column's bytes, valid until the next step or reset.
  std::string_view column_view(int i) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, i));
    int size = sqlite3_column_bytes(statement_, i);
    return data == nullptr ? std::string_view() : std::string_view(data, static_cast<std::size_t>(size));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

inline Status exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(db, "database");
  return Status::success();
}

}  // namespace tripartite::ledger::sqlite_detail
