// ChunkPipeline (ledger/chunk_pipeline.hpp): results are consumed in the order the items
// were added, on the calling thread, whatever the chunk size; the work runs on at most two
// other threads that live as long as the pipeline; an error from consume stops it; an
// exception from work reaches the caller.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ledger/chunk_pipeline.hpp"

using tripartite::Status;
using tripartite::ledger::ChunkPipeline;

TEST_CASE("chunk pipeline: results come in the order added, worked on two lasting threads") {
  const std::thread::id caller = std::this_thread::get_id();
  for (std::size_t chunk : {1UL, 2UL, 7UL, 64UL, 5000UL}) {
    INFO("chunk of " << chunk);
    std::mutex mutex;
    std::set<std::thread::id> workers;
    std::vector<std::string> consumed;
    std::vector<std::uint64_t> progress;
    bool consumed_elsewhere = false;
    {
      ChunkPipeline<int, std::string> pipeline(
          chunk,
          [&](int item) {
            std::lock_guard<std::mutex> lock(mutex);
            workers.insert(std::this_thread::get_id());
            return "item " + std::to_string(item);
          },
          [&](const std::string& result) {
            if (std::this_thread::get_id() != caller) consumed_elsewhere = true;
            consumed.push_back(result);
            return Status::success();
          },
          [&](std::uint64_t count) { progress.push_back(count); });
      for (int i = 0; i < 1000; ++i) REQUIRE(pipeline.add(i).ok());
      REQUIRE(pipeline.finish().ok());
    }
    REQUIRE(consumed.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(consumed[static_cast<std::size_t>(i)] == "item " + std::to_string(i));
    CHECK_FALSE(consumed_elsewhere);
    CHECK(workers.count(caller) == 0);
    CHECK(workers.size() <= 2);  // not a thread per chunk
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back() == 1000);
    CHECK(progress.size() == (1000 + chunk - 1) / chunk);
  }
}

TEST_CASE("chunk pipeline: an error from consume stops it and is returned") {
  std::atomic<int> worked{0};
  int consumed = 0;
  Status last = Status::success();
  {
    ChunkPipeline<int, int> pipeline(
        10, [&](int item) { worked.fetch_add(1); return item; },
        [&](int result) -> Status {
          if (result == 25) return tripartite::invalid("stop at 25");
          consumed += 1;
          return Status::success();
        });
    for (int i = 0; i < 1000 && last.ok(); ++i) last = pipeline.add(i);
  }  // the chunk in flight is finished and dropped here
  REQUIRE_FALSE(last.ok());
  CHECK(last.error().message == "stop at 25");
  CHECK(consumed == 25);
  CHECK(worked.load() <= 40);  // it went on reading at most one chunk past the failing one
}

TEST_CASE("chunk pipeline: an exception from work is thrown on the calling thread") {
  ChunkPipeline<int, int> pipeline(
      4,
      [](int item) {
        if (item == 9) throw std::runtime_error("work failed on 9");
        return item;
      },
      [](int) { return Status::success(); });
  bool thrown = false;
  try {
    for (int i = 0; i < 100; ++i) (void)pipeline.add(i);
    (void)pipeline.finish();
  } catch (const std::runtime_error& error) {
    thrown = std::string(error.what()) == "work failed on 9";
  }
  CHECK(thrown);
}
