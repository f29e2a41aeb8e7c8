// Delivery records: the direct writer and the fast reader give exactly what the general
// canonical path gives.
#include <catch2/catch.hpp>

#include "contracts/records.hpp"
#include "ledger/canonical.hpp"
#include "tests/damaged_copies.hpp"

using namespace tripartite::contracts;
namespace canonical = tripartite::ledger::canonical;
using date::day;
using date::month;
using date::year;

namespace {

Delivery sample_delivery(bool agent, bool moisture, std::string grade = "A") {
  Delivery d;
  d.id = DeliveryId("D-0001");
  d.farmer = FarmerId("F00042");
  d.offtaker = PartyId("OT1");
  d.grade = std::move(grade);
  d.weight = Grams{1234567};
  if (moisture) d.moisture_pct = Decimal::from_units(135, 1);
  d.delivered_on = Date{year{2026}, month{7}, day{14}};
  if (agent) d.agent = PartyId("AG7");
  return d;
}

// The same record built member by member as a canonical Object.
std::string object_encoding(const Delivery& d, const std::string& season) {
  canonical::Object o;
  o["agent"] = d.agent ? d.agent->value : std::string();
  o["delivered_on"] = format_date(d.delivered_on);
  o["farmer"] = d.farmer.value;
  o["grade"] = d.grade;
  o["id"] = d.id.value;
  o["kind"] = "delivery";
  o["moisture_pct"] = d.moisture_pct ? d.moisture_pct->rescaled(3).to_string() : std::string();
  o["offtaker"] = d.offtaker.value;
  o["season"] = season;
  o["weight_kg"] = d.weight.to_kg_string();
  return canonical::Value(std::move(o)).serialise();
}

void check_same(const Delivery& a, const Delivery& b) {
  CHECK(a.id.value == b.id.value);
  CHECK(a.farmer.value == b.farmer.value);
  CHECK(a.offtaker.value == b.offtaker.value);
  CHECK(a.grade == b.grade);
  CHECK(a.weight == b.weight);
  CHECK(a.moisture_pct.has_value() == b.moisture_pct.has_value());
  if (a.moisture_pct && b.moisture_pct) CHECK(*a.moisture_pct == *b.moisture_pct);
  CHECK(a.delivered_on == b.delivered_on);
  CHECK(a.agent.has_value() == b.agent.has_value());
  if (a.agent && b.agent) CHECK(a.agent->value == b.agent->value);
}

}  // namespace

TEST_CASE("a delivery is written as the canonical object of its members and read back", "[records]") {
  for (bool agent : {false, true}) {
    for (bool moisture : {false, true}) {
      // A grade with a quote and a control byte takes the reader's general path.
      for (std::string grade : {"A", "B2", "x\"y\x01"}) {
        Delivery d = sample_delivery(agent, moisture, grade);
        EncodedRecord record = encode_delivery(d, SeasonId("S26"));
        INFO(record.body);
        CHECK(record.body == object_encoding(d, "S26"));
        CHECK(record.index.kind == "delivery");
        CHECK(record.index.key == "D-0001");
        CHECK(record.index.season == "S26");
        CHECK(record.index.subject == "F00042");
        CHECK(record.index.date == "2026-07-14");
        auto decoded = decode_delivery(record.body);
        REQUIRE(decoded.ok());
        check_same(*decoded, d);
      }
    }
  }
}

TEST_CASE("a damaged delivery record is refused or read as exactly what its bytes say", "[records]") {
  const std::string body = encode_delivery(sample_delivery(true, true), SeasonId("S26")).body;
  std::size_t refused = 0;
  std::size_t read = 0;
  for (const auto& v : tripartite::test::damaged_copies(body, std::string_view("x\"\\:,}\x01" "09-."))) {
    INFO(v);
    auto decoded = decode_delivery(v);
    if (!decoded.ok()) {
      refused += 1;
      continue;
    }
    // Whatever is accepted is the canonical record of what was read: the reader never
    // reads a field other than the bytes say, whichever path it took.
    read += 1;
    auto season = canonical::get_string(canonical::parse(v).value(), "season");
    REQUIRE(season.ok());
    CHECK(encode_delivery(*decoded, SeasonId(*season)).body == v);
  }
  CHECK(refused > 0);
  CHECK(read > 0);
}

