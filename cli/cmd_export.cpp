// `tripartite export audit --db PATH --out DIR` (SPEC §5): journal.jsonl (line i = c_i),
// checkpoints/<tree size>, keys/<party>.pem, proofs/ (one example inclusion proof),
// verify-inclusion.sh and VERIFY.md. Refuses a non-empty DIR; writes into DIR.partial and
// renames it into place when complete.
#include <filesystem>
#include <fstream>

#include "cli/common.hpp"
#include "cli/prove_text.hpp"
#include "cli/verify_md.hpp"
#include "contracts/repository.hpp"

namespace tripartite::cli {
namespace {

namespace fs = std::filesystem;

Status write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return internal_error(path.string() + ": write failed");
  return Status::success();
}

Status write_export(ledger::Store& store, const fs::path& out, const fs::path& partial) {
  std::error_code error;
  fs::create_directories(partial / "checkpoints", error);
  fs::create_directories(partial / "keys", error);
  fs::create_directories(partial / "proofs", error);
  if (error) return invalid(partial.string() + ": " + error.message());

  TRIPARTITE_TRY(batches, store.batches());
  if (batches.empty()) return invalid("the ledger has no records to export");
  const ledger::StoredBatch& last = batches.back();

  // One pass over the log writes the journal and collects the leaf hashes (and the last
  // covered record) for the example inclusion proof.
  std::ofstream journal(partial / "journal.jsonl", std::ios::binary | std::ios::trunc);
  std::uint64_t records = 0;
  std::vector<ledger::Hash> leaves;
  leaves.reserve(last.tree_size);
  std::string proven_record;
  Progress progress("exporting records");
  TRIPARTITE_CHECK(store.scan_log([&](const ledger::StoredRecord& record, const ledger::Hash& leaf) -> Status {
    journal << record.body << '\n';
    records += 1;
    if (record.seq <= last.tree_size) {
      if (leaf == ledger::Hash{}) {
        return verification_error("record " + std::to_string(record.seq) + ": stored leaf hash is not 32 bytes");
      }
      leaves.push_back(leaf);
      if (record.seq == last.tree_size) proven_record = record.body;
    }
    progress.update(records);
    return Status::success();
  }));
  progress.finish();
  journal.close();
  if (!journal) return internal_error("journal.jsonl: write failed");
  TRIPARTITE_CHECK(check_leaves_cover(leaves.size(), last.tree_size));

  for (const auto& batch : batches) {
    TRIPARTITE_CHECK(write_text(partial / "checkpoints" / std::to_string(batch.tree_size), batch.note));
  }
  TRIPARTITE_TRY(parties, contracts::load_parties(store));
  for (const auto& [party, raw] : parties.keys) {
    TRIPARTITE_CHECK(write_text(partial / "keys" / (party + ".pem"), ledger::public_key_pem_from_raw(raw)));
  }
  TRIPARTITE_CHECK(write_text(partial / "proofs" / ("inclusion-" + std::to_string(last.tree_size) + ".txt"),
                              inclusion_proof_text(leaves, last.tree_size, proven_record, last)));
  TRIPARTITE_CHECK(write_text(partial / "verify-inclusion.sh", kInclusionScript));
  TRIPARTITE_CHECK(write_text(partial / "VERIFY.md", verify_md_text(store.ledger_id(), records, last.tree_size,
                                                                    last.author, last.tree_size)));
  fs::remove(out, error);  // an empty directory, if any
  fs::rename(partial, out, error);
  if (error) return internal_error(out.string() + ": " + error.message());
  return Status::success();
}

// Writes into OUT.partial and renames it into place; a failed export leaves neither.
Status export_audit(ledger::Store& store, const fs::path& out) {
  std::error_code error;
  if (out.empty()) return invalid("--out: a folder name is required");
  // The export replaces an empty folder, nothing else: not a file, however empty, and not a
  // symbolic link (which would be replaced by a folder, not followed).
  const fs::file_status existing = fs::symlink_status(out, error);
  if (fs::exists(existing)) {
    if (!fs::is_directory(existing)) return invalid(out.string() + ": exists and is not a folder");
    if (!fs::is_empty(out, error)) return invalid(out.string() + ": exists and is not empty");
  }
  fs::path partial = out.string() + ".partial";
  fs::remove_all(partial, error);
  Status status = write_export(store, out, partial);
  if (!status.ok()) fs::remove_all(partial, error);
  return status;
}

}  // namespace

void setup_export(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("export", "Export the ledger for others.");
  command->require_subcommand(1);
  auto* audit = command->add_subcommand(
      "audit",
      "Write an audit export: journal.jsonl, checkpoints/, keys/, VERIFY.md (how to check it with\n"
      "openssl and a POSIX shell, or with `tripartite verify --audit DIR`).");
  struct Options {
    std::string db, out;
  };
  auto options = std::make_shared<Options>();
  audit->add_option("--db", options->db, "Ledger file")->required();
  audit->add_option("--out", options->out, "Folder to write (must not exist or be empty)")->required();
  audit->callback([&action, options] {
    action = [options] {
      auto store = open_store(options->db);
      if (!store) return fail(store.error());
      auto status = export_audit(**store, folder_argument(options->out));
      if (!status.ok()) return fail(status.error());
      std::cout << "exported the audit trail to " << options->out << " (see VERIFY.md there)\n";
      return 0;
    };
  });
  add_export_journal(*command, action);
}

}  // namespace tripartite::cli
