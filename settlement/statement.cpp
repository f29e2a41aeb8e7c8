// Farmer statements. See statement.hpp.
//
// Invariants: every number shown comes from a plan re-derived by plan_run and checked
// byte for byte against the posted settlement entry before it is visited; formatting is
// pure (the same statement always gives the same text, CSV, JSON and SMS).
#include "settlement/statement.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "contracts/csv_writer.hpp"
#include "contracts/repository.hpp"
#include "settlement/runner.hpp"

namespace tripartite::settlement {
namespace {

using contracts::DeductionKind;
using contracts::PayoutMethod;
using ledger::format_units;

std::string kg_text(std::int64_t grams) { return format_units(grams, 3); }

// An exact unit price, with trailing zeros removed down to `minimum_decimals`.
std::string price_text(const UnitPrice& price, int minimum_decimals) {
  std::string text = price.to_string(std::max(price.scale, minimum_decimals));
  auto point = text.find('.');
  if (point == std::string::npos) return text;
  std::size_t keep = point + 1 + static_cast<std::size_t>(minimum_decimals);
  while (text.size() > keep && text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string deduction_label(DeductionKind kind) {
  switch (kind) {
    case DeductionKind::levy:
      return "levy";
    case DeductionKind::coalition_fee:
      return "coalition fee";
    case DeductionKind::agent_commission:
      return "agent commission";
    case DeductionKind::loan_repayment:
      return "loan repayment";
  }
  return "deduction";
}

std::string party_name(const contracts::SeasonTerms& terms, const std::string& id) {
  for (const auto& party : terms.parties) {
    if (party.id.value == id) return party.name;
  }
  return std::string();
}

std::string party_with_name(const contracts::SeasonTerms& terms, const std::string& id) {
  std::string name = party_name(terms, id);
  return name.empty() ? id : id + " (" + name + ")";
}

std::string offtaker_id(const contracts::SeasonTerms& terms) {
  for (const auto& party : terms.parties) {
    if (party.role == contracts::Role::offtaker) return party.id.value;
  }
  return std::string();
}

std::string moisture_text(const contracts::Delivery& delivery) {
  return delivery.moisture_pct ? delivery.moisture_pct->rescaled(3).to_string() : std::string();
}

std::string where_paid(const contracts::Farmer& farmer) {
  switch (farmer.payout_method) {
    case PayoutMethod::mobile_money:
      return "by mobile money to " + farmer.payout_account;
    case PayoutMethod::bank:
      return "by bank transfer to account " + farmer.payout_account;
    case PayoutMethod::cash:
      return "in cash";
  }
  return std::string();
}

// A table in aligned columns; `right` marks the numeric (right-aligned) columns. Lines carry
// no trailing spaces.
std::string render_table(const std::vector<std::string>& header, const std::vector<bool>& right,
                         const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line = indent;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : std::string();
      if (i > 0) line += "  ";
      std::string padding(widths[i] - cell.size(), ' ');
      line += right[i] ? padding + cell : cell + padding;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

std::int64_t deductions_total(const FarmerPlan& plan) {
  return plan.levy_minor + plan.coalition_fee_minor + plan.agent_commission_minor + plan.loan_repayment_minor;
}

// Bytes outside printable ASCII become '?'.
std::string ascii(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    out.push_back(byte >= 0x20 && byte < 0x7F ? c : '?');
  }
  return out;
}

}  // namespace

// ---- re-deriving --------------------------------------------------------------------------

Status for_each_statement(ledger::Store& store, const StatementQuery& query, const StatementVisitor& visit,
                          const std::function<void(std::uint64_t)>& progress) {
  TRIPARTITE_ASSERT(query.farmer.has_value() || query.run.has_value());
  std::vector<std::string> run_ids;
  if (query.farmer) {
    const std::string& farmer = *query.farmer;
    TRIPARTITE_TRY(farmer_record, store.find("farmer", farmer));
    if (!farmer_record) return invalid("--farmer: farmer " + farmer + " is not in the ledger");
    std::set<std::string> settled_in;
    ledger::RecordFilter filter{"settlement"};
    filter.subject = farmer;
    TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
      const std::string& key = record.index.key;  // "<run>-<farmer>"
      const std::string suffix = "-" + farmer;
      if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return internal_error("settlement entry " + key + " is filed under farmer " + farmer);
      }
      settled_in.insert(key.substr(0, key.size() - suffix.size()));
      return Status::success();
    }));
    if (query.run) {
      TRIPARTITE_TRY(run_record, store.find("run", *query.run));
      if (!run_record) return invalid("--run: run " + *query.run + " is not in the ledger");
      if (settled_in.count(*query.run) == 0) {
        return invalid("farmer " + farmer + " was not settled in run " + *query.run +
                       " (no delivery of it was paid there)");
      }
      run_ids.push_back(*query.run);
    } else {
      if (settled_in.empty()) return invalid("farmer " + farmer + " has not been settled in any run yet");
      run_ids.assign(settled_in.begin(), settled_in.end());
    }
  } else {
    run_ids.push_back(*query.run);
  }

  std::map<std::string, contracts::SeasonTerms> terms_by_season;
  for (const auto& run_id : run_ids) {
    TRIPARTITE_TRY(run_record, store.find("run", run_id));
    if (!run_record) return invalid("--run: run " + run_id + " is not in the ledger");
    TRIPARTITE_TRY(run, contracts::decode_run(run_record->body));
    const contracts::SeasonId& season = run.season;
    if (terms_by_season.count(season.value) == 0) {
      TRIPARTITE_TRY(loaded, contracts::load_terms(store, season));
      terms_by_season.emplace(season.value, std::move(loaded));
    }
    const contracts::SeasonTerms& terms = terms_by_season.at(season.value);
    TRIPARTITE_TRY(runs, contracts::load_runs(store, season));
    std::size_t k = 0;
    while (k < runs.size() && runs[k].run.id != run_id) ++k;
    if (k == runs.size()) return internal_error("run " + run_id + " is missing from its season's runs");
    const contracts::StoredRun& stored = runs[k];

    // The context exactly as `verify --replay` (settlement/replay.cpp) builds it.
    TRIPARTITE_TRY(context, context_of_stored_run(store, terms, runs, k));

    bool farmer_seen = false;
    std::uint64_t planned = 0;
    auto refuse = [&](const std::string& why) {
      return verification_error(
          "refusing the statement: " + why +
          "; the ledger does not follow its own terms (run `tripartite verify --db ... --replay`)");
    };
    auto counts = plan_run(store, context, [&](const FarmerPlan& plan, const ledger::JournalEntry& entry,
                                               const contracts::EncodedRecord& encoded) -> Status {
      planned += 1;
      if (progress) progress(planned);
      if (query.farmer && plan.farmer.value != *query.farmer) return Status::success();
      farmer_seen = true;
      TRIPARTITE_TRY(posted, store.find(encoded.index.kind, encoded.index.key));
      if (!posted) return refuse("run " + run_id + " should have posted entry " + entry.id + " and did not");
      if (posted->seq < stored.batch_first_seq || posted->seq > stored.seq) {
        return refuse("entry " + entry.id + " (record " + std::to_string(posted->seq) + ") is outside the run's batch");
      }
      if (posted->body != encoded.body) {
        return refuse("the re-derived settlement of " + plan.farmer.value + " in run " + run_id +
                      " differs from the posted entry (record " + std::to_string(posted->seq) + ")");
      }
      FarmerRunStatement statement;
      TRIPARTITE_TRY(farmer_record, store.find("farmer", plan.farmer.value));
      if (!farmer_record) return internal_error("farmer " + plan.farmer.value + " is not in the ledger");
      TRIPARTITE_TRY(farmer, contracts::decode_farmer(farmer_record->body));
      statement.farmer = std::move(farmer);
      for (const auto& line : plan.deliveries) {
        TRIPARTITE_TRY(delivery_record, store.find("delivery", line.delivery.value));
        if (!delivery_record) return internal_error("delivery " + line.delivery.value + " is not in the ledger");
        TRIPARTITE_TRY(delivery, contracts::decode_delivery(delivery_record->body));
        statement.deliveries.push_back(std::move(delivery));
      }
      for (const auto& allocation : plan.loans) {
        TRIPARTITE_TRY(loan_record, store.find("loan", allocation.loan.value));
        if (!loan_record) return internal_error("loan " + allocation.loan.value + " is not in the ledger");
        TRIPARTITE_TRY(loan, contracts::decode_loan(loan_record->body, terms.currency));
        statement.loans.push_back(std::move(loan));
      }
      statement.run = stored.run;
      statement.terms = &terms;
      statement.plan = plan;
      statement.entry_seq = posted->seq;
      return visit(statement);
    });
    if (!counts) return counts.error();
    if (query.farmer && !farmer_seen) {
      return refuse("farmer " + *query.farmer + " has an entry in run " + run_id +
                    " but the terms settle nothing for it");
    }
  }
  return Status::success();
}

