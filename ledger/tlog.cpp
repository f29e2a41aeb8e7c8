// Implementation of ledger/tlog.hpp. Every algorithm is iterative: a stack of at most 64
// subtree roots (one per bit of a 64-bit size) replaces the recursion of the RFC.
#include "ledger/tlog.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <utility>

namespace tripartite::ledger {

namespace {

std::string_view view_of(const Hash& hash) { return std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()); }

// The largest power of two strictly below n. REQUIRES: n >= 2.
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

// A half-open range [begin, end) of leaf indices.
struct LeafRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// At most one range per level of a tree of up to 2^64 leaves.
struct RangeStack {
  std::array<LeafRange, 64> ranges{};
  std::size_t count = 0;
  void push(std::uint64_t begin, std::uint64_t end) {
    TRIPARTITE_ASSERT(count < ranges.size());
    ranges[count++] = LeafRange{begin, end};
  }
};

Hash root_of(std::span<const Hash> leaves, const LeafRange& range) {
  return merkle_root(leaves.subspan(static_cast<std::size_t>(range.begin),
                                    static_cast<std::size_t>(range.end - range.begin)));
}

}  // namespace

Hash leaf_hash(std::string_view record_bytes) {
  static constexpr char prefix[1] = {0x00};
  return sha256_concat({std::string_view(prefix, 1), record_bytes});
}

Hash node_hash(const Hash& left, const Hash& right) {
  static constexpr char prefix[1] = {0x01};
  return sha256_concat({std::string_view(prefix, 1), view_of(left), view_of(right)});
}

Hash empty_root() {
  static const Hash root = sha256("");
  return root;
}

// ---- TreeFrontier ------------------------------------------------------------------

void TreeFrontier::append(const Hash& leaf) {
  TRIPARTITE_ASSERT(size_ < UINT64_MAX);
  subtrees_.push_back(leaf);
  // Each trailing one bit of the old size is a perfect subtree that the new leaf
  // completes: merge right to left, like a binary carry.
  for (std::uint64_t remaining = size_; (remaining & 1) != 0; remaining >>= 1) {
    const Hash right = subtrees_.back();
    subtrees_.pop_back();
    subtrees_.back() = node_hash(subtrees_.back(), right);
  }
  ++size_;
  TRIPARTITE_ASSERT(subtrees_.size() == static_cast<std::size_t>(std::popcount(size_)));
}

Hash TreeFrontier::root() const {
  if (subtrees_.empty()) return empty_root();
  Hash accumulator = subtrees_.back();
  for (std::size_t index = subtrees_.size() - 1; index-- > 0;) accumulator = node_hash(subtrees_[index], accumulator);
  return accumulator;
}

std::string TreeFrontier::serialise() const {
  std::string out;
  out.reserve(8 + 32 * subtrees_.size());
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size_ >> shift) & 0xFF);
  for (const Hash& subtree : subtrees_) out += view_of(subtree);
  return out;
}

Result<TreeFrontier> TreeFrontier::parse(std::string_view bytes) {
  if (bytes.size() < 8) return invalid("tree frontier is shorter than 8 bytes");
  std::uint64_t size = 0;
  for (std::size_t index = 0; index < 8; ++index) size = (size << 8) | static_cast<std::uint8_t>(bytes[index]);
  const auto count = static_cast<std::size_t>(std::popcount(size));
  if (bytes.size() != 8 + 32 * count) {
    return invalid("tree frontier of size " + std::to_string(size) + " must be " + std::to_string(8 + 32 * count) +
                   " bytes, got " + std::to_string(bytes.size()));
  }
  TreeFrontier frontier;
  frontier.size_ = size;
  frontier.subtrees_.resize(count);
  for (std::size_t index = 0; index < count; ++index) {
    std::memcpy(frontier.subtrees_[index].data(), bytes.data() + 8 + 32 * index, 32);
  }
  return frontier;
}

// ---- tree head and proofs ----------------------------------------------------------

Hash merkle_root(std::span<const Hash> leaves) {
  if (leaves.empty()) return empty_root();
  // The same binary carry as TreeFrontier::append, on a fixed stack.
  std::array<Hash, 64> stack{};
  std::size_t depth = 0;
  std::uint64_t count = 0;
  for (const Hash& leaf : leaves) {
    stack[depth++] = leaf;
    for (std::uint64_t remaining = count; (remaining & 1) != 0; remaining >>= 1) {
      --depth;
      stack[depth - 1] = node_hash(stack[depth - 1], stack[depth]);
    }
    ++count;
  }
  Hash accumulator = stack[depth - 1];
  for (std::size_t index = depth - 1; index-- > 0;) accumulator = node_hash(stack[index], accumulator);
  return accumulator;
}

