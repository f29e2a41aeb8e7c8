// The domain of a season: parties, terms, farmers, commitments, loans, deliveries and
// market prices, as validated values.
//
// Invariants (established by the readers in season_reader.hpp, assumed everywhere else):
// every identifier matches [A-Za-z0-9._-]{1,64}; amounts are in the season's currency's
// minor unit; weights are whole grams; rates and prices are exact decimals (<= 8 places);
// moisture is in thousandths of a percent semantics via Decimal (<= 3 places), 0 <= m < 100;
// dates are calendar dates. Nothing here is a binary floating-point number.
#pragma once

#include <date/date.h>

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/decimal.hpp"
#include "ledger/money.hpp"

namespace tripartite::contracts {

using ledger::Currency;
using ledger::Decimal;
using ledger::Grams;
using Date = date::year_month_day;

// A distinct identifier type per kind of thing; construction is explicit so that a loan id
// cannot be passed where a farmer id is expected.
template <class Tag>
struct Id {
  std::string value;
  Id() = default;
  explicit Id(std::string text) : value(std::move(text)) {}
  friend auto operator<=>(const Id&, const Id&) = default;
  friend bool operator==(const Id&, const Id&) = default;
};
using PartyId = Id<struct PartyTag>;
using FarmerId = Id<struct FarmerTag>;
using LoanId = Id<struct LoanTag>;
using ProductId = Id<struct ProductTag>;
using DeliveryId = Id<struct DeliveryTag>;
using CommitmentId = Id<struct CommitmentTag>;
using SeasonId = Id<struct SeasonTag>;

// True when text is 1–64 characters of A–Z a–z 0–9 . _ -
bool is_valid_id(std::string_view text);
// Why is_valid_id refused the text, to follow it in a message: " is N characters long; an id
// has at most 64" when only its length is wrong, else " is not a valid id (1 to 64 …)".
std::string not_an_id(std::string_view text);

enum class Role { offtaker, lender, input_supplier, service_provider, agent, authority, coordinator };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct Party {
  PartyId id;
  Role role = Role::coordinator;
  std::string name;
};

enum class PriceMethod { fixed, floor_market };
struct PriceTerms {
  PriceMethod method = PriceMethod::fixed;
  Decimal base_per_kg;      // fixed
  Decimal floor_per_kg;     // floor_market
  Decimal market_discount;  // floor_market, 0 <= d < 1
  Decimal moisture_target_pct;
  std::map<std::string, Decimal> grade_multipliers;  // grade -> multiplier
};

enum class InterestMethod { declining, flat };
enum class DayCount { act_365f, act_360, thirty_360 };
std::string_view to_string(InterestMethod method);
std::string_view to_string(DayCount day_count);
std::optional<DayCount> parse_day_count(std::string_view text);

struct LoanProduct {
  ProductId id;
  Decimal annual_rate;
  InterestMethod method = InterestMethod::declining;
  DayCount day_count = DayCount::act_365f;
  Decimal origination_fee;  // fraction of principal
};

enum class DeductionKind { levy, coalition_fee, agent_commission, loan_repayment };
std::string_view to_string(DeductionKind kind);

struct Deduction {
  DeductionKind kind = DeductionKind::levy;
  PartyId to;                            // levy: the authority
  std::optional<Decimal> rate;           // levy, coalition_fee: fraction of gross
  std::optional<Decimal> per_kg;         // coalition_fee, agent_commission: amount per payable kg
  std::map<std::string, Decimal> shares;  // coalition_fee: party id -> share, summing to 1
  Decimal max_share_of_gross;            // loan_repayment
};

struct SeasonTerms {
  SeasonId id;
  Currency currency;
  std::string commodity;
  std::vector<Party> parties;  // in file order
  PriceTerms price;
  std::vector<LoanProduct> loan_products;
  std::vector<Deduction> deductions;  // the waterfall, in order
  // Whether the waterfall has a loan_repayment deduction that may take something (one with
  // max_share_of_gross 0 takes nothing); else runs deduct nothing for loans.
  bool deducts_loan_repayment() const;
};

enum class PayoutMethod { mobile_money, bank, cash };
std::string_view to_string(PayoutMethod method);

struct Farmer {
  FarmerId id;
  std::string name;
  std::string group_id;
  std::string phone;
  PayoutMethod payout_method = PayoutMethod::mobile_money;
  std::string payout_account;  // empty only for cash
};

struct Commitment {
  CommitmentId id;
  FarmerId farmer;
  PartyId offtaker;
  Grams quantity;
  Date signed_on;
};

struct Loan {
  LoanId id;
  FarmerId farmer;
  PartyId lender;
  ProductId product;
  std::int64_t principal_minor = 0;
  Date disbursed_on;
  Date due_on;
  std::optional<PartyId> paid_to;  // input supplier paid in kind; none = paid to the farmer
};

struct Delivery {
  DeliveryId id;
  FarmerId farmer;
  PartyId offtaker;
  std::string grade;
  Grams weight;
  std::optional<Decimal> moisture_pct;  // none = not measured
  Date delivered_on;
  std::optional<PartyId> agent;  // none = delivered directly
};

struct MarketPrice {
  Date date;
  Decimal price_per_kg;
};

// "YYYY-MM-DD" exactly, a real calendar date.
std::optional<Date> parse_date(std::string_view text);
// Why parse_date refused the text, to follow it in a message: " is not a date (YYYY-MM-DD)",
// or, for the right form naming no day, " is not a day of the calendar (2026-02 has 28 days)"
// or "… (there is no month 13)".
std::string not_a_date(std::string_view text);
std::string format_date(const Date& date);
// The years an input date may be in: 1900 to 2199. A year mistyped as 0026 or 9026 for 2026
// would charge two or seven thousand years of loan interest to a farmer's payout.
bool in_accepted_years(const Date& date);
constexpr const char* kAcceptedYearsProblem = " is outside the years 1900 to 2199 (a typing error?)";

}  // namespace tripartite::contracts
