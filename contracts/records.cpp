// Canonical records of the domain. See records.hpp and docs/audit-format.md.
#include "contracts/records.hpp"

#include "ledger/crypto.hpp"

namespace tripartite::contracts {
namespace {

using canonical::Object;
using canonical::Value;

EncodedRecord finish(Object object, ledger::RecordIndex index) {
  return EncodedRecord{std::move(index), Value(std::move(object)).serialise()};
}

Result<Value> parse_kind(std::string_view body, std::string_view kind) {
  TRIPARTITE_TRY(value, canonical::parse(body));
  TRIPARTITE_TRY(actual, canonical::get_string(value, "kind"));
  if (actual != kind) return invalid("record is a '" + actual + "', expected '" + std::string(kind) + "'");
  return value;
}

Status expect_keys(const Value& value, std::size_t count, std::string_view kind) {
  if (value.as_object().size() != count) {
    return invalid(std::string(kind) + " record has " + std::to_string(value.as_object().size()) +
                   " members, expected " + std::to_string(count));
  }
  return Status::success();
}

Result<Date> get_date(const Value& value, std::string_view key) {
  TRIPARTITE_TRY(text, canonical::get_string(value, key));
  auto date = parse_date(text);
  if (!date) return invalid("record's '" + std::string(key) + "' is not a date: " + text);
  return *date;
}

Result<Decimal> get_decimal(const Value& value, std::string_view key, int max_scale) {
  TRIPARTITE_TRY(text, canonical::get_string(value, key));
  return Decimal::parse(text, max_scale);
}

Result<std::string> get_id(const Value& value, std::string_view key) {
  TRIPARTITE_TRY(text, canonical::get_string(value, key));
  if (!is_valid_id(text)) return invalid("record's '" + std::string(key) + "' is not a valid id: " + text);
  return text;
}

std::optional<PartyId> optional_party(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return PartyId(text);
}

std::string grams_text(const Grams& grams) { return grams.to_kg_string(); }

}  // namespace

std::string normalised_decimal(const Decimal& value) {
  Decimal d = value;
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    d.scale -= 1;
  }
  return d.to_string();
}

EncodedRecord encode_genesis(const std::string& ledger_id, const PartyId& coordinator, const std::string& public_key_raw) {
  Object o;
  o["coordinator"] = coordinator.value;
  o["kind"] = "genesis";
  o["ledger"] = ledger_id;
  o["public_key"] = ledger::base64_encode(public_key_raw);
  return finish(std::move(o), {"genesis", ledger_id, "", coordinator.value, ""});
}

EncodedRecord encode_key(const PartyId& party, const std::string& public_key_raw) {
  Object o;
  o["kind"] = "key";
  o["party"] = party.value;
  o["public_key"] = ledger::base64_encode(public_key_raw);
  return finish(std::move(o), {"key", party.value, "", party.value, ""});
}

std::vector<MemberDifference> member_differences(std::string_view here, std::string_view ledger) {
  std::vector<MemberDifference> out;
  auto ours = canonical::parse(here);
  auto theirs = canonical::parse(ledger);
  if (!ours || !theirs || !ours->is_object() || !theirs->is_object()) return out;
  auto shown = [](const Value* value) {
    if (value == nullptr) return std::string("''");
    return ledger::shown_text(value->is_string() ? value->as_string() : value->serialise());
  };
  const Object& a = ours->as_object();
  const Object& b = theirs->as_object();
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      out.push_back({i->first, shown(&i->second), shown(nullptr)});
      ++i;
    } else if (i == a.end() || j->first < i->first) {
      out.push_back({j->first, shown(nullptr), shown(&j->second)});
      ++j;
    } else {
      if (!(i->second == j->second)) out.push_back({i->first, shown(&i->second), shown(&j->second)});
      ++i;
      ++j;
    }
  }
  return out;
}

std::string describe_differences(std::string_view here, std::string_view ledger, std::size_t limit) {
  const auto differences = member_differences(here, ledger);
  std::string out;
  for (std::size_t k = 0; k < differences.size() && k < limit; ++k) {
    if (!out.empty()) out += "; ";
    out += differences[k].member + " " + differences[k].here + " here, " + differences[k].ledger + " in the ledger";
  }
  if (differences.size() > limit) out += "; and " + std::to_string(differences.size() - limit) + " more";
  return out;
}

EncodedRecord encode_party(const Party& party) {
  Object o;
  o["id"] = party.id.value;
  o["kind"] = "party";
  o["name"] = party.name;
  o["role"] = std::string(to_string(party.role));
  return finish(std::move(o), {"party", party.id.value, "", party.id.value, ""});
}

