// The model's free functions: identifier syntax, enum names, dates.
#include <catch2/catch.hpp>

#include "contracts/model.hpp"

using namespace tripartite::contracts;
using date::day;
using date::month;
using date::year;

TEST_CASE("identifiers are 1 to 64 characters of A-Z a-z 0-9 . _ -", "[model]") {
  CHECK(is_valid_id("F001"));
  CHECK(is_valid_id("INPUT-2026A"));
  CHECK(is_valid_id("a.b_c-D9"));
  CHECK(is_valid_id(std::string(64, 'x')));
  CHECK_FALSE(is_valid_id(""));
  CHECK_FALSE(is_valid_id(std::string(65, 'x')));
  CHECK_FALSE(is_valid_id("F 001"));
  CHECK_FALSE(is_valid_id("F001,"));
  CHECK_FALSE(is_valid_id("F/001"));
  CHECK_FALSE(is_valid_id("Fé"));
  CHECK_FALSE(is_valid_id("F001\n"));
}

TEST_CASE("roles print and parse by their SPEC names", "[model]") {
  for (Role role : {Role::offtaker, Role::lender, Role::input_supplier, Role::service_provider, Role::agent,
                    Role::authority, Role::coordinator}) {
    CHECK(parse_role(to_string(role)) == role);
  }
  CHECK(to_string(Role::input_supplier) == "input_supplier");
  CHECK_FALSE(parse_role("Offtaker").has_value());
  CHECK_FALSE(parse_role("").has_value());
}

TEST_CASE("day counts, interest methods, deduction kinds and payout methods have their SPEC names", "[model]") {
  CHECK(to_string(DayCount::act_365f) == "ACT/365F");
  CHECK(to_string(DayCount::act_360) == "ACT/360");
  CHECK(to_string(DayCount::thirty_360) == "30/360");
  for (DayCount convention : {DayCount::act_365f, DayCount::act_360, DayCount::thirty_360}) {
    CHECK(parse_day_count(to_string(convention)) == convention);
  }
  CHECK_FALSE(parse_day_count("ACT/365").has_value());
  CHECK_FALSE(parse_day_count("act/360").has_value());
  CHECK(to_string(InterestMethod::declining) == "declining");
  CHECK(to_string(InterestMethod::flat) == "flat");
  CHECK(to_string(DeductionKind::levy) == "levy");
  CHECK(to_string(DeductionKind::coalition_fee) == "coalition_fee");
  CHECK(to_string(DeductionKind::agent_commission) == "agent_commission");
  CHECK(to_string(DeductionKind::loan_repayment) == "loan_repayment");
  CHECK(to_string(PayoutMethod::mobile_money) == "mobile_money");
  CHECK(to_string(PayoutMethod::bank) == "bank");
  CHECK(to_string(PayoutMethod::cash) == "cash");
}

TEST_CASE("parse_date accepts exactly YYYY-MM-DD naming a real date", "[model]") {
  CHECK(parse_date("2026-02-28") == Date{year{2026}, month{2}, day{28}});
  CHECK(parse_date("2024-02-29") == Date{year{2024}, month{2}, day{29}});
  CHECK(parse_date("2000-02-29") == Date{year{2000}, month{2}, day{29}});
  CHECK(parse_date("2026-12-31") == Date{year{2026}, month{12}, day{31}});
  const char* refused[] = {"2026-02-30",  "2026-02-29",  "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                           "2026-01-00",  "26-03-05",    "2026-3-05",  "2026-03-5",  "2026/03/05", "2026-03-05x",
                           " 2026-03-05", "2026-03-05 ", "",           "20260305",   "2026-0a-05", "+026-03-05"};
  for (const char* text : refused) {
    INFO(text);
    CHECK_FALSE(parse_date(text).has_value());
  }
}

TEST_CASE("not_a_date says which month or day does not exist, or names the form", "[model]") {
  CHECK(not_a_date("2026-02-29") == " is not a day of the calendar (2026-02 has 28 days)");
  CHECK(not_a_date("2024-02-30") == " is not a day of the calendar (2024-02 has 29 days)");
  CHECK(not_a_date("1900-02-29") == " is not a day of the calendar (1900-02 has 28 days)");
  CHECK(not_a_date("2026-04-31") == " is not a day of the calendar (2026-04 has 30 days)");
  CHECK(not_a_date("2026-01-00") == " is not a day of the calendar (2026-01 has 31 days)");
  CHECK(not_a_date("2026-13-01") == " is not a day of the calendar (there is no month 13)");
  CHECK(not_a_date("2026-00-10") == " is not a day of the calendar (there is no month 00)");
  for (const char* text : {"26-03-05", "2026-3-05", "2026/03/05", "2026-03-05x", "", "20260305", "2026-0a-05"}) {
    INFO(text);
    CHECK(not_a_date(text) == " is not a date (YYYY-MM-DD)");
  }
}

TEST_CASE("format_date prints YYYY-MM-DD with leading zeros and round-trips", "[model]") {
  CHECK(format_date(Date{year{2026}, month{3}, day{5}}) == "2026-03-05");
  CHECK(format_date(Date{year{987}, month{1}, day{1}}) == "0987-01-01");
  for (const char* text : {"2026-02-28", "2024-02-29", "1999-12-31", "2026-10-05"}) {
    CHECK(format_date(*parse_date(text)) == text);
  }
}
