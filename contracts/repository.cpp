// Reading the domain back from the ledger. See repository.hpp.
#include "contracts/repository.hpp"

#include <algorithm>

namespace tripartite::contracts {

std::optional<Role> author_role_for_kind(std::string_view kind) {
  if (kind == "genesis" || kind == "key" || kind == "party" || kind == "loan_product" || kind == "season" ||
      kind == "farmer" || kind == "market_price") {
    return Role::coordinator;
  }
  if (kind == "commitment" || kind == "delivery" || kind == "run") return Role::offtaker;
  if (kind == "loan" || kind == "acknowledgement") return Role::lender;
  return std::nullopt;  // entries: decided by what they refer to
}

std::optional<std::string> LedgerParties::party_for_key(const std::string& raw_public_key) const {
  for (const auto& [party, key] : keys) {
    if (key == raw_public_key) return party;
  }
  return std::nullopt;
}

Result<LedgerParties> load_parties(ledger::Store& store) {
  LedgerParties out;
  TRIPARTITE_CHECK(store.scan({"genesis"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(genesis, decode_genesis(record.body));
    out.genesis = genesis;
    out.keys[genesis.coordinator.value] = genesis.public_key_raw;  // the genesis registers the coordinator
    return Status::success();
  }));
  TRIPARTITE_CHECK(store.scan({"party"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(party, decode_party(record.body));
    out.parties[party.id.value] = party;
    return Status::success();
  }));
  TRIPARTITE_CHECK(store.scan({"key"}, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(key, decode_key(record.body));
    out.keys[key.party.value] = key.public_key_raw;
    return Status::success();
  }));
  return out;
}

Result<SeasonTerms> load_terms(ledger::Store& store, const SeasonId& season) {
  TRIPARTITE_TRY(found, store.find("season", season.value));
  if (!found) return invalid("season " + season.value + " is not in the ledger (import its coalition.toml first)");
  TRIPARTITE_TRY(decoded, decode_season(found->body));
  SeasonTerms terms = decoded.terms;
  for (const auto& id : decoded.party_ids) {
    TRIPARTITE_TRY(record, store.find("party", id));
    if (!record) return internal_error("season " + season.value + " names party " + id + " which is not in the ledger");
    TRIPARTITE_TRY(party, decode_party(record->body));
    terms.parties.push_back(party);
  }
  for (const auto& id : decoded.product_ids) {
    TRIPARTITE_TRY(record, store.find("loan_product", id));
    if (!record) return internal_error("season " + season.value + " names loan product " + id + " which is not in the ledger");
    TRIPARTITE_TRY(product, decode_loan_product(record->body));
    terms.loan_products.push_back(product);
  }
  return terms;
}

Result<std::map<std::string, LoanProduct>> load_loan_products(ledger::Store& store, std::uint64_t max_seq) {
  std::map<std::string, LoanProduct> products;
  ledger::RecordFilter filter{"loan_product"};
  filter.max_seq = max_seq;
  TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(product, decode_loan_product(record.body));
    products[product.id.value] = product;
    return Status::success();
  }));
  return products;
}

Result<std::vector<MarketPrice>> load_market_prices(ledger::Store& store, const SeasonId& season,
                                                   std::uint64_t max_seq) {
  std::vector<MarketPrice> prices;
  ledger::RecordFilter filter{"market_price"};
  filter.season = season.value;
  filter.max_seq = max_seq;
  TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(price, decode_market_price(record.body));
    prices.push_back(price);
    return Status::success();
  }));
  std::sort(prices.begin(), prices.end(), [](const MarketPrice& a, const MarketPrice& b) {
    return date::sys_days(a.date) < date::sys_days(b.date);
  });
  return prices;
}

Result<std::vector<StoredRun>> load_runs(ledger::Store& store, const SeasonId& season) {
  TRIPARTITE_TRY(batches, store.batches());
  std::vector<StoredRun> runs;
  ledger::RecordFilter filter{"run"};
  filter.season = season.value;
  TRIPARTITE_CHECK(store.scan(filter, [&](const ledger::StoredRecord& record) -> Status {
    TRIPARTITE_TRY(run, decode_run(record.body));
    std::uint64_t first = record.seq;
    for (const auto& batch : batches) {
      if (batch.id == record.batch) first = batch.first_seq;
    }
    runs.push_back(StoredRun{run, record.seq, first});
    return Status::success();
  }));
  return runs;
}

}  // namespace tripartite::contracts
