// Remittance reconciliation (settlement/reconcile.hpp), the bank statement reader, the
// acknowledgement record, and the farmer SMS (settlement/statement.hpp): statuses matched /
// short / over / missing / unexpected, transfers summed per run, totals per currency,
// FILE:LINE: field diagnostics, and SMS texts that never exceed 160 plain-ASCII characters
// — the reference farmer exactly, and the worst case of 64-character ids and huge amounts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "contracts/records.hpp"
#include "settlement/reconcile.hpp"
#include "settlement/statement.hpp"

namespace tripartite::settlement::test {
namespace {

contracts::Currency kes() { return *contracts::Currency::from_code("KES"); }
contracts::Currency ugx() { return *contracts::Currency::from_code("UGX"); }

ExpectedRemittance expected(const std::string& run, std::int64_t amount, contracts::Currency currency = kes()) {
  ExpectedRemittance e;
  e.run_id = run;
  e.season = contracts::season_of_run_id(run);
  e.as_of = "2026-08-31";
  e.currency = std::move(currency);
  e.amount_minor = amount;
  return e;
}

StatementTransfer transfer(int line, const std::string& reference, std::int64_t amount,
                           const std::string& date = "2026-09-01", contracts::Currency currency = kes()) {
  StatementTransfer t;
  t.line = line;
  t.date = date;
  t.currency = std::move(currency);
  t.amount_minor = amount;
  t.reference = reference;
  return t;
}

const RunReconciliation& run_of(const ReconciliationReport& report, const std::string& id) {
  for (const auto& run : report.runs) {
    if (run.expected.run_id == id) return run;
  }
  FAIL("no run " << id);
  return report.runs.front();
}

std::string write_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("tripartite-test-reconcile-" + name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path.string();
}

}  // namespace

TEST_CASE("reconcile: one missing and one short transfer are exactly the two differences", "[reconcile]") {
  auto report = reconcile("BANK1", {expected("2026A-R1", 2266838), expected("2026A-R2", 750375)},
                          {transfer(2, "2026A-R1", 2200000)});
  REQUIRE(report.runs.size() == 2);
  CHECK(run_of(report, "2026A-R1").status == RemittanceStatus::short_paid);
  CHECK(run_of(report, "2026A-R1").difference_minor() == -66838);
  CHECK(run_of(report, "2026A-R2").status == RemittanceStatus::missing);
  CHECK(run_of(report, "2026A-R2").received_minor == 0);
  CHECK(report.unexpected.empty());
  CHECK_FALSE(report.fully_matched());
  REQUIRE(report.totals.size() == 1);
  CHECK(report.totals[0].expected_minor == 3017213);
  CHECK(report.totals[0].received_minor == 2200000);
  CHECK(report.totals[0].short_paid == 1);
  CHECK(report.totals[0].missing == 1);
  CHECK(report.totals[0].matched == 0);
}

TEST_CASE("reconcile: several transfers for one run are summed, the latest date is the receipt date", "[reconcile]") {
  auto report =
      reconcile("BANK1", {expected("2026A-R1", 2266838)},
                {transfer(3, "2026A-R1", 2000000, "2026-09-03"), transfer(2, "2026A-R1", 266838, "2026-09-05")});
  const auto& run = run_of(report, "2026A-R1");
  CHECK(run.status == RemittanceStatus::matched);
  CHECK(run.received_minor == 2266838);
  REQUIRE(run.transfers.size() == 2);
  CHECK(run.transfers[0].line == 2);  // by statement line
  CHECK(run.received_on() == "2026-09-05");
  CHECK(report.fully_matched());
  auto acknowledgement = acknowledgement_for("BANK1", run);
  CHECK(acknowledgement.amount_minor == 2266838);
  CHECK(contracts::format_date(acknowledgement.received_on) == "2026-09-05");
}

TEST_CASE("reconcile: over, unexpected reference, wrong currency, runs sorted by id", "[reconcile]") {
  auto report = reconcile("BANK1", {expected("S-R2", 100), expected("S-R10", 500), expected("S-R1", 300)},
                          {transfer(2, "S-R1", 301), transfer(3, "S-R10", 500), transfer(4, "S-R9", 7),
                           transfer(5, "S-R2", 100, "2026-09-01", ugx())});
  REQUIRE(report.runs.size() == 3);
  CHECK(report.runs[0].expected.run_id == "S-R1");  // byte order
  CHECK(report.runs[1].expected.run_id == "S-R10");
  CHECK(report.runs[2].expected.run_id == "S-R2");
  CHECK(run_of(report, "S-R1").status == RemittanceStatus::over_paid);
  CHECK(run_of(report, "S-R10").status == RemittanceStatus::matched);
  CHECK(run_of(report, "S-R2").status == RemittanceStatus::missing);  // the UGX transfer does not count
  REQUIRE(report.unexpected.size() == 2);
  CHECK(report.unexpected[0].transfer.line == 4);
  CHECK(report.unexpected[0].reason == "no run of BANK1 has this reference");
  CHECK(report.unexpected[1].transfer.line == 5);
  CHECK(report.unexpected[1].reason == "currency UGX, the run is in KES");
  REQUIRE(report.totals.size() == 2);  // KES, UGX
  CHECK(report.totals[0].currency.code == "KES");
  CHECK(report.totals[0].over_paid == 1);
  CHECK(report.totals[0].unexpected == 1);
  CHECK(report.totals[0].unexpected_minor == 7);
  CHECK(report.totals[1].currency.code == "UGX");
  CHECK(report.totals[1].unexpected == 1);
  CHECK(to_string(RemittanceStatus::short_paid) == "short");
  CHECK(to_string(RemittanceStatus::over_paid) == "over");
}

TEST_CASE("reconcile: a transfer dated before its run's as_of is unexpected, not counted", "[reconcile]") {
  // The run is as of 2026-08-31: a transfer on that day counts, one the day before cannot be
  // its remittance (the run did not exist yet) and would otherwise make it "matched".
  auto report = reconcile("BANK1", {expected("S-R1", 300)},
                          {transfer(2, "S-R1", 100, "2026-08-30"), transfer(3, "S-R1", 200, "2026-08-31")});
  CHECK(run_of(report, "S-R1").status == RemittanceStatus::short_paid);
  CHECK(run_of(report, "S-R1").received_minor == 200);
  REQUIRE(report.unexpected.size() == 1);
  CHECK(report.unexpected[0].transfer.line == 2);
  CHECK(report.unexpected[0].reason == "dated 2026-08-30, before run S-R1 (as of 2026-08-31)");
  CHECK_FALSE(report.fully_matched());
}

TEST_CASE("reconcile: no runs and no transfers is fully matched", "[reconcile]") {
  auto report = reconcile("BANK1", {}, {});
  CHECK(report.fully_matched());
  CHECK(report.totals.empty());
}

TEST_CASE("bank statement: a good file, columns in any order, quoted fields", "[reconcile]") {
  auto path = write_file("good.csv",
                         "reference,currency,amount,date\r\n"
                         "\"2026A-R1\",KES,22668.38,2026-09-02\r\n"
                         "2026A-R2,UGX,7503,2026-11-01\r\n"
                         "2026A-R2,KES,0.5,2026-11-01\r\n");
  Diagnostics diagnostics;
  auto transfers = read_bank_statement(path, diagnostics);
  REQUIRE(transfers.ok());
  CHECK(diagnostics.empty());
  REQUIRE(transfers->size() == 3);
  CHECK((*transfers)[0].line == 2);
  CHECK((*transfers)[0].amount_minor == 2266838);
  CHECK((*transfers)[0].reference == "2026A-R1");
  CHECK((*transfers)[1].amount_minor == 7503);
  CHECK((*transfers)[1].currency.code == "UGX");
  CHECK((*transfers)[2].amount_minor == 50);
}

TEST_CASE("bank statement: every problem as FILE:LINE: field: message, nothing accepted", "[reconcile]") {
  auto path = write_file("bad.csv",
                         "date,amount,currency,reference\n"
                         "2026-09-31,100.00,KES,2026A-R1\n"   // no such date
                         "2026-09-01,100.001,KES,2026A-R1\n"  // too many decimals
                         "2026-09-01,100.5,UGX,2026A-R1\n"    // UGX has no decimals
                         "2026-09-01,100.00,XXX,2026A-R1\n"   // unknown currency
                         "2026-09-01,-5.00,KES,2026A-R1\n"    // not positive
                         "2026-09-01,1e3,KES,2026A-R1\n"      // not a decimal
                         "2026-09-01,10.00,KES,\n"            // no reference
                         "2026-09-01,10.00,KES\n");           // a field missing
  Diagnostics diagnostics;
  auto transfers = read_bank_statement(path, diagnostics);
  REQUIRE_FALSE(transfers.ok());
  CHECK(transfers.error().kind == ErrorKind::invalid_input);
  std::vector<std::string> lines;
  for (const auto& d : diagnostics) lines.push_back(d.format());
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].rfind(path + ":2: date: ", 0) == 0);
  CHECK(lines[1].rfind(path + ":3: amount: ", 0) == 0);
  CHECK(lines[2].rfind(path + ":4: amount: ", 0) == 0);
  CHECK(lines[3].rfind(path + ":5: currency: ", 0) == 0);
  CHECK(lines[4].rfind(path + ":6: amount: ", 0) == 0);
  CHECK(lines[5].rfind(path + ":7: amount: ", 0) == 0);
  CHECK(lines[6].rfind(path + ":8: reference: ", 0) == 0);
  CHECK(lines[7].rfind(path + ":9: ", 0) == 0);
}

