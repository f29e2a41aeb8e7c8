// coalition.toml: the reference terms, and every rule of SPEC §2 with its exact diagnostic.
#include <catch2/catch.hpp>

#include "contracts/season_reader.hpp"
#include "contracts_test_support.hpp"

using namespace tripartite;
using namespace tripartite::contracts;
using tripartite::contracts::testing::formatted;
using tripartite::contracts::testing::reference_folder;
using tripartite::contracts::testing::ScratchFolder;

namespace {

using Lines = std::vector<std::string>;

// A small valid coalition.toml; the tests below change one thing and name the lines.
const std::string kValid =
    "[season]\n"                                       // 1
    "id = \"S1\"\n"                                    // 2
    "currency = \"KES\"\n"                             // 3
    "commodity = \"maize\"\n"                          // 4
    "[[party]]\n"                                      // 5
    "id = \"COAL\"\n"                                  // 6
    "role = \"coordinator\"\n"                         // 7
    "name = \"Coalition\"\n"                           // 8
    "[[party]]\n"                                      // 9
    "id = \"OT1\"\n"                                   // 10
    "role = \"offtaker\"\n"                            // 11
    "name = \"Off-taker\"\n"                           // 12
    "[[party]]\n"                                      // 13
    "id = \"BANK1\"\n"                                 // 14
    "role = \"lender\"\n"                              // 15
    "name = \"Bank\"\n"                                // 16
    "[[party]]\n"                                      // 17
    "id = \"SUP1\"\n"                                  // 18
    "role = \"input_supplier\"\n"                      // 19
    "name = \"Supplier\"\n"                            // 20
    "[[party]]\n"                                      // 21
    "id = \"CESS\"\n"                                  // 22
    "role = \"authority\"\n"                           // 23
    "name = \"Cess\"\n"                                // 24
    "[[party]]\n"                                      // 25
    "id = \"AG1\"\n"                                   // 26
    "role = \"agent\"\n"                               // 27
    "name = \"Agent\"\n"                               // 28
    "[price]\n"                                        // 29
    "method = \"fixed\"\n"                             // 30
    "base_per_kg = \"38.50\"\n"                        // 31
    "moisture_target_pct = \"13.5\"\n"                 // 32
    "[price.grade]\n"                                  // 33
    "A = \"1.05\"\n"                                   // 34
    "B = \"1.00\"\n"                                   // 35
    "[[loan_product]]\n"                               // 36
    "id = \"P1\"\n"                                    // 37
    "annual_rate = \"0.18\"\n"                         // 38
    "method = \"declining\"\n"                         // 39
    "day_count = \"ACT/365F\"\n"                       // 40
    "origination_fee = \"0.02\"\n"                     // 41
    "[[deduction]]\n"                                  // 42
    "kind = \"levy\"\n"                                // 43
    "to = \"CESS\"\n"                                  // 44
    "rate = \"0.01\"\n"                                // 45
    "[[deduction]]\n"                                  // 46
    "kind = \"coalition_fee\"\n"                       // 47
    "rate = \"0.02\"\n"                                // 48
    "shares = { SUP1 = \"0.40\", COAL = \"0.60\" }\n"  // 49
    "[[deduction]]\n"                                  // 50
    "kind = \"agent_commission\"\n"                    // 51
    "per_kg = \"0.50\"\n"                              // 52
    "[[deduction]]\n"                                  // 53
    "kind = \"loan_repayment\"\n"                      // 54
    "max_share_of_gross = \"0.70\"\n";                 // 55

// kValid with `from` (which must occur exactly once) replaced by `to`.
std::string changed(const std::string& from, const std::string& to, std::string text = kValid) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

struct TomlOutcome {
  std::optional<SeasonTerms> terms;
  Lines diagnostics;
};

TomlOutcome read_toml(std::string_view text, const Registry* known = nullptr) {
  ScratchFolder folder;
  Diagnostics diagnostics;
  auto terms = read_coalition(folder.write("coalition.toml", text), diagnostics, known);
  TomlOutcome outcome;
  if (terms.ok()) outcome.terms = *terms;
  outcome.diagnostics = formatted(diagnostics);
  if (terms.ok()) CHECK(diagnostics.empty());
  if (!terms.ok()) CHECK_FALSE(diagnostics.empty());
  return outcome;
}

Lines problems_of(const std::string& text) { return read_toml(text).diagnostics; }

const std::string kDecimalFloat = "must be a decimal string such as \"0.40\", not a TOML float";
const std::string kDecimalInteger = "must be a decimal string such as \"0.40\", not a TOML integer";

}  // namespace

