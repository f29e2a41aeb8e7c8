// ChunkChannel and ProducerThread (ledger/chunk_channel.hpp): chunks arrive in order, the
// channel holds at most `depth` of them, cancel() frees a blocked producer, and what the
// producer threw reaches join().
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ledger/chunk_channel.hpp"

using tripartite::ledger::ChunkChannel;
using tripartite::ledger::ProducerThread;

TEST_CASE("chunk channel: every item arrives once, in the order produced") {
  ChunkChannel<std::string> channel(2);
  constexpr int kItems = 10007;
  std::atomic<int> problems{0};  // Catch2 assertions are for the test's own thread
  ProducerThread producer(
      [&] {
        auto chunk = channel.spare();
        for (int i = 0; i < kItems; ++i) {
          chunk.push_back("item " + std::to_string(i));
          if (chunk.size() == 64) {
            if (!channel.push(std::move(chunk))) problems.fetch_add(1);
            chunk = channel.spare();
            if (!chunk.empty()) problems.fetch_add(1);  // a recycled chunk comes back cleared
          }
        }
        if (!chunk.empty()) channel.push(std::move(chunk));
      },
      [&] { channel.close(); }, [&] { channel.cancel(); });
  int expected = 0;
  while (auto chunk = channel.pop()) {
    for (const auto& item : *chunk) CHECK(item == "item " + std::to_string(expected++));
    channel.recycle(std::move(*chunk));
  }
  producer.join();
  CHECK(expected == kItems);
  CHECK(problems.load() == 0);
}

TEST_CASE("chunk channel: the producer waits while depth chunks are unread") {
  ChunkChannel<int> channel(3);
  std::atomic<int> pushed{0};
  ProducerThread producer(
      [&] {
        for (int i = 0; i < 10; ++i) {
          if (!channel.push(std::vector<int>{i})) return;
          pushed.fetch_add(1);
        }
      },
      [&] { channel.close(); }, [&] { channel.cancel(); });
  // Nothing is read: the producer must stop at the depth, however long it is given.
  for (int wait = 0; wait < 500 && pushed.load() < 3; ++wait) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pushed.load() == 3);
  auto first = channel.pop();
  REQUIRE(first);
  CHECK(*first == std::vector<int>{0});
  for (int wait = 0; wait < 500 && pushed.load() < 4; ++wait) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(pushed.load() == 4);
  int next = 1;
  while (auto chunk = channel.pop()) CHECK(*chunk == std::vector<int>{next++});
  producer.join();
  CHECK(next == 10);
}

TEST_CASE("chunk channel: cancel frees a producer blocked on a full channel") {
  ChunkChannel<int> channel(1);
  std::atomic<bool> refused{false};
  {
    ProducerThread producer(
        [&] {
          for (int i = 0; i < 1000; ++i) {
            if (!channel.push(std::vector<int>{i})) {
              refused = true;
              return;
            }
          }
        },
        [&] { channel.close(); }, [&] { channel.cancel(); });
    auto first = channel.pop();
    REQUIRE(first);
    // The consumer gives up here: leaving the scope cancels and joins.
  }
  CHECK(refused.load());
  CHECK(channel.cancelled());
}

TEST_CASE("producer thread: what the producer threw reaches join, and the channel is closed") {
  ChunkChannel<int> channel(2);
  ProducerThread producer(
      [&] {
        channel.push(std::vector<int>{1});
        throw std::runtime_error("disk gone");
      },
      [&] { channel.close(); }, [&] { channel.cancel(); });
  auto first = channel.pop();
  REQUIRE(first);
  CHECK(!channel.pop());  // closed after the throw: the consumer does not wait forever
  bool thrown = false;
  try {
    producer.join();
  } catch (const std::runtime_error& error) {
    thrown = std::string(error.what()) == "disk gone";
  }
  CHECK(thrown);
}