EncodedRecord encode_loan_product(const LoanProduct& product) {
  Object o;
  o["annual_rate"] = normalised_decimal(product.annual_rate);
  o["day_count"] = std::string(to_string(product.day_count));
  o["id"] = product.id.value;
  o["kind"] = "loan_product";
  o["method"] = std::string(to_string(product.method));
  o["origination_fee"] = normalised_decimal(product.origination_fee);
  return finish(std::move(o), {"loan_product", product.id.value, "", "", ""});
}

EncodedRecord encode_season(const SeasonTerms& terms) {
  Object price;
  price["method"] = terms.price.method == PriceMethod::fixed ? "fixed" : "floor_market";
  if (terms.price.method == PriceMethod::fixed) {
    price["base_per_kg"] = normalised_decimal(terms.price.base_per_kg);
  } else {
    price["floor_per_kg"] = normalised_decimal(terms.price.floor_per_kg);
    price["market_discount"] = normalised_decimal(terms.price.market_discount);
  }
  price["moisture_target_pct"] = normalised_decimal(terms.price.moisture_target_pct);
  Object grades;
  for (const auto& [grade, multiplier] : terms.price.grade_multipliers) grades[grade] = normalised_decimal(multiplier);
  price["grades"] = std::move(grades);

  canonical::Array deductions;
  for (const auto& deduction : terms.deductions) {
    Object d;
    d["kind"] = std::string(to_string(deduction.kind));
    switch (deduction.kind) {
      case DeductionKind::levy:
        d["to"] = deduction.to.value;
        d["rate"] = normalised_decimal(*deduction.rate);
        break;
      case DeductionKind::coalition_fee: {
        if (deduction.rate) d["rate"] = normalised_decimal(*deduction.rate);
        if (deduction.per_kg) d["per_kg"] = normalised_decimal(*deduction.per_kg);
        Object shares;
        for (const auto& [party, share] : deduction.shares) shares[party] = normalised_decimal(share);
        d["shares"] = std::move(shares);
        break;
      }
      case DeductionKind::agent_commission:
        d["per_kg"] = normalised_decimal(*deduction.per_kg);
        break;
      case DeductionKind::loan_repayment:
        d["max_share_of_gross"] = normalised_decimal(deduction.max_share_of_gross);
        break;
    }
    deductions.emplace_back(std::move(d));
  }
  canonical::Array parties;
  for (const auto& party : terms.parties) parties.emplace_back(party.id.value);
  canonical::Array products;
  for (const auto& product : terms.loan_products) products.emplace_back(product.id.value);

  Object o;
  o["commodity"] = terms.commodity;
  o["currency"] = terms.currency.code;
  o["deductions"] = std::move(deductions);
  o["id"] = terms.id.value;
  o["kind"] = "season";
  o["loan_products"] = std::move(products);
  o["parties"] = std::move(parties);
  o["price"] = std::move(price);
  return finish(std::move(o), {"season", terms.id.value, terms.id.value, "", ""});
}

EncodedRecord encode_farmer(const Farmer& farmer) {
  Object o;
  o["group_id"] = farmer.group_id;
  o["id"] = farmer.id.value;
  o["kind"] = "farmer";
  o["name"] = farmer.name;
  o["payout_account"] = farmer.payout_account;
  o["payout_method"] = std::string(to_string(farmer.payout_method));
  o["phone"] = farmer.phone;
  return finish(std::move(o), {"farmer", farmer.id.value, "", farmer.id.value, ""});
}

EncodedRecord encode_commitment(const Commitment& commitment, const SeasonId& season) {
  Object o;
  o["farmer"] = commitment.farmer.value;
  o["id"] = commitment.id.value;
  o["kind"] = "commitment";
  o["offtaker"] = commitment.offtaker.value;
  o["quantity_kg"] = grams_text(commitment.quantity);
  o["season"] = season.value;
  o["signed_on"] = format_date(commitment.signed_on);
  return finish(std::move(o), {"commitment", commitment.id.value, season.value, commitment.farmer.value,
                               format_date(commitment.signed_on)});
}

EncodedRecord encode_loan(const Loan& loan, const SeasonId& season, const Currency& currency) {
  Object o;
  o["disbursed_on"] = format_date(loan.disbursed_on);
  o["due_on"] = format_date(loan.due_on);
  o["farmer"] = loan.farmer.value;
  o["id"] = loan.id.value;
  o["kind"] = "loan";
  o["lender"] = loan.lender.value;
  o["paid_to"] = loan.paid_to ? loan.paid_to->value : std::string();
  o["principal"] = ledger::format_units(loan.principal_minor, currency.exponent);
  o["product"] = loan.product.value;
  o["season"] = season.value;
  return finish(std::move(o), {"loan", loan.id.value, season.value, loan.farmer.value, format_date(loan.disbursed_on)});
}

