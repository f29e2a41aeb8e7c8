// A producer on another thread, handing chunks of items to the calling thread in order:
// the other half of ChunkPipeline (chunk_pipeline.hpp), for when the *reading* is the work
// to move off the calling thread (import: CSV parsing, validation, encoding and leaf hashes
// on the second core while the calling thread writes to the store).
//
//   ChunkChannel<Item> channel(depth);
//   ProducerThread producer([&] { ... channel.push(std::move(chunk)) ...; },
//                           [&] { channel.close(); }, [&] { channel.cancel(); });
//   while (auto chunk = channel.pop()) { ...; channel.recycle(std::move(*chunk)); }
//
// Invariants:
// - Chunks reach pop() in the order they were pushed; pop() returns nothing once the
//   producer has closed the channel and every chunk was taken.
// - At most `depth` chunks wait at a time: push() blocks while the channel is full, so the
//   memory held is bounded whatever the size of the input.
// - After cancel() (the consumer gave up, e.g. on a database error) push() drops its chunk
//   and returns false at once, so the producer cannot block forever.
// - A consumed chunk given back with recycle() returns to the producer by spare(), which
//   clears it there: what the producer allocated is freed by the producer's thread, not
//   across malloc arenas under a lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace tripartite::ledger {

template <typename Item>
class ChunkChannel {
 public:
  using Chunk = std::vector<Item>;

  explicit ChunkChannel(std::size_t depth) : depth_(depth == 0 ? 1 : depth) {}
  ChunkChannel(const ChunkChannel&) = delete;
  ChunkChannel& operator=(const ChunkChannel&) = delete;

  // Producer: waits for room, then queues the chunk. False (chunk dropped) after cancel().
  bool push(Chunk chunk) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return cancelled_ || ready_.size() < depth_; });
    if (cancelled_) return false;
    ready_.push_back(std::move(chunk));
    filled_.notify_one();
    return true;
  }
  // Producer: no more chunks will come.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    filled_.notify_all();
  }
  // Producer: an empty chunk to fill, reusing one the consumer gave back when there is one.
  Chunk spare() {
    Chunk chunk;
    {
      std::lock_guard lock(mutex_);
      if (!returned_.empty()) {
        chunk = std::move(returned_.back());
        returned_.pop_back();
      }
    }
    chunk.clear();  // on the producer's thread: it allocated what the items hold
    return chunk;
  }
  // True once the consumer has cancelled (the producer may stop early).
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

  // Consumer: the next chunk in push order; nothing when the channel is closed and empty.
  std::optional<Chunk> pop() {
    std::unique_lock lock(mutex_);
    filled_.wait(lock, [&] { return closed_ || !ready_.empty(); });
    if (ready_.empty()) return std::nullopt;
    Chunk chunk = std::move(ready_.front());
    ready_.pop_front();
    room_.notify_one();
    return chunk;
  }
  // Consumer: gives a consumed chunk back for the producer to clear and refill.
  // (No bound needed: at most depth + 2 chunks ever exist — queued, being filled, being read.)
  void recycle(Chunk chunk) {
    std::lock_guard lock(mutex_);
    returned_.push_back(std::move(chunk));
  }
  // Consumer: stop; every waiting and later push() returns false.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    room_.notify_all();
  }

 private:
  std::size_t depth_;
  mutable std::mutex mutex_;
  std::condition_variable room_, filled_;
  std::deque<Chunk> ready_;
  std::vector<Chunk> returned_;
  bool closed_ = false;
  bool cancelled_ = false;
};

// Runs `body` on a new thread, then `on_finish` there (also when `body` threw: e.g.
// ChunkChannel::close, so the consumer never waits for chunks that will not come). join()
// waits for the thread and rethrows what `body` threw; the destructor joins too, after
// calling `on_abandon`, which must make `body` finish soon (e.g. ChunkChannel::cancel), so an
// early return or an exception on the calling thread never leaves the thread running or
// terminates the process.
class ProducerThread {
 public:
  ProducerThread(std::function<void()> body, std::function<void()> on_finish, std::function<void()> on_abandon)
      : on_abandon_(std::move(on_abandon)),
        thread_([this, body = std::move(body), on_finish = std::move(on_finish)] {
          try {
            body();
          } catch (...) {
            failure_ = std::current_exception();
          }
          if (on_finish) on_finish();
        }) {}
  ProducerThread(const ProducerThread&) = delete;
  ProducerThread& operator=(const ProducerThread&) = delete;
  ~ProducerThread() {
    if (thread_.joinable()) {
      if (on_abandon_) on_abandon_();
      thread_.join();
    }
  }
  void join() {
    if (!thread_.joinable()) return;
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  std::function<void()> on_abandon_;
  std::exception_ptr failure_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace tripartite::ledger
