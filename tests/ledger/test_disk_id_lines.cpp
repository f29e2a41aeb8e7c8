// ledger::DiskIdLines against an in-memory reference: first lines, repeats, ids that are
// prefixes of each other or hold any byte, and many ids past its page cache.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

#include "ledger/disk_id_lines.hpp"

using namespace tripartite::ledger;

TEST_CASE("DiskIdLines: the first line of each id, exactly", "[disk_id_lines]") {
  auto opened = DiskIdLines::open();
  REQUIRE(opened.ok());
  DiskIdLines& map = **opened;
  auto insert = [&](std::string_view id, int line) {
    auto first = map.insert(id, line);
    REQUIRE(first.ok());
    return *first;
  };
  CHECK(insert("D1", 2) == std::nullopt);
  CHECK(insert("D10", 3) == std::nullopt);  // D1 is a prefix of it: a different id
  CHECK(insert("d1", 4) == std::nullopt);   // bytes, not case-folded
  CHECK(insert(std::string_view("D1\0x", 4), 5) == std::nullopt);
  CHECK(insert("D1", 6) == 2);
  CHECK(insert("D10", 7) == 3);
  CHECK(insert("D1", 8) == 2);  // still the first line, not the last repeat
  CHECK(insert(std::string_view("D1\0x", 4), 9) == 5);
  CHECK(map.size() == 4);
}

TEST_CASE("DiskIdLines: many ids in random order past a small cache", "[disk_id_lines]") {
  auto opened = DiskIdLines::open(64 * 1024);
  REQUIRE(opened.ok());
  DiskIdLines& map = **opened;
  std::map<std::string, int> reference;
  std::mt19937_64 random(7);
  int repeats = 0;
  for (int line = 2; line < 60002; ++line) {
    std::string id = "F" + std::to_string(random() % 40000);
    auto first = map.insert(id, line);
    REQUIRE(first.ok());
    auto [it, inserted] = reference.emplace(id, line);
    if (inserted) {
      REQUIRE(*first == std::nullopt);
    } else {
      REQUIRE(*first == it->second);
      ++repeats;
    }
  }
  CHECK(repeats > 10000);
  CHECK(map.size() == reference.size());
}