EncodedRecord encode_delivery(const Delivery& delivery, const SeasonId& season) {
  // Written directly (tens of millions a season): the same bytes as an Object of these
  // members serialised, keys in byte order (tests/contracts/test_records.cpp checks both).
  std::string delivered_on = format_date(delivery.delivered_on);
  std::string body = canonical::FlatWriter(224)
                         .add("agent", delivery.agent ? std::string_view(delivery.agent->value) : std::string_view())
                         .add("delivered_on", delivered_on)
                         .add("farmer", delivery.farmer.value)
                         .add("grade", delivery.grade)
                         .add("id", delivery.id.value)
                         .add("kind", "delivery")
                         .add("moisture_pct", delivery.moisture_pct ? delivery.moisture_pct->rescaled(3).to_string() : std::string())
                         .add("offtaker", delivery.offtaker.value)
                         .add("season", season.value)
                         .add("weight_kg", grams_text(delivery.weight))
                         .finish();
  return EncodedRecord{{"delivery", delivery.id.value, season.value, delivery.farmer.value, std::move(delivered_on)},
                       std::move(body)};
}

EncodedRecord encode_market_price(const MarketPrice& price, const SeasonId& season) {
  Object o;
  o["date"] = format_date(price.date);
  o["kind"] = "market_price";
  o["price_per_kg"] = normalised_decimal(price.price_per_kg);
  o["season"] = season.value;
  return finish(std::move(o), {"market_price", season.value + "/" + format_date(price.date), season.value, "",
                               format_date(price.date)});
}

std::optional<IdRule> id_rule(std::string_view kind) {
  // The most frequent kinds first (verify asks once per record).
  if (kind == "delivery" || kind == "farmer" || kind == "commitment" || kind == "loan" || kind == "party" ||
      kind == "loan_product" || kind == "season" || kind == "run") {
    return IdRule{"id", ""};
  }
  if (kind == "market_price") return IdRule{"season", "date"};
  if (kind == "acknowledgement") return IdRule{"run", "lender"};
  if (kind == "key") return IdRule{"party", ""};
  if (kind == "genesis") return IdRule{"ledger", ""};
  return std::nullopt;
}

const std::vector<std::string_view>* flat_record_members(std::string_view kind) {
  static const std::vector<std::string_view> delivery = {"agent", "delivered_on", "farmer",   "grade",  "id",
                                                         "kind",  "moisture_pct", "offtaker", "season", "weight_kg"};
  static const std::vector<std::string_view> farmer = {"group_id",      "id",   "kind", "name", "payout_account",
                                                       "payout_method", "phone"};
  static const std::vector<std::string_view> commitment = {"farmer",      "id",     "kind",     "offtaker",
                                                           "quantity_kg", "season", "signed_on"};
  static const std::vector<std::string_view> market_price = {"date", "kind", "price_per_kg", "season"};
  if (kind == "delivery") return &delivery;
  if (kind == "farmer") return &farmer;
  if (kind == "commitment") return &commitment;
  if (kind == "market_price") return &market_price;
  return nullptr;
}

std::string_view entry_id_kind(bool refs_run, bool refs_loan) {
  return refs_run ? "settlement" : refs_loan ? "disbursement" : "entry";
}

// Entries are filed by what they record, so a run's entries or a loan's disbursement can be
// found without reading every entry: "settlement" (refs.run), "disbursement" (refs.loan).
static ledger::RecordIndex entry_index(const std::map<std::string, std::string>& refs, const std::string& id,
                                       const std::string& date) {
  auto season = refs.find("season");
  auto farmer = refs.find("farmer");
  std::string kind(entry_id_kind(refs.count("run") != 0, refs.count("loan") != 0));
  return ledger::RecordIndex{kind, id, season == refs.end() ? "" : season->second,
                             farmer == refs.end() ? "" : farmer->second, date};
}

ledger::RecordIndex index_of_entry(const ledger::JournalEntry& entry) {
  return entry_index(entry.refs, entry.id, entry.date);
}

EncodedRecord encode_entry(const ledger::JournalEntry& entry) {
  return EncodedRecord{index_of_entry(entry), ledger::entry_bytes(entry)};
}

EncodedRecord encode_run(const RunRecord& run) {
  Object o;
  o["as_of"] = format_date(run.as_of);
  o["deliveries"] = run.deliveries;
  o["farmers"] = run.farmers;
  o["id"] = run.id;
  o["kind"] = "run";
  o["number"] = static_cast<std::int64_t>(run.number);
  o["season"] = run.season.value;
  return finish(std::move(o), {"run", run.id, run.season.value, "", format_date(run.as_of)});
}

