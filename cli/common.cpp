// Shared command-line plumbing. See common.hpp.
#include "cli/common.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "contracts/model.hpp"

namespace tripartite::cli {

int exit_status(ErrorKind kind) { return static_cast<int>(kind); }

int fail(const Error& error) {
  std::cerr << "tripartite: " << error.message << "\n";
  return exit_status(error.kind);
}

Result<std::unique_ptr<ledger::Store>> open_store(const std::string& path) {
  TRIPARTITE_TRY(store, ledger::open_sqlite_store(path, ledger::OpenMode::open_existing));
  // For the crash test only (tests/integration/test_crash.sh): kill this process at a chosen
  // point of the write path. Documented in docs/architecture.md; unset in normal use.
  if (const char* crash = std::getenv("TRIPARTITE_TEST_CRASH"); crash != nullptr && *crash != '\0') {
    auto spec = ledger::parse_crash_spec(crash);
    if (!spec) {
      return invalid(std::string("TRIPARTITE_TEST_CRASH: \"") + crash +
                     "\" is not append:N, before-commit or after-commit");
    }
    store->inject_crash(spec->point, spec->nth_append);
  }
  return store;
}

const CLI::Validator& id_validator() {
  static const CLI::Validator validator(
      [](const std::string& value) -> std::string {
        if (contracts::is_valid_id(value)) return {};
        return ledger::quoted_text(value) + " is not an id (1 to 64 characters of A-Z a-z 0-9 . _ -)";
      },
      "ID");
  return validator;
}

bool progress_enabled() { return ::isatty(STDERR_FILENO) == 1; }

namespace {
long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(progress_enabled()) {}

void Progress::update(std::uint64_t done) {
  if (!enabled_) return;
  long long now = now_ms();
  if (now - last_time_ms_ < 250) return;
  last_time_ms_ = now;
  last_shown_ = done;
  shown_ = true;
  std::cerr << "\r" << label_ << " " << done;
  if (total_ != 0) std::cerr << "/" << total_ << " (" << (std::min(done, total_) * 100 / total_) << "%)";
  std::cerr << std::flush;
}

void Progress::relabel(std::string_view label, std::uint64_t total) {
  finish();
  label_ = std::string(label);
  total_ = total;
  last_time_ms_ = 0;
}

void Progress::finish() {
  if (enabled_ && shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

Progress::~Progress() { finish(); }

Result<contracts::Date> parse_date_option(std::string_view option, const std::string& text) {
  auto date = contracts::parse_date(text);
  if (!date) return invalid(std::string(option) + ": " + ledger::shown_text(text) + contracts::not_a_date(text));
  if (!contracts::in_accepted_years(*date)) {
    return invalid(std::string(option) + ": " + ledger::shown_text(text) + contracts::kAcceptedYearsProblem);
  }
  return *date;
}

std::string folder_argument(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string tomorrow_utc() {
  return contracts::format_date(
      contracts::Date{date::floor<date::days>(std::chrono::system_clock::now()) + date::days{1}});
}

Result<std::unique_ptr<TemporaryFolder>> TemporaryFolder::create(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + ".XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return internal_error("cannot make a temporary folder " + pattern + ": " + std::strerror(errno) +
                          " (temporary folders are made in $TMPDIR, or /tmp when it is unset)");
  }
  return std::unique_ptr<TemporaryFolder>(new TemporaryFolder(pattern));
}

TemporaryFolder::~TemporaryFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace tripartite::cli
