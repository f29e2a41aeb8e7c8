// `tripartite keys add --db PATH --key COORDINATOR.pem --party ID --pub FILE.pub`: the
// coordinator registers a party's public key (a key record in a coordinator batch). On an
// empty ledger the same batch first writes the genesis record naming the coordinator.
#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/records.hpp"

namespace tripartite::cli {

void setup_keys(CLI::App& app, Action& action) {
  auto* keys = app.add_subcommand("keys", "Manage the parties' registered public keys.");
  keys->require_subcommand(1);
  auto* add = keys->add_subcommand(
      "add",
      "Register a party's public key (signed by the coordinator). On an empty ledger the signer\n"
      "becomes the ledger's coordinator (its genesis record): use the coordinator's key.");
  struct Options {
    std::string db, key, party, pub;
  };
  auto options = std::make_shared<Options>();
  add->add_option("--db", options->db, "Ledger file")->required();
  add->add_option("--key", options->key, "The coordinator's private key file")->required();
  add->add_option("--party", options->party, "The party whose key is registered")->required();
  add->add_option("--pub", options->pub, "That party's public key file (FILE.pub from keygen)")->required();
  add->callback([&action, options] {
    action = [options]() -> int {
      if (!contracts::is_valid_id(options->party)) return fail(invalid("--party: not a valid id: " + options->party));
      auto store = open_store(options->db);
      if (!store) return fail(store.error());
      auto parties = contracts::load_parties(**store);
      if (!parties) return fail(parties.error());
      bool empty = !parties->genesis.has_value();
      auto signer = load_signing_key(options->key, *parties, empty);
      if (!signer) return fail(signer.error());
      if (!empty && signer->party != parties->genesis->coordinator.value) {
        auto party = parties->parties.find(signer->party);
        if (party == parties->parties.end() || party->second.role != contracts::Role::coordinator) {
          return fail(invalid("only a coordinator registers keys; " + signer->party + " is not one"));
        }
      }
      // Farmers sign nothing, and a party can never take a farmer's id (SPEC §1).
      auto farmer = (*store)->find("farmer", options->party);
      if (!farmer) return fail(farmer.error());
      if (*farmer) {
        return fail(invalid("--party: " + options->party + " is a farmer; keys are registered for parties, which sign"));
      }
      auto pub = read_public_key_file(options->pub);
      if (!pub) return fail(pub.error());
      // keygen names the party in the .pub: a file of another party's key pair, given by
      // mistake, would tie this party to a key it does not hold, for good.
      if (pub->party && *pub->party != options->party) {
        return fail(invalid("--pub: " + options->pub + " was made for party " + *pub->party + " (its " +
                            std::string(kPartyHeader) + "line), not " + options->party + "; give " + options->party +
                            "'s own FILE.pub"));
      }
      const std::string& raw = pub->raw;
      auto existing = parties->keys.find(options->party);
      if (existing != parties->keys.end()) {
        if (existing->second == raw) {
          std::cout << "key of " << options->party << " is already registered; nothing to do\n";
          return 0;
        }
        return fail(invalid("party " + options->party + " already has a different registered key"));
      }
      if (auto holder = parties->party_for_key(raw)) {
        return fail(invalid("this public key is already registered for party " + *holder));
      }
      auto transaction = (*store)->begin();
      if (!transaction) return fail(transaction.error());
      auto& tx = **transaction;
      auto status = tx.begin_batch(signer->party, "keys:" + options->party + ":" + ledger::to_hex(raw));
      if (!status.ok()) return fail(status.error());
      std::vector<contracts::EncodedRecord> records;
      if (empty) {
        records.push_back(contracts::encode_genesis((*store)->ledger_id(), contracts::PartyId(signer->party),
                                                    signer->key.public_key_raw()));
      }
      if (options->party != signer->party) {
        records.push_back(contracts::encode_key(contracts::PartyId(options->party), raw));
      }
      for (const auto& record : records) {
        auto appended = tx.append(record.index, record.body);
        if (!appended) return fail(appended.error());
      }
      auto sealed = tx.seal_batch(signer->key);
      if (!sealed) return fail(sealed.error());
      auto committed = tx.commit();
      if (!committed.ok()) return fail(committed.error());
      if (empty) {
        std::cout << "the ledger was empty: its genesis record names " << signer->party
                  << " as the coordinator, who alone registers keys and signs the coalition terms, farmers and "
                     "market prices from now on\n";
      }
      std::cout << "registered the key of " << options->party << " (signed by " << signer->party << ")\n";
      return 0;
    };
  });
}

}  // namespace tripartite::cli