std::string season_of_run_id(std::string_view run_id) {
  auto marker = run_id.rfind("-R");
  if (marker == std::string_view::npos || marker == 0 || marker + 2 >= run_id.size()) return std::string();
  for (char c : run_id.substr(marker + 2)) {
    if (c < '0' || c > '9') return std::string();
  }
  return std::string(run_id.substr(0, marker));
}

EncodedRecord encode_acknowledgement(const Acknowledgement& acknowledgement) {
  Object o;
  o["amount"] = ledger::format_units(acknowledgement.amount_minor, acknowledgement.currency.exponent);
  o["currency"] = acknowledgement.currency.code;
  o["kind"] = "acknowledgement";
  o["lender"] = acknowledgement.lender.value;
  o["received_on"] = format_date(acknowledgement.received_on);
  o["run"] = acknowledgement.run;
  return finish(std::move(o), {"acknowledgement", acknowledgement.run + "/" + acknowledgement.lender.value,
                               season_of_run_id(acknowledgement.run), acknowledgement.lender.value,
                               format_date(acknowledgement.received_on)});
}

Result<Genesis> decode_genesis(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "genesis"));
  TRIPARTITE_CHECK(expect_keys(v, 4, "genesis"));
  TRIPARTITE_TRY(coordinator, get_id(v, "coordinator"));
  TRIPARTITE_TRY(ledger_id, canonical::get_string(v, "ledger"));
  TRIPARTITE_TRY(key64, canonical::get_string(v, "public_key"));
  TRIPARTITE_TRY(key, ledger::base64_decode(key64));
  if (key.size() != 32) return invalid("genesis public key is not 32 bytes");
  return Genesis{ledger_id, PartyId(coordinator), key};
}

Result<KeyRegistration> decode_key(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "key"));
  TRIPARTITE_CHECK(expect_keys(v, 3, "key"));
  TRIPARTITE_TRY(party, get_id(v, "party"));
  TRIPARTITE_TRY(key64, canonical::get_string(v, "public_key"));
  TRIPARTITE_TRY(key, ledger::base64_decode(key64));
  if (key.size() != 32) return invalid("registered public key is not 32 bytes");
  return KeyRegistration{PartyId(party), key};
}

Result<Party> decode_party(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "party"));
  TRIPARTITE_CHECK(expect_keys(v, 4, "party"));
  TRIPARTITE_TRY(id, get_id(v, "id"));
  TRIPARTITE_TRY(name, canonical::get_string(v, "name"));
  TRIPARTITE_TRY(role_text, canonical::get_string(v, "role"));
  auto role = parse_role(role_text);
  if (!role) return invalid("unknown role " + role_text);
  return Party{PartyId(id), *role, name};
}

Result<LoanProduct> decode_loan_product(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "loan_product"));
  TRIPARTITE_CHECK(expect_keys(v, 6, "loan_product"));
  LoanProduct product;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  product.id = ProductId(id);
  TRIPARTITE_TRY(rate, get_decimal(v, "annual_rate", 8));
  product.annual_rate = rate;
  TRIPARTITE_TRY(fee, get_decimal(v, "origination_fee", 8));
  product.origination_fee = fee;
  TRIPARTITE_TRY(method, canonical::get_string(v, "method"));
  if (method == "declining") {
    product.method = InterestMethod::declining;
  } else if (method == "flat") {
    product.method = InterestMethod::flat;
  } else {
    return invalid("unknown interest method " + method);
  }
  TRIPARTITE_TRY(day_count_text, canonical::get_string(v, "day_count"));
  auto day_count = parse_day_count(day_count_text);
  if (!day_count) return invalid("unknown day count " + day_count_text);
  product.day_count = *day_count;
  return product;
}

