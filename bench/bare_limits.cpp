// The bare limits the benchmarks compare Tripartite with, measured in the same run:
//   bare_limits sqlite DB ROWS  — a minimal SQLite insert of ROWS rows (integer key, four
//                                 integers, one short text; one transaction, one prepared
//                                 statement, WAL, synchronous=NORMAL)
//   bare_limits sha256 FILE     — SHA-256 of every line of FILE as an RFC 6962 leaf
//                                 (0x00 || line), i.e. the hashing verify cannot avoid.
// Prints "<rows> <seconds>" with nanosecond-clock seconds.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "ledger/tlog.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();  // timing only, not money
}

int bare_sqlite(const char* path, long long rows) {
  std::remove(path);
  sqlite3* db = nullptr;
  if (sqlite3_open(path, &db) != SQLITE_OK) return 4;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d INTEGER, s TEXT)",
               nullptr, nullptr, nullptr);
  auto start = std::chrono::steady_clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &insert, nullptr);
  char text[16];
  for (long long i = 1; i <= rows; ++i) {
    std::snprintf(text, sizeof text, "F%08lld", i % 100000000);
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_int64(insert, 2, i * 7);
    sqlite3_bind_int64(insert, 3, i * 13);
    sqlite3_bind_int64(insert, 4, i % 1000);
    sqlite3_bind_int64(insert, 5, i * 3);
    sqlite3_bind_text(insert, 6, text, -1, SQLITE_TRANSIENT);
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
  if (mode == "sqlite" && argc == 4) return bare_sqlite(argv[2], std::stoll(argv[3]));
  if (mode == "sha256" && argc == 3) return bare_sha256(argv[2]);
  std::cerr << "usage: bare_limits sqlite DB ROWS | bare_limits sha256 FILE\n";
  return 1;
}
