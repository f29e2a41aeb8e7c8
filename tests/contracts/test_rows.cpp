// The CSV row readers: values, row-local rules, references through the Registry, and
// duplicates, each with its exact diagnostic line.
#include <catch2/catch.hpp>

#include <algorithm>

#include "contracts/season_reader.hpp"
#include "contracts_test_support.hpp"

using namespace tripartite;
using namespace tripartite::contracts;
using tripartite::contracts::testing::formatted;
using tripartite::contracts::testing::IdSetBudget;
using tripartite::contracts::testing::reference_folder;
using tripartite::contracts::testing::ScratchFolder;

namespace {

using Lines = std::vector<std::string>;

const char* const kFarmersHeader = "farmer_id,name,group_id,phone,payout_method,payout_account\n";
const char* const kCommitmentsHeader = "commitment_id,farmer_id,offtaker_id,quantity_kg,signed_on\n";
const char* const kLoansHeader = "loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on\n";
const char* const kLoansHeaderPaidTo = "loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on,paid_to\n";
const char* const kDeliveriesHeader =
    "delivery_id,farmer_id,offtaker_id,grade,weight_kg,moisture_pct,delivered_on,agent_id\n";

// The reference season's terms, farmers and commitments in an InMemoryRegistry.
struct ReferenceRegistry {
  SeasonTerms terms;
  InMemoryRegistry registry;
  ReadContext context;

  ReferenceRegistry() {
    Diagnostics diagnostics;
    auto read = read_coalition(reference_folder() + "/coalition.toml", diagnostics);
    REQUIRE(read.ok());
    terms = *read;
    registry.add_terms(terms);
    context.registry = &registry;
    context.currency = terms.currency;
    REQUIRE(read_farmers(reference_folder() + "/farmers.csv", context, diagnostics,
                         [this](const Farmer& farmer, int) { registry.add_farmer(farmer); }));
    REQUIRE(read_commitments(reference_folder() + "/commitments.csv", context, diagnostics,
                             [this](const Commitment& commitment, int) { registry.add_commitment(commitment); }));
    REQUIRE(diagnostics.empty());
  }
};

template <class T>
struct RowsOutcome {
  std::vector<T> values;
  std::vector<int> lines;
  Lines diagnostics;
  bool clean = false;
};

template <class T, class Reader>
RowsOutcome<T> read_with(const Reader& reader, const std::string& name, std::string_view bytes) {
  ScratchFolder folder;
  Diagnostics diagnostics;
  RowsOutcome<T> outcome;
  outcome.clean = reader(folder.write(name, bytes), diagnostics, [&](const T& value, int line) {
    outcome.values.push_back(value);
    outcome.lines.push_back(line);
  });
  outcome.diagnostics = formatted(diagnostics);
  CHECK(outcome.clean == outcome.diagnostics.empty());
  return outcome;
}

RowsOutcome<Farmer> farmers(const ReadContext& context, std::string_view bytes) {
  return read_with<Farmer>(
      [&](const std::string& path, Diagnostics& diagnostics, const RowCallback<Farmer>& on_row) {
        return read_farmers(path, context, diagnostics, on_row);
      },
      "farmers.csv", bytes);
}
RowsOutcome<Commitment> commitments(const ReadContext& context, std::string_view bytes) {
  return read_with<Commitment>(
      [&](const std::string& path, Diagnostics& diagnostics, const RowCallback<Commitment>& on_row) {
        return read_commitments(path, context, diagnostics, on_row);
      },
      "commitments.csv", bytes);
}
RowsOutcome<Loan> loans(const ReadContext& context, std::string_view bytes) {
  return read_with<Loan>(
      [&](const std::string& path, Diagnostics& diagnostics, const RowCallback<Loan>& on_row) {
        return read_loans(path, context, diagnostics, on_row);
      },
      "loans.csv", bytes);
}
RowsOutcome<Delivery> deliveries(const ReadContext& context, std::string_view bytes) {
  return read_with<Delivery>(
      [&](const std::string& path, Diagnostics& diagnostics, const RowCallback<Delivery>& on_row) {
        return read_deliveries(path, context, diagnostics, on_row);
      },
      "deliveries.csv", bytes);
}
RowsOutcome<MarketPrice> market_prices(std::string_view bytes) {
  return read_with<MarketPrice>(
      [&](const std::string& path, Diagnostics& diagnostics, const RowCallback<MarketPrice>& on_row) {
        return read_market_prices(path, diagnostics, on_row);
      },
      "market_prices.csv", bytes);
}

Date on(const char* text) { return *parse_date(text); }

const std::string kInvalidId = " is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ -)";

}  // namespace