Result<SeasonRecord> decode_season(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "season"));
  TRIPARTITE_CHECK(expect_keys(v, 8, "season"));
  SeasonRecord out;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  out.terms.id = SeasonId(id);
  TRIPARTITE_TRY(code, canonical::get_string(v, "currency"));
  TRIPARTITE_TRY(currency, Currency::from_code(code));
  out.terms.currency = currency;
  TRIPARTITE_TRY(commodity, canonical::get_string(v, "commodity"));
  out.terms.commodity = commodity;
  const Value* price = v.find("price");
  if (price == nullptr || !price->is_object()) return invalid("season record has no price object");
  TRIPARTITE_TRY(method, canonical::get_string(*price, "method"));
  if (method == "fixed") {
    out.terms.price.method = PriceMethod::fixed;
    TRIPARTITE_TRY(base, get_decimal(*price, "base_per_kg", 8));
    out.terms.price.base_per_kg = base;
  } else if (method == "floor_market") {
    out.terms.price.method = PriceMethod::floor_market;
    TRIPARTITE_TRY(floor, get_decimal(*price, "floor_per_kg", 8));
    TRIPARTITE_TRY(discount, get_decimal(*price, "market_discount", 8));
    out.terms.price.floor_per_kg = floor;
    out.terms.price.market_discount = discount;
  } else {
    return invalid("unknown price method " + method);
  }
  TRIPARTITE_TRY(target, get_decimal(*price, "moisture_target_pct", 3));
  out.terms.price.moisture_target_pct = target;
  const Value* grades = price->find("grades");
  if (grades == nullptr || !grades->is_object()) return invalid("season record has no grades");
  for (const auto& [grade, multiplier] : grades->as_object()) {
    if (!multiplier.is_string()) return invalid("grade multiplier is not a string");
    TRIPARTITE_TRY(m, Decimal::parse(multiplier.as_string(), 8));
    out.terms.price.grade_multipliers.emplace(grade, m);
  }
  const Value* deductions = v.find("deductions");
  if (deductions == nullptr || !deductions->is_array()) return invalid("season record has no deductions");
  for (const auto& item : deductions->as_array()) {
    if (!item.is_object()) return invalid("deduction is not an object");
    Deduction d;
    TRIPARTITE_TRY(kind, canonical::get_string(item, "kind"));
    if (kind == "levy") {
      d.kind = DeductionKind::levy;
      TRIPARTITE_TRY(to, get_id(item, "to"));
      d.to = PartyId(to);
      TRIPARTITE_TRY(rate, get_decimal(item, "rate", 8));
      d.rate = rate;
    } else if (kind == "coalition_fee") {
      d.kind = DeductionKind::coalition_fee;
      if (item.find("rate") != nullptr) {
        TRIPARTITE_TRY(rate, get_decimal(item, "rate", 8));
        d.rate = rate;
      }
      if (item.find("per_kg") != nullptr) {
        TRIPARTITE_TRY(per_kg, get_decimal(item, "per_kg", 8));
        d.per_kg = per_kg;
      }
      const Value* shares = item.find("shares");
      if (shares == nullptr || !shares->is_object()) return invalid("coalition fee has no shares");
      for (const auto& [party, share] : shares->as_object()) {
        if (!share.is_string()) return invalid("share is not a string");
        TRIPARTITE_TRY(s, Decimal::parse(share.as_string(), 8));
        d.shares.emplace(party, s);
      }
    } else if (kind == "agent_commission") {
      d.kind = DeductionKind::agent_commission;
      TRIPARTITE_TRY(per_kg, get_decimal(item, "per_kg", 8));
      d.per_kg = per_kg;
    } else if (kind == "loan_repayment") {
      d.kind = DeductionKind::loan_repayment;
      TRIPARTITE_TRY(cap, get_decimal(item, "max_share_of_gross", 8));
      d.max_share_of_gross = cap;
    } else {
      return invalid("unknown deduction kind " + kind);
    }
    out.terms.deductions.push_back(std::move(d));
  }
  for (const char* list : {"parties", "loan_products"}) {
    const Value* ids = v.find(list);
    if (ids == nullptr || !ids->is_array()) return invalid(std::string("season record has no ") + list);
    for (const auto& id_value : ids->as_array()) {
      if (!id_value.is_string()) return invalid(std::string("season ") + list + " holds a non-string");
      (std::string(list) == "parties" ? out.party_ids : out.product_ids).push_back(id_value.as_string());
    }
  }
  return out;
}

Result<Farmer> decode_farmer(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "farmer"));
  TRIPARTITE_CHECK(expect_keys(v, 7, "farmer"));
  Farmer f;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  f.id = FarmerId(id);
  TRIPARTITE_TRY(name, canonical::get_string(v, "name"));
  TRIPARTITE_TRY(group, canonical::get_string(v, "group_id"));
  TRIPARTITE_TRY(phone, canonical::get_string(v, "phone"));
  TRIPARTITE_TRY(method, canonical::get_string(v, "payout_method"));
  TRIPARTITE_TRY(account, canonical::get_string(v, "payout_account"));
  f.name = name;
  f.group_id = group;
  f.phone = phone;
  f.payout_account = account;
  if (method == "mobile_money") {
    f.payout_method = PayoutMethod::mobile_money;
  } else if (method == "bank") {
    f.payout_method = PayoutMethod::bank;
  } else if (method == "cash") {
    f.payout_method = PayoutMethod::cash;
  } else {
    return invalid("unknown payout method " + method);
  }
  return f;
}