TEST_CASE("coalition: the reference season's terms, value by value", "[coalition]") {
  Diagnostics diagnostics;
  auto terms = read_coalition(reference_folder() + "/coalition.toml", diagnostics);
  CHECK(formatted(diagnostics).empty());
  REQUIRE(terms.ok());
  CHECK(terms->id.value == "2026A");
  CHECK(terms->currency.code == "KES");
  CHECK(terms->currency.exponent == 2);
  CHECK(terms->commodity == "maize");
  std::vector<std::pair<std::string, Role>> parties;
  for (const auto& party : terms->parties) parties.emplace_back(party.id.value, party.role);
  CHECK(parties == std::vector<std::pair<std::string, Role>>{{"COAL", Role::coordinator},
                                                             {"OT1", Role::offtaker},
                                                             {"BANK1", Role::lender},
                                                             {"SUP1", Role::input_supplier},
                                                             {"TRN1", Role::service_provider},
                                                             {"AG1", Role::agent},
                                                             {"AG2", Role::agent},
                                                             {"CESS", Role::authority}});
  CHECK(terms->parties[1].name == "Nakuru Grain Millers");
  CHECK(terms->price.method == PriceMethod::fixed);
  CHECK(terms->price.base_per_kg.to_string() == "38.50");
  CHECK(terms->price.moisture_target_pct.to_string() == "13.5");
  REQUIRE(terms->price.grade_multipliers.size() == 3);
  CHECK(terms->price.grade_multipliers.at("A").to_string() == "1.05");
  CHECK(terms->price.grade_multipliers.at("B").to_string() == "1.00");
  CHECK(terms->price.grade_multipliers.at("C").to_string() == "0.90");
  REQUIRE(terms->loan_products.size() == 1);
  const auto& product = terms->loan_products[0];
  CHECK(product.id.value == "INPUT-2026A");
  CHECK(product.annual_rate.to_string() == "0.18");
  CHECK(product.method == InterestMethod::declining);
  CHECK(product.day_count == DayCount::act_365f);
  CHECK(product.origination_fee.to_string() == "0.02");
  REQUIRE(terms->deductions.size() == 4);
  const auto& levy = terms->deductions[0];
  CHECK(levy.kind == DeductionKind::levy);
  CHECK(levy.to.value == "CESS");
  CHECK(levy.rate->to_string() == "0.01");
  const auto& fee = terms->deductions[1];
  CHECK(fee.kind == DeductionKind::coalition_fee);
  CHECK(fee.rate->to_string() == "0.02");
  CHECK_FALSE(fee.per_kg.has_value());
  REQUIRE(fee.shares.size() == 3);
  CHECK(fee.shares.at("SUP1").to_string() == "0.40");
  CHECK(fee.shares.at("TRN1").to_string() == "0.35");
  CHECK(fee.shares.at("COAL").to_string() == "0.25");
  CHECK(terms->deductions[2].kind == DeductionKind::agent_commission);
  CHECK(terms->deductions[2].per_kg->to_string() == "0.50");
  CHECK(terms->deductions[3].kind == DeductionKind::loan_repayment);
  CHECK(terms->deductions[3].max_share_of_gross.to_string() == "0.70");
}

TEST_CASE("coalition: the test's own base file is valid", "[coalition]") {
  auto outcome = read_toml(kValid);
  CHECK(outcome.diagnostics.empty());
  REQUIRE(outcome.terms.has_value());
  CHECK(outcome.terms->parties.size() == 6);
  CHECK(outcome.terms->deductions.size() == 4);
}

