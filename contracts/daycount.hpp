// Day-count conventions as exact year fractions (after QuantLib's DayCounter, without its
// binary floating point).
//
// Invariants: a year fraction is an exact ratio days/basis of integers; the denominator is
// 365 (ACT/365F) or 360 (ACT/360, 30/360). For start > end the fraction is negative.
#pragma once

#include <cstdint>

#include "contracts/model.hpp"

namespace tripartite::contracts {

struct YearFraction {
  std::int64_t days = 0;    // numerator: actual days, or 30/360 days
  std::int64_t basis = 365; // denominator
};

// Actual days from start to end (end - start).
std::int64_t actual_days(const Date& start, const Date& end);

// ACT/365F: actual/365. ACT/360: actual/360. 30/360 (ISDA 2006 §4.16(f), bond basis):
// (360·(Y2−Y1) + 30·(M2−M1) + (D2−D1)) / 360, where D1 = 31 becomes 30, and D2 = 31 becomes
// 30 when D1 (after that change) is 30.
YearFraction year_fraction(DayCount convention, const Date& start, const Date& end);

}  // namespace tripartite::contracts
