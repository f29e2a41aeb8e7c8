// DiskIdLines: an exact map from ids to the line where each was first seen, kept in a
// private temporary SQLite database (a file SQLite deletes when it is closed) with a small
// page cache. The import's within-file duplicate check moves its ids here when they outgrow
// the memory it is given, so that import's memory stays bounded however long the file is
// (docs/architecture.md, "What import holds in memory").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "ledger/result.hpp"

namespace tripartite::ledger {

class DiskIdLines {
 public:
  // Opens an empty map. `cache_bytes` is SQLite's page cache for it.
  static Result<std::unique_ptr<DiskIdLines>> open(std::size_t cache_bytes = std::size_t{32} << 20);
  ~DiskIdLines();
  DiskIdLines(const DiskIdLines&) = delete;
  DiskIdLines& operator=(const DiskIdLines&) = delete;

  // The line where `id` was first inserted; nothing when it is new (it is then inserted
  // with `line`).
  Result<std::optional<int>> insert(std::string_view id, int line);

  // The number of ids held.
  std::uint64_t size() const { return size_; }

 private:
  struct Database;  // the connection and its two statements (disk_id_lines.cpp)
  explicit DiskIdLines(std::unique_ptr<Database> database);
  std::unique_ptr<Database> database_;
  std::uint64_t size_ = 0;
};

}  // namespace tripartite::ledger
