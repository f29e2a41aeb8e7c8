// The `tripartite` command line: one subcommand per file (cli/cmd_*.cpp), wired here.
// Parse errors exit 1 (`--help` exits 0); each action returns its own exit status.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

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

// Edit distance of two short words (option names), for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A parse error as one line naming the command, then where to read its options. CLI11's
// own words for two common mistakes are replaced: arguments it did not expect (an option
// misspelt: the nearest option is suggested) and an option given twice.
void print_parse_error(CLI::App& app, const CLI::ParseError& error) {
  CLI::App* command = &app;
  std::string path = "tripartite";
  for (;;) {
    const auto chosen = command->get_subcommands();
    if (chosen.empty()) break;
    command = chosen.front();
    path += " " + command->get_name();
  }
  std::string message = error.what();
  const std::string extras = " not expected: ";
  if (const auto at = message.find(extras); message.starts_with("The following argument") && at != std::string::npos) {
    // CLI11 lists them last first, separated by spaces.
    std::vector<std::string> arguments;
    std::string rest = message.substr(at + extras.size());
    for (std::size_t start = 0; start <= rest.size();) {
      const std::size_t end = std::min(rest.find(' ', start), rest.size());
      if (end > start) arguments.insert(arguments.begin(), rest.substr(start, end - start));
      start = end + 1;
    }
    std::string unknown, values;
    for (const std::string& argument : arguments) {
      if (argument.starts_with("-")) {
        const std::string name = argument.substr(0, argument.find('='));
        std::string nearest;
        std::size_t best = 3;  // suggest only within two edits
        for (const CLI::Option* option : command->get_options()) {
          for (const std::string& long_name : option->get_lnames()) {
            const std::size_t distance = edit_distance(name, "--" + long_name);
            if (distance < best) best = distance, nearest = "--" + long_name;
          }
        }
        unknown += (unknown.empty() ? "" : ", ") + name + (nearest.empty() ? "" : " (did you mean " + nearest + "?)");
      } else {
        values += (values.empty() ? "'" : ", '") + argument + "'";
      }
    }
    if (!unknown.empty()) {
      message = "unknown option " + unknown;
    } else if (!values.empty()) {
      message = "not expected: " + values + " (a value given without its option, or an option given no value)";
    }
  } else if (const auto twice = message.find(": At Most 1 required but received "); twice != std::string::npos) {
    message = message.substr(0, twice) + ": given more than once; give it once";
  }
  std::cerr << path << ": " << message << "\n"
            << "Run " << path << " --help for its options.\n";
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
    if (error.get_exit_code() == 0) return app.exit(error) == 0 ? 0 : 1;  // --help, --version
    print_parse_error(app, error);
    return 1;
  }
  try {
    return action ? action() : 1;
  } catch (const std::exception& error) {
    std::cerr << "tripartite: internal error: " << error.what() << "\n";
    return 4;
  }
}
