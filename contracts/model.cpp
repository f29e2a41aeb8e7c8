// The free functions of the domain model: identifier syntax, enum names, calendar dates.
//
// Invariants: every name printed by a `to_string` is parsed back by the matching parser, and
// only those names are accepted; `parse_date` accepts exactly ten characters `YYYY-MM-DD`
// naming a real proleptic-Gregorian date, and `format_date(parse_date(t)) == t`.
#include "contracts/model.hpp"

#include <algorithm>
#include <array>

namespace tripartite::contracts {
namespace {

constexpr std::size_t kMaximumIdLength = 64;

bool is_id_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The value of `count` ASCII digits starting at `text[first]`. REQUIRES: they are digits.
unsigned digits_value(std::string_view text, std::size_t first, std::size_t count) {
  unsigned value = 0;
  for (std::size_t i = first; i < first + count; ++i) value = value * 10 + static_cast<unsigned>(text[i] - '0');
  return value;
}

constexpr std::array<std::string_view, 7> kRoleNames{"offtaker", "lender",    "input_supplier", "service_provider",
                                                     "agent",    "authority", "coordinator"};

}  // namespace

bool is_valid_id(std::string_view text) {
  if (text.empty() || text.size() > kMaximumIdLength) return false;
  for (char c : text) {
    if (!is_id_character(c)) return false;
  }
  return true;
}

std::string not_an_id(std::string_view text) {
  if (text.size() > kMaximumIdLength && std::all_of(text.begin(), text.end(), is_id_character)) {
    return " is " + std::to_string(text.size()) + " characters long; an id has at most " +
           std::to_string(kMaximumIdLength);
  }
  return " is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ -)";
}

std::string_view to_string(Role role) {
  auto index = static_cast<std::size_t>(role);
  TRIPARTITE_ASSERT(index < kRoleNames.size());
  return kRoleNames[index];
}

std::optional<Role> parse_role(std::string_view text) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == text) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string_view to_string(InterestMethod method) {
  switch (method) {
    case InterestMethod::declining:
      return "declining";
    case InterestMethod::flat:
      return "flat";
  }
  TRIPARTITE_ASSERT(false && "unknown interest method");
  return {};
}

std::string_view to_string(DayCount day_count) {
  switch (day_count) {
    case DayCount::act_365f:
      return "ACT/365F";
    case DayCount::act_360:
      return "ACT/360";
    case DayCount::thirty_360:
      return "30/360";
  }
  TRIPARTITE_ASSERT(false && "unknown day count");
  return {};
}

std::optional<DayCount> parse_day_count(std::string_view text) {
  for (DayCount candidate : {DayCount::act_365f, DayCount::act_360, DayCount::thirty_360}) {
    if (to_string(candidate) == text) return candidate;
  }
  return std::nullopt;
}

std::string_view to_string(DeductionKind kind) {
  switch (kind) {
    case DeductionKind::levy:
      return "levy";
    case DeductionKind::coalition_fee:
      return "coalition_fee";
    case DeductionKind::agent_commission:
      return "agent_commission";
    case DeductionKind::loan_repayment:
      return "loan_repayment";
  }
  TRIPARTITE_ASSERT(false && "unknown deduction kind");
  return {};
}

std::string_view to_string(PayoutMethod method) {
  switch (method) {
    case PayoutMethod::mobile_money:
      return "mobile_money";
    case PayoutMethod::bank:
      return "bank";
    case PayoutMethod::cash:
      return "cash";
  }
  TRIPARTITE_ASSERT(false && "unknown payout method");
  return {};
}

std::optional<Date> parse_date(std::string_view text) {
  // Checked by hand rather than with date::parse("%F"), which accepts "26-03-05" and
  // leaves trailing text unread (TOOLCHAIN.md).
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (!is_digit(text[i])) return std::nullopt;
  }
  Date date{date::year{static_cast<int>(digits_value(text, 0, 4))}, date::month{digits_value(text, 5, 2)},
            date::day{digits_value(text, 8, 2)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string not_a_date(std::string_view text) {
  const std::string form = " is not a date (YYYY-MM-DD)";
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return form;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (!is_digit(text[i])) return form;
  }
  const unsigned month = digits_value(text, 5, 2);
  if (month < 1 || month > 12)
    return " is not a day of the calendar (there is no month " + std::string(text.substr(5, 2)) + ")";
  const date::year_month_day_last last{date::year{static_cast<int>(digits_value(text, 0, 4))} / date::month{month} /
                                       date::last};
  return " is not a day of the calendar (" + std::string(text.substr(0, 7)) + " has " +
         std::to_string(static_cast<unsigned>(last.day())) + " days)";
}

bool SeasonTerms::deducts_loan_repayment() const {
  for (const auto& deduction : deductions) {
    if (deduction.kind == DeductionKind::loan_repayment && !deduction.max_share_of_gross.is_zero()) return true;
  }
  return false;
}

bool in_accepted_years(const Date& date) { return date.year() >= date::year{1900} && date.year() <= date::year{2199}; }

std::string format_date(const Date& date) {
  TRIPARTITE_ASSERT(date.ok());
  int year = static_cast<int>(date.year());
  TRIPARTITE_ASSERT(year >= 0 && year <= 9999);
  unsigned month = static_cast<unsigned>(date.month());
  unsigned day = static_cast<unsigned>(date.day());
  std::string text = "0000-00-00";
  auto put = [&text](std::size_t last, unsigned value, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      text[last - i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(3, static_cast<unsigned>(year), 4);
  put(6, month, 2);
  put(9, day, 2);
  return text;
}

}  // namespace tripartite::contracts
