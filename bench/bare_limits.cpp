// The bare limits the benchmarks compare Tripartite with, measured in the same run:
//   bare_limits sqlite DB ROWS  — a minimal SQLite insert of ROWS rows (integer key, four
//                                 integers, one short text; one transaction, one prepared
//                                 statement, WAL, synchronous=NORMAL)
//   bare_limits sha256 FILE     — SHA-256 of every line of FILE as an RFC 6962 leaf
//                                 (0x00 || line), i.e. the hashing verify cannot avoid.
//   bare_limits records DB ROWS — the floor of Tripartite's own schema: ROWS rows shaped like
//                                 delivery records (index columns, a 193-byte body, a
//                                 32-byte leaf) inserted into a table with the records
//                                 table's two secondary indexes and the store's settings
//                                 (rollback journal, synchronous=EXTRA, 256 MB page cache, 16 KB
//                                 pages); nothing parsed or hashed. Otherwise as `sqlite`.
// Prints "<rows> <seconds>" with nanosecond-clock seconds.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

#include "ledger/tlog.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();  // timing only, not money
}

// Creates a fresh database at path with journal_sql (journal mode and synchronous) and pages
// of page_size bytes (0 = SQLite's default of 4 KB), then setup_sql, then times ROWS
// executions of insert_sql in one transaction, each bound by bind(statement, i) for
// i = 1..ROWS. Prints "<rows> <seconds>".
int timed_inserts(const char* path, int page_size, const char* journal_sql, const char* setup_sql,
                  const char* insert_sql, long long rows, const std::function<void(sqlite3_stmt*, long long)>& bind) {
  std::remove(path);
  std::remove((std::string(path) + "-wal").c_str());
  std::remove((std::string(path) + "-journal").c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path, &db) != SQLITE_OK) return 4;
  if (page_size != 0) {
    std::string pragma = "PRAGMA page_size=" + std::to_string(page_size);
    sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr);
  }
  sqlite3_exec(db, journal_sql, nullptr, nullptr, nullptr);
  if (sqlite3_exec(db, setup_sql, nullptr, nullptr, nullptr) != SQLITE_OK) return 4;
  auto start = std::chrono::steady_clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db, insert_sql, -1, &insert, nullptr) != SQLITE_OK) return 4;
  for (long long i = 1; i <= rows; ++i) {
    bind(insert, i);
    if (sqlite3_step(insert) != SQLITE_DONE) return 4;
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  double elapsed = seconds_since(start);
  sqlite3_close(db);
  std::cout << rows << " " << elapsed << "\n";
  return 0;
}

// The bare insert of issues #4 and #6, with SQLite's default page size unless page_size != 0.
int bare_sqlite(const char* path, long long rows, int page_size) {
  char text[16];
  // As issues #4 and #6 define it: WAL, synchronous=NORMAL.
  return timed_inserts(path, page_size, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d INTEGER, s TEXT)",
                       "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)", rows, [&](sqlite3_stmt* insert, long long i) {
                         std::snprintf(text, sizeof text, "F%08lld", i % 100000000);
                         sqlite3_bind_int64(insert, 1, i);
                         sqlite3_bind_int64(insert, 2, i * 7);
                         sqlite3_bind_int64(insert, 3, i * 13);
                         sqlite3_bind_int64(insert, 4, i % 1000);
                         sqlite3_bind_int64(insert, 5, i * 3);
                         sqlite3_bind_text(insert, 6, text, -1, SQLITE_TRANSIENT);
                       });
}

int schema_floor(const char* path, long long rows) {
  char key[24];
  char subject[24];
  std::string body;
  unsigned char leaf[32];
  // The store's page size and cache (ledger/sqlite_store.cpp), then its records table and indexes.
  const char* setup =
      "PRAGMA cache_size=-262144;"
      "CREATE TABLE records(seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL, kind TEXT NOT NULL, "
      "key TEXT NOT NULL, season TEXT NOT NULL, subject TEXT NOT NULL, date TEXT NOT NULL, "
      "body BLOB NOT NULL, leaf BLOB NOT NULL);"
      "CREATE UNIQUE INDEX records_by_key ON records(kind, key);"
      "CREATE INDEX records_by_subject ON records(kind, season, subject, key);";
  const char* insert_sql = "INSERT INTO records VALUES (?1, 1, 'delivery', ?2, 'GEN26', ?3, '2026-07-15', ?4, ?5)";
  // The store's journal settings (ledger/sqlite_store.cpp).
  const char* journal = "PRAGMA journal_mode=DELETE; PRAGMA synchronous=EXTRA;";
  return timed_inserts(path, 16384, journal, setup, insert_sql, rows, [&](sqlite3_stmt* insert, long long i) {
    // Ten deliveries per farmer, in farmer order, as `tripartite generate` writes them.
    long long farmer = (i - 1) / 10 + 1;
    std::snprintf(key, sizeof key, "D%010lld", i);
    std::snprintf(subject, sizeof subject, "F%08lld", farmer);
    body = "{\"agent\":\"AG0001\",\"delivered_on\":\"2026-07-15\",\"farmer\":\"";
    body += subject;
    body += "\",\"grade\":\"A\",\"id\":\"";
    body += key;
    body += "\",\"kind\":\"delivery\",\"moisture_pct\":\"13.5\",\"offtaker\":\"OT1\",\"season\":\"GEN26\",";
    body += "\"weight_kg\":\"" + std::to_string(100 + i % 900) + ".250\",\"v\":1}";
    while (body.size() < 193) body += ' ';
    for (int b = 0; b < 32; ++b) leaf[b] = static_cast<unsigned char>((i >> (b % 8)) * 31 + b);
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_text(insert, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert, 4, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert, 5, leaf, 32, SQLITE_TRANSIENT);
  });
}

int bare_sha256(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  long long rows = 0;
  unsigned char sink = 0;
  auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    auto leaf = tripartite::ledger::leaf_hash(line);
    sink ^= leaf[0];
    ++rows;
  }
  double elapsed = seconds_since(start);
  std::cout << rows << " " << elapsed << "\n";
  return sink == 0xFFFF ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sqlite" && argc == 4) return bare_sqlite(argv[2], std::stoll(argv[3]), 0);
  if (mode == "sqlite-16k" && argc == 4) return bare_sqlite(argv[2], std::stoll(argv[3]), 16384);
  if (mode == "sha256" && argc == 3) return bare_sha256(argv[2]);
  if (mode == "records" && argc == 4) return schema_floor(argv[2], std::stoll(argv[3]));
  std::cerr << "usage: bare_limits sqlite DB ROWS | bare_limits sqlite-16k DB ROWS | bare_limits sha256 FILE | bare_limits records DB ROWS\n";
  return 1;
}
