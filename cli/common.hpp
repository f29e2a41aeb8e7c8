// What every subcommand shares: how errors are printed and mapped to exit statuses, how
// keys are loaded, and progress on a terminal.
//
// Invariants: this is the only place (with main.cpp) that turns an Error into an exit
// status: 0 success, 1 usage, 2 invalid input, 3 verification failed, 4 internal error,
// 5 reconciliation differences (SPEC §7). Errors go to stderr, one line each.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "contracts/model.hpp"
#include "ledger/crypto.hpp"
#include "ledger/result.hpp"
#include "ledger/store.hpp"

namespace tripartite::cli {

using Action = std::function<int()>;

// Registers a subcommand: its options are bound to state owned by the returned action.
using Setup = void (*)(CLI::App& app, Action& action);

void setup_init(CLI::App& app, Action& action);
void setup_keygen(CLI::App& app, Action& action);
void setup_keys(CLI::App& app, Action& action);
void setup_import(CLI::App& app, Action& action);
void setup_settle(CLI::App& app, Action& action);
void setup_verify(CLI::App& app, Action& action);
void setup_export(CLI::App& app, Action& action);
void setup_report(CLI::App& app, Action& action);
void setup_prove(CLI::App& app, Action& action);
void setup_generate(CLI::App& app, Action& action);
void setup_reconcile(CLI::App& app, Action& action);
void setup_statement(CLI::App& app, Action& action);
// `export journal`, added to the `export` subcommand by setup_export.
void add_export_journal(CLI::App& export_command, Action& action);

// Prints "tripartite: <message>" to stderr and returns the exit status for the error.
int fail(const Error& error);
int exit_status(ErrorKind kind);

Result<std::unique_ptr<ledger::Store>> open_store(const std::string& path);

// For options that name a party, farmer, season or run: refuses, as a usage error (exit 1),
// a value that is not an id (SPEC §1: 1-64 of A-Z a-z 0-9 . _ -), an empty one included
// (which would otherwise read as "no filter"), showing invisible characters as <U+XXXX>.
const CLI::Validator& id_validator();

// The value of a date option (`--as-of`): a real YYYY-MM-DD date in the years 1900 to 2199,
// or an invalid-input error naming the option.
Result<contracts::Date> parse_date_option(std::string_view option, const std::string& text);
// "YYYY-MM-DD" of the day after today (UTC) by this machine's clock: dates after it are in
// the future wherever the user is.
std::string tomorrow_utc();

// A folder option as given, without trailing slashes ("audit/" -> "audit"; "/" stays): so
// that "DIR.partial" is beside DIR, not inside it, and messages print "DIR/file".
std::string folder_argument(std::string path);

// True when stderr is a terminal: long runs then show progress there.
bool progress_enabled();
// Prints "\r<label> <done>/<total>" (or "<done>" when total is 0) at most a few times a second.
// A folder made under $TMPDIR (or /tmp) with a unique name, removed with everything in it
// when this object goes. Destroy what uses its files first.
class TemporaryFolder {
 public:
  static Result<std::unique_ptr<TemporaryFolder>> create(const std::string& prefix);
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  ~TemporaryFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TemporaryFolder(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

class Progress {
 public:
  explicit Progress(std::string label, std::uint64_t total = 0);
  void update(std::uint64_t done);
  // Shows `label` and `total` (0 = none) from the next update on (the file now being read,
  // say).
  void relabel(std::string_view label, std::uint64_t total = 0);
  void finish();
  ~Progress();

 private:
  std::string label_;
  std::uint64_t total_;
  std::uint64_t last_shown_ = 0;
  bool enabled_;
  bool shown_ = false;
  long long last_time_ms_ = 0;
};

}  // namespace tripartite::cli
