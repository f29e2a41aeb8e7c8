// A two-stage pipeline over a stream of items, for the second core: items are gathered
// into chunks on the calling thread; each full chunk is transformed on another thread
// (`work`, one item at a time, pure) while the calling thread consumes the chunk before
// it (`consume`, in order) and goes on reading. Results reach `consume` in exactly the
// order the items were added, so what the caller computes does not depend on the threading.
//
// Used by verify (leaf hash and parse of records) and settlement (decode, plan and encode
// of farmers). `work` must touch no shared mutable state; `consume` runs on the calling
// thread only, so it may use the store. An error from `consume` stops the pipeline: the
// chunk in flight is waited for and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
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
  // Starts transforming the filled chunk, then consumes the one transformed before it.
  // The chunk consumed last is destroyed on the worker too: what `work` allocated is freed
  // by the thread that allocated it, not across malloc arenas under a lock.
  Status hand_off() {
    auto next = std::async(std::launch::async, [work = &work_, chunk = std::move(filling_), spent = std::move(spent_)]() mutable {
      spent = std::vector<Out>();
      std::vector<Out> out;
      out.reserve(chunk.size());
      for (auto& item : chunk) out.push_back((*work)(std::move(item)));
      return out;
    });
    filling_ = std::vector<In>();
    spent_ = std::vector<Out>();
    filling_.reserve(chunk_);
    Status status = consume_pending();
    pending_ = std::move(next);
    return status;
  }
  Status consume_pending() {
    if (!pending_.valid()) return Status::success();
    spent_ = pending_.get();
    for (const auto& result : spent_) TRIPARTITE_CHECK(consume_(result));
    consumed_ += spent_.size();
    if (after_chunk_) after_chunk_(consumed_);
    return Status::success();
  }

  std::size_t chunk_;
  Work work_;
  Consume consume_;
  AfterChunk after_chunk_;
  std::uint64_t consumed_ = 0;
  std::vector<In> filling_;
  std::future<std::vector<Out>> pending_;
  std::vector<Out> spent_;  // consumed; destroyed by the next hand_off's worker
};

}  // namespace tripartite::ledger