// ---- text ---------------------------------------------------------------------------------

std::string statement_text(const FarmerRunStatement& statement) {
  TRIPARTITE_ASSERT(statement.terms != nullptr);
  const contracts::SeasonTerms& terms = *statement.terms;
  const FarmerPlan& plan = statement.plan;
  const int exponent = terms.currency.exponent;
  auto money = [&](std::int64_t minor) { return format_units(minor, exponent); };
  const std::string as_of = contracts::format_date(statement.run.as_of);

  std::string out;
  out += "Settlement statement for farmer " + statement.farmer.id.value;
  if (!statement.farmer.name.empty()) out += " (" + statement.farmer.name + ")";
  out += "\n";
  out += "Run " + statement.run.id + " of season " + terms.id.value + ", settled as of " + as_of + " by " +
         party_with_name(terms, offtaker_id(terms)) + "\n";
  out += "Amounts in " + terms.currency.code + ", weights in kg of " + terms.commodity + ".\n";

  // Deliveries.
  out += "\nDeliveries\n";
  std::vector<std::vector<std::string>> rows;
  bool unmeasured = false;
  for (std::size_t i = 0; i < plan.deliveries.size(); ++i) {
    const DeliveryLine& line = plan.deliveries[i];
    const contracts::Delivery& delivery = statement.deliveries[i];
    std::string moisture = moisture_text(delivery);
    if (moisture.empty()) {
      moisture = "-";
      unmeasured = true;
    }
    rows.push_back({line.delivery.value, contracts::format_date(line.delivered_on), line.grade,
                    line.agent ? line.agent->value : std::string("direct"), line.weight.to_kg_string(), moisture,
                    line.payable.to_kg_string(), price_text(line.unit_price, exponent), money(line.value_minor)});
  }
  rows.push_back({"total", "", "", "", plan.weight_total.to_kg_string(), "", plan.payable_total.to_kg_string(), "",
                  money(plan.gross_minor)});
  out += render_table(
      {"delivery", "delivered on", "grade", "agent", "weight kg", "moisture %", "payable kg", "price per kg", "value"},
      {false, false, false, false, true, true, true, true, true}, rows, "  ");
  const std::string target = contracts::normalised_decimal(terms.price.moisture_target_pct);
  out += "  Payable kg: a delivery wetter than " + target + " % moisture counts weight x (100 - moisture) / (100 - " +
         target + ").\n";
  if (unmeasured) out += "  Moisture '-': not measured, no shrink.\n";
  if (terms.price.method == contracts::PriceMethod::fixed) {
    out += "  Price per kg: " + contracts::normalised_decimal(terms.price.base_per_kg) +
           " times the grade's multiplier; value = payable kg x price, rounded to the " +
           (exponent > 0 ? "cent" : "unit") + ".\n";
  } else {
    out += "  Price per kg: the higher of the floor " + contracts::normalised_decimal(terms.price.floor_per_kg) +
           " and the market price less " + contracts::normalised_decimal(terms.price.market_discount) +
           ", times the grade's multiplier.\n";
  }

  // Deductions.
  out += "\nDeductions, taken from the gross in this order\n";
  rows.clear();
  std::vector<std::string> notes;
  for (const auto& line : plan.deductions) {
    const std::string label = deduction_label(line.kind);
    if (line.payments.empty()) rows.push_back({label, "nothing taken", money(0)});
    for (const auto& payment : line.payments) {
      rows.push_back({label, party_with_name(terms, payment.party.value), money(payment.amount_minor)});
    }
    if (line.taken_minor < line.computed_minor) {
      notes.push_back("  The " + label + " was cut short: " + money(line.computed_minor) + " was due, " +
                      money(line.taken_minor) + " was left to take.");
    }
  }
  rows.push_back({"total deductions", "", money(deductions_total(plan))});
  out += render_table({"deduction", "paid to", "amount"}, {false, false, true}, rows, "  ");
  for (const auto& note : notes) out += note + "\n";

  // Loans.
  if (!plan.loans.empty()) {
    out += "\nLoans, repaid fees first, then interest, then principal\n";
    for (std::size_t i = 0; i < plan.loans.size(); ++i) {
      const LoanAllocation& loan = plan.loans[i];
      const contracts::Loan& record = statement.loans[i];
      out += "  " + loan.loan.value + " from " + party_with_name(terms, loan.lender.value) + ", " +
             money(record.principal_minor) + " disbursed " + contracts::format_date(record.disbursed_on) + ", due " +
             contracts::format_date(record.due_on) + "\n";
      const std::int64_t fees_after = loan.fees_due_minor - loan.fees_paid_minor;
      const std::int64_t interest_after = loan.interest_due_minor - loan.interest_paid_minor;
      const std::int64_t principal_after = loan.principal_due_minor - loan.principal_paid_minor;
      rows = {
          {"fees", money(loan.fees_due_minor), money(loan.fees_paid_minor), money(fees_after)},
          {"interest", money(loan.interest_due_minor), money(loan.interest_paid_minor), money(interest_after)},
          {"principal", money(loan.principal_due_minor), money(loan.principal_paid_minor), money(principal_after)},
          {"total", money(loan.fees_due_minor + loan.interest_due_minor + loan.principal_due_minor),
           money(loan.fees_paid_minor + loan.interest_paid_minor + loan.principal_paid_minor),
           money(loan.outstanding_after_minor)},
      };
      out += render_table({"", "owed at this run", "paid", "still owed"}, {false, true, true, true}, rows, "    ");
      out += "    Interest owed includes " + money(loan.interest_charged_minor) + " charged by this run for " +
             contracts::format_date(loan.interest_from) + " to " + as_of + ".\n";
    }
    std::int64_t due = 0;
    for (const auto& loan : plan.loans) due += loan.fees_due_minor + loan.interest_due_minor + loan.principal_due_minor;
    if (plan.loan_repayment_minor < due) {
      for (const auto& deduction : terms.deductions) {
        if (deduction.kind != DeductionKind::loan_repayment) continue;
        const ledger::Decimal& share = deduction.max_share_of_gross;
        auto cap = ledger::to_int64(
            ledger::floor_div(ledger::BigInt(plan.gross_minor) * share.units, ledger::pow10(share.scale)));
        if (cap) {
          const ledger::Decimal percent{share.units * 100, share.scale};
          out += "  Loan repayments take at most " + contracts::normalised_decimal(percent) + " % of the gross: " +
                 money(*cap) + " in this run.\n  What was not repaid stays owed and is carried to the next run.\n";
        }
      }
    }
    out += "  Still owed on this season's loans after this run: " + money(plan.loan_outstanding_after_minor) + "\n";
  }

  // Payout.
  out += "\nPayout\n";
  rows = {{"gross", money(plan.gross_minor), ""},
          {"deductions", money(-deductions_total(plan)), ""},
          {"net payout", money(plan.net_payout_minor), terms.currency.code}};
  out += render_table({"", "amount", ""}, {false, true, false}, rows, "  ");
  if (plan.net_payout_minor > 0) {
    out += "  Paid " + where_paid(statement.farmer) + ", reference " + statement.reference() + ".\n";
  } else {
    out += "  Nothing to pay out: the deductions took the whole gross (reference " + statement.reference() + ").\n";
  }
  out += "  Recorded in the ledger as settlement entry " + statement.reference() + " (record " +
         std::to_string(statement.entry_seq) + ").\n";
  return out;
}

