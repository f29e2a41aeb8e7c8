// Loading signing keys. See signing.hpp.
#include "cli/signing.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "contracts/model.hpp"

namespace tripartite::cli {

std::optional<std::string> party_named_in_key_file(const std::string& text) {
  std::string_view header(kPartyHeader);
  if (text.compare(0, header.size(), header) != 0) return std::nullopt;
  auto end = text.find('\n');
  if (end == std::string::npos) return std::nullopt;
  std::string party = text.substr(header.size(), end - header.size());
  if (!party.empty() && party.back() == '\r') party.pop_back();
  if (!contracts::is_valid_id(party)) return std::nullopt;
  return party;
}

Result<SigningKey> load_signing_key(const std::string& path, const contracts::LedgerParties& parties,
                                    bool allow_unregistered) {
  TRIPARTITE_TRY(text, ledger::read_file(path));
  std::optional<std::string> named = party_named_in_key_file(text);
  auto begin = text.find("-----BEGIN");
  if (begin == std::string::npos) return invalid(path + ": not a PEM private key");
  if (text.compare(begin, 26, "-----BEGIN PUBLIC KEY-----") == 0) {
    return invalid(path + ": this is a public key; --key takes the private key file (keygen's FILE, not FILE.pub)");
  }
  auto key = ledger::PrivateKey::from_pem(std::string_view(text).substr(begin));
  if (!key) return invalid(path + ": " + key.error().message);
  std::string public_key = key->public_key_raw();
  std::optional<std::string> registered_as = parties.party_for_key(public_key);
  if (named) {
    auto registered = parties.keys.find(*named);
    if (registered != parties.keys.end() && registered->second != public_key) {
      return invalid(path + ": this key is not the key registered for party " + *named);
    }
    if (registered_as && *registered_as != *named) {
      return invalid(path + ": names party " + *named + " but its public key is registered for " + *registered_as);
    }
    if (registered == parties.keys.end() && !allow_unregistered) {
      return invalid(path + ": party " + *named +
                     " has no registered key in this ledger; the coordinator registers it with `tripartite keys add`");
    }
    return SigningKey{*named, std::move(key).value()};
  }
  if (!registered_as) {
    return invalid(path + ": this key is not registered in the ledger and does not name its party "
                          "(keys made by `tripartite keygen` do)");
  }
  return SigningKey{*registered_as, std::move(key).value()};
}

Result<PublicKeyFile> read_public_key_file(const std::string& path) {
  TRIPARTITE_TRY(text, ledger::read_file(path));
  PublicKeyFile out;
  out.party = party_named_in_key_file(text);
  const std::size_t begin = out.party ? text.find("-----BEGIN") : 0;
  auto raw = ledger::public_key_raw_from_pem(std::string_view(text).substr(begin == std::string::npos ? 0 : begin));
  if (!raw) {
    const bool private_key = text.find("-----BEGIN PRIVATE KEY-----") != std::string::npos;
    return invalid(path + ": " + raw.error().message +
                   (private_key ? " (this is a private key: give the public one, FILE.pub from keygen)" : ""));
  }
  out.raw = std::move(raw).value();
  return out;
}

Status write_party_key_files(const ledger::PrivateKey& key, const std::string& party, const std::string& path) {
  auto write_new = [](const std::string& file, const std::string& content, mode_t mode) -> Status {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) return invalid(file + ": cannot create (" + std::string(std::strerror(errno)) + ")");
    ::fchmod(fd, mode);
    std::size_t written = 0;
    while (written < content.size()) {
      ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) {
        ::close(fd);
        return internal_error(file + ": write failed");
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) return internal_error(file + ": write failed");
    return Status::success();
  };
  std::string pub_path = path + ".pub";
  if (::access(pub_path.c_str(), F_OK) == 0) return invalid(pub_path + ": already exists; refusing to overwrite");
  TRIPARTITE_CHECK(write_new(path, std::string(kPartyHeader) + party + "\n" + key.private_pem(), 0600));
  return write_new(pub_path, std::string(kPartyHeader) + party + "\n" + key.public_pem(), 0644);
}

}  // namespace tripartite::cli
