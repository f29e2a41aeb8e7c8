// Test support for tests/contracts: scratch folders and diagnostics as text lines.
//
// Invariants: every ScratchFolder is a fresh directory under the system temp directory,
// removed with everything in it when the object goes out of scope.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "ledger/result.hpp"

namespace tripartite::contracts::testing {

class ScratchFolder {
 public:
  ScratchFolder() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("tripartite-contracts-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  // Writes `bytes` exactly (no newline translation) and returns the file's path.
  std::string write(const std::string& name, std::string_view bytes) const {
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return (path_ / name).string();
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::string> formatted(const Diagnostics& diagnostics) {
  std::vector<std::string> lines;
  for (const auto& diagnostic : diagnostics) lines.push_back(diagnostic.format());
  return lines;
}

inline std::string source_dir() { return TRIPARTITE_SOURCE_DIR; }
inline std::string reference_folder() { return source_dir() + "/fixtures/reference"; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Sets the memory given to the within-file duplicate-id set (TRIPARTITE_ID_SET_BYTES) for
// the scope, so that a test can make it move its ids to disk: 0 from the first id.
class IdSetBudget {
 public:
  explicit IdSetBudget(std::size_t bytes) { ::setenv("TRIPARTITE_ID_SET_BYTES", std::to_string(bytes).c_str(), 1); }
  ~IdSetBudget() { ::unsetenv("TRIPARTITE_ID_SET_BYTES"); }
  IdSetBudget(const IdSetBudget&) = delete;
  IdSetBudget& operator=(const IdSetBudget&) = delete;
};

}  // namespace tripartite::contracts::testing
