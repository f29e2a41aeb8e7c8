// Day counts. See daycount.hpp.
#include "contracts/daycount.hpp"

namespace tripartite::contracts {

std::int64_t actual_days(const Date& start, const Date& end) {
  return (date::sys_days(end) - date::sys_days(start)).count();
}

YearFraction year_fraction(DayCount convention, const Date& start, const Date& end) {
  switch (convention) {
    case DayCount::act_365f:
      return YearFraction{actual_days(start, end), 365};
    case DayCount::act_360:
      return YearFraction{actual_days(start, end), 360};
    case DayCount::thirty_360: {
      std::int64_t y1 = static_cast<int>(start.year());
      std::int64_t y2 = static_cast<int>(end.year());
      std::int64_t m1 = static_cast<unsigned>(start.month());
      std::int64_t m2 = static_cast<unsigned>(end.month());
      std::int64_t d1 = static_cast<unsigned>(start.day());
      std::int64_t d2 = static_cast<unsigned>(end.day());
      if (d1 == 31) d1 = 30;
      if (d2 == 31 && d1 == 30) d2 = 30;
      return YearFraction{360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1), 360};
    }
  }
  TRIPARTITE_ASSERT(false && "unknown day count");
  return {};
}

}  // namespace tripartite::contracts