TEST_CASE("farmers.csv: the reference farmers", "[rows]") {
  ReferenceRegistry reference;
  auto outcome = read_with<Farmer>(
      [&](const std::string&, Diagnostics& diagnostics, const RowCallback<Farmer>& on_row) {
        return read_farmers(reference_folder() + "/farmers.csv", ReadContext{}, diagnostics, on_row);
      },
      "unused.csv", "");
  CHECK(outcome.diagnostics.empty());
  REQUIRE(outcome.values.size() == 4);
  CHECK(outcome.lines == std::vector<int>{2, 3, 4, 5});
  const Farmer& grace = outcome.values[0];
  CHECK(grace.id.value == "F001");
  CHECK(grace.name == "Grace Chebet");
  CHECK(grace.group_id == "G1");
  CHECK(grace.phone == "+254700000001");
  CHECK(grace.payout_method == PayoutMethod::mobile_money);
  CHECK(grace.payout_account == "+254700000001");
  CHECK(outcome.values[2].payout_method == PayoutMethod::bank);
  CHECK(outcome.values[2].payout_account == "BANK1-0031122");
  CHECK(outcome.values[3].payout_method == PayoutMethod::cash);
  CHECK(outcome.values[3].payout_account.empty());
}

TEST_CASE("farmers.csv: every rule", "[rows]") {
  ReferenceRegistry reference;
  const auto& context = reference.context;
  auto quoted_name = farmers(context, std::string(kFarmersHeader) + "F010,\"Kamau, Peter \"\"PK\"\"\",,,cash,\n");
  CHECK(quoted_name.diagnostics.empty());
  REQUIRE(quoted_name.values.size() == 1);
  CHECK(quoted_name.values[0].name == "Kamau, Peter \"PK\"");
  CHECK(quoted_name.values[0].group_id.empty());

  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,A,G1,+2547,paypal,x\n").diagnostics ==
        Lines{"farmers.csv:2: payout_method: 'paypal' is not a payout method (mobile_money, bank or cash)"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,A,G1,+2547,,x\n").diagnostics ==
        Lines{"farmers.csv:2: payout_method: required"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,A,G1,+2547,bank,\n").diagnostics ==
        Lines{"farmers.csv:2: payout_account: required for payout_method bank"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,A,G1,+2547,mobile_money,\n").diagnostics ==
        Lines{"farmers.csv:2: payout_account: required for payout_method mobile_money"});
  // Where a payment or a message goes: no blank value, no control character, line or
  // paragraph separator or bidirectional override, no space at either end of an account.
  auto farmer_row = [&](const std::string& row) {
    return farmers(context, std::string(kFarmersHeader) + row).diagnostics;
  };
  CHECK(farmer_row("F010,A,G1,+2547,bank,\"   \"\n") == Lines{"farmers.csv:2: payout_account: is blank"});
  CHECK(farmer_row("F010,A,G1,+2547,cash,\"   \"\n") ==
        Lines{"farmers.csv:2: payout_account: holds only spaces; for payout_method cash leave it empty"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,\"AC\r\nCT\"\n") ==
        Lines{"farmers.csv:2: payout_account: contains a line break (U+000D)"});
  // A name is one line: a line break or a tab in it, which a quoted field may hold, is
  // refused (it would start a line of its own in a statement or an SMS).
  CHECK(farmer_row("F010,\"Grace\nPaid: 99999\",G1,+2547,cash,\n") ==
        Lines{"farmers.csv:2: name: contains a line break (U+000A)"});
  CHECK(farmer_row("F010,Grace\tChebet,G1,+2547,cash,\n") == Lines{"farmers.csv:2: name: contains a tab (U+0009)"});
  CHECK(farmer_row("F" + std::string(64, '1') + ",Grace,G1,+2547,cash,\n") ==
        Lines{"farmers.csv:2: farmer_id: 'F" + std::string(63, '1') +
              "...' is 65 characters long; an id has at most 64"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,AC\u202ETC\n") ==
        Lines{"farmers.csv:2: payout_account: contains a bidirectional override (U+202E)"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,AC\u0085T\n") ==
        Lines{"farmers.csv:2: payout_account: contains a control character (U+0085)"});
  CHECK(farmer_row("F010,A,G1,+2547\u2028,cash,\n") ==
        Lines{"farmers.csv:2: phone: contains a line separator (U+2028)"});
  CHECK(farmer_row("F010,A,G1,+2547,bank, ACCT\n") ==
        Lines{"farmers.csv:2: payout_account: has a space at its start or end"});
  CHECK(farmer_row("F010,\" \",G1,+2547,cash,\n") == Lines{"farmers.csv:2: name: is blank"});
  // Spaces beyond ASCII and invisible characters: blank when alone; in an account or a phone
  // number, refused anywhere (an account of a no-break space, or with a zero-width space
  // inside, would reach payouts.csv looking like another account or none).
  const std::string invisible = "contains an invisible character or a space other than the ASCII one";
  CHECK(farmer_row("F010,A,G1,+2547,mobile_money,\u00A0\n") == Lines{"farmers.csv:2: payout_account: is blank"});
  CHECK(farmer_row("F010,\u200B\u3000,G1,+2547,cash,\n") == Lines{"farmers.csv:2: name: is blank"});
  CHECK(farmer_row("F010,\"\n\t\",G1,+2547,cash,\n") == Lines{"farmers.csv:2: name: is blank"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,BANK1-00\u200B31122\n") ==
        Lines{"farmers.csv:2: payout_account: " + invisible + " (U+200B)"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,\u00A0BANK1-0031122\n") ==
        Lines{"farmers.csv:2: payout_account: " + invisible + " (U+00A0)"});
  CHECK(farmer_row("F010,A,G1,+2547,bank,BANK1-0031122\u00AD\n") ==
        Lines{"farmers.csv:2: payout_account: " + invisible + " (U+00AD)"});
  CHECK(farmer_row("F010,A,G1,+254\u202F700,cash,\n") == Lines{"farmers.csv:2: phone: " + invisible + " (U+202F)"});
  CHECK(farmer_row("F010,Ana\u00A0Mar\u00EDa,G1,+2547,cash,\n").empty());  // a name may hold a no-break space
  // What a spreadsheet would run as a formula is refused where it would reach payouts.csv or
  // the SMS file; a signed phone number is not a formula.
  const std::string formula =
      "' and a spreadsheet would run it as a formula; a phone number or an account number holds no formula";
  CHECK(farmer_row("F010,A,G1,+2547,bank,=1+2\n") ==
        Lines{"farmers.csv:2: payout_account: '=1+2' begins with '=" + formula});
  CHECK(farmer_row("F010,A,G1,+2547,bank,@SUM(A1)\n") ==
        Lines{"farmers.csv:2: payout_account: '@SUM(A1)' begins with '@" + formula});
  const std::string signed_formula =
      "' and holds a letter or one of | ! = @ after it, which a spreadsheet would run as a formula; a phone number or "
      "an account number after a sign holds only digits, spaces and punctuation";
  CHECK(farmer_row("F010,A,G1,\"+cmd|' /C calc'!A0\",cash,\n") ==
        Lines{"farmers.csv:2: phone: '+cmd|' /C calc'!A0' begins with '+" + signed_formula});
  CHECK(farmer_row("F010,A,G1,+254700000001 (Safaricom),cash,\n") ==
        Lines{"farmers.csv:2: phone: '+254700000001 (Safaricom)' begins with '+" + signed_formula});
  CHECK(farmer_row("F010,A,G1,+2547,mobile_money,-2+HYPERLINK(x)\n") ==
        Lines{"farmers.csv:2: payout_account: '-2+HYPERLINK(x)' begins with '-" + signed_formula});
  CHECK(farmer_row("F010,A,G1,+254 712 345 678,mobile_money,+1 (555) 010-0199\n").empty());
  CHECK(farmer_row("F010,A,G1,-,bank,ACCT=7@BANK\n").empty());  // = and @ after the first character
  CHECK(farmer_row("F010,Ana Mar\u00EDa \u00D1,G1,+2547,bank,\u00C9-42\n").empty());  // letters beyond ASCII are fine
  CHECK(farmers(context, std::string(kFarmersHeader) + "F 010,A,G1,,cash,\n").diagnostics ==
        Lines{"farmers.csv:2: farmer_id: 'F 010'" + kInvalidId});
  // A character that would not show on a terminal is shown as its code point.
  CHECK(farmer_row("\xEF\xBB\xBF"
                   "F010,A,G1,,cash,\n") == Lines{"farmers.csv:2: farmer_id: '<U+FEFF>F010'" + kInvalidId});
  CHECK(farmer_row("F01\u200B0,A,G1,,cash,\n") == Lines{"farmers.csv:2: farmer_id: 'F01<U+200B>0'" + kInvalidId});
  CHECK(farmer_row("F010,A,G1,,cash\u00A0,\n") ==
        Lines{"farmers.csv:2: payout_method: 'cash<U+00A0>' is not a payout method (mobile_money, bank or cash)"});
  CHECK(farmer_row("F" + std::string(61, '0') + "\u00E9\u00E9,A,G1,,cash,\n") ==
        Lines{"farmers.csv:2: farmer_id: 'F" + std::string(61, '0') + "<U+00E9>...'" + kInvalidId});
  CHECK(farmers(context, std::string(kFarmersHeader) + ",A,G1,,cash,\n").diagnostics ==
        Lines{"farmers.csv:2: farmer_id: required"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "OT1,A,G1,,cash,\n").diagnostics ==
        Lines{"farmers.csv:2: farmer_id: OT1 is a party id; farmer ids and party ids must differ"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,,G1,,cash,\n").diagnostics ==
        Lines{"farmers.csv:2: name: required"});
  CHECK(farmers(context, std::string(kFarmersHeader) + "F010,A,G 1,,cash,\n").diagnostics ==
        Lines{"farmers.csv:2: group_id: 'G 1'" + kInvalidId});
  auto duplicate = farmers(context, std::string(kFarmersHeader) + "F010,A,,,cash,\nF011,B,,,cash,\nF010,C,,,cash,\n");
  CHECK(duplicate.diagnostics == Lines{"farmers.csv:4: farmer_id: duplicate farmer_id F010, first on line 2"});
  CHECK(duplicate.values.size() == 2);
  // Several problems of one row, in column order; the row is not handed on.
  auto several = farmers(context, std::string(kFarmersHeader) + "F$,,G 1,,bank,\n");
  CHECK(several.diagnostics == Lines{"farmers.csv:2: farmer_id: 'F$'" + kInvalidId, "farmers.csv:2: name: required",
                                     "farmers.csv:2: group_id: 'G 1'" + kInvalidId,
                                     "farmers.csv:2: payout_account: required for payout_method bank"});
  CHECK(several.values.empty());
}

TEST_CASE("CSV files: empty, header-only, missing, unknown and missing columns", "[rows]") {
  ReferenceRegistry reference;
  const auto& context = reference.context;
  CHECK(farmers(context, "").diagnostics == Lines{"farmers.csv: empty file, expected a header row: "
                                                  "farmer_id,name,group_id,phone,payout_method,payout_account"});
  auto header_only = farmers(context, kFarmersHeader);
  CHECK(header_only.diagnostics.empty());
  CHECK(header_only.values.empty());
  CHECK(farmers(context, "farmer_id,name,group,phone,payout_method,payout_account,email\n").diagnostics ==
        Lines{"farmers.csv:1: group: unknown column", "farmers.csv:1: email: unknown column",
              "farmers.csv:1: group_id: missing column"});
  Diagnostics diagnostics;
  CHECK_FALSE(read_farmers("/nonexistent/farmers.csv", context, diagnostics, [](const Farmer&, int) {}));
  CHECK(formatted(diagnostics) == Lines{"farmers.csv: cannot open file (No such file or directory); a season with no "
                                        "rows for it yet still needs the file, with its header row alone"});
}

TEST_CASE("CSV files: at most 100 diagnostics, then one line saying how many more", "[rows]") {
  ReferenceRegistry reference;
  std::string bytes = kFarmersHeader;
  for (int i = 0; i < 130; ++i) bytes += "F" + std::to_string(i) + ",,,,cash,\n";
  auto outcome = farmers(reference.context, bytes);
  REQUIRE(outcome.diagnostics.size() == 101);
  CHECK(outcome.diagnostics[99] == "farmers.csv:101: name: required");
  CHECK(outcome.diagnostics[100] == "farmers.csv: 30 more errors not shown (at most 100 per file)");
}

TEST_CASE("commitments.csv: values and every rule", "[rows]") {
  ReferenceRegistry reference;
  const auto& context = reference.context;
  auto good = commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,1000.5,2026-02-15\n");
  CHECK(good.diagnostics.empty());
  REQUIRE(good.values.size() == 1);
  CHECK(good.values[0].id.value == "C010");
  CHECK(good.values[0].farmer.value == "F001");
  CHECK(good.values[0].offtaker.value == "OT1");
  CHECK(good.values[0].quantity.grams == 1000500);
  CHECK(good.values[0].signed_on == on("2026-02-15"));

  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F009,OT1,10,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: farmer_id: unknown farmer F009"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,BANK1,10,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: offtaker_id: BANK1 has role lender, expected offtaker"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT9,10,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: offtaker_id: unknown party OT9"});
  // A farmer's id where a party is needed says so.
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,F001,10,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: offtaker_id: F001 is a farmer; offtaker_id names a party of role offtaker "
              "(coalition.toml)"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,0,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: quantity_kg: must be greater than 0"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,-10.000,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: quantity_kg: must be greater than 0"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,10.0001,2026-02-15\n").diagnostics ==
        Lines{"commitments.csv:2: quantity_kg: '10.0001' has 4 decimals, at most 3 allowed"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,10,2026-02-30\n").diagnostics ==
        Lines{"commitments.csv:2: signed_on: '2026-02-30' is not a day of the calendar (2026-02 has 28 days)"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C010,F001,OT1,10,15/02/2026\n").diagnostics ==
        Lines{"commitments.csv:2: signed_on: '15/02/2026' is not a date (YYYY-MM-DD)"});
  CHECK(commitments(context, std::string(kCommitmentsHeader) + "C1,F001,OT1,10,2026-02-15\nC1,F002,OT1,10,2026-02-15\n")
            .diagnostics == Lines{"commitments.csv:3: commitment_id: duplicate commitment_id C1, first on line 2"});
  // Without a registry, references are not resolved.
  CHECK(commitments(ReadContext{}, std::string(kCommitmentsHeader) + "C010,F009,BANK1,10,2026-02-15\n")
            .diagnostics.empty());
}

TEST_CASE("loans.csv: values, the optional paid_to column, and every rule", "[rows]") {
  ReferenceRegistry reference;
  const auto& context = reference.context;
  std::string reference_loans = testing::read_text(reference_folder() + "/loans.csv");
  auto good = loans(context, reference_loans);
  CHECK(good.diagnostics.empty());
  REQUIRE(good.values.size() == 3);
  const Loan& first = good.values[0];
  CHECK(first.id.value == "L001");
  CHECK(first.farmer.value == "F001");
  CHECK(first.lender.value == "BANK1");
  CHECK(first.product.value == "INPUT-2026A");
  CHECK(first.principal_minor == 1500000);
  CHECK(first.disbursed_on == on("2026-03-01"));
  CHECK(first.due_on == on("2026-09-30"));
  CHECK_FALSE(first.paid_to.has_value());
  CHECK(good.values[2].id.value == "L004");

  auto paid_to = loans(context, std::string(kLoansHeaderPaidTo) +
                                    "L010,F001,BANK1,INPUT-2026A,100,2026-03-01,2026-03-01,SUP1\n"
                                    "L011,F001,BANK1,INPUT-2026A,100.5,2026-03-01,2026-09-30,\n");
  CHECK(paid_to.diagnostics.empty());
  REQUIRE(paid_to.values.size() == 2);
  CHECK(paid_to.values[0].paid_to == PartyId("SUP1"));
  CHECK(paid_to.values[0].principal_minor == 10000);
  CHECK_FALSE(paid_to.values[1].paid_to.has_value());
  CHECK(paid_to.values[1].principal_minor == 10050);

  auto row = [&](const std::string& text) { return loans(context, kLoansHeaderPaidTo + text + "\n").diagnostics; };
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,2026-03-01,2026-09-30,BANK1") ==
        Lines{"loans.csv:2: paid_to: BANK1 has role lender, expected input_supplier"});
  CHECK(row("L010,F001,OT1,INPUT-2026A,100,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: lender_id: OT1 has role offtaker, expected lender"});
  CHECK(row("L010,F009,BANK1,INPUT-2026A,100,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: farmer_id: unknown farmer F009"});
  CHECK(row("L010,F001,BANK1,INPUT-2025,100,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: product_id: unknown loan product INPUT-2025"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,15000.001,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: '15000.001' has 3 decimals, at most 2 allowed for KES"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,0.00,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: must be greater than 0"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,-100,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: must be greater than 0"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100000000000.00,2026-03-01,2026-09-30,").empty());  // 10^13 cents
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100000000000.01,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: must be at most 100000000000.00"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,\"1,000\",2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: '1,000' is not a decimal number"});
  // A thousands separator as a spreadsheet in a French or Russian locale writes it (a narrow
  // or plain no-break space), shown so that the reader sees why the number is refused.
  CHECK(row("L010,F001,BANK1,INPUT-2026A,1\u202F000.00,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: '1<U+202F>000.00' is not a decimal number"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,1\u00A0000.001,2026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: principal: '1<U+00A0>000.001' is not a decimal number"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,2026-03-01,2026-02-28,") ==
        Lines{"loans.csv:2: due_on: 2026-02-28 is before disbursed_on 2026-03-01"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,2026-03-32,2026-02-28,") ==
        Lines{"loans.csv:2: disbursed_on: '2026-03-32' is not a day of the calendar (2026-03 has 31 days)"});
  // A year mistyped (0026 for 2026) would accrue two thousand years of interest: refused.
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,0026-03-01,2026-09-30,") ==
        Lines{"loans.csv:2: disbursed_on: '0026-03-01' is outside the years 1900 to 2199 (a typing error?)"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,2026-03-01,2226-09-30,") ==
        Lines{"loans.csv:2: due_on: '2226-09-30' is outside the years 1900 to 2199 (a typing error?)"});
  CHECK(row("L010,F001,BANK1,INPUT-2026A,100,1900-01-01,2199-12-31,").empty());
  CHECK(loans(context, reference_loans + "L001,F002,BANK1,INPUT-2026A,1,2026-03-01,2026-09-30\n").diagnostics ==
        Lines{"loans.csv:5: loan_id: duplicate loan_id L001, first on line 2"});

  // A zero-decimal currency refuses any decimals.
  ReadContext ugx = context;
  ugx.currency = *ledger::Currency::from_code("UGX");
  CHECK(
      loans(ugx, std::string(kLoansHeader) + "L010,F001,BANK1,INPUT-2026A,100.5,2026-03-01,2026-09-30\n").diagnostics ==
      Lines{"loans.csv:2: principal: '100.5' has 1 decimals, at most 0 allowed for UGX"});
}

TEST_CASE("deliveries.csv: the reference deliveries", "[rows]") {
  ReferenceRegistry reference;
  auto outcome = deliveries(reference.context, testing::read_text(reference_folder() + "/deliveries.csv"));
  CHECK(outcome.diagnostics.empty());
  REQUIRE(outcome.values.size() == 5);
  const Delivery& first = outcome.values[0];
  CHECK(first.id.value == "D1");
  CHECK(first.farmer.value == "F001");
  CHECK(first.offtaker.value == "OT1");
  CHECK(first.grade == "A");
  CHECK(first.weight.grams == 500000);
  REQUIRE(first.moisture_pct.has_value());
  CHECK(first.moisture_pct->to_string() == "13.0");
  CHECK(first.delivered_on == on("2026-07-10"));
  CHECK(first.agent == PartyId("AG1"));
  CHECK_FALSE(outcome.values[1].agent.has_value());
  CHECK(outcome.values[3].weight.grams == 1200500);
  CHECK(outcome.values[4].delivered_on == on("2026-10-05"));
}

TEST_CASE("deliveries.csv: every rule", "[rows]") {
  ReferenceRegistry reference;
  Farmer uncommitted;
  uncommitted.id = FarmerId("F005");
  reference.registry.add_farmer(uncommitted);
  const auto& context = reference.context;
  auto row = [&](const std::string& text) { return deliveries(context, kDeliveriesHeader + text + "\n"); };
  CHECK(row("D9,F001,OT1,A,500,,2026-02-15,").diagnostics.empty());  // on the commitment's own day
  auto unmeasured = row("D9,F001,OT1,A,500,,2026-07-10,");
  REQUIRE(unmeasured.values.size() == 1);
  CHECK_FALSE(unmeasured.values[0].moisture_pct.has_value());
  CHECK(row("D9,F001,OT1,D,500,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: grade: unknown grade D (not in [price.grade])"});
  CHECK(row("D9,F001,OT1,A,0,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: weight_kg: must be greater than 0"});
  CHECK(row("D9,F001,OT1,A,-500.000,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: weight_kg: must be greater than 0"});
  CHECK(row("D9,F001,OT1,A,10000000.000,13,2026-07-10,AG1").diagnostics.empty());
  CHECK(row("D9,F001,OT1,A,10000000.001,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: weight_kg: must be at most 10000000 kg"});
  CHECK(row("D9,F001,OT1,A,500.0005,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: weight_kg: '500.0005' has 4 decimals, at most 3 allowed"});
  CHECK(row("D9,F001,OT1,A,500,100,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: moisture_pct: must be at least 0 and less than 100"});
  CHECK(row("D9,F001,OT1,A,500,-0.5,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: moisture_pct: must be at least 0 and less than 100"});
  CHECK(row("D9,F001,OT1,A,500,13.0001,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: moisture_pct: '13.0001' has 4 decimals, at most 3 allowed"});
  CHECK(row("D9,F001,OT1,A,500,99.999,2026-07-10,AG1").diagnostics.empty());
  CHECK(row("D9,F001,OT1,A,500,13,2026-01-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: delivered_on: 2026-01-10 is before the first commitment between farmer F001 and "
              "off-taker OT1, signed on 2026-02-15"});
  CHECK(row("D9,F005,OT1,A,500,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: delivered_on: no commitment between farmer F005 and off-taker OT1"});
  CHECK(row("D9,F001,OT1,A,500,13,2026-07-10,SUP1").diagnostics ==
        Lines{"deliveries.csv:2: agent_id: SUP1 has role input_supplier, expected agent"});
  CHECK(row("D9,F001,CESS,A,500,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: offtaker_id: CESS has role authority, expected offtaker"});
  CHECK(row("D9,F009,OT1,A,500,13,2026-07-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: farmer_id: unknown farmer F009"});
  CHECK(row("D9,F001,OT1,A,500,13,2026-7-10,AG1").diagnostics ==
        Lines{"deliveries.csv:2: delivered_on: '2026-7-10' is not a date (YYYY-MM-DD)"});
  CHECK(row("D9,F001,OT1,A,500,13,2026-07-10,AG1\nD8,F001,OT1,A,1,,2026-07-10,\nD9,F002,OT1,B,2,,2026-07-11,")
            .diagnostics == Lines{"deliveries.csv:4: delivery_id: duplicate delivery_id D9, first on line 2"});
}

TEST_CASE("deliveries.csv: the duplicate index stays exact over many rows", "[rows]") {
  ReferenceRegistry reference;
  std::string bytes = kDeliveriesHeader;
  const int rows = 200000;
  for (int i = 0; i < rows; ++i) bytes += "D" + std::to_string(i) + ",F001,OT1,A,1,,2026-07-10,\n";
  bytes += "D123456,F001,OT1,A,1,,2026-07-10,\n";
  ScratchFolder folder;
  Diagnostics diagnostics;
  int accepted = 0;
  read_deliveries(folder.write("deliveries.csv", bytes), reference.context, diagnostics,
                  [&](const Delivery&, int) { ++accepted; });
  CHECK(accepted == rows);
  CHECK(formatted(diagnostics) == Lines{"deliveries.csv:" + std::to_string(rows + 2) +
                                        ": delivery_id: duplicate delivery_id D123456, first on line 123458"});
}

// The set moves its ids to a temporary SQLite database when they outgrow its memory
// (TRIPARTITE_ID_SET_BYTES): the answers must be the same before, at and after the move.
TEST_CASE("deliveries.csv: the duplicate index gives the same answers once its ids are on disk", "[rows]") {
  ReferenceRegistry reference;
  std::string bytes = kDeliveriesHeader;
  const int rows = 3000;
  for (int i = 0; i < rows; ++i) {
    std::string id = "D" + std::to_string(i);
    if (i % 97 == 50) id = "D" + std::to_string(i / 3);  // a repeat of an earlier id
    if (i == 2500) id = "D10";                           // a repeat of a row that has an error
    if (i == 2600) id = "D2550";                         // a repeat, itself with an error
    std::string weight = (i == 10 || i == 2600) ? "-1" : "1";
    bytes += id + ",F001,OT1,A," + weight + ",,2026-07-10,\n";
  }
  bytes += "D2999,F001,OT1,A,1,,2026-07-10,\n";  // the last id, repeated at once
  auto read = [&] {
    auto outcome = deliveries(reference.context, bytes);
    return std::make_pair(outcome.lines, outcome.diagnostics);
  };
  const auto in_memory = read();
  CHECK(in_memory.first.size() == rows + 1 - 36 + 1);  // each line with a problem is left out
  REQUIRE(in_memory.second.size() == 36);              // 34 repeats and 2 weights
  CHECK(in_memory.second.front() == "deliveries.csv:12: weight_kg: must be greater than 0");
  CHECK(in_memory.second[1] == "deliveries.csv:52: delivery_id: duplicate delivery_id D16, first on line 18");
  const Lines expected_late{
      "deliveries.csv:2502: delivery_id: duplicate delivery_id D10, first on line 12",
      "deliveries.csv:2602: delivery_id: duplicate delivery_id D2550, first on line 2552",
      "deliveries.csv:2602: weight_kg: must be greater than 0",
  };
  for (const auto& line : expected_late) {
    CHECK(std::count(in_memory.second.begin(), in_memory.second.end(), line) == 1);
  }
  CHECK(in_memory.second.back() == "deliveries.csv:3002: delivery_id: duplicate delivery_id D2999, first on line 3001");
  std::size_t spill_after_716_ids = (std::size_t{1} << 20) + 1024 * sizeof(std::uint64_t);
  for (std::size_t budget : {std::size_t{0}, spill_after_716_ids}) {
    INFO("budget " << budget);
    IdSetBudget small(budget);
    CHECK(read() == in_memory);
  }
}

// Long ids fill several of the set's 1 MiB arena blocks before the move to disk; repeats
// after the move name ids from each block.
TEST_CASE("deliveries.csv: ids from every arena block are on disk after the move", "[rows]") {
  ReferenceRegistry reference;
  auto id_of = [](int i) { return "D" + std::string(52, 'x') + "-" + std::to_string(100000 + i); };  // 60 bytes
  std::string bytes = kDeliveriesHeader;
  const int rows = 50000;
  int repeats = 0;
  for (int i = 0; i < rows; ++i) {
    const bool repeat = i >= 46000 && i % 100 == 0;
    repeats += repeat ? 1 : 0;
    bytes += (repeat ? id_of((i * 7919) % 45000) : id_of(i)) + ",F001,OT1,A,1,,2026-07-10,\n";
  }
  auto read = [&] { return deliveries(reference.context, bytes).diagnostics; };
  const auto in_memory = read();
  REQUIRE(repeats == 40);
  REQUIRE(in_memory.size() == 40);
  const int first = (46000 * 7919) % 45000;
  CHECK(in_memory.front() == "deliveries.csv:46002: delivery_id: duplicate delivery_id " + id_of(first) +
                                 ", first on line " + std::to_string(first + 2));
  // 65-byte entries: three blocks hold the first 45,875 ids, when the table's doubling to
  // 131,072 slots would pass 3.5 MiB.
  IdSetBudget three_blocks((std::size_t{3} << 20) + (std::size_t{512} << 10));
  CHECK(read() == in_memory);
}

TEST_CASE("market_prices.csv: optional, one row per date, positive prices", "[rows]") {
  Diagnostics diagnostics;
  CHECK(read_market_prices("/nonexistent/market_prices.csv", diagnostics, [](const MarketPrice&, int) {}));
  CHECK(diagnostics.empty());
  CHECK(market_prices("").diagnostics.empty());
  CHECK(market_prices("date,price_per_kg\n").diagnostics.empty());
  auto good = market_prices("price_per_kg,date\n41.25,2026-07-01\n40.123456789,2026-07-02\n40.12345678,2026-07-03\n");
  CHECK(good.diagnostics ==
        Lines{"market_prices.csv:3: price_per_kg: '40.123456789' has 9 decimals, at most 8 allowed"});
  REQUIRE(good.values.size() == 2);
  CHECK(good.values[0].date == on("2026-07-01"));
  CHECK(good.values[0].price_per_kg.to_string() == "41.25");
  CHECK(good.lines == std::vector<int>{2, 4});
  CHECK(market_prices("date,price_per_kg\n2026-07-01,41\n2026-07-01,42\n").diagnostics ==
        Lines{"market_prices.csv:3: date: duplicate date 2026-07-01, first on line 2"});
  CHECK(market_prices("date,price_per_kg\n2026-07-01,0\n").diagnostics ==
        Lines{"market_prices.csv:2: price_per_kg: must be greater than 0 and at most 10000000"});
  CHECK(market_prices("date,price_per_kg\n2026-06-31,40\n").diagnostics ==
        Lines{"market_prices.csv:2: date: '2026-06-31' is not a day of the calendar (2026-06 has 30 days)"});
}

TEST_CASE("the reference season folder reads whole, without diagnostics", "[rows]") {
  Diagnostics diagnostics;
  auto folder = read_season_folder(reference_folder(), diagnostics);
  CHECK(formatted(diagnostics).empty());
  REQUIRE(folder.terms.has_value());
  CHECK(folder.terms->id.value == "2026A");
  CHECK(folder.farmers.size() == 4);
  CHECK(folder.commitments.size() == 4);
  CHECK(folder.loans.size() == 3);
  CHECK(folder.deliveries.size() == 5);
  CHECK(folder.market_prices.empty());
  CHECK(folder.commitments[3].quantity.grams == 400000);
  CHECK(folder.loans[1].principal_minor == 1200000);
  CHECK(folder.deliveries[2].moisture_pct->to_string() == "14.2");
}

TEST_CASE("market_prices.csv is read for floor_market and ignored for a fixed-price season", "[rows]") {
  // SPEC §2: "needed by floor_market, ignored otherwise". A broken price file must not refuse
  // a fixed-price season, and must refuse a floor_market one.
  ScratchFolder folder;
  for (const char* name : {"farmers.csv", "commitments.csv", "loans.csv", "deliveries.csv"}) {
    folder.write(name, testing::read_text(reference_folder() + "/" + name));
  }
  std::string toml = testing::read_text(reference_folder() + "/coalition.toml");
  folder.write("coalition.toml", toml);
  folder.write("market_prices.csv", "date,price_per_kg\n2026-07-01,0\n2026-07-02,41.00\n");
  Diagnostics fixed;
  auto read_fixed = read_season_folder(folder.path(), fixed);
  CHECK(formatted(fixed).empty());
  CHECK(read_fixed.market_prices.empty());

  const std::string from = "method = \"fixed\"\nbase_per_kg = \"38.50\"";
  REQUIRE(toml.find(from) != std::string::npos);
  toml.replace(toml.find(from), from.size(),
               "method = \"floor_market\"\nfloor_per_kg = \"30.00\"\nmarket_discount = \"0.05\"");
  folder.write("coalition.toml", toml);
  Diagnostics floor;
  auto read_floor = read_season_folder(folder.path(), floor);
  CHECK(formatted(floor) == Lines{"market_prices.csv:2: price_per_kg: must be greater than 0 and at most 10000000"});
  REQUIRE(read_floor.market_prices.size() == 1);
  CHECK(read_floor.market_prices[0].date == on("2026-07-02"));
}

TEST_CASE("a row naming a refused farmer or resting on a refused commitment points at that row", "[rows]") {
  // Every way a farmers.csv row with a readable id is refused (here: a bad group_id, a bad
  // payout method) is noted, so that the rows of other files name the root cause.
  ScratchFolder folder;
  for (const char* name : {"coalition.toml", "loans.csv", "deliveries.csv"}) {
    folder.write(name, testing::read_text(reference_folder() + "/" + name));
  }
  std::string farmer_rows = testing::read_text(reference_folder() + "/farmers.csv");
  const std::string f004 = "F004,";
  const auto at = farmer_rows.find("\n" + f004);
  REQUIRE(at != std::string::npos);
  const auto group = farmer_rows.find(",G2,", at);
  REQUIRE(group != std::string::npos);
  farmer_rows.replace(group, 4, ",G 2,");
  folder.write("farmers.csv", farmer_rows);
  std::string commitment_rows = testing::read_text(reference_folder() + "/commitments.csv");
  const std::string signed_on = ",2026-02-15\n";
  REQUIRE(commitment_rows.find(signed_on) != std::string::npos);
  commitment_rows.replace(commitment_rows.find(signed_on), signed_on.size(), ",2026-02-30\n");
  folder.write("commitments.csv", commitment_rows);
  Diagnostics diagnostics;
  (void)read_season_folder(folder.path(), diagnostics);
  const Lines lines = formatted(diagnostics);
  auto has = [&lines](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
  CHECK(has("farmers.csv:5: group_id: 'G 2'" + kInvalidId));
  CHECK(has("commitments.csv:2: signed_on: '2026-02-30' is not a day of the calendar (2026-02 has 28 days)"));
  CHECK(
      has("commitments.csv:5: farmer_id: farmer F004 is refused at farmers.csv:5 (its row's errors are listed there)"));
  CHECK(has("loans.csv:4: farmer_id: farmer F004 is refused at farmers.csv:5 (its row's errors are listed there)"));
  CHECK(
      has("deliveries.csv:2: delivered_on: no commitment between farmer F001 and off-taker OT1 (the one at "
          "commitments.csv:2 is refused: its row's errors are listed there)"));
  for (const auto& line : lines) CHECK(line.find("unknown farmer") == std::string::npos);
}

TEST_CASE("a value too long for a message is cut after 64 bytes", "[rows]") {
  ReferenceRegistry reference;
  const std::string digits(5000, '9');
  auto read =
      commitments(reference.context, std::string(kCommitmentsHeader) + "C9,F001,OT1," + digits + ",2026-02-15\n");
  REQUIRE(read.diagnostics.size() == 1);
  CHECK(read.diagnostics[0] == "commitments.csv:2: quantity_kg: '" + std::string(64, '9') + "...' is too large");
}