Result<Commitment> decode_commitment(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "commitment"));
  TRIPARTITE_CHECK(expect_keys(v, 7, "commitment"));
  Commitment c;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  TRIPARTITE_TRY(farmer, get_id(v, "farmer"));
  TRIPARTITE_TRY(offtaker, get_id(v, "offtaker"));
  TRIPARTITE_TRY(quantity_text, canonical::get_string(v, "quantity_kg"));
  TRIPARTITE_TRY(quantity, Grams::parse_kg(quantity_text));
  TRIPARTITE_TRY(signed_on, get_date(v, "signed_on"));
  c.id = CommitmentId(id);
  c.farmer = FarmerId(farmer);
  c.offtaker = PartyId(offtaker);
  c.quantity = quantity;
  c.signed_on = signed_on;
  return c;
}

namespace {

// The members of a record of plain strings (the fast paths' shape) whose keys are exactly
// `keys`, in byte order, and whose "kind" is `kind`; null for anything else. The views are
// valid until this thread's next call.
template <std::size_t N>
const canonical::FlatMembers* plain_members(std::string_view body, const std::string_view (&keys)[N],
                                            std::string_view kind) {
  thread_local canonical::FlatMembers members;
  if (!canonical::scan_flat_strings(body, members) || members.size() != N) return nullptr;
  for (std::size_t i = 0; i < N; ++i) {
    if (members[i].first != keys[i]) return nullptr;
    if (keys[i] == "kind" && members[i].second != kind) return nullptr;
  }
  return &members;
}

// The fast path of decode_loan (verify reads every loan of a season): a loan record of
// plain strings, read through views. Any doubt returns nullopt, and the full decoder gives
// the result or the precise error.
std::optional<Loan> decode_plain_loan(std::string_view body, const Currency& currency) {
  static constexpr std::string_view kKeys[] = {"disbursed_on", "due_on",    "farmer",  "id",      "kind",
                                               "lender",       "paid_to",   "principal", "product", "season"};
  const canonical::FlatMembers* members = plain_members(body, kKeys, "loan");
  if (members == nullptr) return std::nullopt;
  auto text = [&](std::size_t i) { return (*members)[i].second; };
  if (!is_valid_id(text(3)) || !is_valid_id(text(2)) || !is_valid_id(text(5)) || !is_valid_id(text(8))) {
    return std::nullopt;
  }
  auto principal = ledger::Money::parse(text(7), currency);
  auto disbursed_on = parse_date(text(0));
  auto due_on = parse_date(text(1));
  if (!principal || !disbursed_on || !due_on) return std::nullopt;
  Loan loan;
  loan.id = LoanId(std::string(text(3)));
  loan.farmer = FarmerId(std::string(text(2)));
  loan.lender = PartyId(std::string(text(5)));
  loan.product = ProductId(std::string(text(8)));
  loan.paid_to = optional_party(std::string(text(6)));
  loan.principal_minor = principal->minor;
  loan.disbursed_on = *disbursed_on;
  loan.due_on = *due_on;
  return loan;
}

}  // namespace

Result<Loan> decode_loan(std::string_view body, const Currency& currency) {
  if (auto plain = decode_plain_loan(body, currency)) return std::move(*plain);
  TRIPARTITE_TRY(v, parse_kind(body, "loan"));
  TRIPARTITE_CHECK(expect_keys(v, 10, "loan"));
  Loan loan;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  TRIPARTITE_TRY(farmer, get_id(v, "farmer"));
  TRIPARTITE_TRY(lender, get_id(v, "lender"));
  TRIPARTITE_TRY(product, get_id(v, "product"));
  TRIPARTITE_TRY(paid_to, canonical::get_string(v, "paid_to"));
  TRIPARTITE_TRY(principal_text, canonical::get_string(v, "principal"));
  TRIPARTITE_TRY(principal, ledger::Money::parse(principal_text, currency));
  TRIPARTITE_TRY(disbursed_on, get_date(v, "disbursed_on"));
  TRIPARTITE_TRY(due_on, get_date(v, "due_on"));
  loan.id = LoanId(id);
  loan.farmer = FarmerId(farmer);
  loan.lender = PartyId(lender);
  loan.product = ProductId(product);
  loan.paid_to = optional_party(paid_to);
  loan.principal_minor = principal.minor;
  loan.disbursed_on = disbursed_on;
  loan.due_on = due_on;
  return loan;
}

