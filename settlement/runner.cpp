// Settlement run over the ledger. See runner.hpp.
#include "settlement/runner.hpp"

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

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

namespace {

// Pulls records of one kind ordered by subject (farmer id), a farmer at a time: the
// merge-join that keeps settlement's memory independent of the season's size.
class SubjectCursor {
 public:
  static Result<SubjectCursor> open(ledger::Store& store, const std::string& kind, const std::string& season,
                                    std::uint64_t visible) {
    ledger::RecordFilter filter{kind};
    filter.season = season;
    filter.max_seq = visible;
    filter.order_by_subject = true;
    TRIPARTITE_TRY(cursor, store.open_cursor(filter));
    SubjectCursor out(std::move(cursor));
    TRIPARTITE_CHECK(out.advance());
    return out;
  }
  // Visits the records whose subject is `subject`, skipping those of smaller subjects (farmers
  // with nothing to settle). Subjects must be asked for in increasing byte order.
  Status take(const std::string& subject, const std::function<Status(const ledger::StoredRecord&)>& visit) {
    while (pending_ && pending_->index.subject < subject) TRIPARTITE_CHECK(advance());
    while (pending_ && pending_->index.subject == subject) {
      TRIPARTITE_CHECK(visit(*pending_));
      TRIPARTITE_CHECK(advance());
    }
    return Status::success();
  }

 private:
  explicit SubjectCursor(std::unique_ptr<ledger::RecordCursor> cursor) : cursor_(std::move(cursor)) {}
  Status advance() {
    TRIPARTITE_TRY(next, cursor_->next());
    if (next && pending_ && next->index.subject < pending_->index.subject) {
      return internal_error(next->index.kind + " records are not in subject order");
    }
    pending_ = std::move(next);
    return Status::success();
  }
  std::unique_ptr<ledger::RecordCursor> cursor_;
  std::optional<ledger::StoredRecord> pending_;
};

}  // namespace

Result<RunCounts> plan_run(ledger::Store& store, const RunContext& context, const PlanSink& sink) {
  const std::string& season = context.terms.id.value;
  const std::uint64_t visible = context.visible_before_seq;
  TRIPARTITE_ASSERT(visible > 0);

  // Balances of the season's loan accounts by loan id, from the postings. The one table held
  // for the whole run (three integers per loan); loans, deliveries and past settlements are
  // read farmer by farmer, merged in farmer id order.
  std::unordered_map<std::string, LoanBalances> balances;
  TRIPARTITE_CHECK(store.scan_balances("loan:", "", visible, [&](const ledger::Balance& balance) -> Status {
    auto loan_account = parse_loan_account(balance.account);
    if (balance.asset != context.terms.currency.code || !loan_account) return Status::success();
    auto& b = balances[loan_account->loan_id];
    const std::string& part = loan_account->part;
    if (part == "principal") b.principal = balance.amount;
    if (part == "fees") b.fees = balance.amount;
    if (part == "interest") b.interest = balance.amount;
    return Status::success();
  }));
  TRIPARTITE_TRY(loans, SubjectCursor::open(store, "loan", season, visible));
  TRIPARTITE_TRY(settled, SubjectCursor::open(store, "settlement", season, visible));
  std::map<std::string, const contracts::LoanProduct*> products;
  for (const auto& product : context.terms.loan_products) products[product.id.value] = &product;

  SeasonContext season_context{&context.terms, context.market_prices};
  RunCounts counts;
  FarmerInput input;
  auto flush = [&]() -> Status {
    if (input.deliveries.empty()) return Status::success();
    const std::string& farmer = input.farmer.value;
    // The as_of of the last run that settled this farmer.
    std::optional<Date> last_settled;
    TRIPARTITE_CHECK(settled.take(farmer, [&](const ledger::StoredRecord& record) -> Status {
      auto date = contracts::parse_date(record.index.date);
      if (!date) return internal_error("settlement entry " + record.index.key + " has no valid date");
      if (!last_settled || date::sys_days(*date) > date::sys_days(*last_settled)) last_settled = *date;
      return Status::success();
    }));
    TRIPARTITE_CHECK(loans.take(farmer, [&](const ledger::StoredRecord& record) -> Status {
      TRIPARTITE_TRY(loan, contracts::decode_loan(record.body, context.terms.currency));
      if (loan.farmer.value != farmer) {
        return internal_error("loan " + loan.id.value + " is indexed under farmer " + farmer + " but names " +
                              loan.farmer.value);
      }
      auto product = products.find(loan.product.value);
      if (product == products.end()) {
        return internal_error("loan " + loan.id.value + " names product " + loan.product.value +
                              " which the season's terms do not hold");
      }
      LoanBalances b;
      if (auto found = balances.find(loan.id.value); found != balances.end()) b = found->second;
      input.loans.push_back(LoanState{std::move(loan), *product->second, b.principal, b.fees, b.interest, last_settled});
      return Status::success();
    }));
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
