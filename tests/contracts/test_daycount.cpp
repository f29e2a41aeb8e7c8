// Day counts against published examples: the 2006 ISDA Definitions §4.16(f) worked
// examples for 30/360 (bond basis, ISDA's "30-360-2006ISDADefs.xls", the same table QuantLib
// tests against) and actual-day counts for ACT/365F and ACT/360.
#include <catch2/catch.hpp>

#include "contracts/daycount.hpp"

using namespace tripartite::contracts;

namespace {

Date on(const char* text) {
  auto parsed = parse_date(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

struct DayCountCase {
  const char* start;
  const char* end;
  std::int64_t days;
};

}  // namespace

TEST_CASE("30/360 bond basis matches the ISDA 2006 worked examples", "[daycount]") {
  const DayCountCase cases[] = {
      // Example 1: end dates not on the last day of February.
      {"2006-08-20", "2007-02-20", 180},
      {"2007-02-20", "2007-08-20", 180},
      {"2007-08-20", "2008-02-20", 180},
      {"2008-02-20", "2008-08-20", 180},
      {"2008-08-20", "2009-02-20", 180},
      {"2009-02-20", "2009-08-20", 180},
      // Example 2: some end-February dates (February is not adjusted in the bond basis).
      {"2006-08-31", "2007-02-28", 178},
      {"2007-02-28", "2007-08-31", 183},
      {"2007-08-31", "2008-02-29", 179},
      {"2008-02-29", "2008-08-31", 182},
      {"2008-08-31", "2009-02-28", 178},
      {"2009-02-28", "2009-08-31", 183},
      // Example 3: miscellaneous.
      {"2006-01-31", "2006-02-28", 28},
      {"2006-01-30", "2006-02-28", 28},
      {"2006-02-28", "2006-03-03", 5},
      {"2006-02-14", "2006-02-28", 14},
      {"2006-09-30", "2006-10-31", 30},
      {"2006-10-31", "2006-11-28", 28},
      {"2007-08-31", "2008-02-28", 178},
      {"2008-02-28", "2008-08-28", 180},
      {"2008-02-28", "2008-08-30", 182},
      {"2008-02-28", "2008-08-31", 183},
      {"2007-02-26", "2008-02-28", 362},
      {"2007-02-26", "2008-02-29", 363},
      {"2008-02-29", "2009-02-28", 359},
      {"2008-02-28", "2008-03-30", 32},
      {"2008-02-28", "2008-03-31", 33},
  };
  for (const auto& example : cases) {
    INFO(example.start << " to " << example.end);
    auto fraction = year_fraction(DayCount::thirty_360, on(example.start), on(example.end));
    CHECK(fraction.days == example.days);
    CHECK(fraction.basis == 360);
  }
}

TEST_CASE("30/360 month ends: D1 = 31 becomes 30, D2 = 31 only when D1 is then 30", "[daycount]") {
  const DayCountCase cases[] = {
      {"2024-01-31", "2024-03-31", 60},  // both 31sts become 30
      {"2026-02-28", "2026-03-31", 33},  // D1 = 28: D2 stays 31
      {"2024-02-29", "2024-03-31", 32},  // leap-year February end is not adjusted
      {"2024-01-30", "2024-03-31", 60},  // D1 = 30: D2 31 -> 30
      {"2024-01-15", "2024-03-31", 76},  // D1 = 15: D2 stays 31
      {"2024-03-31", "2024-04-30", 30}, {"2025-12-31", "2026-12-31", 360}, {"2026-03-01", "2026-08-31", 180},
      {"2026-03-01", "2026-03-01", 0},  {"2026-03-31", "2026-01-31", -60},  // start after end: negative
  };
  for (const auto& example : cases) {
    INFO(example.start << " to " << example.end);
    CHECK(year_fraction(DayCount::thirty_360, on(example.start), on(example.end)).days == example.days);
  }
}

TEST_CASE("ACT/365F and ACT/360 count actual days over a fixed basis", "[daycount]") {
  const DayCountCase cases[] = {
      {"2026-03-01", "2026-08-31", 183},                                    // the reference season's L001, run 1
      {"2026-08-31", "2026-10-31", 61},                                     // the reference season's run 2
      {"2024-01-01", "2025-01-01", 366},                                    // a leap year
      {"2025-01-01", "2026-01-01", 365}, {"2024-02-28", "2024-03-01", 2},   // through 29 February
      {"2023-02-28", "2023-03-01", 1},   {"2007-01-15", "2007-02-15", 31},  // ISDA 2006 ACT/360 examples
      {"2007-01-15", "2007-07-15", 181}, {"2007-09-30", "2008-03-31", 183}, {"2007-09-30", "2008-09-30", 366},
      {"2026-03-01", "2026-03-01", 0},   {"2026-03-10", "2026-03-01", -9},
  };
  for (const auto& example : cases) {
    INFO(example.start << " to " << example.end);
    auto start = on(example.start);
    auto end = on(example.end);
    CHECK(actual_days(start, end) == example.days);
    auto act365 = year_fraction(DayCount::act_365f, start, end);
    CHECK(act365.days == example.days);
    CHECK(act365.basis == 365);
    auto act360 = year_fraction(DayCount::act_360, start, end);
    CHECK(act360.days == example.days);
    CHECK(act360.basis == 360);
  }
}
