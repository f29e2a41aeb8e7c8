// `tripartite prove --db PATH --seq N`: one record, its RFC 9162 inclusion proof and the
// signed checkpoint it is proven against — what a farmer or a bank needs to check one
// statement line without the whole ledger (VERIFY.md shows the check with openssl alone).
#include "cli/common.hpp"
#include "cli/prove_text.hpp"
#include "ledger/tlog.hpp"

namespace tripartite::cli {

Status check_leaves_cover(std::size_t leaves, std::uint64_t tree_size) {
  if (leaves == tree_size) return Status::success();
  return verification_error("the records table holds " + std::to_string(leaves) +
                            " of the records the last checkpoint covers (" + std::to_string(tree_size) +
                            "); run `tripartite verify --db` to see where");
}

std::string inclusion_proof_text(const std::vector<ledger::Hash>& leaves, std::uint64_t seq, std::string_view record,
                                 const ledger::StoredBatch& last) {
  auto proof = ledger::inclusion_proof(leaves, seq - 1);
  auto b64 = [](const ledger::Hash& hash) { return ledger::base64_encode(ledger::hash_bytes(hash)); };
  std::string out = "# seq\n" + std::to_string(seq) + "\n# record\n" + std::string(record) + "\n# leaf_hash\n" +
                    b64(leaves[seq - 1]) + "\n# tree_size\n" + std::to_string(last.tree_size) + "\n# root\n" +
                    b64(ledger::merkle_root(leaves)) + "\n# proof\n";
  for (const auto& hash : proof) out += b64(hash) + "\n";
  out += "# checkpoint\n" + last.note;
  return out;
}

Result<std::string> inclusion_proof_text(ledger::Store& store, std::uint64_t seq) {
  TRIPARTITE_TRY(batches, store.batches());
  if (batches.empty()) return invalid("the ledger has no records");
  const ledger::StoredBatch& last = batches.back();
  if (seq == 0 || seq > last.tree_size) {
    return invalid("--seq " + std::to_string(seq) + ": the ledger's records are 1.." + std::to_string(last.tree_size));
  }
  TRIPARTITE_TRY(leaves, store.leaf_hashes(last.tree_size));
  TRIPARTITE_CHECK(check_leaves_cover(leaves.size(), last.tree_size));
  TRIPARTITE_TRY(stored, store.record_at(seq));
  if (!stored) {
    return verification_error("record " + std::to_string(seq) +
                              " is missing from the records table; run `tripartite verify --db` to see where");
  }
  return inclusion_proof_text(leaves, seq, stored->body, last);
}

void setup_prove(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "prove", "Print one record with its Merkle inclusion proof and the signed checkpoint it is proven against.");
  struct Options {
    std::string db;
    std::uint64_t seq = 0;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file")->required();
  command->add_option("--seq", options->seq, "The record's sequence number (1 = the genesis)")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            // Decimal digits only: no sign (-1 would wrap to 2^64 - 1), no 0x, nothing past 19 digits.
            const bool digits = !text.empty() && text.size() <= 19 &&
                                text.find_first_not_of("0123456789") == std::string::npos;
            return digits ? std::string() : ledger::quoted_text(text) + " is not a sequence number (1, 2, 3 ...)";
          },
          "SEQ"));
  command->callback([&action, options] {
    action = [options] {
      auto store = open_store(options->db);
      if (!store) return fail(store.error());
      auto text = inclusion_proof_text(**store, options->seq);
      if (!text) return fail(text.error());
      std::cout << *text;
      return 0;
    };
  });
}

}  // namespace tripartite::cli