TEST_CASE("a record that is not a delivery is refused by the delivery reader", "[records]") {
  std::string body = encode_delivery(sample_delivery(false, false), SeasonId("S26")).body;
  std::string other = body;
  other.replace(other.find("\"delivery\""), 10, "\"commitmen\"");
  auto decoded = decode_delivery(other);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message.find("expected 'delivery'") != std::string::npos);
  // A member in another notation than Tripartite writes is not read as if it were canonical.
  std::string loose = encode_delivery(sample_delivery(false, true), SeasonId("S26")).body;
  loose.replace(loose.find("\"13.500\""), 8, "\"13.5\"");
  auto loose_decoded = decode_delivery(loose);
  REQUIRE_FALSE(loose_decoded.ok());
  CHECK(loose_decoded.error().message.find("not in the form Tripartite writes") != std::string::npos);
  auto short_record = decode_delivery("{\"kind\":\"delivery\"}");
  REQUIRE_FALSE(short_record.ok());
  CHECK(short_record.error().message.find("members") != std::string::npos);
}

namespace {

// The test's own reading of a loan record, through the general parser: the loan, or
// nothing when any member is missing or does not validate.
std::optional<Loan> loan_by_parser(std::string_view body, const tripartite::ledger::Currency& currency) {
  auto value = canonical::parse(body);
  if (!value || !value->is_object() || value->as_object().size() != 10) return std::nullopt;
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto got = canonical::get_string(*value, key);
    return got ? std::optional<std::string>(*got) : std::nullopt;
  };
  auto kind = text("kind");
  auto id = text("id"), farmer = text("farmer"), lender = text("lender"), product = text("product");
  // The season is not read: a loan's season is its record's index column (and verify reads
  // the member itself).
  auto paid_to = text("paid_to"), principal = text("principal");
  auto disbursed = text("disbursed_on"), due = text("due_on");
  if (!kind || *kind != "loan" || !id || !farmer || !lender || !product || !paid_to || !principal || !disbursed ||
      !due) {
    return std::nullopt;
  }
  for (const auto* each : {&*id, &*farmer, &*lender, &*product}) {
    if (!is_valid_id(*each)) return std::nullopt;
  }
  auto minor = tripartite::ledger::Money::parse(*principal, currency);
  auto disbursed_on = parse_date(*disbursed);
  auto due_on = parse_date(*due);
  if (!minor || !disbursed_on || !due_on) return std::nullopt;
  Loan loan;
  loan.id = LoanId(*id);
  loan.farmer = FarmerId(*farmer);
  loan.lender = PartyId(*lender);
  loan.product = ProductId(*product);
  if (!paid_to->empty()) loan.paid_to = PartyId(*paid_to);
  loan.principal_minor = minor->minor;
  loan.disbursed_on = *disbursed_on;
  loan.due_on = *due_on;
  return loan;
}

bool same_loan(const Loan& a, const Loan& b) {
  return a.id == b.id && a.farmer == b.farmer && a.lender == b.lender && a.product == b.product &&
         a.paid_to == b.paid_to && a.principal_minor == b.principal_minor && a.disbursed_on == b.disbursed_on &&
         a.due_on == b.due_on;
}

}  // namespace

