// A two-stage pipeline over a stream of items, for the second core: items are gathered
// into chunks on the calling thread; each full chunk is transformed on another thread
// (`work`, one item at a time, pure) while the calling thread consumes the chunk before
// it (`consume`, in order) and goes on reading. Results reach `consume` in exactly the
// order the items were added, so what the caller computes does not depend on the threading.
//
// Used by verify (leaf hash and parse of records) and settlement (decode, plan and encode
// of farmers). `work` must touch no shared mutable state; `consume` runs on the calling
// thread only, so it may use the store. An error from `consume` stops the pipeline: the
// chunk in flight is waited for and dropped. An exception thrown by `work` is thrown again
// on the calling thread, by the add() or finish() that consumes its chunk.
//
// Two worker threads live as long as the pipeline and take the chunks in turn, so that
// while the calling thread waits for one chunk the next is already being transformed (two
// cores busy), without a thread started per chunk. A chunk's results are destroyed by the
// worker that made them, when it takes its next chunk: what `work` allocated is freed by
// the thread that allocated it, not passed between malloc arenas under a lock.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/result.hpp"

namespace tripartite::ledger {

template <typename In, typename Out>
class ChunkPipeline {
 public:
  using Work = std::function<Out(In)>;
  using Consume = std::function<Status(const Out&)>;
  using AfterChunk = std::function<void(std::uint64_t consumed)>;  // e.g. a progress line

  ChunkPipeline(std::size_t chunk, Work work, Consume consume, AfterChunk after_chunk = {})
      : chunk_(chunk == 0 ? 1 : chunk),
        work_(std::move(work)),
        consume_(std::move(consume)),
        after_chunk_(std::move(after_chunk)) {
    filling_.reserve(chunk_);
  }
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;
  ~ChunkPipeline() = default;  // the workers finish the chunk they hold, then stop

  Status add(In item) {
    filling_.push_back(std::move(item));
    if (filling_.size() == chunk_) return hand_off();
    return Status::success();
  }
  // Transforms and consumes whatever is left.
  Status finish() {
    if (!filling_.empty()) TRIPARTITE_CHECK(hand_off());
    return consume_pending();
  }

 private:
  // One thread that transforms one chunk at a time.
  class Worker {
   public:
    explicit Worker(const Work& work) : work_(work), thread_([this] { run(); }) {}
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    ~Worker() {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      wake_.notify_all();
      thread_.join();
    }
    // Gives the worker a chunk, and the results it made before to destroy. REQUIRES: idle.
    void start(std::vector<In> chunk, std::vector<Out> spent) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        TRIPARTITE_ASSERT(state_ == State::idle);
        input_ = std::move(chunk);
        spent_ = std::move(spent);
        state_ = State::working;
      }
      wake_.notify_all();
    }
    // The chunk's results, once made (what `work` threw is thrown here). REQUIRES: started.
    std::vector<Out> wait() {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return state_ == State::done; });
      state_ = State::idle;
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
      return std::move(output_);
    }

   private:
    enum class State { idle, working, done };

    void run() {
      std::unique_lock<std::mutex> lock(mutex_);
      while (true) {
        wake_.wait(lock, [this] { return stopping_ || state_ == State::working; });
        if (state_ != State::working) return;  // stopping, with nothing to finish
        std::vector<In> chunk = std::move(input_);
        std::vector<Out> spent = std::move(spent_);
        lock.unlock();
        spent = std::vector<Out>();
        std::vector<Out> out;
        std::exception_ptr error;
        try {
          out.reserve(chunk.size());
          for (auto& item : chunk) out.push_back(work_(std::move(item)));
        } catch (...) {
          error = std::current_exception();
        }
        chunk = std::vector<In>();
        lock.lock();
        output_ = std::move(out);
        error_ = error;
        state_ = State::done;
        wake_.notify_all();
      }
    }

    const Work& work_;
    std::mutex mutex_;
    std::condition_variable wake_;
    State state_ = State::idle;
    bool stopping_ = false;
    std::vector<In> input_;
    std::vector<Out> spent_;
    std::vector<Out> output_;
    std::exception_ptr error_;
    std::thread thread_;  // last: started once everything above exists
  };

  Worker& worker(std::size_t i) {
    if (!workers_[i]) workers_[i] = std::make_unique<Worker>(work_);
    return *workers_[i];
  }

  // Starts transforming the filled chunk, then consumes the one transformed before it.
  Status hand_off() {
    const std::size_t next = next_worker_;
    next_worker_ ^= 1;
    worker(next).start(std::exchange(filling_, std::vector<In>()), std::move(spent_[next]));
    spent_[next] = std::vector<Out>();
    filling_.reserve(chunk_);
    Status status = consume_pending();
    pending_ = next;
    return status;
  }
  Status consume_pending() {
    if (!pending_) return Status::success();
    const std::size_t from = *pending_;
    pending_.reset();
    spent_[from] = worker(from).wait();
    for (const auto& result : spent_[from]) TRIPARTITE_CHECK(consume_(result));
    consumed_ += spent_[from].size();
    if (after_chunk_) after_chunk_(consumed_);
    return Status::success();
  }

  std::size_t chunk_;
  Work work_;
  Consume consume_;
  AfterChunk after_chunk_;
  std::uint64_t consumed_ = 0;
  std::vector<In> filling_;
  std::optional<std::size_t> pending_;       // the worker whose chunk is the next to consume
  std::size_t next_worker_ = 0;              // the worker that takes the next chunk
  std::array<std::vector<Out>, 2> spent_;    // consumed; destroyed by the worker that made them
  std::array<std::unique_ptr<Worker>, 2> workers_;  // after work_: they use it until joined
};

}  // namespace tripartite::ledger
