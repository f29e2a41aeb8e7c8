// Tests for ledger/tlog.hpp: the RFC 6962 reference vectors (as published in
// github.com/transparency-dev/merkle proof/verify_test.go), TreeFrontier against
// merkle_root, and exhaustive proof generation and verification for trees of 1..64 leaves.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ledger/crypto.hpp"
#include "ledger/tlog.hpp"

using namespace tripartite;
using namespace tripartite::ledger;

namespace {

Hash h(const char* hex) {
  auto parsed = hash_from_hex(hex);
  REQUIRE(parsed.ok());
  return *parsed;
}

// Any hash that is not part of the trees below.
Hash some_hash() { return h("abacaba000000000000000000000000000000000000000000060061e00123456"); }

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t index = 0; index < hex.size(); index += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(index, 2)), nullptr, 16));
  }
  return out;
}

// The eight reference leaves and the roots of the trees of their first 1..8.
const char* const reference_leaves[] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
};
const char* const reference_roots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> reference_leaf_hashes() {
  std::vector<Hash> leaves;
  for (const char* leaf : reference_leaves) leaves.push_back(leaf_hash(from_hex(leaf)));
  return leaves;
}

Hash reference_root(std::uint64_t size) { return h(reference_roots[size - 1]); }

struct InclusionVector {
  std::uint64_t index;  // 0-based
  std::uint64_t size;
  std::vector<const char*> proof;
};
// The published vectors number leaves from 1; these are 0-based.
const InclusionVector inclusion_vectors[] = {
    {0, 1, {}},
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  std::uint64_t old_size;
  std::uint64_t new_size;
  std::vector<const char*> proof;
};
const ConsistencyVector consistency_vectors[] = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* item : hex) out.push_back(h(item));
  return out;
}

std::vector<Hash> with(std::vector<Hash> proof, std::size_t at, const Hash& inserted) {
  proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), inserted);
  return proof;
}

// Distinct leaves for the generated trees.
std::vector<Hash> numbered_leaves(std::size_t count) {
  std::vector<Hash> leaves;
  leaves.reserve(count);
  for (std::size_t index = 0; index < count; ++index) leaves.push_back(leaf_hash("record " + std::to_string(index)));
  return leaves;
}

Hash flipped(Hash hash, std::size_t byte) {
  hash[byte] = static_cast<std::uint8_t>(hash[byte] ^ 0x10);
  return hash;
}

}  // namespace