namespace {

// The fast path of decode_delivery: a well-formed delivery of plain strings, read through
// views. Any doubt (another shape, a field that does not validate) returns nullopt and the
// full decoder below gives the result or the precise error.
std::optional<Delivery> decode_plain_delivery(std::string_view body, std::string& season) {
  static constexpr std::string_view kKeys[] = {"agent", "delivered_on", "farmer",   "grade",  "id",
                                               "kind",  "moisture_pct", "offtaker", "season", "weight_kg"};
  const canonical::FlatMembers* members = plain_members(body, kKeys, "delivery");
  if (members == nullptr) return std::nullopt;
  auto text = [&](std::size_t i) { return (*members)[i].second; };
  if (!is_valid_id(text(4)) || !is_valid_id(text(2)) || !is_valid_id(text(7)) || !is_valid_id(text(8))) {
    return std::nullopt;
  }
  auto weight = Grams::parse_kg(text(9));
  if (!weight) return std::nullopt;
  auto delivered_on = parse_date(text(1));
  if (!delivered_on) return std::nullopt;
  Delivery d;
  if (!text(6).empty()) {
    auto moisture = Decimal::parse(text(6), 3);
    if (!moisture) return std::nullopt;
    d.moisture_pct = *moisture;
  }
  d.id = DeliveryId(std::string(text(4)));
  d.farmer = FarmerId(std::string(text(2)));
  d.offtaker = PartyId(std::string(text(7)));
  d.grade = std::string(text(3));
  d.weight = *weight;
  d.delivered_on = *delivered_on;
  d.agent = optional_party(std::string(text(0)));
  season.assign(text(8));
  return d;
}

// The delivery of a body read by either path, if the body is exactly how encode_delivery
// writes it: a member in another notation ("12.5" for "12.500", "0" for "0.000") is a
// record Tripartite did not write, and an auditor's reading of it could differ from ours.
Result<Delivery> written_as_encoded(Delivery d, const std::string& season, std::string_view body) {
  if (encode_delivery(d, SeasonId(season)).body != body) {
    return invalid("delivery record " + d.id.value + " is not in the form Tripartite writes it (a member in another notation)");
  }
  return d;
}

}  // namespace

Result<Delivery> decode_delivery(std::string_view body) {
  std::string season;
  if (auto plain = decode_plain_delivery(body, season)) return written_as_encoded(std::move(*plain), season, body);
  TRIPARTITE_TRY(v, parse_kind(body, "delivery"));
  TRIPARTITE_CHECK(expect_keys(v, 10, "delivery"));
  Delivery d;
  TRIPARTITE_TRY(id, get_id(v, "id"));
  TRIPARTITE_TRY(season_id, get_id(v, "season"));
  TRIPARTITE_TRY(farmer, get_id(v, "farmer"));
  TRIPARTITE_TRY(offtaker, get_id(v, "offtaker"));
  TRIPARTITE_TRY(grade, canonical::get_string(v, "grade"));
  TRIPARTITE_TRY(weight_text, canonical::get_string(v, "weight_kg"));
  TRIPARTITE_TRY(weight, Grams::parse_kg(weight_text));
  TRIPARTITE_TRY(moisture_text, canonical::get_string(v, "moisture_pct"));
  TRIPARTITE_TRY(delivered_on, get_date(v, "delivered_on"));
  TRIPARTITE_TRY(agent, canonical::get_string(v, "agent"));
  d.id = DeliveryId(id);
  d.farmer = FarmerId(farmer);
  d.offtaker = PartyId(offtaker);
  d.grade = grade;
  d.weight = weight;
  if (!moisture_text.empty()) {
    TRIPARTITE_TRY(moisture, Decimal::parse(moisture_text, 3));
    d.moisture_pct = moisture;
  }
  d.delivered_on = delivered_on;
  d.agent = optional_party(agent);
  return written_as_encoded(std::move(d), season_id, body);
}

Result<MarketPrice> decode_market_price(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "market_price"));
  TRIPARTITE_CHECK(expect_keys(v, 4, "market_price"));
  TRIPARTITE_TRY(date, get_date(v, "date"));
  TRIPARTITE_TRY(price, get_decimal(v, "price_per_kg", 8));
  return MarketPrice{date, price};
}

Result<RunRecord> decode_run(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "run"));
  TRIPARTITE_CHECK(expect_keys(v, 7, "run"));
  RunRecord run;
  TRIPARTITE_TRY(id, canonical::get_string(v, "id"));
  TRIPARTITE_TRY(season, get_id(v, "season"));
  TRIPARTITE_TRY(number, canonical::get_int(v, "number"));
  TRIPARTITE_TRY(as_of, get_date(v, "as_of"));
  TRIPARTITE_TRY(farmers, canonical::get_int(v, "farmers"));
  TRIPARTITE_TRY(deliveries, canonical::get_int(v, "deliveries"));
  run.id = id;
  run.season = SeasonId(season);
  run.number = static_cast<int>(number);
  run.as_of = as_of;
  run.farmers = farmers;
  run.deliveries = deliveries;
  return run;
}

