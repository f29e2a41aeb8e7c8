// The `tripartite` command line: one subcommand per file (cli/cmd_*.cpp), wired here.
// Parse errors exit 1 (`--help` exits 0); each action returns its own exit status.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <exception>
#include <iostream>

#include "cli/common.hpp"

namespace {

// CLI11 answers a missing or misspelt command with "A subcommand is required". This names
// what was given and lists the commands there are instead. The words before the first
// option are taken as the command path (`report loans`); returns false when they name a
// full command (the error is about something else, and CLI11's message stands).
bool explain_missing_command(CLI::App& app, int argc, char** argv) {
  CLI::App* node = &app;
  std::string path = "tripartite";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word.front() == '-') break;
    const auto subcommands = node->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty()) return false;  // a full command, then its positional arguments
    CLI::App* next = nullptr;
    for (CLI::App* sub : subcommands) {
      if (sub->get_name() == word) next = sub;
    }
    std::string names;
    for (const CLI::App* sub : subcommands) names += (names.empty() ? "" : ", ") + sub->get_name();
    if (next == nullptr) {
      std::cerr << path << ": '" << word << "' is not a command; the commands are: " << names << "\n"
                << "Run " << path << " --help for what each does.\n";
      return true;
    }
    node = next;
    path += " " + word;
  }
  const auto subcommands = node->get_subcommands([](const CLI::App*) { return true; });
  if (subcommands.empty()) return false;
  std::string names;
  for (const CLI::App* sub : subcommands) names += (names.empty() ? "" : ", ") + sub->get_name();
  std::cerr << path << ": a command is needed: " << names << "\n"
            << "Run " << path << " --help for what each does.\n";
  return true;
}

// An option given an empty value (`--out ''`, or `--out "$DIR"` with DIR unset in a
// script) would read as the option left out: a run recorded with no files written, a ledger
// "created" at no path. Every option that takes a value refuses an empty one (exit 1).
void refuse_empty_values(CLI::App& app) {
  static const CLI::Validator non_empty(
      [](const std::string& value) {
        return value.empty() ? std::string("an empty value (was a variable left unset?)") : std::string();
      },
      "", "non-empty");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size_max() > 0 && !option->get_lnames().empty()) option->check(non_empty);
  }
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) refuse_empty_values(*sub);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tripartite::cli;
  // verify and settle hand chunks of records (a few hundred KB each) between two threads.
  // glibc's defaults serve such blocks with fresh mmaps and return freed memory to the kernel
  // eagerly: page faults and lock traffic on every chunk. Keeping blocks under 32 MB on the
  // heap and trimming only above 128 MB cut verify --audit of 20,000 farmers from 2.0 s to
  // 1.3-1.6 s (docs/performance.md); peak memory grows by the retained free space (~20 MB).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  CLI::App app{
      "Tripartite — contract and settlement engine for tripartite agricultural finance.\n"
      "A farmer borrows inputs from a lender; an off-taker buys the harvest, deducts the loan\n"
      "repayment, levies, commissions and coalition shares, and pays the farmer the rest.\n"
      "Everything is recorded in a double-entry ledger kept as a signed transparency log.\n\n"
      "Exit status: 0 success, 1 usage, 2 invalid input, 3 verification failed, 4 internal error,\n"
      "5 reconciliation found differences.",
      "tripartite"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tripartite 0.1.0");
  Action action;
  setup_init(app, action);
  setup_keygen(app, action);
  setup_keys(app, action);
  setup_import(app, action);
  setup_settle(app, action);
  setup_verify(app, action);
  setup_export(app, action);
  setup_report(app, action);
  setup_prove(app, action);
  setup_generate(app, action);
  setup_reconcile(app, action);
  setup_statement(app, action);
  refuse_empty_values(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() != 0 && explain_missing_command(app, argc, argv)) return 1;
    return app.exit(error) == 0 ? 0 : 1;
  }
  try {
    return action ? action() : 1;
  } catch (const std::exception& error) {
    std::cerr << "tripartite: internal error: " << error.what() << "\n";
    return 4;
  }
}