std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, std::uint64_t index) {
  TRIPARTITE_ASSERT(index < leaves.size());
  // Walk down from the root; each step keeps the half that holds the leaf and records
  // the other half, whose head is a proof element (the deepest comes first).
  RangeStack siblings;
  std::uint64_t begin = 0;
  std::uint64_t end = leaves.size();
  while (end - begin > 1) {
    const std::uint64_t middle = begin + split_point(end - begin);
    if (index < middle) {
      siblings.push(middle, end);
      end = middle;
    } else {
      siblings.push(begin, middle);
      begin = middle;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(siblings.count);
  for (std::size_t level = siblings.count; level-- > 0;) proof.push_back(root_of(leaves, siblings.ranges[level]));
  return proof;
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, std::span<const Hash> proof,
                      const Hash& root) {
  if (index >= size) return false;
  std::uint64_t position = index;   // fn in RFC 9162
  std::uint64_t last = size - 1;    // sn in RFC 9162
  Hash accumulator = leaf;
  for (const Hash& element : proof) {
    if (last == 0) return false;
    if ((position & 1) != 0 || position == last) {
      accumulator = node_hash(element, accumulator);
      while ((position & 1) == 0 && position != 0) {
        position >>= 1;
        last >>= 1;
      }
    } else {
      accumulator = node_hash(accumulator, element);
    }
    position >>= 1;
    last >>= 1;
  }
  return last == 0 && accumulator == root;
}

std::vector<Hash> consistency_proof(std::span<const Hash> leaves, std::uint64_t old_size) {
  TRIPARTITE_ASSERT(old_size > 0 && old_size <= leaves.size());
  // Walk down from the root until the current subtree is exactly the old tree's
  // remainder [begin, old_size); each step records the subtree not walked into.
  RangeStack siblings;
  std::uint64_t begin = 0;
  std::uint64_t end = leaves.size();
  bool whole_old_tree = true;  // "b" in RFC 9162: still on the old tree's left edge
  while (old_size != end) {
    const std::uint64_t middle = begin + split_point(end - begin);
    if (old_size <= middle) {
      siblings.push(middle, end);
      end = middle;
    } else {
      siblings.push(begin, middle);
      begin = middle;
      whole_old_tree = false;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(siblings.count + 1);
  if (!whole_old_tree) proof.push_back(root_of(leaves, LeafRange{begin, end}));
  for (std::size_t level = siblings.count; level-- > 0;) proof.push_back(root_of(leaves, siblings.ranges[level]));
  return proof;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root, const Hash& new_root,
                        std::span<const Hash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root && (old_size > 0 || old_root == empty_root());
  if (old_size == 0) return proof.empty() && old_root == empty_root();
  if (proof.empty()) return false;
  // When the old tree is a perfect subtree its head is the first element of the path.
  const bool starts_with_old_root = std::has_single_bit(old_size);
  const std::size_t length = proof.size() + (starts_with_old_root ? 1 : 0);
  const auto element = [&](std::size_t at) -> const Hash& {
    if (starts_with_old_root) return at == 0 ? old_root : proof[at - 1];
    return proof[at];
  };
  std::uint64_t position = old_size - 1;  // fn in RFC 9162
  std::uint64_t last = new_size - 1;      // sn in RFC 9162
  while ((position & 1) != 0) {
    position >>= 1;
    last >>= 1;
  }
  Hash old_accumulator = element(0);
  Hash new_accumulator = element(0);
  for (std::size_t at = 1; at < length; ++at) {
    const Hash& item = element(at);
    if (last == 0) return false;
    if ((position & 1) != 0 || position == last) {
      old_accumulator = node_hash(item, old_accumulator);
      new_accumulator = node_hash(item, new_accumulator);
      while ((position & 1) == 0 && position != 0) {
        position >>= 1;
        last >>= 1;
      }
    } else {
      new_accumulator = node_hash(new_accumulator, item);
    }
    position >>= 1;
    last >>= 1;
  }
  return last == 0 && old_accumulator == old_root && new_accumulator == new_root;
}

}  // namespace tripartite::ledger
