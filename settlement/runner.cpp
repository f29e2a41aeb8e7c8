// Settlement run over the ledger. See runner.hpp.
#include "settlement/runner.hpp"

#include <map>

#include "contracts/records.hpp"
#include "settlement/posting.hpp"

namespace tripartite::settlement {
namespace {

using contracts::format_date;

struct LoanBalances {
  std::int64_t principal = 0;
  std::int64_t fees = 0;
  std::int64_t interest = 0;
};

bool is_unsettled(const contracts::Delivery& delivery, std::uint64_t seq, const RunContext& context) {
  if (date::sys_days(delivery.delivered_on) > date::sys_days(context.as_of)) return false;
  if (!context.previous_run) return true;
  const auto& previous = *context.previous_run;
  bool before_previous = seq < previous.batch_first_seq;
  bool within_previous = date::sys_days(delivery.delivered_on) <= date::sys_days(previous.run.as_of);
  return !(before_previous && within_previous);
}

}  // namespace

Result<RunContext> context_of_stored_run(ledger::Store& store, const contracts::SeasonTerms& terms,
                                         const std::vector<contracts::StoredRun>& runs, std::size_t k) {
  TRIPARTITE_ASSERT(k < runs.size());
  RunContext context;
  context.terms = terms;
  TRIPARTITE_TRY(prices, contracts::load_market_prices(store, terms.id, runs[k].batch_first_seq));
  context.market_prices = std::move(prices);
  if (k > 0) context.previous_run = runs[k - 1];
  context.run_id = runs[k].run.id;
  context.as_of = runs[k].run.as_of;
  context.visible_before_seq = runs[k].batch_first_seq;
  return context;
}

std::string run_id_for(const contracts::SeasonId& season, int number) {
  return season.value + "-R" + std::to_string(number);
}

Result<RunCounts> plan_run(ledger::Store& store, const RunContext& context, const PlanSink& sink) {
  const std::string& season = context.terms.id.value;
  const std::uint64_t visible = context.visible_before_seq;
  TRIPARTITE_ASSERT(visible > 0);

  // Loans of the season by farmer, with their balances from the postings.
  std::map<std::string, LoanBalances> balances;
  TRIPARTITE_TRY(loan_accounts, store.balances("loan:", "", visible));
  for (const auto& balance : loan_accounts) {
    auto loan_account = parse_loan_account(balance.account);
    if (balance.asset != context.terms.currency.code || !loan_account) continue;
    const std::string& id = loan_account->loan_id;
    const std::string& part = loan_account->part;
    auto& b = balances[id];
    if (part == "principal") b.principal = balance.amount;
    if (part == "fees") b.fees = balance.amount;
    if (part == "interest") b.interest = balance.amount;
  }
  std::map<std::string, std::vector<contracts::Loan>> loans_by_farmer;
  ledger::RecordFilter loan_filter{"loan"};
  loan_filter.season = season;
  loan_filter.max_seq = visible;
  TRIPARTITE_CHECK(store.scan(loan_filter, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(loan, contracts::decode_loan(record.body, context.terms.currency));
    loans_by_farmer[loan.farmer.value].push_back(std::move(loan));
    return Status::success();
  }));
  // The as_of of the last run that settled each farmer.
  std::map<std::string, Date> last_settled;
  ledger::RecordFilter settled_filter{"settlement"};
  settled_filter.season = season;
  settled_filter.max_seq = visible;
  TRIPARTITE_CHECK(store.scan(settled_filter, [&](const ledger::StoredRecord& record) -> Status {
    auto date = contracts::parse_date(record.index.date);
    if (!date) return internal_error("settlement entry " + record.index.key + " has no valid date");
    auto [it, inserted] = last_settled.emplace(record.index.subject, *date);
    if (!inserted && date::sys_days(*date) > date::sys_days(it->second)) it->second = *date;
    return Status::success();
  }));
  std::map<std::string, const contracts::LoanProduct*> products;
  for (const auto& product : context.terms.loan_products) products[product.id.value] = &product;

  SeasonContext season_context{&context.terms, context.market_prices};
  RunCounts counts;
  FarmerInput input;
  auto flush = [&]() -> Status {
    if (input.deliveries.empty()) return Status::success();
    auto loans = loans_by_farmer.find(input.farmer.value);
    if (loans != loans_by_farmer.end()) {
      auto last = last_settled.find(input.farmer.value);
      for (const auto& loan : loans->second) {
        auto product = products.find(loan.product.value);
        if (product == products.end()) {
          return internal_error("loan " + loan.id.value + " names product " + loan.product.value +
                                " which the season's terms do not hold");
        }
        const auto& b = balances[loan.id.value];
        LoanState state{loan, *product->second, b.principal, b.fees, b.interest, std::nullopt};
        if (last != last_settled.end()) state.last_settled_as_of = last->second;
        input.loans.push_back(std::move(state));
      }
    }
    TRIPARTITE_TRY(plan, plan_farmer(season_context, input, context.as_of));
    ledger::JournalEntry entry = plan_to_entry(plan, context.terms, context.run_id, context.as_of);
    counts.farmers += 1;
    counts.deliveries += static_cast<std::int64_t>(input.deliveries.size());
    TRIPARTITE_CHECK(sink(plan, entry));
    input = FarmerInput{};
    return Status::success();
  };

  ledger::RecordFilter delivery_filter{"delivery"};
  delivery_filter.season = season;
  delivery_filter.max_seq = visible;
  delivery_filter.order_by_subject = true;
  TRIPARTITE_CHECK(store.scan(delivery_filter, [&](const ledger::StoredRecord& record) -> Status {
    if (record.index.subject != input.farmer.value) {
      TRIPARTITE_CHECK(flush());
      input.farmer = contracts::FarmerId(record.index.subject);
    }
    TRIPARTITE_TRY(delivery, contracts::decode_delivery(record.body));
    if (is_unsettled(delivery, record.seq, context)) input.deliveries.push_back(std::move(delivery));
    return Status::success();
  }));
  TRIPARTITE_CHECK(flush());
  return counts;
}

}  // namespace tripartite::settlement