TEST_CASE("bank statement: amounts whose sum would pass 64 bits are refused, not wrapped into a match",
          "[reconcile]") {
  // Two transfers of (2^63 - 1) / 100 KES wrap a 64-bit sum to -2 cents; with 22668.40 more
  // the run's total would read 22668.38, its expected repayment, and be acknowledged.
  auto path = write_file("wrap.csv",
                         "date,amount,currency,reference\n"
                         "2026-09-02,92233720368547758.07,KES,2026A-R1\n"
                         "2026-09-03,92233720368547758.07,KES,2026A-R1\n"
                         "2026-09-04,22668.40,KES,2026A-R1\n");
  Diagnostics diagnostics;
  auto transfers = read_bank_statement(path, diagnostics);
  REQUIRE_FALSE(transfers.ok());
  CHECK(transfers.error().kind == ErrorKind::invalid_input);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].format().rfind(path + ":3: amount: the statement's amounts add up to more than", 0) == 0);
  // Up to the largest sum that fits, every amount is accepted.
  Diagnostics fits_diagnostics;
  auto fits = read_bank_statement(write_file("fits.csv",
                                             "date,amount,currency,reference\n"
                                             "2026-09-02,92233720368547758.06,KES,2026A-R1\n"
                                             "2026-09-03,0.01,KES,2026A-R1\n"),
                                  fits_diagnostics);
  REQUIRE(fits.ok());
  CHECK(fits_diagnostics.empty());
  CHECK(fits->size() == 2);
}

