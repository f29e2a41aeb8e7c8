// settlement.csv, payouts.csv, remittances.csv and the loan report. See outputs.hpp.
#include "settlement/outputs.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "contracts/csv_writer.hpp"
#include "contracts/daycount.hpp"
#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "ledger/crypto.hpp"
#include "settlement/posting.hpp"

namespace tripartite::settlement {
namespace {

using contracts::csv_line;
using ledger::format_units;

struct OutputFile {
  std::string final_path;
  std::string temporary_path;
  std::ofstream stream;

  Status open(const std::string& directory, const std::string& name) {
    final_path = directory + "/" + name;
    temporary_path = final_path + ".partial";
    TRIPARTITE_CHECK(ledger::check_replaceable_file(final_path));
    stream.open(temporary_path, std::ios::binary | std::ios::trunc);
    if (!stream) return invalid(temporary_path + ": cannot write");
    return Status::success();
  }
  Status close_and_publish() {
    stream.close();
    if (!stream) return internal_error(temporary_path + ": write failed");
    if (std::rename(temporary_path.c_str(), final_path.c_str()) != 0) {
      return internal_error(final_path + ": cannot rename into place");
    }
    return Status::success();
  }
  void discard() {
    if (stream.is_open()) stream.close();
    std::remove(temporary_path.c_str());
  }
};

}  // namespace

Status RunTotals::add(const FarmerPlan& plan) {
  farmers += 1;
  deliveries += static_cast<std::int64_t>(plan.deliveries.size());
  bool overflow = false;
  auto add_to = [&overflow](std::int64_t& total, std::int64_t amount) {
    overflow = __builtin_add_overflow(total, amount, &total) || overflow;
  };
  add_to(weight.grams, plan.weight_total.grams);
  add_to(payable.grams, plan.payable_total.grams);
  add_to(gross, plan.gross_minor);
  add_to(levy, plan.levy_minor);
  add_to(coalition_fee, plan.coalition_fee_minor);
  add_to(agent_commission, plan.agent_commission_minor);
  add_to(loan_repayment, plan.loan_repayment_minor);
  add_to(net_payout, plan.net_payout_minor);
  for (const auto& line : plan.deductions) {
    for (const auto& payment : line.payments) {
      if (payment.amount_minor != 0) add_to(remittances[payment.party.value], payment.amount_minor);
    }
  }
  if (overflow) {
    return invalid("the run's totals pass 2^63 minor units at farmer " + plan.farmer.value +
                   " (a 64-bit amount cannot hold them); nothing was posted");
  }
  for (const auto& loan : plan.loans) {
    std::int64_t due = loan.fees_due_minor + loan.interest_due_minor + loan.principal_due_minor;
    std::int64_t paid = loan.fees_paid_minor + loan.interest_paid_minor + loan.principal_paid_minor;
    if (due == 0) continue;  // repaid before this run: nothing to count
    if (paid == 0) {
      loans_untouched += 1;
    } else if (loan.outstanding_after_minor == 0) {
      loans_repaid += 1;
    } else {
      loans_partly += 1;
    }
  }
  return Status::success();
}

struct RunFiles::Impl {
  std::string run_id;
  contracts::SeasonTerms terms;
  std::string directory;
  OutputFile settlement;
  OutputFile payouts;
  bool finished = false;
};

Result<std::unique_ptr<RunFiles>> RunFiles::open(const std::string& directory, const std::string& run_id,
                                                 const contracts::SeasonTerms& terms) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return invalid(directory + ": cannot create (" + error.message() + ")");
  auto files = std::unique_ptr<RunFiles>(new RunFiles());
  files->impl_ = std::make_unique<Impl>();
  files->impl_->run_id = run_id;
  files->impl_->terms = terms;
  files->impl_->directory = directory;
  TRIPARTITE_CHECK(ledger::check_replaceable_file(directory + "/remittances.csv"));  // written by finish()
  TRIPARTITE_CHECK(files->impl_->settlement.open(directory, "settlement.csv"));
  TRIPARTITE_CHECK(files->impl_->payouts.open(directory, "payouts.csv"));
  files->impl_->settlement.stream << csv_line({"run_id", "farmer_id", "gross", "levy", "coalition_fee",
                                               "agent_commission", "loan_repayment", "net_payout",
                                               "loan_outstanding_after"});
  files->impl_->payouts.stream << csv_line(
      {"farmer_id", "payout_method", "payout_account", "amount", "currency", "reference"});
  return files;
}

