// `tripartite statement --db PATH --farmer ID [--run ID] [--format text|csv|json|sms] [--proof]`
// and `tripartite statement --db PATH --all --run ID [--format ...]`: farmer statements
// (settlement/statement.hpp) — each delivery, deduction, loan position and the net payout.
//
// Invariants: every statement is re-derived from the log with the pure engine and checked
// byte for byte against the posted settlement entry; a difference refuses the statement
// (exit 3) rather than print numbers the ledger does not hold. --format sms prints one
// plain-ASCII message of at most 160 characters per farmer and run; with --all it is CSV
// `phone,message`, one row per farmer of the run in farmer id order. --proof (text and json,
// one farmer) adds the RFC 9162 inclusion proof of each settlement entry shown, in the form
// `tripartite prove` prints and an audit export's verify-inclusion.sh checks.
#include "cli/common.hpp"
#include "cli/prove_text.hpp"
#include "contracts/csv_writer.hpp"
#include "ledger/canonical.hpp"
#include "settlement/statement.hpp"

namespace tripartite::cli {
namespace {

struct Options {
  std::string db, farmer, run, format = "text";
  bool all = false;
  bool proof = false;
};

int run(const Options& options) {
  if (options.all == !options.farmer.empty())
    return fail(Error{ErrorKind::usage, "give either --farmer ID or --all --run ID"});
  if (options.all && options.run.empty()) return fail(Error{ErrorKind::usage, "--all needs --run ID"});
  if (options.proof && options.all) {
    return fail(Error{ErrorKind::usage, "--proof goes with one farmer's statement (--farmer ID), not with --all"});
  }
  if (options.proof && (options.format == "csv" || options.format == "sms")) {
    return fail(Error{ErrorKind::usage, "--proof is printed with --format text or json, not " + options.format});
  }
  auto store_result = open_store(options.db);
  if (!store_result) return fail(store_result.error());
  ledger::Store& store = **store_result;

  settlement::StatementQuery query;
  if (!options.farmer.empty()) query.farmer = options.farmer;
  if (!options.run.empty()) query.run = options.run;

  // Everything is gathered before printing, so that a refused statement prints nothing (an
  // SMS row is under 250 bytes: --all holds about 250 MB for a run of a million farmers).
  std::string out;
  ledger::canonical::Array statements;
  std::size_t count = 0;
  std::vector<std::string> without_phone;  // --all --format sms: farmers with no phone
  if (options.format == "csv") out += std::string(settlement::kStatementCsvHeader) + "\n";
  if (options.format == "sms" && options.all) out += contracts::csv_line({"phone", "message"});
  Progress progress("planning farmers");
  Status status = settlement::for_each_statement(
      store, query,
      [&](const settlement::FarmerRunStatement& statement) -> Status {
        count += 1;
        std::string proof;
        if (options.proof) {
          TRIPARTITE_TRY(text, inclusion_proof_text(store, statement.entry_seq));
          proof = std::move(text);
        }
        if (options.format == "csv") {
          out += settlement::statement_csv_rows(statement);
        } else if (options.format == "json") {
          ledger::canonical::Value value = settlement::statement_json(statement);
          if (options.proof) value["proof"] = proof;
          statements.push_back(std::move(value));
        } else if (options.format == "sms") {
          std::string message = settlement::sms_text(settlement::sms_facts(statement));
          if (options.all) {
            // A farmer with no phone (the column may be empty) gets no row: an SMS gateway
            // cannot send a row without a number. They are listed on stderr instead.
            if (statement.farmer.phone.empty()) {
              without_phone.push_back(statement.farmer.id.value);
            } else {
              out += contracts::csv_line({statement.farmer.phone, message});
            }
          } else {
            out += message + "\n";
          }
        } else {
          if (count > 1) out += "\n" + std::string(72, '-') + "\n\n";
          out += settlement::statement_text(statement);
          if (options.proof) {
            out += "\nInclusion proof of settlement entry " + statement.reference() + " (record " +
                   std::to_string(statement.entry_seq) +
                   ") in the signed log; check it with verify-inclusion.sh of an audit export\n"
                   "or with `tripartite prove --db ... --seq " +
                   std::to_string(statement.entry_seq) + "`:\n";
            out += proof;
          }
        }
        return Status::success();
      },
      [&progress](std::uint64_t done) { progress.update(done); });
  progress.finish();
  if (!status.ok()) return fail(status.error());
  if (options.format == "json") {
    ledger::canonical::Object document;
    document["farmer"] = options.farmer;
    document["run"] = options.run;
    document["statements"] = std::move(statements);
    out += ledger::canonical::Value(std::move(document)).serialise() + "\n";
  }
  std::cout << out;
  if (!without_phone.empty()) {
    std::string listed;
    for (std::size_t i = 0; i < without_phone.size() && i < 20; ++i) listed += (i == 0 ? "" : ", ") + without_phone[i];
    if (without_phone.size() > 20) listed += ", …";
    std::cerr << "note: " << without_phone.size() << " farmer(s) of run " << options.run
              << " have no phone in farmers.csv and get no SMS row: " << listed
              << " (their statements: --farmer ID --run " << options.run << ")\n";
  }
  return 0;
}

}  // namespace

void setup_statement(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "statement",
      "A farmer's settlement statement: each delivery (weight, moisture, payable kg, price, value), each\n"
      "deduction and who received it, each loan before and after, and the net payout and where it was\n"
      "paid — re-derived from the ledger and checked against the posted entry. --format sms gives one\n"
      "plain-ASCII text of at most 160 characters; --all --run ID --format sms one per farmer of the run\n"
      "as CSV phone,message.");
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file")->required();
  command->add_option("--farmer", options->farmer, "The farmer's id")->check(id_validator());
  command
      ->add_option("--run", options->run, "Only this settlement run, e.g. 2026A-R1 (default: every run of the farmer)")
      ->check(id_validator());
  command->add_flag("--all", options->all, "Every farmer of the run given with --run");
  command->add_option("--format", options->format, "text (default), csv, json or sms")
      ->transform(CLI::IsMember({"text", "csv", "json", "sms"}, CLI::ignore_case));
  command->add_flag("--proof", options->proof, "Add the inclusion proof of each settlement entry shown (text, json)");
  command->callback([&action, options] { action = [options] { return run(*options); }; });
}

}  // namespace tripartite::cli