TEST_CASE("coalition: a TOML float or integer where a decimal string is required", "[coalition]") {
  CHECK(problems_of(changed("base_per_kg = \"38.50\"", "base_per_kg = 38.50")) ==
        Lines{"coalition.toml:31: price.base_per_kg: " + kDecimalFloat});
  CHECK(problems_of(changed("rate = \"0.01\"", "rate = 0")) ==
        Lines{"coalition.toml:45: deduction[1].rate: " + kDecimalInteger});
  CHECK(problems_of(changed("moisture_target_pct = \"13.5\"", "moisture_target_pct = 13.5")) ==
        Lines{"coalition.toml:32: price.moisture_target_pct: " + kDecimalFloat});
  CHECK(problems_of(changed("SUP1 = \"0.40\"", "SUP1 = 0.40")) ==
        Lines{"coalition.toml:49: deduction[2].shares.SUP1: " + kDecimalFloat});
  CHECK(problems_of(changed("B = \"1.00\"", "B = 1")) == Lines{"coalition.toml:35: price.grade.B: " + kDecimalInteger});
  CHECK(problems_of(changed("annual_rate = \"0.18\"", "annual_rate = true")) ==
        Lines{"coalition.toml:38: loan_product[1].annual_rate: must be a decimal string such as \"0.40\""});
}

TEST_CASE("coalition: unknown keys are refused at every level, at the key's line", "[coalition]") {
  CHECK(problems_of(kValid + "[extras]\nnote = \"x\"\n") ==
        Lines{"coalition.toml:56: extras: unknown key (expected season, party, price, loan_product, deduction)"});
  CHECK(problems_of(changed("commodity = \"maize\"\n", "commodity = \"maize\"\nvariety = \"H614\"\n")) ==
        Lines{"coalition.toml:5: season.variety: unknown key (expected id, currency, commodity)"});
  CHECK(problems_of(changed("name = \"Bank\"\n", "name = \"Bank\"\nnmae = \"x\"\n")) ==
        Lines{"coalition.toml:17: party[3].nmae: unknown key (expected id, role, name)"});
  CHECK(problems_of(changed("base_per_kg = \"38.50\"\n", "base_per_kg = \"38.50\"\nbonus = \"1\"\n")) ==
        Lines{"coalition.toml:32: price.bonus: unknown key (expected method, base_per_kg, floor_per_kg, "
              "market_discount, moisture_target_pct, grade)"});
  CHECK(problems_of(changed("day_count = \"ACT/365F\"\n", "day_count = \"ACT/365F\"\ngrace_days = \"30\"\n")) ==
        Lines{"coalition.toml:41: loan_product[1].grace_days: unknown key (expected id, annual_rate, method, "
              "day_count, origination_fee)"});
  CHECK(problems_of(changed("per_kg = \"0.50\"\n", "per_kg = \"0.50\"\ncap = \"100\"\n")) ==
        Lines{"coalition.toml:53: deduction[3].cap: unknown key (expected kind, to, rate, per_kg, shares, "
              "max_share_of_gross)"});
}

TEST_CASE("coalition: required tables and keys, at the table's line", "[coalition]") {
  CHECK(problems_of(changed("currency = \"KES\"\n", "")) == Lines{"coalition.toml:1: season.currency: required"});
  CHECK(problems_of(changed("role = \"lender\"\n", "")) == Lines{"coalition.toml:13: party[3].role: required"});
  CHECK(problems_of(changed("origination_fee = \"0.02\"\n", "")) ==
        Lines{"coalition.toml:36: loan_product[1].origination_fee: required"});
  CHECK(problems_of(changed("moisture_target_pct = \"13.5\"\n", "")) ==
        Lines{"coalition.toml:29: price.moisture_target_pct: required"});
  std::string without_season = kValid.substr(kValid.find("[[party]]"));
  CHECK(problems_of(without_season) == Lines{"coalition.toml: season: missing table [season]"});
  std::string without_price = kValid.substr(0, kValid.find("[price]")) + kValid.substr(kValid.find("[[loan_product]]"));
  CHECK(problems_of(without_price) == Lines{"coalition.toml: price: missing table [price]"});
  CHECK(problems_of(changed("[season]", "season = \"2026A\"\n[seasons]")) ==
        Lines{"coalition.toml:1: season: must be a table ([season])",
              "coalition.toml:2: seasons: unknown key (expected season, party, price, loan_product, deduction)"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"\"")) ==
        Lines{"coalition.toml:8: party[1].name: must not be empty"});
  // A party name is free text, checked as a farmer's name is: not blank (invisible and
  // non-ASCII spaces count as blank), no control character, line separator or bidi override.
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"\\u00A0\\u200B \"")) ==
        Lines{"coalition.toml:8: party[1].name: is blank"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"Coal\\u0007ition\"")) ==
        Lines{"coalition.toml:8: party[1].name: contains a control character (U+0007)"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"Coal\\u0085ition\"")) ==
        Lines{"coalition.toml:8: party[1].name: contains a control character (U+0085)"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"Coal\\nition\"")) ==
        Lines{"coalition.toml:8: party[1].name: contains a line break (U+000A)"});  // as in a CSV name
  CHECK(problems_of(changed("commodity = \"maize\"", "commodity = \"maize\\n\"")) ==
        Lines{"coalition.toml:4: season.commodity: contains a line break (U+000A)"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"Coal\\u202Eition\"")) ==
        Lines{"coalition.toml:8: party[1].name: contains a bidirectional override (U+202E)"});
  CHECK(problems_of(changed("name = \"Coalition\"", "name = \"Caf\\u00E9 Coalition\\u00A0Ltd\"")).empty());
}