RunFiles::~RunFiles() {
  if (impl_ && !impl_->finished) {
    impl_->settlement.discard();
    impl_->payouts.discard();
  }
}

Status RunFiles::add(const FarmerPlan& plan, const contracts::Farmer& farmer) {
  int exponent = impl_->terms.currency.exponent;
  auto money = [&](std::int64_t minor) { return format_units(minor, exponent); };
  impl_->settlement.stream << csv_line({impl_->run_id, plan.farmer.value, money(plan.gross_minor),
                                        money(plan.levy_minor), money(plan.coalition_fee_minor),
                                        money(plan.agent_commission_minor), money(plan.loan_repayment_minor),
                                        money(plan.net_payout_minor), money(plan.loan_outstanding_after_minor)});
  if (plan.net_payout_minor > 0) {
    impl_->payouts.stream << csv_line({plan.farmer.value, std::string(contracts::to_string(farmer.payout_method)),
                                       farmer.payout_account, money(plan.net_payout_minor),
                                       impl_->terms.currency.code, impl_->run_id + "-" + plan.farmer.value});
  }
  return Status::success();
}

Status RunFiles::finish(const RunTotals& totals) {
  OutputFile remittances;
  TRIPARTITE_CHECK(remittances.open(impl_->directory, "remittances.csv"));
  remittances.stream << csv_line({"party_id", "role", "amount", "currency"});
  for (const auto& [party, amount] : totals.remittances) {
    if (amount == 0) continue;
    std::string role = "unknown";
    for (const auto& p : impl_->terms.parties) {
      if (p.id.value == party) role = std::string(contracts::to_string(p.role));
    }
    remittances.stream << csv_line(
        {party, role, format_units(amount, impl_->terms.currency.exponent), impl_->terms.currency.code});
  }
  Status published = impl_->settlement.close_and_publish();
  if (published.ok()) published = impl_->payouts.close_and_publish();
  if (published.ok()) published = remittances.close_and_publish();
  if (!published.ok()) remittances.discard();  // the other two are discarded by ~RunFiles
  impl_->finished = published.ok();
  return published;
}

const char* const kLoanReportHeader =
    "loan_id,farmer_id,lender_id,principal,fees_charged,interest_accrued,repaid_fees,repaid_interest,"
    "repaid_principal,outstanding,status,due_on,days_past_due";