TEST_CASE("bank statement: an empty file and a wrong header are refused", "[reconcile]") {
  Diagnostics empty_diagnostics;
  CHECK_FALSE(read_bank_statement(write_file("empty.csv", ""), empty_diagnostics).ok());
  CHECK(empty_diagnostics.size() == 1);
  Diagnostics header_diagnostics;
  CHECK_FALSE(read_bank_statement(write_file("header.csv", "date,amount,currency,memo\n"), header_diagnostics).ok());
  CHECK_FALSE(header_diagnostics.empty());
  Diagnostics missing_diagnostics;
  CHECK_FALSE(read_bank_statement("/nonexistent/statement.csv", missing_diagnostics).ok());
}

TEST_CASE("acknowledgement record: canonical bytes, round trip, index", "[reconcile]") {
  contracts::Acknowledgement a;
  a.run = "2026A-R1";
  a.lender = contracts::PartyId("BANK1");
  a.currency = kes();
  a.amount_minor = 2266838;
  a.received_on = *contracts::parse_date("2026-09-02");
  auto encoded = contracts::encode_acknowledgement(a);
  CHECK(
      encoded.body ==
      R"({"amount":"22668.38","currency":"KES","kind":"acknowledgement","lender":"BANK1","received_on":"2026-09-02","run":"2026A-R1"})");
  CHECK(encoded.index == ledger::RecordIndex{"acknowledgement", "2026A-R1/BANK1", "2026A", "BANK1", "2026-09-02"});
  auto index = contracts::index_of_record(encoded.body);
  REQUIRE(index.ok());
  CHECK(*index == encoded.index);
  auto decoded = contracts::decode_acknowledgement(encoded.body);
  REQUIRE(decoded.ok());
  CHECK(decoded->run == a.run);
  CHECK(decoded->lender == a.lender);
  CHECK(decoded->amount_minor == a.amount_minor);
  CHECK(contracts::encode_acknowledgement(*decoded).body == encoded.body);
  CHECK(contracts::season_of_run_id("2026A-R12") == "2026A");
  CHECK(contracts::season_of_run_id("A-R-B-R3") == "A-R-B");
  CHECK(contracts::season_of_run_id("2026A-Rx") == "");
  CHECK(contracts::season_of_run_id("2026A") == "");
  CHECK_FALSE(
      contracts::decode_acknowledgement(
          R"({"amount":"1.00","currency":"KES","kind":"acknowledgement","lender":"BANK1","received_on":"2026-09-02","run":"nope"})")
          .ok());
}

// ---- SMS ------------------------------------------------------------------------------------

