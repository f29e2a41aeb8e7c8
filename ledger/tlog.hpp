// The ledger's Merkle tree: RFC 6962 §2.1 / RFC 9162 §2.1 with SHA-256.
//
// A leaf hash is SHA-256(0x00 || record bytes), an interior node SHA-256(0x01 || left ||
// right), and the tree head MTH(D[n]) splits n leaves at the largest power of two below n.
// The empty tree's head is SHA-256 of nothing. `TreeFrontier` keeps only the roots of the
// perfect subtrees that make up the tree so far (one per set bit of its size, largest
// first), which is all that is needed to append and to compute the head.
//
// Invariants: nothing here recurses or copies leaves; computing a head or a proof over n
// leaves costs O(n) hashes, O(log n) extra memory and no allocation beyond the result.
// Leaf indices are 0-based; tree sizes count leaves. The generators take the tree as a
// span of leaf hashes; the verifiers need only the proof and the two ends.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.hpp"
#include "ledger/result.hpp"

namespace tripartite::ledger {

Hash leaf_hash(std::string_view record_bytes);        // SHA-256(0x00 || bytes)
Hash node_hash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)
Hash empty_root();                                    // SHA-256("")

// The incremental tree head. append is O(log n) worst case, amortised O(1) hashes.
class TreeFrontier {
 public:
  void append(const Hash& leaf);
  std::uint64_t size() const { return size_; }
  // MTH of the leaves appended so far; empty_root() for none.
  Hash root() const;
  // The perfect subtree roots, largest (leftmost) first: one per set bit of size().
  const std::vector<Hash>& subtree_roots() const { return subtrees_; }
  // 8-byte big-endian size followed by the subtree roots (32 bytes each).
  std::string serialise() const;
  // Refuses anything but exactly 8 + 32 × popcount(size) bytes.
  static Result<TreeFrontier> parse(std::string_view bytes);
  friend bool operator==(const TreeFrontier&, const TreeFrontier&) = default;

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> subtrees_;
};

// MTH(D[n]) over all of `leaves` (leaf hashes); empty_root() for none.
Hash merkle_root(std::span<const Hash> leaves);

// RFC 9162 §2.1.3.1 PATH(index, D[n]) in the tree of all `leaves`, leaf end first.
// REQUIRES: index < leaves.size().
std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, std::uint64_t index);
// RFC 9162 §2.1.3.2. False (never an error) for index >= size or a proof of the wrong
// length. A Merkle root does not commit to the tree size: the caller must take `size`
// from the signed checkpoint that carries `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, std::span<const Hash> proof,
                      const Hash& root);

// RFC 9162 §2.1.4.1 PROOF(old_size, D[n]) that the tree of all `leaves` extends its first
// old_size leaves. Empty when old_size == leaves.size().
// REQUIRES: 0 < old_size <= leaves.size().
std::vector<Hash> consistency_proof(std::span<const Hash> leaves, std::uint64_t old_size);
// RFC 9162 §2.1.4.2. Also accepts, with an empty proof, old_size == new_size with equal
// roots, and old_size == 0 with old_root == empty_root() (every tree extends the empty
// one). False when old_size > new_size.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root, const Hash& new_root,
                        std::span<const Hash> proof);

}  // namespace tripartite::ledger