Result<std::vector<LoanReportRow>> loan_report(ledger::Store& store, const Date& as_of,
                                               const std::optional<std::string>& lender) {
  const std::string as_of_text = contracts::format_date(as_of);
  // Season currencies and loan products, by id.
  std::map<std::string, contracts::Currency> currencies;
  TRIPARTITE_CHECK(store.scan({"season"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(season, contracts::decode_season(record.body));
    currencies[season.terms.id.value] = season.terms.currency;
    return Status::success();
  }));
  TRIPARTITE_TRY(products, contracts::load_loan_products(store));
  // The settlements dated on or before as_of of each (season, farmer), as (seq, as_of).
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::uint64_t, Date>>> settled;
  TRIPARTITE_CHECK(store.scan({"settlement"}, [&](const ledger::StoredRecord& record) -> Status {
    if (record.index.date > as_of_text) return Status::success();
    auto date = contracts::parse_date(record.index.date);
    if (!date) return internal_error("settlement entry " + record.index.key + " has no valid date");
    settled[{record.index.season, record.index.subject}].emplace_back(record.seq, *date);
    return Status::success();
  }));

  struct Sums {
    std::int64_t fees_charged = 0, interest_charged = 0, fees_paid = 0, interest_paid = 0, principal_paid = 0;
  };
  std::map<std::string, Sums> sums;
  TRIPARTITE_CHECK(store.scan_postings("loan:", [&](const ledger::StoredPosting& stored) -> Status {
    if (stored.date > as_of_text) return Status::success();
    auto loan_account = parse_loan_account(stored.posting.account);
    if (!loan_account) return Status::success();
    const std::string& id = loan_account->loan_id;
    const std::string& tag = stored.posting.tag;
    auto& s = sums[id];
    std::int64_t amount = stored.posting.amount;
    bool overflow = false;
    if (tag == "fee_charged") overflow = __builtin_add_overflow(s.fees_charged, amount, &s.fees_charged);
    if (tag == "interest_charged") overflow = __builtin_add_overflow(s.interest_charged, amount, &s.interest_charged);
    if (tag == "fees_paid") overflow = __builtin_sub_overflow(s.fees_paid, amount, &s.fees_paid);
    if (tag == "interest_paid") overflow = __builtin_sub_overflow(s.interest_paid, amount, &s.interest_paid);
    if (tag == "principal_paid") overflow = __builtin_sub_overflow(s.principal_paid, amount, &s.principal_paid);
    if (overflow) return invalid("loan " + id + ": its " + tag + " postings do not sum to a 64-bit amount");
    return Status::success();
  }));

  std::vector<LoanReportRow> rows;
  ledger::RecordFilter filter{"loan"};
  Status status = store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
    auto currency = currencies.find(record.index.season);
    if (currency == currencies.end()) return internal_error("loan " + record.index.key + " has no season terms");
    TRIPARTITE_TRY(loan, contracts::decode_loan(record.body, currency->second));
    if (date::sys_days(loan.disbursed_on) > date::sys_days(as_of)) return Status::success();
    if (lender && loan.lender.value != *lender) return Status::success();
    auto product = products.find(loan.product.value);
    if (product == products.end()) return internal_error("loan " + loan.id.value + " names an unknown product");
    const Sums& s = sums[loan.id.value];
    LoanReportRow row;
    row.loan_id = loan.id.value;
    row.farmer_id = loan.farmer.value;
    row.lender_id = loan.lender.value;
    row.exponent = currency->second.exponent;
    row.principal = loan.principal_minor;
    row.fees_charged = s.fees_charged;
    row.repaid_fees = s.fees_paid;
    row.repaid_interest = s.interest_paid;
    row.repaid_principal = s.principal_paid;
    const std::string too_large = "loan " + loan.id.value + ": its amounts do not fit in a 64-bit amount";
    std::int64_t principal_outstanding = 0;
    if (__builtin_sub_overflow(loan.principal_minor, s.principal_paid, &principal_outstanding)) return invalid(too_large);
    LoanState state{loan, product->second, principal_outstanding, 0, 0, std::nullopt};
    auto farmer_runs = settled.find({record.index.season, loan.farmer.value});
    if (farmer_runs != settled.end()) state.last_settled_as_of = last_charged_as_of(farmer_runs->second, record.seq);
    TRIPARTITE_TRY(accrued, accrued_interest_minor(state, as_of));
    if (__builtin_add_overflow(s.interest_charged, accrued, &row.interest_accrued)) return invalid(too_large);
    const ledger::BigInt outstanding = ledger::BigInt(loan.principal_minor) + row.fees_charged + row.interest_accrued -
                                       row.repaid_fees - row.repaid_interest - row.repaid_principal;
    if (outstanding > std::numeric_limits<std::int64_t>::max() || outstanding < std::numeric_limits<std::int64_t>::min()) {
      return invalid(too_large);
    }
    row.outstanding = static_cast<std::int64_t>(outstanding);
    row.due_on = contracts::format_date(loan.due_on);
    std::int64_t past_due = contracts::actual_days(loan.due_on, as_of);
    if (row.outstanding == 0) {
      row.status = "repaid";
    } else if (past_due > 0) {
      row.status = "arrears";
      row.days_past_due = past_due;
    } else {
      row.status = "open";
    }
    rows.push_back(std::move(row));
    return Status::success();
  });
  TRIPARTITE_CHECK(status);
  std::sort(rows.begin(), rows.end(),
            [](const LoanReportRow& a, const LoanReportRow& b) { return a.loan_id < b.loan_id; });
  return rows;
}

std::string loan_report_csv(const std::vector<LoanReportRow>& rows) {
  std::string out = std::string(kLoanReportHeader) + "\n";
  for (const auto& row : rows) {
    auto money = [&](std::int64_t minor) { return format_units(minor, row.exponent); };
    out += csv_line({row.loan_id, row.farmer_id, row.lender_id, money(row.principal), money(row.fees_charged),
                     money(row.interest_accrued), money(row.repaid_fees), money(row.repaid_interest),
                     money(row.repaid_principal), money(row.outstanding), row.status, row.due_on,
                     std::to_string(row.days_past_due)});
  }
  return out;
}

}  // namespace tripartite::settlement
