// Settlement run over the ledger. See runner.hpp.
#include "settlement/runner.hpp"

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "ledger/chunk_pipeline.hpp"
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
    while (has_pending_ && pending_.index.subject < subject) TRIPARTITE_CHECK(advance());
    while (has_pending_ && pending_.index.subject == subject) {
      TRIPARTITE_CHECK(visit(pending_));
      TRIPARTITE_CHECK(advance());
    }
    return Status::success();
  }

 private:
  explicit SubjectCursor(std::unique_ptr<ledger::RecordCursor> cursor) : cursor_(std::move(cursor)) {}
  // Reads the next record into next_, then swaps it in: two records' memory, reused.
  Status advance() {
    TRIPARTITE_TRY(more, cursor_->next_into(next_));
    if (more && has_pending_ && next_.index.subject < pending_.index.subject) {
      return internal_error(next_.index.kind + " records are not in subject order");
    }
    std::swap(pending_, next_);
    has_pending_ = more;
    return Status::success();
  }
  std::unique_ptr<ledger::RecordCursor> cursor_;
  ledger::StoredRecord pending_;
  ledger::StoredRecord next_;
  bool has_pending_ = false;
};

}  // namespace

namespace {

// One farmer's inputs as read from the store on the main thread (raw records; decoding and
// planning happen in plan_farmer_work, on the second core). The records' bytes are copied
// into one buffer, so that a farmer costs a few allocations instead of one per record: the
// main thread makes them and the second core frees them, and allocations passed between
// threads one by one are slow.
struct FarmerWork {
  struct Record {
    std::uint64_t seq = 0;
    std::size_t offset = 0;  // in bytes
    std::size_t size = 0;
  };
  std::string farmer;
  std::string bytes;
  std::vector<Record> deliveries;
  std::vector<Record> loans;
  std::vector<LoanBalances> balances;  // one per loan, same order
  // (seq, as_of) of the farmer's settlement entries of earlier runs: a loan's interest
  // accrues from the last run that settled the farmer after the loan was recorded
  // (last_charged_as_of).
  std::vector<std::pair<std::uint64_t, Date>> settled;
};

struct FarmerResult {
  Status status;
  bool planned = false;  // false: no delivery of the farmer is unsettled at this run
  std::size_t deliveries = 0;
  FarmerPlan plan;
  ledger::JournalEntry entry;
  contracts::EncodedRecord encoded;
};

struct PlanInputs {
  const RunContext* context;
  SeasonContext season;
  std::map<std::string, contracts::LoanProduct> products;  // the ledger's, by id
};

// Pure: decodes, plans and encodes one farmer. No store, no shared mutable state.
FarmerResult plan_farmer_work(const PlanInputs& inputs, FarmerWork work) {
  FarmerResult out;
  const RunContext& context = *inputs.context;
  FarmerInput input;
  input.farmer = contracts::FarmerId(work.farmer);
  const std::string_view bytes = work.bytes;
  auto body = [&bytes](const FarmerWork::Record& record) { return bytes.substr(record.offset, record.size); };
  for (const auto& record : work.deliveries) {
    auto delivery = contracts::decode_delivery(body(record));
    if (!delivery) {
      out.status = delivery.error();
      return out;
    }
    if (is_unsettled(*delivery, record.seq, context)) input.deliveries.push_back(std::move(*delivery));
  }
  if (input.deliveries.empty()) return out;
  for (std::size_t i = 0; i < work.loans.size(); ++i) {
    auto loan = contracts::decode_loan(body(work.loans[i]), context.terms.currency);
    if (!loan) {
      out.status = loan.error();
      return out;
    }
    if (loan->farmer.value != work.farmer) {
      out.status = internal_error("loan " + loan->id.value + " is indexed under farmer " + work.farmer +
                                  " but names " + loan->farmer.value);
      return out;
    }
    auto product = inputs.products.find(loan->product.value);
    if (product == inputs.products.end()) {
      out.status = internal_error("loan " + loan->id.value + " names product " + loan->product.value +
                                  " which is not in the ledger");
      return out;
    }
    const LoanBalances& b = work.balances[i];
    auto last_charged = last_charged_as_of(work.settled, work.loans[i].seq);
    input.loans.push_back(LoanState{std::move(*loan), product->second, b.principal, b.fees, b.interest, last_charged});
  }
  auto plan = plan_farmer(inputs.season, input, context.as_of);
  if (!plan) {
    out.status = plan.error();
    return out;
  }
  out.planned = true;
  out.deliveries = input.deliveries.size();
  out.entry = plan_to_entry(*plan, context.terms, context.run_id, context.as_of);
  out.encoded = contracts::encode_entry(out.entry);
  out.plan = std::move(*plan);
  return out;
}

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

  // A loan may name a product of an earlier season's terms, recorded in the ledger then.
  TRIPARTITE_TRY(products, contracts::load_loan_products(store, visible));
  PlanInputs inputs{&context, SeasonContext{&context.terms, context.market_prices}, std::move(products)};
  RunCounts counts;
  // Farmers are decoded, planned and encoded on a second core in chunks; the sink sees them
  // here, in farmer order, while the next chunk is read.
  ledger::ChunkPipeline<FarmerWork, FarmerResult> pipeline(
      256, [&inputs](FarmerWork work) { return plan_farmer_work(inputs, std::move(work)); },
      [&](const FarmerResult& result) -> Status {
        TRIPARTITE_CHECK(result.status);
        if (!result.planned) return Status::success();
        counts.farmers += 1;
        counts.deliveries += static_cast<std::int64_t>(result.deliveries);
        return sink(result.plan, result.entry, result.encoded);
      });
  FarmerWork work;
  auto flush = [&]() -> Status {
    if (work.deliveries.empty()) return Status::success();
    TRIPARTITE_CHECK(settled.take(work.farmer, [&](const ledger::StoredRecord& record) -> Status {
      auto date = contracts::parse_date(record.index.date);
      if (!date) return internal_error("settlement entry " + record.index.key + " has no valid date");
      work.settled.emplace_back(record.seq, *date);
      return Status::success();
    }));
    TRIPARTITE_CHECK(loans.take(work.farmer, [&](const ledger::StoredRecord& record) -> Status {
      LoanBalances b;
      if (auto found = balances.find(record.index.key); found != balances.end()) b = found->second;
      work.balances.push_back(b);
      work.loans.push_back(FarmerWork::Record{record.seq, work.bytes.size(), record.body.size()});
      work.bytes += record.body;
      return Status::success();
    }));
    TRIPARTITE_CHECK(pipeline.add(std::move(work)));
    work = FarmerWork{};
    return Status::success();
  };

  ledger::RecordFilter delivery_filter{"delivery"};
  delivery_filter.season = season;
  delivery_filter.max_seq = visible;
  delivery_filter.order_by_subject = true;
  TRIPARTITE_TRY(deliveries, store.open_cursor(delivery_filter));
  ledger::StoredRecord record;  // one for every row: its memory is reused
  while (true) {
    TRIPARTITE_TRY(more, deliveries->next_into(record));
    if (!more) break;
    if (record.index.subject != work.farmer) {
      TRIPARTITE_CHECK(flush());
      work.farmer = record.index.subject;
    }
    work.deliveries.push_back(FarmerWork::Record{record.seq, work.bytes.size(), record.body.size()});
    work.bytes += record.body;
  }
  TRIPARTITE_CHECK(flush());
  TRIPARTITE_CHECK(pipeline.finish());
  return counts;
}

}  // namespace tripartite::settlement