TEST_CASE("coalition: season id, currency", "[coalition]") {
  CHECK(problems_of(changed("id = \"S1\"", "id = \"S 1\"")) ==
        Lines{"coalition.toml:2: season.id: 'S 1' is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ -)"});
  CHECK(problems_of(changed("currency = \"KES\"", "currency = \"KSH\"")) ==
        Lines{"coalition.toml:3: season.currency: unknown currency 'KSH' (expected an ISO 4217 code such as KES, "
              "UGX, USD)"});
  auto ugx = read_toml(changed("currency = \"KES\"", "currency = \"UGX\""));
  REQUIRE(ugx.terms.has_value());
  CHECK(ugx.terms->currency.exponent == 0);
}

TEST_CASE("coalition: parties — ids, roles, one off-taker, a coordinator", "[coalition]") {
  CHECK(problems_of(changed("role = \"lender\"", "role = \"bank\"")) ==
        Lines{"coalition.toml:15: party[3].role: 'bank' is not a role (offtaker, lender, input_supplier, "
              "service_provider, agent, authority or coordinator)"});
  CHECK(problems_of(changed("id = \"AG1\"", "id = \"SUP1\"")) ==
        Lines{"coalition.toml:26: party[6].id: duplicate party id SUP1, first on line 18"});
  CHECK(problems_of(changed("id = \"BANK1\"", "id = \"BANK#1\"")) ==
        Lines{"coalition.toml:14: party[3].id: 'BANK#1' is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ "
              "-)"});
  CHECK(problems_of(changed("role = \"agent\"", "role = \"offtaker\"")) ==
        Lines{"coalition.toml:27: party[6].role: a second offtaker; OT1 (line 11) is already the season's "
              "off-taker, and a season has exactly one"});
  CHECK(problems_of(changed("role = \"offtaker\"", "role = \"service_provider\"")) ==
        Lines{"coalition.toml: party: no party with role offtaker (a season has exactly one)"});
  CHECK(problems_of(changed("role = \"coordinator\"", "role = \"service_provider\"")) ==
        Lines{"coalition.toml: party: no party with role coordinator (at least one is required)"});
  std::string party_not_array =
      "party = \"COAL\"\n" + kValid.substr(0, kValid.find("[[party]]")) + kValid.substr(kValid.find("[price]"));
  auto not_array = problems_of(party_not_array);
  CHECK(std::find(not_array.begin(), not_array.end(),
                  "coalition.toml:1: party: must be an array of tables ([[party]])") != not_array.end());
}

TEST_CASE("coalition: a party id that is a known farmer id is refused", "[coalition]") {
  InMemoryRegistry known;
  Farmer farmer;
  farmer.id = FarmerId("AG1");
  known.add_farmer(farmer);
  CHECK(read_toml(kValid, &known).diagnostics ==
        Lines{"coalition.toml:26: party[6].id: AG1 is a farmer id; farmer ids and party ids must differ"});
}