// ---- CSV ----------------------------------------------------------------------------------

const char* const kStatementCsvHeader =
    "run_id,farmer_id,section,item,party,date,weight_kg,moisture_pct,payable_kg,unit_price,due,paid,"
    "outstanding_after,amount,currency,note";

std::string statement_csv_rows(const FarmerRunStatement& statement) {
  TRIPARTITE_ASSERT(statement.terms != nullptr);
  const contracts::SeasonTerms& terms = *statement.terms;
  const FarmerPlan& plan = statement.plan;
  const int exponent = terms.currency.exponent;
  auto money = [&](std::int64_t minor) { return format_units(minor, exponent); };
  const std::string& run = statement.run.id;
  const std::string& farmer = statement.farmer.id.value;
  const std::string& currency = terms.currency.code;
  const std::string as_of = contracts::format_date(statement.run.as_of);
  std::string out;
  for (std::size_t i = 0; i < plan.deliveries.size(); ++i) {
    const DeliveryLine& line = plan.deliveries[i];
    out += contracts::csv_line({run, farmer, "delivery", line.delivery.value, line.agent ? line.agent->value : "",
                                contracts::format_date(line.delivered_on), line.weight.to_kg_string(),
                                moisture_text(statement.deliveries[i]), line.payable.to_kg_string(),
                                price_text(line.unit_price, exponent), "", "", "", money(line.value_minor), currency,
                                "grade " + line.grade});
  }
  out +=
      contracts::csv_line({run, farmer, "gross", "", offtaker_id(terms), as_of, plan.weight_total.to_kg_string(), "",
                           plan.payable_total.to_kg_string(), "", "", "", "", money(plan.gross_minor), currency, ""});
  for (const auto& line : plan.deductions) {
    const std::string kind(contracts::to_string(line.kind));
    std::string note;
    if (line.taken_minor < line.computed_minor) {
      note = "cut short: " + money(line.computed_minor) + " due, " + money(line.taken_minor) + " taken";
    }
    if (line.payments.empty()) {
      out += contracts::csv_line({run, farmer, "deduction", kind, "", as_of, "", "", "", "", money(line.computed_minor),
                                  money(0), "", money(0), currency, note});
    }
    for (const auto& payment : line.payments) {
      out += contracts::csv_line({run, farmer, "deduction", kind, payment.party.value, as_of, "", "", "", "", "",
                                  money(payment.amount_minor), "", money(payment.amount_minor), currency, note});
    }
  }
  for (const auto& loan : plan.loans) {
    const std::string& lender = loan.lender.value;
    out += contracts::csv_line({run, farmer, "loan_fees", loan.loan.value, lender, as_of, "", "", "", "",
                                money(loan.fees_due_minor), money(loan.fees_paid_minor),
                                money(loan.fees_due_minor - loan.fees_paid_minor), money(loan.fees_paid_minor),
                                currency, ""});
    out += contracts::csv_line({run, farmer, "loan_interest", loan.loan.value, lender, as_of, "", "", "", "",
                                money(loan.interest_due_minor), money(loan.interest_paid_minor),
                                money(loan.interest_due_minor - loan.interest_paid_minor),
                                money(loan.interest_paid_minor), currency,
                                "includes " + money(loan.interest_charged_minor) + " charged from " +
                                    contracts::format_date(loan.interest_from)});
    out += contracts::csv_line({run, farmer, "loan_principal", loan.loan.value, lender, as_of, "", "", "", "",
                                money(loan.principal_due_minor), money(loan.principal_paid_minor),
                                money(loan.principal_due_minor - loan.principal_paid_minor),
                                money(loan.principal_paid_minor), currency, ""});
  }
  out +=
      contracts::csv_line({run, farmer, "net_payout", statement.reference(), statement.farmer.payout_account, as_of, "",
                           "", "", "", "", "", money(plan.loan_outstanding_after_minor), money(plan.net_payout_minor),
                           currency, std::string(contracts::to_string(statement.farmer.payout_method))});
  return out;
}