namespace {

SmsFacts reference_f001() {
  SmsFacts f;
  f.reference = "2026A-R1-F001";
  f.currency_code = "KES";
  f.exponent = 2;
  f.commodity = "maize";
  f.payable_grams = 794798;
  f.gross_minor = 3156222;
  f.levy_minor = 31562;
  f.coalition_fee_minor = 63124;
  f.agent_commission_minor = 25000;
  f.loan_repayment_minor = 1665370;
  f.net_payout_minor = 1371166;
  f.payout_method = contracts::PayoutMethod::mobile_money;
  f.payout_account = "+254700000001";
  return f;
}

bool plain_ascii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("sms: the reference farmer's message in full", "[sms]") {
  std::string text = sms_text(reference_f001());
  CHECK(text ==
        "794.798kg maize gross 31562.22 levy 315.62 coalition 631.24 agent 250.00 loan 16653.70 net KES 13711.66 to "
        "mobile money +254700000001 ref 2026A-R1-F001");
  CHECK(text.size() <= kSmsMaximumLength);
}

TEST_CASE("sms: zero groups are left out, nothing paid says no 'to', cash, non-ASCII account", "[sms]") {
  SmsFacts f = reference_f001();
  f.loan_repayment_minor = 0;
  f.payout_method = contracts::PayoutMethod::cash;
  std::string cash = sms_text(f);
  CHECK(cash.find("loan") == std::string::npos);
  CHECK(cash.find("in cash ref 2026A-R1-F001") != std::string::npos);
  f.net_payout_minor = 0;
  std::string nothing = sms_text(f);
  CHECK(nothing.find(" to ") == std::string::npos);
  CHECK(nothing.find("in cash") == std::string::npos);
  CHECK(nothing.find("net KES 0.00 ref 2026A-R1-F001") != std::string::npos);
  f = reference_f001();
  f.payout_method = contracts::PayoutMethod::bank;
  f.payout_account = "Caf\xC3\xA9-001";
  std::string bank = sms_text(f);
  CHECK(plain_ascii(bank));
  CHECK(bank.find("to bank Caf?"
                  "?-001") != std::string::npos);
}

TEST_CASE("sms: 64-character ids stay within 160 characters and keep net and reference", "[sms]") {
  const std::string season(64, 'S');
  const std::string farmer(64, 'F');
  SmsFacts f = reference_f001();
  f.reference = season + "-R12-" + farmer;  // 134 characters
  f.commodity = std::string(64, 'c');
  f.payout_account = std::string(64, '9');
  std::string text = sms_text(f);
  CHECK(text.size() <= kSmsMaximumLength);
  CHECK(plain_ascii(text));
  CHECK(text.find("net KES 13711.66") != std::string::npos);
  CHECK(text.find("ref " + f.reference) != std::string::npos);
  CHECK(text.find("...") == std::string::npos);
  // Dropped in the documented order: the optional parts are gone, the net and reference stay.
  CHECK(text == "net KES 13711.66 ref " + f.reference);

  // Medium ids: only the first optional parts go.
  SmsFacts medium = reference_f001();
  medium.reference = "2026A-R1-" + std::string(40, 'F');
  std::string medium_text = sms_text(medium);
  CHECK(medium_text.size() <= kSmsMaximumLength);
  CHECK(medium_text.find(" maize ") == std::string::npos);  // the commodity went first
  CHECK(medium_text.find("gross 31562.22") != std::string::npos);
}

TEST_CASE("sms: the worst case is cut at 157 characters with '...'", "[sms]") {
  SmsFacts f = reference_f001();
  f.reference = std::string(64, 'S') + "-R999999-" + std::string(64, 'F');
  f.net_payout_minor = INT64_MAX;
  f.gross_minor = INT64_MAX;
  std::string text = sms_text(f);
  CHECK(text.size() == kSmsMaximumLength);
  CHECK(text.substr(text.size() - 3) == "...");
  CHECK(text.rfind("net 92233720368547758.07 ref ", 0) == 0);
}

TEST_CASE("sms: length never exceeds 160 over many shapes", "[sms]") {
  for (std::size_t id_length : {1u, 8u, 20u, 40u, 64u}) {
    for (std::int64_t amount :
         {std::int64_t{0}, std::int64_t{5}, std::int64_t{123456789}, std::int64_t{999999999999999}}) {
      for (auto method :
           {contracts::PayoutMethod::mobile_money, contracts::PayoutMethod::bank, contracts::PayoutMethod::cash}) {
        SmsFacts f = reference_f001();
        f.reference = std::string(id_length, 'S') + "-R1-" + std::string(id_length, 'F');
        f.gross_minor = amount;
        f.net_payout_minor = amount;
        f.levy_minor = amount;
        f.loan_repayment_minor = amount;
        f.payable_grams = amount;
        f.payout_method = method;
        f.payout_account = std::string(id_length, '7');
        std::string text = sms_text(f);
        CHECK(text.size() <= kSmsMaximumLength);
        CHECK(plain_ascii(text));
        CHECK(text.find("ref ") != std::string::npos);
      }
    }
  }
}

}  // namespace tripartite::settlement::test