TEST_CASE("coalition: price method, floor_market, decimals and ranges", "[coalition]") {
  CHECK(problems_of(changed("method = \"fixed\"", "method = \"auction\"")) ==
        Lines{"coalition.toml:30: price.method: 'auction' is not a price method (fixed or floor_market)"});
  CHECK(problems_of(changed("method = \"fixed\"", "method = \"floor_market\"")) ==
        Lines{"coalition.toml:29: price.floor_per_kg: required for method floor_market",
              "coalition.toml:29: price.market_discount: required for method floor_market",
              "coalition.toml:31: price.base_per_kg: not used by method floor_market"});
  auto floor_market =
      read_toml(changed("method = \"fixed\"\nbase_per_kg = \"38.50\"",
                        "method = \"floor_market\"\nfloor_per_kg = \"30.00\"\nmarket_discount = \"0.05\""));
  CHECK(floor_market.diagnostics.empty());
  REQUIRE(floor_market.terms.has_value());
  CHECK(floor_market.terms->price.method == PriceMethod::floor_market);
  CHECK(floor_market.terms->price.floor_per_kg.to_string() == "30.00");
  CHECK(floor_market.terms->price.market_discount.to_string() == "0.05");
  CHECK(problems_of(changed("method = \"fixed\"\nbase_per_kg = \"38.50\"",
                            "method = \"floor_market\"\nfloor_per_kg = \"30.00\"\nmarket_discount = \"1\"")) ==
        Lines{"coalition.toml:32: price.market_discount: must be at least 0 and less than 1"});
  CHECK(problems_of(changed("base_per_kg = \"38.50\"\n", "base_per_kg = \"38.50\"\nfloor_per_kg = \"30\"\n")) ==
        Lines{"coalition.toml:32: price.floor_per_kg: not used by method fixed"});
  CHECK(problems_of(changed("base_per_kg = \"38.50\"\n", "")) ==
        Lines{"coalition.toml:29: price.base_per_kg: required for method fixed"});
  CHECK(problems_of(changed("\"38.50\"", "\"38.123456789\"")) ==
        Lines{"coalition.toml:31: price.base_per_kg: '38.123456789' has 9 decimals, at most 8 allowed"});
  CHECK(problems_of(changed("\"38.50\"", "\"38.12345678\"")).empty());
  CHECK(problems_of(changed("\"38.50\"", "\"0\"")) ==
        Lines{"coalition.toml:31: price.base_per_kg: must be greater than 0 and at most 10000000"});
  CHECK(problems_of(changed("\"38.50\"", "\"38,50\"")) ==
        Lines{"coalition.toml:31: price.base_per_kg: '38,50' is not a decimal number"});
  CHECK(problems_of(changed("\"38.50\"", "\"10000000\"")).empty());
  CHECK(problems_of(changed("\"38.50\"", "\"10000000.00000001\"")) ==
        Lines{"coalition.toml:31: price.base_per_kg: must be greater than 0 and at most 10000000"});
  CHECK(problems_of(changed("\"13.5\"", "\"100\"")) ==
        Lines{"coalition.toml:32: price.moisture_target_pct: must be at least 0 and less than 100"});
  CHECK(problems_of(changed("\"13.5\"", "\"-1\"")) ==
        Lines{"coalition.toml:32: price.moisture_target_pct: must be at least 0 and less than 100"});
  CHECK(problems_of(changed("\"13.5\"", "\"13.5555\"")) ==
        Lines{"coalition.toml:32: price.moisture_target_pct: '13.5555' has 4 decimals, at most 3 allowed"});
  CHECK(problems_of(changed("\"13.5\"", "\"99.999\"")).empty());
}

TEST_CASE("coalition: grades — at least one, ids, multipliers greater than 0", "[coalition]") {
  CHECK(problems_of(changed("B = \"1.00\"", "B = \"0\"")) ==
        Lines{"coalition.toml:35: price.grade.B: must be greater than 0 and at most 10"});
  CHECK(problems_of(changed("B = \"1.00\"", "B = \"10\"")).empty());
  CHECK(problems_of(changed("B = \"1.00\"", "B = \"10.00000001\"")) ==
        Lines{"coalition.toml:35: price.grade.B: must be greater than 0 and at most 10"});
  CHECK(problems_of(changed("A = \"1.05\"\nB = \"1.00\"\n", "")) ==
        Lines{"coalition.toml:33: price.grade: at least one grade is required"});
  CHECK(problems_of(changed("[price.grade]\nA = \"1.05\"\nB = \"1.00\"\n", "")) ==
        Lines{"coalition.toml:29: price.grade: required: a table of grade = \"multiplier\", at least one"});
  CHECK(problems_of(changed("B = \"1.00\"", "\"B B\" = \"1.00\"")) ==
        Lines{"coalition.toml:35: price.grade.B B: 'B B' is not a valid id (1 to 64 characters of A-Z a-z 0-9 . "
              "_ -)"});
}

