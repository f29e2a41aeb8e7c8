// `tripartite verify (--db PATH | --audit DIR) [--checkpoint FILE] [--replay]` (SPEC §5):
// exit 0 with a one-line summary, or exit 3 naming the first bad sequence number (or the
// checkpoint's tree size) and why.
#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/verify.hpp"
#include "settlement/replay.hpp"

namespace tripartite::cli {
namespace {

struct Options {
  std::string db, audit, checkpoint, coordinator_key;
  bool replay = false;
};

int run(const Options& options) {
  if (options.db.empty() == options.audit.empty()) {
    return fail(Error{ErrorKind::usage, "verify: give exactly one of --db PATH or --audit DIR"});
  }
  contracts::VerifyOptions verify;
  if (!options.checkpoint.empty()) {
    auto text = ledger::read_file(options.checkpoint);
    if (!text) return fail(text.error());
    // A file that is not a signed checkpoint at all is the auditor's input mistake (exit 2),
    // said before the whole log is walked; one that parses is then proven against the log.
    auto note = ledger::parse_note(*text);
    auto body = note ? ledger::parse_checkpoint_body(note->body) : Result<ledger::Checkpoint>(note.error());
    if (!body) {
      return fail(invalid("--checkpoint " + options.checkpoint + ": not a signed checkpoint (" + body.error().message +
                          "); give a checkpoint kept from an earlier export, e.g. its checkpoints/<tree size>"));
    }
    verify.kept_checkpoint = *text;
  }
  if (!options.coordinator_key.empty()) {
    auto pub = read_public_key_file(options.coordinator_key);
    if (!pub) return fail(invalid("--coordinator-key: " + pub.error().message));
    verify.coordinator_key = pub->raw;
  }
  Result<contracts::VerifySummary> summary = internal_error("not run");
  std::unique_ptr<TemporaryFolder> rebuilt;  // verify --audit --replay: destroyed after the store in it
  std::unique_ptr<ledger::Store> store;
  std::uint64_t total = 0;  // records to check, when known (a database)
  if (!options.db.empty()) {
    auto opened = open_store(options.db);
    if (!opened) return fail(opened.error());
    store = std::move(opened).value();
    auto size = store->size();
    if (size) total = *size;
  }
  Progress progress("verifying records", total);
  verify.progress = [&progress](std::uint64_t records) { progress.update(records); };
  if (store) {
    summary = contracts::verify_store(*store, verify);
  } else {
    summary = contracts::verify_export(options.audit, verify);
  }
  progress.finish();
  if (!summary) return fail(summary.error());
  // An export is replayed from a ledger rebuilt from it in a temporary folder: settlement
  // needs its records by kind and farmer. Only a verified export is rebuilt.
  if (options.replay && !store) {
    auto folder = TemporaryFolder::create("tripartite-replay");
    if (!folder) return fail(folder.error());
    rebuilt = std::move(folder).value();
    auto opened = ledger::open_sqlite_store((rebuilt->path() / "ledger.db").string(), ledger::OpenMode::create_new,
                                           summary->ledger_id);
    if (!opened) return fail(opened.error());
    store = std::move(opened).value();
    Progress copying("rebuilding the ledger from the export to replay it", summary->records);
    auto copied = contracts::rebuild_from_export(options.audit, *store,
                                                 [&copying](std::uint64_t records) { copying.update(records); });
    copying.finish();
    if (!copied.ok()) return fail(copied.error());
  }
  std::string line = "verified " + std::to_string(summary->records) + " records in " +
                     std::to_string(summary->batches) + " signed batches (" + std::to_string(summary->entries) +
                     " balanced journal entries) of ledger " + summary->ledger_id + "; tree head " +
                     ledger::base64_encode(ledger::hash_bytes(summary->root));
  if (verify.coordinator_key) line += "; its genesis declares the coordinator key given";
  if (summary->proven_checkpoint_size) {
    line += "; extends the kept checkpoint of tree size " + std::to_string(*summary->proven_checkpoint_size);
  }
  if (options.replay) {
    std::string current_run;
    std::unique_ptr<Progress> replaying;
    auto replay = settlement::replay_runs(*store, [&](const std::string& run_id, std::uint64_t farmers) {
      if (run_id != current_run) {
        current_run = run_id;
        replaying = std::make_unique<Progress>("replaying run " + run_id + ": farmers");
      }
      replaying->update(farmers);
    });
    replaying.reset();
    if (!replay) return fail(replay.error());
    line += "; replayed " + std::to_string(replay->runs) + " settlement run" + (replay->runs == 1 ? "" : "s") + " (" +
            std::to_string(replay->entries) + " entries) exactly";
  }
  std::cout << line << "\n";
  return 0;
}

}  // namespace

void setup_verify(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "verify",
      "Check a ledger (--db) or an audit export (--audit) without trusting whoever produced it:\n"
      "every record's hash, every checkpoint's Merkle root and Ed25519 signature against the key\n"
      "registered for its author and role, that every record is covered, that every journal entry\n"
      "balances and (for a database) that every table row agrees with its record. Exit 3 names the\n"
      "first bad sequence number or checkpoint.");
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file");
  command->add_option("--audit", options->audit, "Audit export folder (from `export audit`)");
  command->add_option("--checkpoint", options->checkpoint,
                      "A signed checkpoint kept from earlier: prove the ledger extends it (RFC 9162 consistency)");
  command->add_option("--coordinator-key", options->coordinator_key,
                      "The coordinator's public key (FILE.pub, from the coordinator itself): the log's genesis must\n"
                      "declare exactly this key, so a log re-signed from the start with other keys is refused");
  command->add_flag("--replay", options->replay,
                    "Also re-run every settlement run from the ledger's records and check it posts exactly what was posted\n(for --audit, from a ledger rebuilt from the export in a temporary folder under $TMPDIR)");
  command->callback([&action, options] { action = [options] { return run(*options); }; });
}

}  // namespace tripartite::cli