// ---- JSON ---------------------------------------------------------------------------------

ledger::canonical::Value statement_json(const FarmerRunStatement& statement) {
  namespace canonical = ledger::canonical;
  TRIPARTITE_ASSERT(statement.terms != nullptr);
  const contracts::SeasonTerms& terms = *statement.terms;
  const FarmerPlan& plan = statement.plan;
  const int exponent = terms.currency.exponent;
  auto money = [&](std::int64_t minor) { return format_units(minor, exponent); };

  canonical::Object farmer;
  farmer["id"] = statement.farmer.id.value;
  farmer["name"] = statement.farmer.name;
  farmer["phone"] = statement.farmer.phone;

  canonical::Array deliveries;
  for (std::size_t i = 0; i < plan.deliveries.size(); ++i) {
    const DeliveryLine& line = plan.deliveries[i];
    canonical::Object d;
    d["agent"] = line.agent ? line.agent->value : std::string();
    d["delivered_on"] = contracts::format_date(line.delivered_on);
    d["delivery"] = line.delivery.value;
    d["grade"] = line.grade;
    d["moisture_pct"] = moisture_text(statement.deliveries[i]);
    d["payable_kg"] = line.payable.to_kg_string();
    d["unit_price"] = price_text(line.unit_price, exponent);
    d["value"] = money(line.value_minor);
    d["weight_kg"] = line.weight.to_kg_string();
    deliveries.emplace_back(std::move(d));
  }
  canonical::Array deductions;
  for (const auto& line : plan.deductions) {
    canonical::Object d;
    d["computed"] = money(line.computed_minor);
    d["kind"] = std::string(contracts::to_string(line.kind));
    canonical::Array payments;
    for (const auto& payment : line.payments) {
      canonical::Object p;
      p["amount"] = money(payment.amount_minor);
      p["party"] = payment.party.value;
      payments.emplace_back(std::move(p));
    }
    d["payments"] = std::move(payments);
    d["taken"] = money(line.taken_minor);
    deductions.emplace_back(std::move(d));
  }
  canonical::Array loans;
  for (const auto& loan : plan.loans) {
    canonical::Object l;
    l["fees_due"] = money(loan.fees_due_minor);
    l["fees_paid"] = money(loan.fees_paid_minor);
    l["interest_charged"] = money(loan.interest_charged_minor);
    l["interest_due"] = money(loan.interest_due_minor);
    l["interest_from"] = contracts::format_date(loan.interest_from);
    l["interest_paid"] = money(loan.interest_paid_minor);
    l["lender"] = loan.lender.value;
    l["loan"] = loan.loan.value;
    l["outstanding_after"] = money(loan.outstanding_after_minor);
    l["principal_due"] = money(loan.principal_due_minor);
    l["principal_paid"] = money(loan.principal_paid_minor);
    loans.emplace_back(std::move(l));
  }
  canonical::Object totals;
  totals["agent_commission"] = money(plan.agent_commission_minor);
  totals["coalition_fee"] = money(plan.coalition_fee_minor);
  totals["gross"] = money(plan.gross_minor);
  totals["levy"] = money(plan.levy_minor);
  totals["loan_outstanding_after"] = money(plan.loan_outstanding_after_minor);
  totals["loan_repayment"] = money(plan.loan_repayment_minor);
  totals["net_payout"] = money(plan.net_payout_minor);
  totals["payable_kg"] = plan.payable_total.to_kg_string();
  totals["weight_kg"] = plan.weight_total.to_kg_string();
  canonical::Object payout;
  payout["account"] = statement.farmer.payout_account;
  payout["amount"] = money(plan.net_payout_minor);
  payout["method"] = std::string(contracts::to_string(statement.farmer.payout_method));
  payout["reference"] = statement.reference();

  canonical::Object o;
  o["as_of"] = contracts::format_date(statement.run.as_of);
  o["commodity"] = terms.commodity;
  o["currency"] = terms.currency.code;
  o["deductions"] = std::move(deductions);
  o["deliveries"] = std::move(deliveries);
  o["entry_seq"] = static_cast<std::int64_t>(statement.entry_seq);
  o["farmer"] = std::move(farmer);
  o["loans"] = std::move(loans);
  o["offtaker"] = offtaker_id(terms);
  o["payout"] = std::move(payout);
  o["run"] = statement.run.id;
  o["season"] = terms.id.value;
  o["totals"] = std::move(totals);
  return canonical::Value(std::move(o));
}

