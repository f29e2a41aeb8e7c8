// Loading a party's signing key and deciding who it belongs to.
//
// A key file made by `tripartite keygen` starts with one explanatory line
// "Tripartite-Party: <id>" before the PEM block (RFC 7468 §5.2 lets parsers skip such text;
// `openssl` does). A key without it is identified by its public key among the keys the
// coordinator registered. Either way, a key that the ledger holds for another party, or a
// named party whose registered key differs, is refused.
#pragma once

#include <optional>
#include <string>

#include "contracts/repository.hpp"
#include "ledger/crypto.hpp"

namespace tripartite::cli {

struct SigningKey {
  std::string party;
  ledger::PrivateKey key;
};

inline constexpr const char* kPartyHeader = "Tripartite-Party: ";

// The party named in the key file's header line, if any.
std::optional<std::string> party_named_in_key_file(const std::string& text);

// Loads FILE and resolves its party against the ledger's registered keys. When the ledger
// has no key for the named party yet, the name is trusted only if `allow_unregistered`
// (the genesis batch of an empty ledger).
Result<SigningKey> load_signing_key(const std::string& path, const contracts::LedgerParties& parties,
                                    bool allow_unregistered);

// A public key file (FILE.pub): the raw Ed25519 key, and the party its header line names
// (keygen writes "Tripartite-Party: <id>" before the PEM block of both files; a .pub made
// elsewhere, or by keygen before the line was added to it, has none).
struct PublicKeyFile {
  std::optional<std::string> party;
  std::string raw;
};
Result<PublicKeyFile> read_public_key_file(const std::string& path);

// Writes a new key pair for `party`: FILE (header line + PKCS#8 PEM, 0600) and FILE.pub
// (header line + SubjectPublicKeyInfo PEM, 0644).
Status write_party_key_files(const ledger::PrivateKey& key, const std::string& party, const std::string& path);

}  // namespace tripartite::cli