TEST_CASE("leaf, node and empty hashes follow RFC 6962", "[tlog]") {
  CHECK(hash_hex(empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(leaf_hash("") == sha256(std::string(1, '\0')));
  CHECK(leaf_hash("L123456") == sha256(std::string(1, '\0') + "L123456"));
  const Hash left = sha256("left");
  const Hash right = sha256("right");
  CHECK(node_hash(left, right) == sha256("\x01" + hash_bytes(left) + hash_bytes(right)));
  CHECK(node_hash(left, right) != node_hash(right, left));
  CHECK(merkle_root({}) == empty_root());
}

TEST_CASE("merkle_root and TreeFrontier match the reference roots for sizes 1..8", "[tlog]") {
  const std::vector<Hash> leaves = reference_leaf_hashes();
  CHECK(hash_hex(leaves[0]) == reference_roots[0]);
  TreeFrontier frontier;
  for (std::uint64_t size = 1; size <= 8; ++size) {
    INFO("size " << size);
    CHECK(merkle_root(std::span(leaves).first(size)) == reference_root(size));
    frontier.append(leaves[size - 1]);
    CHECK(frontier.size() == size);
    CHECK(frontier.root() == reference_root(size));
  }
}

TEST_CASE("inclusion proofs match the reference vectors and refuse corruption", "[tlog]") {
  const std::vector<Hash> leaves = reference_leaf_hashes();
  for (const InclusionVector& vector : inclusion_vectors) {
    INFO("index " << vector.index << " size " << vector.size);
    const std::vector<Hash> expected = hashes(vector.proof);
    const auto tree = std::span(leaves).first(vector.size);
    CHECK(inclusion_proof(tree, vector.index) == expected);
    const Hash root = reference_root(vector.size);
    const Hash leaf = leaves[vector.index];
    CHECK(verify_inclusion(vector.index, vector.size, leaf, expected, root));

    // The corruptions of transparency-dev/merkle's corruptInclusionProof.
    std::vector<std::pair<std::string, bool>> probes;
    const auto probe = [&](const std::string& what, std::uint64_t index, std::uint64_t size, const Hash& probe_leaf,
                           const std::vector<Hash>& proof, const Hash& probe_root) {
      probes.emplace_back(what, verify_inclusion(index, size, probe_leaf, proof, probe_root));
    };
    probe("index - 1", vector.index - 1, vector.size, leaf, expected, root);
    probe("index + 1", vector.index + 1, vector.size, leaf, expected, root);
    probe("index ^ 2", vector.index ^ 2, vector.size, leaf, expected, root);
    probe("size * 2", vector.index, vector.size * 2, leaf, expected, root);
    probe("size / 2", vector.index, vector.size / 2, leaf, expected, root);
    probe("wrong leaf", vector.index, vector.size, leaf_hash("WrongLeaf"), expected, root);
    probe("empty root", vector.index, vector.size, leaf, expected, empty_root());
    probe("random root", vector.index, vector.size, leaf, expected, some_hash());
    probe("trailing root", vector.index, vector.size, leaf, with(expected, expected.size(), root), root);
    probe("preceding root", vector.index, vector.size, leaf, with(expected, 0, root), root);
    probe("preceding empty", vector.index, vector.size, leaf, with(expected, 0, empty_root()), root);
    for (std::size_t at = 0; at < expected.size(); ++at) {
      std::vector<Hash> wrong = expected;
      wrong[at][0] = static_cast<std::uint8_t>(wrong[at][0] ^ 8);
      probe("modified proof[" + std::to_string(at) + "]", vector.index, vector.size, leaf, wrong, root);
    }
    if (!expected.empty()) {
      probe("removed component", vector.index, vector.size, leaf,
            std::vector<Hash>(expected.begin(), expected.end() - 1), root);
    }
    if (expected.size() > 1) probe("inserted component", vector.index, vector.size, leaf, with(expected, 1, some_hash()), root);
    for (const auto& [what, verified] : probes) {
      if (verified) FAIL_CHECK("verified against: " << what);
    }
  }
}

TEST_CASE("consistency proofs match the reference vectors and refuse corruption", "[tlog]") {
  const std::vector<Hash> leaves = reference_leaf_hashes();
  for (const ConsistencyVector& vector : consistency_vectors) {
    INFO("old " << vector.old_size << " new " << vector.new_size);
    const std::vector<Hash> expected = hashes(vector.proof);
    CHECK(consistency_proof(std::span(leaves).first(vector.new_size), vector.old_size) == expected);
    const Hash old_root = reference_root(vector.old_size);
    const Hash new_root = reference_root(vector.new_size);
    CHECK(verify_consistency(vector.old_size, vector.new_size, old_root, new_root, expected));
    if (expected.empty()) continue;

    // The corruptions of transparency-dev/merkle's corruptConsistencyProof.
    std::vector<std::pair<std::string, bool>> probes;
    const auto probe = [&](const std::string& what, std::uint64_t old_size, std::uint64_t new_size,
                           const Hash& probe_old, const Hash& probe_new, const std::vector<Hash>& proof) {
      probes.emplace_back(what, verify_consistency(old_size, new_size, probe_old, probe_new, proof));
    };
    const std::uint64_t old_size = vector.old_size;
    const std::uint64_t new_size = vector.new_size;
    probe("old - 1", old_size - 1, new_size, old_root, new_root, expected);
    probe("old + 1", old_size + 1, new_size, old_root, new_root, expected);
    probe("old ^ 2", old_size ^ 2, new_size, old_root, new_root, expected);
    probe("new * 2", old_size, new_size * 2, old_root, new_root, expected);
    probe("new / 2", old_size, new_size / 2, old_root, new_root, expected);
    probe("wrong old root", old_size, new_size, some_hash(), new_root, expected);
    probe("wrong new root", old_size, new_size, old_root, some_hash(), expected);
    probe("swapped roots", old_size, new_size, new_root, old_root, expected);
    probe("empty proof", old_size, new_size, old_root, new_root, {});
    probe("trailing old root", old_size, new_size, old_root, new_root, with(expected, expected.size(), old_root));
    probe("trailing new root", old_size, new_size, old_root, new_root, with(expected, expected.size(), new_root));
    probe("preceding old root", old_size, new_size, old_root, new_root, with(expected, 0, old_root));
    probe("preceding new root", old_size, new_size, old_root, new_root, with(expected, 0, new_root));
    probe("preceding proof[0]", old_size, new_size, old_root, new_root, with(expected, 0, expected[0]));
    probe("truncated proof", old_size, new_size, old_root, new_root,
          std::vector<Hash>(expected.begin(), expected.end() - 1));
    for (std::size_t at = 0; at < expected.size(); ++at) {
      std::vector<Hash> wrong = expected;
      wrong[at][0] = static_cast<std::uint8_t>(wrong[at][0] ^ 16);
      probe("modified proof[" + std::to_string(at) + "]", old_size, new_size, old_root, new_root, wrong);
    }
    for (const auto& [what, verified] : probes) {
      if (verified) FAIL_CHECK("verified against: " << what);
    }
  }
}

TEST_CASE("verify_consistency edge cases", "[tlog]") {
  const Hash root1 = sha256("don't care 1");
  const Hash root2 = sha256("don't care 2");
  const std::vector<Hash> none;
  const std::vector<Hash> one{empty_root()};
  CHECK_FALSE(verify_consistency(0, 0, root1, root2, none));
  CHECK_FALSE(verify_consistency(1, 1, root1, root2, none));
  CHECK(verify_consistency(1, 1, root2, root2, none));
  CHECK(verify_consistency(0, 0, empty_root(), empty_root(), none));
  CHECK_FALSE(verify_consistency(0, 0, root1, root1, none));   // an empty tree has the empty root
  CHECK(verify_consistency(0, 1, empty_root(), root2, none));  // everything extends the empty tree
  CHECK_FALSE(verify_consistency(0, 1, root1, root2, none));
  CHECK_FALSE(verify_consistency(1, 0, root1, root2, none));  // time travel
  CHECK_FALSE(verify_consistency(2, 1, root1, root2, none));
  CHECK_FALSE(verify_consistency(1, 2, root1, root2, none));  // empty proof
  CHECK_FALSE(verify_consistency(0, 0, empty_root(), empty_root(), one));
  CHECK_FALSE(verify_consistency(0, 1, empty_root(), empty_root(), one));
  CHECK_FALSE(verify_consistency(1, 1, empty_root(), empty_root(), one));
}

TEST_CASE("verify_inclusion edge cases", "[tlog]") {
  const Hash leaf = leaf_hash("data");
  const std::vector<Hash> none;
  CHECK(verify_inclusion(0, 1, leaf, none, leaf));  // a one-leaf tree's root is its leaf
  CHECK_FALSE(verify_inclusion(0, 1, leaf, none, empty_root()));
  CHECK_FALSE(verify_inclusion(0, 0, leaf, none, leaf));
  CHECK_FALSE(verify_inclusion(1, 1, leaf, none, leaf));
  CHECK_FALSE(verify_inclusion(2, 1, leaf, none, leaf));
  CHECK_FALSE(verify_inclusion(0, 1, leaf, std::vector<Hash>{leaf}, node_hash(leaf, leaf)));
}

TEST_CASE("a Merkle root alone does not fix the tree size", "[tlog]") {
  // Why callers must take the size from the signed checkpoint: the proof of leaf 0 in a
  // tree of 3 also passes as a proof in a tree of 4 against the same root, because the
  // verifier cannot tell a leaf hash from an interior node.
  const std::vector<Hash> leaves = numbered_leaves(3);
  const std::vector<Hash> proof = inclusion_proof(leaves, 0);
  const Hash root = merkle_root(leaves);
  CHECK(verify_inclusion(0, 3, leaves[0], proof, root));
  CHECK(verify_inclusion(0, 4, leaves[0], proof, root));
  CHECK_FALSE(verify_inclusion(0, 5, leaves[0], proof, root));
}

TEST_CASE("TreeFrontier equals merkle_root for every size 0..300, also after serialise/parse", "[tlog]") {
  const std::vector<Hash> leaves = numbered_leaves(300);
  TreeFrontier frontier;
  CHECK(frontier.size() == 0u);
  CHECK(frontier.root() == empty_root());
  for (std::size_t size = 0; size <= leaves.size(); ++size) {
    if (size > 0) frontier.append(leaves[size - 1]);
    const Hash expected = merkle_root(std::span(leaves).first(size));
    if (frontier.root() != expected) FAIL_CHECK("frontier root differs at size " << size);
    const std::string bytes = frontier.serialise();
    if (bytes.size() != 8 + 32 * static_cast<std::size_t>(std::popcount(size))) {
      FAIL_CHECK("serialised frontier has the wrong length at size " << size);
    }
    auto parsed = TreeFrontier::parse(bytes);
    REQUIRE(parsed.ok());
    if (!(*parsed == frontier) || parsed->root() != expected || parsed->size() != size) {
      FAIL_CHECK("parsed frontier differs at size " << size);
    }
    // Appending to the parsed copy continues the same tree.
    if (size < leaves.size()) {
      parsed->append(leaves[size]);
      if (parsed->root() != merkle_root(std::span(leaves).first(size + 1))) {
        FAIL_CHECK("append after parse differs at size " << size);
      }
    }
  }
  CHECK(frontier.subtree_roots().size() == static_cast<std::size_t>(std::popcount(300u)));
}

TEST_CASE("TreeFrontier::parse refuses malformed bytes", "[tlog]") {
  TreeFrontier frontier;
  for (const Hash& leaf : numbered_leaves(5)) frontier.append(leaf);
  const std::string bytes = frontier.serialise();
  REQUIRE(bytes.size() == 8 + 2 * 32);
  CHECK(bytes.substr(0, 8) == std::string("\0\0\0\0\0\0\0\x05", 8));
  CHECK(TreeFrontier::parse(bytes).ok());
  CHECK_FALSE(TreeFrontier::parse("").ok());
  CHECK_FALSE(TreeFrontier::parse(bytes.substr(0, 7)).ok());
  CHECK_FALSE(TreeFrontier::parse(bytes.substr(0, bytes.size() - 1)).ok());
  CHECK_FALSE(TreeFrontier::parse(bytes + "x").ok());
  std::string wrong_size = bytes;
  wrong_size[7] = '\x07';  // three subtrees expected, two present
  CHECK_FALSE(TreeFrontier::parse(wrong_size).ok());
  auto empty = TreeFrontier::parse(std::string(8, '\0'));
  REQUIRE(empty.ok());
  CHECK(empty->size() == 0u);
  CHECK(empty->root() == empty_root());
}

TEST_CASE("every inclusion proof for sizes 1..64 verifies, and every corruption fails", "[tlog][exhaustive]") {
  constexpr std::size_t largest = 64;
  const std::vector<Hash> leaves = numbered_leaves(2 * largest);
  // The proof length for (index, size), for every size up to 2 × largest: a proof whose
  // length is wrong for the claimed position must be refused.
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> lengths;
  for (std::uint64_t size = 1; size <= 2 * largest; ++size) {
    for (std::uint64_t index = 0; index < size; ++index) {
      lengths[{index, size}] = inclusion_proof(std::span(leaves).first(size), index).size();
    }
  }
  std::size_t verified = 0;
  for (std::uint64_t size = 1; size <= largest; ++size) {
    const auto tree = std::span(leaves).first(size);
    const Hash root = merkle_root(tree);
    for (std::uint64_t index = 0; index < size; ++index) {
      const Hash& leaf = leaves[index];
      std::vector<Hash> proof = inclusion_proof(tree, index);
      if (!verify_inclusion(index, size, leaf, proof, root)) {
        FAIL_CHECK("proof of " << index << " in " << size << " does not verify");
        continue;
      }
      ++verified;
      const auto refuse = [&](const char* what, bool result) {
        if (result) FAIL_CHECK("index " << index << " size " << size << ": verified with " << what);
      };
      for (std::size_t at = 0; at < proof.size(); ++at) {
        for (std::size_t byte = 0; byte < 32; ++byte) {
          const Hash original = proof[at];
          proof[at] = flipped(original, byte);
          refuse("a flipped proof byte", verify_inclusion(index, size, leaf, proof, root));
          proof[at] = original;
        }
      }
      for (std::size_t byte = 0; byte < 32; ++byte) {
        refuse("a flipped leaf byte", verify_inclusion(index, size, flipped(leaf, byte), proof, root));
        refuse("a flipped root byte", verify_inclusion(index, size, leaf, proof, flipped(root, byte)));
      }
      for (std::uint64_t other = 0; other < size + 2; ++other) {
        if (other != index) refuse("a wrong index", verify_inclusion(other, size, leaf, proof, root));
      }
      for (std::uint64_t other = 0; other <= 2 * largest; ++other) {
        if (other == size) continue;
        const auto found = lengths.find({index, other});
        if (found == lengths.end() || found->second != proof.size()) {
          refuse("a wrong size", verify_inclusion(index, other, leaf, proof, root));
        }
      }
      refuse("an extra element", verify_inclusion(index, size, leaf, with(proof, proof.size(), root), root));
      if (!proof.empty()) {
        refuse("a missing element",
               verify_inclusion(index, size, leaf, std::span<const Hash>(proof).first(proof.size() - 1), root));
      }
    }
  }
  CHECK(verified == largest * (largest + 1) / 2);
}

TEST_CASE("every consistency proof for sizes 1..64 verifies, and every corruption fails", "[tlog][exhaustive]") {
  constexpr std::size_t largest = 64;
  const std::vector<Hash> leaves = numbered_leaves(2 * largest);
  std::vector<Hash> roots;
  for (std::size_t size = 0; size <= 2 * largest; ++size) roots.push_back(merkle_root(std::span(leaves).first(size)));
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> lengths;
  for (std::uint64_t new_size = 1; new_size <= 2 * largest; ++new_size) {
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      lengths[{old_size, new_size}] = consistency_proof(std::span(leaves).first(new_size), old_size).size();
    }
    lengths[{0, new_size}] = 0;
  }
  std::size_t verified = 0;
  for (std::uint64_t new_size = 1; new_size <= largest; ++new_size) {
    const auto tree = std::span(leaves).first(new_size);
    const Hash& new_root = roots[new_size];
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      const Hash& old_root = roots[old_size];
      std::vector<Hash> proof = consistency_proof(tree, old_size);
      if (!verify_consistency(old_size, new_size, old_root, new_root, proof)) {
        FAIL_CHECK("proof from " << old_size << " to " << new_size << " does not verify");
        continue;
      }
      ++verified;
      const auto refuse = [&](const char* what, bool result) {
        if (result) FAIL_CHECK("old " << old_size << " new " << new_size << ": verified with " << what);
      };
      for (std::size_t at = 0; at < proof.size(); ++at) {
        for (std::size_t byte = 0; byte < 32; ++byte) {
          const Hash original = proof[at];
          proof[at] = flipped(original, byte);
          refuse("a flipped proof byte", verify_consistency(old_size, new_size, old_root, new_root, proof));
          proof[at] = original;
        }
      }
      for (std::size_t byte = 0; byte < 32; ++byte) {
        refuse("a flipped old root byte",
               verify_consistency(old_size, new_size, flipped(old_root, byte), new_root, proof));
        refuse("a flipped new root byte",
               verify_consistency(old_size, new_size, old_root, flipped(new_root, byte), proof));
      }
      for (std::uint64_t other = 0; other <= 2 * largest; ++other) {
        if (other != old_size) {
          const auto found = lengths.find({other, new_size});
          if (found == lengths.end() || found->second != proof.size()) {
            refuse("a wrong old size", verify_consistency(other, new_size, old_root, new_root, proof));
          }
        }
        if (other != new_size) {
          const auto found = lengths.find({old_size, other});
          if (found == lengths.end() || found->second != proof.size()) {
            refuse("a wrong new size", verify_consistency(old_size, other, old_root, new_root, proof));
          }
        }
      }
      // Another tree's root at the same size.
      if (old_size < new_size) {
        refuse("another old root", verify_consistency(old_size, new_size, roots[old_size - 1], new_root, proof));
        refuse("another new root", verify_consistency(old_size, new_size, old_root, roots[new_size + 1], proof));
      }
      refuse("an extra element", verify_consistency(old_size, new_size, old_root, new_root, with(proof, proof.size(), new_root)));
      if (!proof.empty()) {
        refuse("a missing element", verify_consistency(old_size, new_size, old_root, new_root,
                                                       std::span<const Hash>(proof).first(proof.size() - 1)));
      }
    }
  }
  CHECK(verified == largest * (largest + 1) / 2);
}

TEST_CASE("a large tree: frontier, root and proofs agree", "[tlog]") {
  const std::size_t count = 100003;
  const std::vector<Hash> leaves = numbered_leaves(count);
  TreeFrontier frontier;
  for (const Hash& leaf : leaves) frontier.append(leaf);
  const Hash root = merkle_root(leaves);
  CHECK(frontier.root() == root);
  for (const std::uint64_t index : {std::uint64_t{0}, std::uint64_t{65535}, std::uint64_t{65536}, std::uint64_t{count - 1}}) {
    const std::vector<Hash> proof = inclusion_proof(leaves, index);
    CHECK(proof.size() <= 17u);
    CHECK(verify_inclusion(index, count, leaves[index], proof, root));
  }
  for (const std::uint64_t old_size : {std::uint64_t{1}, std::uint64_t{65536}, std::uint64_t{99999}}) {
    const std::vector<Hash> proof = consistency_proof(leaves, old_size);
    CHECK(verify_consistency(old_size, count, merkle_root(std::span(leaves).first(old_size)), root, proof));
  }
}