Result<Acknowledgement> decode_acknowledgement(std::string_view body) {
  TRIPARTITE_TRY(v, parse_kind(body, "acknowledgement"));
  TRIPARTITE_CHECK(expect_keys(v, 6, "acknowledgement"));
  Acknowledgement acknowledgement;
  TRIPARTITE_TRY(run, canonical::get_string(v, "run"));
  if (season_of_run_id(run).empty()) return invalid("acknowledgement's 'run' is not a run id: " + run);
  TRIPARTITE_TRY(lender, get_id(v, "lender"));
  TRIPARTITE_TRY(code, canonical::get_string(v, "currency"));
  TRIPARTITE_TRY(currency, Currency::from_code(code));
  TRIPARTITE_TRY(amount_text, canonical::get_string(v, "amount"));
  TRIPARTITE_TRY(amount, ledger::Money::parse(amount_text, currency));
  TRIPARTITE_TRY(received_on, get_date(v, "received_on"));
  acknowledgement.run = run;
  acknowledgement.lender = PartyId(lender);
  acknowledgement.currency = currency;
  acknowledgement.amount_minor = amount.minor;
  acknowledgement.received_on = received_on;
  return acknowledgement;
}

Result<ledger::RecordIndex> index_of_record(std::string_view body) {
  TRIPARTITE_TRY(v, canonical::parse(body));
  return index_of_parsed_record(v);
}

namespace {

// The index columns of a record of `kind` whose string members text(key) gives ("" when
// missing or not a string); an entry's come from its refs (an object: only a parsed record
// has one). The key is the kind's id (id_rule).
template <typename Text>
Result<ledger::RecordIndex> index_from_members(const std::string& kind, Text text, const Value* record) {
  if (kind == "entry") {
    const Value* refs = record == nullptr ? nullptr : record->find("refs");
    if (refs == nullptr || !refs->is_object()) return invalid("entry record has no 'refs' object");
    std::map<std::string, std::string> ref_texts;
    for (const auto& [key, value] : refs->as_object()) {
      if (!value.is_string()) return invalid("entry ref '" + key + "' is not a string");
      ref_texts.emplace(key, value.as_string());
    }
    return entry_index(ref_texts, text("id"), text("date"));
  }
  const std::optional<IdRule> rule = id_rule(kind);
  if (!rule) return invalid("unknown record kind '" + kind + "'");
  std::string key = text(rule->first);
  if (!rule->second.empty()) key += "/" + text(rule->second);
  if (kind == "genesis") return ledger::RecordIndex{kind, key, "", text("coordinator"), ""};
  if (kind == "key") return ledger::RecordIndex{kind, key, "", text("party"), ""};
  if (kind == "party" || kind == "farmer") return ledger::RecordIndex{kind, key, "", text("id"), ""};
  if (kind == "loan_product") return ledger::RecordIndex{kind, key, "", "", ""};
  if (kind == "season") return ledger::RecordIndex{kind, key, text("id"), "", ""};
  if (kind == "commitment") return ledger::RecordIndex{kind, key, text("season"), text("farmer"), text("signed_on")};
  if (kind == "loan") return ledger::RecordIndex{kind, key, text("season"), text("farmer"), text("disbursed_on")};
  if (kind == "delivery") return ledger::RecordIndex{kind, key, text("season"), text("farmer"), text("delivered_on")};
  if (kind == "market_price") return ledger::RecordIndex{kind, key, text("season"), "", text("date")};
  if (kind == "run") return ledger::RecordIndex{kind, key, text("season"), "", text("as_of")};
  TRIPARTITE_ASSERT(kind == "acknowledgement");  // id_rule knows no other kind
  return ledger::RecordIndex{kind, key, season_of_run_id(text("run")), text("lender"), text("received_on")};
}

}  // namespace

Result<ledger::RecordIndex> index_of_parsed_record(const canonical::Value& v) {
  TRIPARTITE_TRY(kind, canonical::get_string(v, "kind"));
  auto text = [&](std::string_view key) -> std::string {
    const Value* member = v.find(key);
    return member != nullptr && member->is_string() ? member->as_string() : std::string();
  };
  return index_from_members(kind, text, &v);
}

Result<ledger::RecordIndex> index_of_flat_record(const canonical::FlatMembers& members) {
  auto kind = canonical::find_flat(members, "kind");
  if (!kind) return invalid("record has no 'kind'");
  auto text = [&](std::string_view key) {
    auto found = canonical::find_flat(members, key);
    return found ? std::string(*found) : std::string();
  };
  return index_from_members(std::string(*kind), text, nullptr);
}

}  // namespace tripartite::contracts