TEST_CASE("coalition: loan products", "[coalition]") {
  CHECK(problems_of(changed("\"0.18\"", "\"-0.18\"")) ==
        Lines{"coalition.toml:38: loan_product[1].annual_rate: must be between 0 and 10 (1,000% a year)"});
  CHECK(problems_of(changed("\"0.18\"", "\"10\"")).empty());
  CHECK(problems_of(changed("\"0.18\"", "\"18\"")) ==
        Lines{"coalition.toml:38: loan_product[1].annual_rate: must be between 0 and 10 (1,000% a year)"});
  CHECK(problems_of(changed("origination_fee = \"0.02\"", "origination_fee = \"1\"")).empty());
  CHECK(problems_of(changed("origination_fee = \"0.02\"", "origination_fee = \"1.00000001\"")) ==
        Lines{"coalition.toml:41: loan_product[1].origination_fee: must be between 0 and 1"});
  CHECK(problems_of(changed("\"declining\"", "\"annuity\"")) ==
        Lines{"coalition.toml:39: loan_product[1].method: 'annuity' is not an interest method (declining or flat)"});
  CHECK(problems_of(changed("\"ACT/365F\"", "\"ACT/ACT\"")) ==
        Lines{"coalition.toml:40: loan_product[1].day_count: 'ACT/ACT' is not a day count (ACT/365F, ACT/360 or "
              "30/360)"});
  CHECK(problems_of(changed("origination_fee = \"0.02\"", "origination_fee = \"-0.02\"")) ==
        Lines{"coalition.toml:41: loan_product[1].origination_fee: must be between 0 and 1"});
  std::string product =
      "[[loan_product]]\nid = \"P1\"\nannual_rate = \"0.20\"\nmethod = \"flat\"\n"
      "day_count = \"30/360\"\norigination_fee = \"0\"\n";
  CHECK(problems_of(kValid + product) ==
        Lines{"coalition.toml:57: loan_product[2].id: duplicate loan product id P1, first on line 37"});
  auto two = read_toml(kValid + changed("id = \"P1\"", "id = \"P2\"", product));
  REQUIRE(two.terms.has_value());
  REQUIRE(two.terms->loan_products.size() == 2);
  CHECK(two.terms->loan_products[1].method == InterestMethod::flat);
  CHECK(two.terms->loan_products[1].day_count == DayCount::thirty_360);
}

TEST_CASE("coalition: deductions — levy", "[coalition]") {
  CHECK(problems_of(changed("kind = \"levy\"", "kind = \"tax\"")) ==
        Lines{"coalition.toml:43: deduction[1].kind: 'tax' is not a deduction kind (levy, coalition_fee, "
              "agent_commission or loan_repayment)"});
  CHECK(problems_of(changed("to = \"CESS\"", "to = \"OT1\"")) ==
        Lines{"coalition.toml:44: deduction[1].to: OT1 has role offtaker, expected authority"});
  CHECK(problems_of(changed("to = \"CESS\"", "to = \"KRA\"")) ==
        Lines{"coalition.toml:44: deduction[1].to: 'KRA' is not a party of this season"});
  CHECK(problems_of(changed("to = \"CESS\"\n", "")) == Lines{"coalition.toml:42: deduction[1].to: required"});
  CHECK(problems_of(changed("rate = \"0.01\"\n", "")) == Lines{"coalition.toml:42: deduction[1].rate: required"});
  CHECK(problems_of(changed("rate = \"0.01\"", "rate = \"-0.01\"")) ==
        Lines{"coalition.toml:45: deduction[1].rate: must be between 0 and 1"});
  CHECK(problems_of(changed("rate = \"0.01\"", "rate = \"1\"")).empty());
  CHECK(problems_of(changed("rate = \"0.01\"", "rate = \"1.5\"")) ==
        Lines{"coalition.toml:45: deduction[1].rate: must be between 0 and 1"});
  CHECK(problems_of(changed("rate = \"0.01\"", "rate = \"0.011111111\"")) ==
        Lines{"coalition.toml:45: deduction[1].rate: '0.011111111' has 9 decimals, at most 8 allowed"});
  CHECK(problems_of(changed("rate = \"0.01\"\n", "rate = \"0.01\"\nper_kg = \"1\"\n")) ==
        Lines{"coalition.toml:46: deduction[1].per_kg: not used by kind levy"});
}