// ---- SMS ----------------------------------------------------------------------------------

SmsFacts sms_facts(const FarmerRunStatement& statement) {
  TRIPARTITE_ASSERT(statement.terms != nullptr);
  const FarmerPlan& plan = statement.plan;
  SmsFacts facts;
  facts.reference = statement.reference();
  facts.currency_code = statement.terms->currency.code;
  facts.exponent = statement.terms->currency.exponent;
  facts.commodity = statement.terms->commodity;
  facts.payable_grams = plan.payable_total.grams;
  facts.gross_minor = plan.gross_minor;
  facts.levy_minor = plan.levy_minor;
  facts.coalition_fee_minor = plan.coalition_fee_minor;
  facts.agent_commission_minor = plan.agent_commission_minor;
  facts.loan_repayment_minor = plan.loan_repayment_minor;
  facts.net_payout_minor = plan.net_payout_minor;
  facts.payout_method = statement.farmer.payout_method;
  facts.payout_account = statement.farmer.payout_account;
  return facts;
}

std::string sms_text(const SmsFacts& facts) {
  auto money = [&](std::int64_t minor) { return format_units(minor, facts.exponent); };
  // What may be left out, in the order it is dropped.
  enum Optional { commodity, account, kilograms, deduction_groups, gross, deductions, method, currency, count };
  bool keep[count];
  for (bool& k : keep) k = true;
  const bool paid = facts.net_payout_minor > 0;
  auto compose = [&]() {
    std::vector<std::string> words;
    if (keep[kilograms]) {
      words.push_back(kg_text(facts.payable_grams) + "kg");
      if (keep[commodity] && !facts.commodity.empty()) words.push_back(ascii(facts.commodity));
    }
    if (keep[gross]) words.push_back("gross " + money(facts.gross_minor));
    if (keep[deduction_groups]) {
      const std::pair<const char*, std::int64_t> groups[] = {{"levy", facts.levy_minor},
                                                             {"coalition", facts.coalition_fee_minor},
                                                             {"agent", facts.agent_commission_minor},
                                                             {"loan", facts.loan_repayment_minor}};
      for (const auto& [label, amount] : groups) {
        if (amount != 0) words.push_back(std::string(label) + " " + money(amount));
      }
    } else if (keep[deductions]) {
      const std::int64_t total =
          facts.levy_minor + facts.coalition_fee_minor + facts.agent_commission_minor + facts.loan_repayment_minor;
      words.push_back("deductions " + money(total));
    }
    words.push_back("net " + (keep[currency] ? facts.currency_code + " " : std::string()) +
                    money(facts.net_payout_minor));
    if (paid && keep[method]) {
      std::string where;
      switch (facts.payout_method) {
        case PayoutMethod::mobile_money:
          where = "to mobile money";
          break;
        case PayoutMethod::bank:
          where = "to bank";
          break;
        case PayoutMethod::cash:
          where = "in cash";
          break;
      }
      if (keep[account] && facts.payout_method != PayoutMethod::cash && !facts.payout_account.empty()) {
        where += " " + ascii(facts.payout_account);
      }
      words.push_back(where);
    }
    words.push_back("ref " + ascii(facts.reference));
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    return text;
  };
  std::string text = compose();
  for (int drop = 0; drop < count && text.size() > kSmsMaximumLength; ++drop) {
    keep[drop] = false;
    text = compose();
  }
  if (text.size() > kSmsMaximumLength) text = text.substr(0, kSmsMaximumLength - 3) + "...";
  TRIPARTITE_ASSERT(text.size() <= kSmsMaximumLength);
  for (char c : text) TRIPARTITE_ASSERT(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F);
  return text;
}

}  // namespace tripartite::settlement
