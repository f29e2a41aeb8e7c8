// fixtures/broken/: one season folder per validation rule of SPEC §2, each the reference
// season with one thing broken, and the exact diagnostics it must give in
// expected-errors.txt (FILE:LINE: field: message, one per line, in the readers' order).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "contracts/season_reader.hpp"
#include "contracts_test_support.hpp"

using namespace tripartite;
using namespace tripartite::contracts;
using tripartite::contracts::testing::formatted;
using tripartite::contracts::testing::read_text;
using tripartite::contracts::testing::source_dir;

namespace {

std::vector<std::string> expected_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::filesystem::path> broken_folders() {
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() + "/fixtures/broken")) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

// Reads every broken folder and checks that it gives exactly its expected errors.
void check_every_folder() {
  auto folders = broken_folders();
  CHECK(folders.size() >= 20);
  for (const auto& folder : folders) {
    INFO("fixtures/broken/" << folder.filename().string());
    auto expected = expected_lines((folder / "expected-errors.txt").string());
    CHECK_FALSE(expected.empty());
    Diagnostics diagnostics;
    static_cast<void>(read_season_folder(folder.string(), diagnostics));
    CHECK(formatted(diagnostics) == expected);
  }
}

}  // namespace

TEST_CASE("broken fixtures: every folder gives exactly its expected errors", "[fixtures]") { check_every_folder(); }

TEST_CASE("broken fixtures: the same errors with the duplicate-id sets on disk from the first id", "[fixtures]") {
  tripartite::contracts::testing::IdSetBudget on_disk(0);
  check_every_folder();
}

TEST_CASE("broken fixtures: each is a whole season folder", "[fixtures]") {
  for (const auto& folder : broken_folders()) {
    INFO("fixtures/broken/" << folder.filename().string());
    for (const char* name : {"coalition.toml", "farmers.csv", "commitments.csv", "loans.csv", "deliveries.csv"}) {
      INFO(name);
      bool present = std::filesystem::exists(folder / name);
      // A folder may leave out the one file its rule is about (missing-file).
      CHECK((present || folder.filename() == "missing-file"));
    }
  }
}