TEST_CASE("coalition: deductions — coalition fee and its shares", "[coalition]") {
  CHECK(problems_of(changed("rate = \"0.02\"\n", "rate = \"0.02\"\nper_kg = \"0.40\"\n")) ==
        Lines{"coalition.toml:46: deduction[2]: needs exactly one of rate or per_kg, not both"});
  CHECK(problems_of(changed("rate = \"0.02\"\n", "")) ==
        Lines{"coalition.toml:46: deduction[2]: needs one of rate or per_kg"});
  auto per_kg = read_toml(changed("rate = \"0.02\"\n", "per_kg = \"0.40\"\n"));
  REQUIRE(per_kg.terms.has_value());
  CHECK(per_kg.terms->deductions[1].per_kg->to_string() == "0.40");
  CHECK_FALSE(per_kg.terms->deductions[1].rate.has_value());
  CHECK(problems_of(changed("COAL = \"0.60\"", "COAL = \"0.55\"")) ==
        Lines{"coalition.toml:49: deduction[2].shares: shares sum to 0.95, must be exactly 1"});
  CHECK(problems_of(changed("COAL = \"0.60\"", "COAL = \"0.6000001\"")) ==
        Lines{"coalition.toml:49: deduction[2].shares: shares sum to 1.0000001, must be exactly 1"});
  CHECK(problems_of(changed("COAL = \"0.60\"", "COAL = \"0.6\"")).empty());
  CHECK(problems_of(changed("COAL = \"0.60\" }", "COAL = \"0.30\", BANK1 = \"0.30\" }")) ==
        Lines{"coalition.toml:49: deduction[2].shares.BANK1: BANK1 has role lender, expected input_supplier, "
              "service_provider, coordinator or agent"});
  CHECK(problems_of(changed("COAL = \"0.60\" }", "COAL = \"0.60\", NOBODY = \"0\" }")) ==
        Lines{"coalition.toml:49: deduction[2].shares.NOBODY: 'NOBODY' is not a party of this season",
              "coalition.toml:49: deduction[2].shares.NOBODY: must be greater than 0"});
  CHECK(problems_of(changed("shares = { SUP1 = \"0.40\", COAL = \"0.60\" }", "shares = {}")) ==
        Lines{"coalition.toml:49: deduction[2].shares: at least one share is required"});
  CHECK(problems_of(changed("shares = { SUP1 = \"0.40\", COAL = \"0.60\" }\n", "")) ==
        Lines{"coalition.toml:46: deduction[2].shares: required"});
  CHECK(problems_of(changed("shares = { SUP1 = \"0.40\", COAL = \"0.60\" }", "shares = \"SUP1\"")) ==
        Lines{"coalition.toml:49: deduction[2].shares: must be a table such as { SUP1 = \"0.60\", COAL = \"0.40\" }"});
  // Shares as a sub-table of the array element are the same thing.
  auto sub_table = read_toml(changed("shares = { SUP1 = \"0.40\", COAL = \"0.60\" }\n",
                                     "[deduction.shares]\nSUP1 = \"0.40\"\nAG1 = \"0.60\"\n"));
  CHECK(sub_table.diagnostics.empty());
}

TEST_CASE("coalition: deductions — agent commission and loan repayment", "[coalition]") {
  CHECK(problems_of(changed("per_kg = \"0.50\"\n", "")) == Lines{"coalition.toml:50: deduction[3].per_kg: required"});
  CHECK(problems_of(changed("per_kg = \"0.50\"\n", "per_kg = \"0.50\"\nto = \"AG1\"\n")) ==
        Lines{"coalition.toml:53: deduction[3].to: not used by kind agent_commission"});
  CHECK(problems_of(changed("\"0.70\"", "\"1.5\"")) ==
        Lines{"coalition.toml:55: deduction[4].max_share_of_gross: must be between 0 and 1"});
  CHECK(problems_of(changed("\"0.70\"", "\"1\"")).empty());
  CHECK(problems_of(changed("\"0.70\"", "\"0\"")).empty());
}

TEST_CASE("coalition: every problem of the file, sorted by line", "[coalition]") {
  std::string text = changed("currency = \"KES\"", "currency = \"XYZ\"");
  text = changed("base_per_kg = \"38.50\"", "base_per_kg = 38.5", text);
  text = changed("to = \"CESS\"", "to = \"AG1\"", text);
  CHECK(problems_of(text) ==
        Lines{"coalition.toml:3: season.currency: unknown currency 'XYZ' (expected an ISO 4217 code such as KES, "
              "UGX, USD)",
              "coalition.toml:31: price.base_per_kg: " + kDecimalFloat,
              "coalition.toml:44: deduction[1].to: AG1 has role agent, expected authority"});
}

