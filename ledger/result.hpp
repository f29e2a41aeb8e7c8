// The one error model of Tripartite (see docs/architecture.md, "Error model").
//
// Expected failures are values: every function that can fail for reasons outside the
// program (bad input, a refused signature, a busy database) returns `Result<T>` or
// `Status`, both [[nodiscard]]. An `Error` carries a stable numeric `ErrorKind` that the
// command line maps to an exit status, and one human sentence. Validation of input files
// collects every problem as a `Diagnostic` (file, line, field, message) instead of stopping
// at the first. Programmer errors (a broken invariant) are `TRIPARTITE_ASSERT`s that stay
// on in every build and abort with the condition and its place.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tripartite {

// Stable, never reused. The command line maps them to exit statuses (SPEC §7).
enum class ErrorKind : int {
  usage = 1,           // exit 1
  invalid_input = 2,   // exit 2: bad file, bad reference, refused batch
  verification = 3,    // exit 3: the ledger or an export does not verify
  internal = 4,        // exit 4: a broken invariant, an I/O or database failure
  reconciliation = 5,  // exit 5: reconciliation found differences
};

struct [[nodiscard]] Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
};

inline Error invalid(std::string message) { return Error{ErrorKind::invalid_input, std::move(message)}; }
inline Error internal_error(std::string message) { return Error{ErrorKind::internal, std::move(message)}; }
inline Error verification_error(std::string message) {
  return Error{ErrorKind::verification, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}      // NOLINT: implicit by design
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design
  static Status success() { return Status(); }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

// One problem found in an input file. line is the physical line where the record starts
// (CSV header = line 1) or the line of the offending TOML key; 0 when the file as a whole
// is at fault.
struct Diagnostic {
  std::string file;
  int line = 0;
  std::string field;
  std::string message;
  // On the closing "N more errors not shown" line of a file: N (the line stands for them).
  std::size_t not_shown = 0;
  std::string format() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!field.empty()) out += field + ": ";
    out += message;
    return out;
  }
};
using Diagnostics = std::vector<Diagnostic>;

// How many problems the diagnostics stand for: each line one, a closing "N more errors not
// shown" line its N.
inline std::size_t problem_count(const Diagnostics& diagnostics) {
  std::size_t count = 0;
  for (const auto& diagnostic : diagnostics) count += diagnostic.not_shown != 0 ? diagnostic.not_shown : 1;
  return count;
}

// "N problem(s) in WHERE; nothing was WHAT", or with lines not shown "N problem(s) in WHERE
// (M of them not shown); nothing was WHAT".
inline std::string problems_summary(const Diagnostics& diagnostics, const std::string& where, const std::string& what) {
  std::size_t hidden = 0;
  for (const auto& diagnostic : diagnostics) hidden += diagnostic.not_shown;
  std::string out = std::to_string(problem_count(diagnostics)) + " problem(s) in " + where;
  if (hidden != 0) out += " (" + std::to_string(hidden) + " of them not shown)";
  return out + "; nothing was " + what;
}

[[noreturn]] inline void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "tripartite: internal error: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::abort();
}

}  // namespace tripartite

#define TRIPARTITE_ASSERT(condition) \
  ((condition) ? static_cast<void>(0) : ::tripartite::assertion_failed(#condition, __FILE__, __LINE__))

#define TRIPARTITE_TRY(var, expr)                        \
  auto var##_result_ = (expr);                           \
  if (!var##_result_.ok()) return var##_result_.error(); \
  auto var = std::move(var##_result_).value()

#define TRIPARTITE_CONCAT_INNER(a, b) a##b
#define TRIPARTITE_CONCAT(a, b) TRIPARTITE_CONCAT_INNER(a, b)
#define TRIPARTITE_CHECK(expr) TRIPARTITE_CHECK_NAMED(TRIPARTITE_CONCAT(status_, __COUNTER__), expr)
#define TRIPARTITE_CHECK_NAMED(name, expr)   \
  do {                                       \
    auto name = (expr);                      \
    if (!name.ok()) return name.error();     \
  } while (0)