TEST_CASE("a loan record, intact or damaged, is read exactly as the general parser reads it", "[records]") {
  auto currency = tripartite::ledger::Currency::from_code("KES").value();
  Loan loan;
  loan.id = LoanId("L-0007");
  loan.farmer = FarmerId("F00042");
  loan.lender = PartyId("BANK1");
  loan.product = ProductId("INPUT26");
  loan.paid_to = PartyId("SUP1");
  loan.principal_minor = 1250075;
  loan.disbursed_on = year{2026} / month{3} / day{1};
  loan.due_on = year{2026} / month{12} / day{31};
  const std::string body = encode_loan(loan, SeasonId("S26"), currency).body;
  auto decoded = decode_loan(body, currency);
  REQUIRE(decoded.ok());
  CHECK(same_loan(*decoded, loan));
  std::size_t refused = 0;
  std::size_t read = 0;
  for (const auto& v : tripartite::test::damaged_copies(body, std::string_view("x\"\\:,}\x01" "09-."))) {
    INFO(v);
    auto expected = loan_by_parser(v, currency);
    auto got = decode_loan(v, currency);
    REQUIRE(got.ok() == expected.has_value());
    if (!expected) {
      refused += 1;
      continue;
    }
    read += 1;
    CHECK(same_loan(*got, *expected));
  }
  CHECK(refused > 0);
  CHECK(read > 0);
}

TEST_CASE("member_differences names each member that differs, absent ones as ''", "[records]") {
  const std::string ledger_body = R"({"a":"1","b":{"x":"1"},"id":"D1","kind":"delivery","w":"500.000"})";
  const std::string here_body = R"({"b":{"x":"2"},"c":"new","id":"D1","kind":"delivery","w":"501.000"})";
  auto differences = member_differences(here_body, ledger_body);
  REQUIRE(differences.size() == 4);
  CHECK(differences[0].member == "a");
  CHECK(differences[0].here == "''");
  CHECK(differences[0].ledger == "'1'");
  CHECK(differences[1].member == "b");
  CHECK(differences[1].here == "'{\"x\":\"2\"}'");
  CHECK(differences[2].member == "c");
  CHECK(differences[2].ledger == "''");
  CHECK(differences[3].member == "w");
  CHECK(describe_differences(here_body, ledger_body, 2) ==
        "a '' here, '1' in the ledger; b '{\"x\":\"2\"}' here, '{\"x\":\"1\"}' in the ledger; and 2 more");
  CHECK(member_differences(ledger_body, ledger_body).empty());
  CHECK(describe_differences("not json", ledger_body).empty());
}

TEST_CASE("the members verify expects of a record read without decoding are the encoders' own", "[records]") {
  // verify checks these lists on every farmer, commitment, delivery and market price; they
  // must be exactly what the encoders write, or a ledger would not verify.
  auto members_of = [](const std::string& body) {
    std::vector<std::string> names;
    const canonical::Value parsed = canonical::parse(body).value();
    for (const auto& [name, value] : parsed.as_object()) names.push_back(name);
    return names;
  };
  auto expected = [](std::string_view kind) {
    const auto* list = flat_record_members(kind);
    REQUIRE(list != nullptr);
    return std::vector<std::string>(list->begin(), list->end());
  };
  Farmer farmer{FarmerId("F1"), "Grace", "G1", "+254700000001", PayoutMethod::cash, ""};
  CHECK(members_of(encode_farmer(farmer).body) == expected("farmer"));
  Commitment commitment{CommitmentId("C1"), FarmerId("F1"), PartyId("OT1"), Grams{1000000},
                        Date{year{2026}, month{2}, day{15}}};
  CHECK(members_of(encode_commitment(commitment, SeasonId("S26")).body) == expected("commitment"));
  CHECK(members_of(encode_delivery(sample_delivery(false, false), SeasonId("S26")).body) == expected("delivery"));
  CHECK(members_of(encode_delivery(sample_delivery(true, true), SeasonId("S26")).body) == expected("delivery"));
  MarketPrice price{Date{year{2026}, month{7}, day{1}}, Decimal::from_units(3850, 2)};
  CHECK(members_of(encode_market_price(price, SeasonId("S26")).body) == expected("market_price"));
  // Every other kind is decoded in full by verify, which checks its members.
  for (std::string_view kind :
       {"genesis", "key", "party", "loan_product", "season", "loan", "entry", "run", "acknowledgement"}) {
    CHECK(flat_record_members(kind) == nullptr);
  }
}
