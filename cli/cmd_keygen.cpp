// `tripartite keygen --party ID --out FILE`: a party's Ed25519 key pair. The private key
// (a "Tripartite-Party: ID" line, then PKCS#8 PEM; mode 0600) stays with the party; FILE.pub
// (the same line, then SubjectPublicKeyInfo PEM, which openssl reads as it is) goes to the
// coordinator for registration; `keys add` refuses a .pub that names another party. Refuses
// to overwrite either file.
#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/model.hpp"

namespace tripartite::cli {

void setup_keygen(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("keygen", "Write a new Ed25519 key pair: FILE (private, 0600) and FILE.pub.");
  struct Options {
    std::string party;
    std::string out;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--party", options->party, "The party the key belongs to (its id)")->required();
  command->add_option("--out", options->out, "Path of the private key file; the public key goes to FILE.pub")
      ->required();
  command->callback([&action, options] {
    action = [options] {
      if (!contracts::is_valid_id(options->party)) {
        return fail(invalid("--party: '" + options->party + "' is not a valid id (1-64 of A-Z a-z 0-9 . _ -)"));
      }
      auto key = ledger::PrivateKey::generate();
      if (!key) return fail(key.error());
      auto written = write_party_key_files(*key, options->party, options->out);
      if (!written.ok()) return fail(written.error());
      std::cout << "wrote " << options->out << " (private, keep it safe) and " << options->out
                << ".pub for party " << options->party << "\n";
      return 0;
    };
  });
}

}  // namespace tripartite::cli