TEST_CASE("coalition: at most 100 problems, then one line saying how many more", "[coalition]") {
  std::string text = kValid;
  for (int i = 0; i < 120; ++i) text += "[[loan_product]]\nid = \"X" + std::to_string(i) + "\"\n";
  auto problems = problems_of(text);
  REQUIRE(problems.size() == 101);
  CHECK(problems[0] == "coalition.toml:56: loan_product[2].annual_rate: required");
  CHECK(problems[100] == "coalition.toml: 380 more errors not shown (at most 100 per file)");
}

TEST_CASE("coalition: bytes are checked before toml++ sees them, syntax errors name their line", "[coalition]") {
  CHECK(problems_of(changed("\"maize\"", std::string("\"mai\0ze\"", 8))) ==
        Lines{"coalition.toml:4: text: control byte 0x00 is not allowed"});
  CHECK(problems_of(changed("\"Bank\"", "\"Banque \xE9pargne\"")) ==
        Lines{"coalition.toml:16: text: invalid UTF-8 (byte 0xE9)"});
  auto syntax = problems_of(changed("rate = \"0.02\"", "rate = "));
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].rfind("coalition.toml:48: invalid TOML: ", 0) == 0);
  auto bom = read_toml("\xEF\xBB\xBF" + kValid);
  CHECK(bom.diagnostics.empty());
  auto crlf = kValid;
  for (std::size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) crlf.insert(at, "\r");
  CHECK(read_toml(crlf).diagnostics.empty());
}

TEST_CASE("coalition: a missing file", "[coalition]") {
  Diagnostics diagnostics;
  auto terms = read_coalition("/nonexistent/coalition.toml", diagnostics);
  CHECK_FALSE(terms.ok());
  CHECK(formatted(diagnostics) == Lines{"coalition.toml: cannot open file (No such file or directory)"});
}

TEST_CASE("coalition: terms that differ from the ledger's are named key by key, at their lines", "[coalition]") {
  const auto ledger_terms = read_toml(kValid).terms;
  REQUIRE(ledger_terms.has_value());
  auto differences = [&](const std::string& text) {
    ScratchFolder folder;
    Diagnostics diagnostics;
    const std::string path = folder.write("coalition.toml", text);
    KeyLines lines;
    auto terms = read_coalition(path, diagnostics, nullptr, &lines);
    REQUIRE(terms.ok());
    return formatted(terms_differences(lines, *ledger_terms, *terms));
  };
  const std::string tail = " in the terms of season S1 in the ledger; a season's terms cannot change once imported";
  CHECK(differences(kValid).empty());
  // The same values written otherwise are the same terms.
  CHECK(differences(changed("base_per_kg = \"38.50\"", "base_per_kg = \"38.5000\"")).empty());
  CHECK(differences(changed("name = \"Bank\"", "name = \"Bank of the Valley\"")) ==
        Lines{"coalition.toml:16: party.BANK1.name: 'Bank of the Valley' here, 'Bank'" + tail});
  CHECK(differences(changed("annual_rate = \"0.18\"", "annual_rate = \"0.20\"")) ==
        Lines{"coalition.toml:38: loan_product[1].annual_rate: '0.20' here, '0.18'" + tail});
  CHECK(differences(changed("COAL = \"0.60\" }", "COAL = \"0.55\", AG1 = \"0.05\" }")) ==
        Lines{"coalition.toml:49: deduction[2].shares.AG1: '0.05' here, nothing" + tail,
              "coalition.toml:49: deduction[2].shares.COAL: '0.55' here, '0.60'" + tail});
  CHECK(differences(changed("B = \"1.00\"\n", "")) == Lines{"coalition.toml:33: price.grade.B: nothing here, '1.00'" + tail});
  CHECK(differences(changed("[[deduction]]\nkind = \"levy\"\nto = \"CESS\"\nrate = \"0.01\"\n", "")) ==
        Lines{"coalition.toml:42: deduction: 3 deductions here, 4" + tail,
              "coalition.toml:43: deduction[1].kind: 'coalition_fee' here, 'levy'" + tail,
              "coalition.toml:47: deduction[2].kind: 'agent_commission' here, 'coalition_fee'" + tail,
              "coalition.toml:50: deduction[3].kind: 'loan_repayment' here, 'agent_commission'" + tail});
}
