// Implementation of ledger/crypto.hpp on OpenSSL 3 (EVP interface only).
#include "ledger/crypto.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

namespace tripartite::ledger {

namespace {

// ---- OpenSSL ownership -------------------------------------------------------------

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct Pkcs8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* info) const { PKCS8_PRIV_KEY_INFO_free(info); }
};
struct OpensslFree {
  void operator()(void* pointer) const { OPENSSL_free(pointer); }
};
using BioPointer = std::unique_ptr<BIO, BioFree>;
using PkeyPointer = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdContextPointer = std::unique_ptr<EVP_MD_CTX, MdContextFree>;

const unsigned char* bytes_of(std::string_view text) {
  static const unsigned char nothing = 0;
  return text.empty() ? &nothing : reinterpret_cast<const unsigned char*>(text.data());
}

// Wipes a string that held key material before it is released.
void cleanse(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  TRIPARTITE_ASSERT(length >= 0);
  return std::string(data, static_cast<std::size_t>(length));
}

// ---- SHA-256 -----------------------------------------------------------------------

const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const algorithm = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    TRIPARTITE_ASSERT(fetched != nullptr);
    return fetched;
  }();
  return algorithm;
}

// One digest context per thread, reused for every hash.
EVP_MD_CTX* digest_context() {
  thread_local const MdContextPointer context = [] {
    MdContextPointer created(EVP_MD_CTX_new());
    TRIPARTITE_ASSERT(created != nullptr);
    return created;
  }();
  TRIPARTITE_ASSERT(EVP_DigestInit_ex2(context.get(), sha256_algorithm(), nullptr) == 1);
  return context.get();
}

void digest_update(EVP_MD_CTX* context, std::string_view bytes) {
  TRIPARTITE_ASSERT(EVP_DigestUpdate(context, bytes.data(), bytes.size()) == 1);
}

Hash digest_final(EVP_MD_CTX* context) {
  Hash out{};
  unsigned int length = 0;
  TRIPARTITE_ASSERT(EVP_DigestFinal_ex(context, out.data(), &length) == 1);
  TRIPARTITE_ASSERT(length == out.size());
  return out;
}

// ---- base64 ------------------------------------------------------------------------

constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char character) {
  if (character >= 'A' && character <= 'Z') return character - 'A';
  if (character >= 'a' && character <= 'z') return character - 'a' + 26;
  if (character >= '0' && character <= '9') return character - '0' + 52;
  if (character == '+') return 62;
  if (character == '/') return 63;
  return -1;
}

// ---- UTF-8 and note text -----------------------------------------------------------

}  // namespace

bool next_code_point(std::string_view text, std::size_t& position, std::uint32_t& code_point) {
  const auto byte_at = [&](std::size_t index) { return static_cast<std::uint8_t>(text[index]); };
  const std::uint8_t lead = byte_at(position);
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    position += 1;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1Fu;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0Fu;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07u;
    minimum = 0x10000;
  } else {
    return false;
  }
  if (text.size() - position < length) return false;
  for (std::size_t index = 1; index < length; ++index) {
    const std::uint8_t continuation = byte_at(position + index);
    if ((continuation & 0xC0) != 0x80) return false;
    code_point = (code_point << 6) | (continuation & 0x3Fu);
  }
  if (code_point < minimum || code_point > 0x10FFFF) return false;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
  position += length;
  return true;
}

std::string visible_text(std::string_view text) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  std::size_t position = 0;
  while (position < text.size()) {
    auto byte = static_cast<unsigned char>(text[position]);
    if (byte >= 0x20 && byte < 0x7F) {
      out += text[position++];
      continue;
    }
    std::size_t next = position;
    std::uint32_t code = 0;
    const bool character = byte >= 0x80 && next_code_point(text, next, code);
    if (!character) code = byte;  // a control byte, or one that is not well-formed UTF-8
    std::string digits;
    for (std::uint32_t rest = code; rest != 0 || digits.size() < (character ? 4u : 2u); rest >>= 4) {
      digits.insert(digits.begin(), kDigits[rest & 0xF]);
    }
    out += (character ? "<U+" : "<0x") + digits + ">";
    position = character ? next : position + 1;
  }
  return out;
}

std::string quoted_text(std::string_view text) { return "'" + visible_text(text) + "'"; }

std::string shown_text(std::string_view text) {
  constexpr std::size_t kShownBytes = 64;
  if (text.size() <= kShownBytes) return quoted_text(text);
  std::size_t end = kShownBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return "'" + visible_text(text.substr(0, end)) + "...'";
}

bool is_valid_utf8(std::string_view text) {
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::size_t position = 0;
  std::uint32_t code_point = 0;
  while (position < text.size()) {
    if (position + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + position, sizeof word);
      if ((word & kHighs) == 0) {
        position += 8;
        continue;
      }
    }
    if (!next_code_point(text, position, code_point)) return false;
  }
  return true;
}

namespace {

// Valid UTF-8 with no control character below U+0020 except '\n'.
bool is_clean_utf8(std::string_view text) {
  std::size_t position = 0;
  std::uint32_t code_point = 0;
  while (position < text.size()) {
    if (!next_code_point(text, position, code_point)) return false;
    if (code_point < 0x20 && code_point != '\n') return false;
  }
  return true;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool is_unicode_space(std::uint32_t code_point) {
  return (code_point >= 0x09 && code_point <= 0x0D) || code_point == 0x20 || code_point == 0x85 ||
         code_point == 0xA0 || code_point == 0x1680 || (code_point >= 0x2000 && code_point <= 0x200A) ||
         code_point == 0x2028 || code_point == 0x2029 || code_point == 0x202F || code_point == 0x205F ||
         code_point == 0x3000;
}

constexpr std::string_view em_dash_space = "\xE2\x80\x94 ";  // U+2014 then U+0020
constexpr std::uint8_t ed25519_signature_type = 0x01;
constexpr std::size_t maximum_note_signatures = 100;

// ---- PEM ---------------------------------------------------------------------------

bool is_space(char character) {
  return character == ' ' || character == '\t' || character == '\n' || character == '\r';
}

// The DER bytes of the single PEM block labelled `label` that is all of `pem` (white
// space around it allowed). Refuses PEM headers (legacy encryption).
Result<std::string> pem_block(std::string_view pem, std::string_view label) {
  std::size_t first = 0;
  while (first < pem.size() && is_space(pem[first])) ++first;
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  pem.remove_prefix(first);
  if (pem.substr(0, begin.size()) != begin) return invalid("not a PEM \"" + std::string(label) + "\" block");
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return invalid("PEM text too large");
  BioPointer bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal_error("out of memory reading PEM");
  char* raw_name = nullptr;
  char* raw_header = nullptr;
  unsigned char* raw_data = nullptr;
  long length = 0;
  const int read = PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &length);
  const std::unique_ptr<char, OpensslFree> name(raw_name);
  const std::unique_ptr<char, OpensslFree> header(raw_header);
  const std::unique_ptr<unsigned char, OpensslFree> data(raw_data);
  if (read != 1 || length < 0) return invalid("malformed PEM \"" + std::string(label) + "\" block");
  if (std::string_view(name.get()) != label) return invalid("not a PEM \"" + std::string(label) + "\" block");
  if (header && header.get()[0] != '\0') return invalid("PEM block has headers (encrypted keys are refused)");
  char rest[256];
  int got = 0;
  while ((got = BIO_read(bio.get(), rest, sizeof rest)) > 0) {
    for (int index = 0; index < got; ++index) {
      if (!is_space(rest[index])) return invalid("unexpected text after the PEM block");
    }
  }
  std::string der(reinterpret_cast<const char*>(data.get()), static_cast<std::size_t>(length));
  OPENSSL_cleanse(data.get(), static_cast<std::size_t>(length));
  return der;
}

bool is_ed25519(const EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

std::string raw_public_key_of(const EVP_PKEY* key) {
  std::string raw(32, '\0');
  std::size_t length = raw.size();
  TRIPARTITE_ASSERT(EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) == 1);
  TRIPARTITE_ASSERT(length == 32);
  return raw;
}

std::string public_pem_of(EVP_PKEY* key) {
  BioPointer bio(BIO_new(BIO_s_mem()));
  TRIPARTITE_ASSERT(bio != nullptr);
  TRIPARTITE_ASSERT(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
  return bio_contents(bio.get());
}

// ---- files -------------------------------------------------------------------------

std::string describe_errno(int number) { return std::strerror(number); }

bool write_all(int descriptor, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// Creates `path` (refusing an existing one) with exactly `mode`, writes `bytes`, syncs.
Status create_file(const std::string& path, std::string_view bytes, mode_t mode) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (descriptor < 0) {
    const int number = errno;
    if (number == EEXIST) return invalid("refusing to overwrite existing file " + path);
    return invalid("cannot create " + path + ": " + describe_errno(number));
  }
  bool ok = ::fchmod(descriptor, mode) == 0 && write_all(descriptor, bytes) && ::fsync(descriptor) == 0;
  const int number = errno;
  if (::close(descriptor) != 0) ok = false;
  if (!ok) {
    ::unlink(path.c_str());
    return invalid("cannot write " + path + ": " + describe_errno(number));
  }
  return Status::success();
}

}  // namespace

// ---- hashing and encodings ---------------------------------------------------------

Hash sha256(std::string_view bytes) {
  EVP_MD_CTX* context = digest_context();
  digest_update(context, bytes);
  return digest_final(context);
}

Hash sha256_concat(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* context = digest_context();
  // Each EVP_DigestUpdate costs about as much as hashing a block, so short inputs (an
  // interior node is 65 bytes) are gathered into one buffer first.
  std::array<char, 512> buffer;
  std::size_t total = 0;
  for (const std::string_view part : parts) total += part.size();
  if (total <= buffer.size()) {
    std::size_t used = 0;
    for (const std::string_view part : parts) {
      if (!part.empty()) std::memcpy(buffer.data() + used, part.data(), part.size());
      used += part.size();
    }
    digest_update(context, std::string_view(buffer.data(), used));
  } else {
    for (const std::string_view part : parts) digest_update(context, part);
  }
  return digest_final(context);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char character : bytes) {
    const auto byte = static_cast<std::uint8_t>(character);
    out += digits[byte >> 4];
    out += digits[byte & 0x0F];
  }
  return out;
}

std::string hash_bytes(const Hash& hash) { return std::string(reinterpret_cast<const char*>(hash.data()), hash.size()); }

std::string hash_hex(const Hash& hash) { return to_hex(hash_bytes(hash)); }

Result<Hash> hash_from_hex(std::string_view text) {
  if (text.size() != 64) return invalid("a hash is 64 hexadecimal characters, got " + std::to_string(text.size()));
  const auto nibble = [](char character) -> int {
    if (character >= '0' && character <= '9') return character - '0';
    if (character >= 'a' && character <= 'f') return character - 'a' + 10;
    if (character >= 'A' && character <= 'F') return character - 'A' + 10;
    return -1;
  };
  Hash out{};
  for (std::size_t index = 0; index < out.size(); ++index) {
    const int high = nibble(text[2 * index]);
    const int low = nibble(text[2 * index + 1]);
    if (high < 0 || low < 0) return invalid("not a hexadecimal hash: " + std::string(text));
    out[index] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t index = 0;
  const auto byte_at = [&](std::size_t at) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[at])); };
  for (; index + 3 <= bytes.size(); index += 3) {
    const std::uint32_t group = (byte_at(index) << 16) | (byte_at(index + 1) << 8) | byte_at(index + 2);
    out += base64_alphabet[(group >> 18) & 63];
    out += base64_alphabet[(group >> 12) & 63];
    out += base64_alphabet[(group >> 6) & 63];
    out += base64_alphabet[group & 63];
  }
  const std::size_t remaining = bytes.size() - index;
  if (remaining == 1) {
    const std::uint32_t group = byte_at(index) << 16;
    out += base64_alphabet[(group >> 18) & 63];
    out += base64_alphabet[(group >> 12) & 63];
    out += "==";
  } else if (remaining == 2) {
    const std::uint32_t group = (byte_at(index) << 16) | (byte_at(index + 1) << 8);
    out += base64_alphabet[(group >> 18) & 63];
    out += base64_alphabet[(group >> 12) & 63];
    out += base64_alphabet[(group >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return invalid("base64 length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t index = 0; index < text.size(); index += 4) {
    const bool last = index + 4 == text.size();
    std::size_t padding = 0;
    if (last && text[index + 3] == '=') padding = text[index + 2] == '=' ? 2 : 1;
    std::uint32_t group = 0;
    for (std::size_t offset = 0; offset < 4; ++offset) {
      if (offset >= 4 - padding) continue;
      const int value = base64_value(text[index + offset]);
      if (value < 0) return invalid("invalid base64 character at offset " + std::to_string(index + offset));
      group |= static_cast<std::uint32_t>(value) << (18 - 6 * offset);
    }
    out += static_cast<char>((group >> 16) & 0xFF);
    if (padding == 2) {
      if ((group & 0xFFFF) != 0) return invalid("non-canonical base64 (unused bits set)");
      break;
    }
    out += static_cast<char>((group >> 8) & 0xFF);
    if (padding == 1) {
      if ((group & 0xFF) != 0) return invalid("non-canonical base64 (unused bits set)");
      break;
    }
    out += static_cast<char>(group & 0xFF);
  }
  return out;
}

// ---- keys --------------------------------------------------------------------------

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : key_(other.key_) { other.key_ = nullptr; }

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(key_);
    key_ = other.key_;
    other.key_ = nullptr;
  }
  return *this;
}

PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }

Result<PrivateKey> PrivateKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return internal_error("Ed25519 key generation failed");
  return PrivateKey(key);
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  auto der_result = pem_block(pem, "PRIVATE KEY");
  if (!der_result.ok()) return der_result.error();
  std::string der = std::move(der_result).value();
  const unsigned char* cursor = bytes_of(der);
  const unsigned char* const end = cursor + der.size();
  const std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Free> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, static_cast<long>(der.size())));
  const bool whole = cursor == end;
  cleanse(der);
  if (!info || !whole) return invalid("malformed PKCS#8 private key");
  PkeyPointer key(EVP_PKCS82PKEY(info.get()));
  if (!key) return invalid("malformed PKCS#8 private key");
  if (!is_ed25519(key.get())) return invalid("the private key is not an Ed25519 key");
  return PrivateKey(key.release());
}

Result<PrivateKey> PrivateKey::load_pem_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return text.error();
  auto key = from_pem(*text);
  cleanse(*text);
  if (!key.ok()) return invalid(path + ": " + key.error().message);
  return key;
}

Result<PrivateKey> PrivateKey::from_raw(std::string_view seed32) {
  if (seed32.size() != 32) return invalid("an Ed25519 private key is 32 bytes, got " + std::to_string(seed32.size()));
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(seed32), seed32.size());
  if (key == nullptr) return internal_error("cannot load a raw Ed25519 private key");
  return PrivateKey(key);
}

std::string PrivateKey::private_pem() const {
  TRIPARTITE_ASSERT(key_ != nullptr);
  BioPointer bio(BIO_new(BIO_s_secmem()));
  TRIPARTITE_ASSERT(bio != nullptr);
  TRIPARTITE_ASSERT(PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return bio_contents(bio.get());
}

std::string PrivateKey::public_pem() const {
  TRIPARTITE_ASSERT(key_ != nullptr);
  return public_pem_of(key_);
}

std::string PrivateKey::public_key_raw() const {
  TRIPARTITE_ASSERT(key_ != nullptr);
  return raw_public_key_of(key_);
}

std::string PrivateKey::sign(std::string_view message) const {
  TRIPARTITE_ASSERT(key_ != nullptr);
  MdContextPointer context(EVP_MD_CTX_new());
  TRIPARTITE_ASSERT(context != nullptr);
  TRIPARTITE_ASSERT(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_) == 1);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  TRIPARTITE_ASSERT(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                                   bytes_of(message), message.size()) == 1);
  TRIPARTITE_ASSERT(length == 64);
  return signature;
}

Status write_key_files(const PrivateKey& key, const std::string& path) {
  const std::string public_path = path + ".pub";
  std::string private_text = key.private_pem();
  const Status written = create_file(path, private_text, 0600);
  cleanse(private_text);
  if (!written.ok()) return written;
  const Status public_written = create_file(public_path, key.public_pem(), 0644);
  if (!public_written.ok()) {
    ::unlink(path.c_str());
    return public_written;
  }
  return Status::success();
}

Result<std::string> public_key_raw_from_pem(std::string_view spki_pem) {
  TRIPARTITE_TRY(der, pem_block(spki_pem, "PUBLIC KEY"));
  const unsigned char* cursor = bytes_of(der);
  const unsigned char* const end = cursor + der.size();
  PkeyPointer key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key || cursor != end) return invalid("malformed SubjectPublicKeyInfo public key");
  if (!is_ed25519(key.get())) return invalid("the public key is not an Ed25519 key");
  return raw_public_key_of(key.get());
}

std::string public_key_pem_from_raw(std::string_view raw32) {
  TRIPARTITE_ASSERT(raw32.size() == 32);
  PkeyPointer key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(raw32), raw32.size()));
  TRIPARTITE_ASSERT(key != nullptr);
  return public_pem_of(key.get());
}

Status check_replaceable_file(const std::string& path) {
  if (path.empty()) return invalid("an output file name is required");
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    return invalid(path + ": exists and is not a file");
  }
  return Status::success();
}

Result<std::string> read_file(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return invalid("cannot open " + path + ": " + describe_errno(errno));
  std::string contents;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(descriptor, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int number = errno;
      ::close(descriptor);
      cleanse(contents);
      return invalid("cannot read " + path + ": " + describe_errno(number));
    }
    if (got == 0) break;
    contents.append(buffer, static_cast<std::size_t>(got));
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  ::close(descriptor);
  return contents;
}

bool verify_signature(std::string_view raw_public_key, std::string_view message, std::string_view signature) {
  if (raw_public_key.size() != 32 || signature.size() != 64) return false;
  PkeyPointer key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(raw_public_key), 32));
  if (!key) return false;
  MdContextPointer context(EVP_MD_CTX_new());
  if (!context) return false;
  if (EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(), bytes_of(message), message.size()) ==
         1;
}

// ---- signed notes ------------------------------------------------------------------

bool is_valid_note_key_name(std::string_view key_name) {
  if (key_name.empty()) return false;
  std::size_t position = 0;
  std::uint32_t code_point = 0;
  while (position < key_name.size()) {
    if (!next_code_point(key_name, position, code_point)) return false;
    if (code_point < 0x20 || code_point == '+' || is_unicode_space(code_point)) return false;
  }
  return true;
}

bool is_valid_note_text(std::string_view text) {
  return !text.empty() && text.back() == '\n' && is_clean_utf8(text);
}

std::array<std::uint8_t, 4> note_key_id(std::string_view key_name, std::string_view raw_public_key) {
  const char separator[2] = {'\n', static_cast<char>(ed25519_signature_type)};
  const Hash digest = sha256_concat({key_name, std::string_view(separator, 2), raw_public_key});
  return {digest[0], digest[1], digest[2], digest[3]};
}

std::string note_signature_line(std::string_view body, std::string_view key_name, const PrivateKey& key) {
  TRIPARTITE_ASSERT(is_valid_note_text(body));
  TRIPARTITE_ASSERT(is_valid_note_key_name(key_name));
  const std::array<std::uint8_t, 4> key_id = note_key_id(key_name, key.public_key_raw());
  std::string blob(reinterpret_cast<const char*>(key_id.data()), key_id.size());
  blob += key.sign(body);
  std::string line(em_dash_space);
  line += key_name;
  line += ' ';
  line += base64_encode(blob);
  line += '\n';
  return line;
}

std::string sign_note(std::string_view body, std::string_view key_name, const PrivateKey& key) {
  std::string note(body);
  note += '\n';
  note += note_signature_line(body, key_name, key);
  return note;
}

Result<Note> parse_note(std::string_view text) {
  if (!is_clean_utf8(text)) return invalid("signed note is not valid UTF-8 or contains control characters");
  const std::size_t split = text.rfind("\n\n");
  if (split == std::string_view::npos) return invalid("signed note has no blank line before its signatures");
  Note note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view signatures = text.substr(split + 2);
  if (signatures.empty()) return invalid("signed note has no signature lines");
  if (signatures.back() != '\n') return invalid("signed note does not end with a newline");
  while (!signatures.empty()) {
    const std::size_t end = signatures.find('\n');
    std::string_view line = signatures.substr(0, end);
    signatures.remove_prefix(end + 1);
    if (line.substr(0, em_dash_space.size()) != em_dash_space) {
      return invalid("signature line does not start with an em dash and a space");
    }
    line.remove_prefix(em_dash_space.size());
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return invalid("signature line has no signature");
    const std::string_view key_name = line.substr(0, space);
    const std::string_view encoded = line.substr(space + 1);
    if (!is_valid_note_key_name(key_name)) return invalid("signature line has an invalid key name");
    auto blob = base64_decode(encoded);
    if (!blob.ok()) return invalid("signature line: " + blob.error().message);
    if (blob->size() < 5) return invalid("signature line has a signature shorter than 5 bytes");
    if (note.signatures.size() == maximum_note_signatures) return invalid("signed note has too many signatures");
    NoteSignature signature;
    signature.key_name = std::string(key_name);
    for (std::size_t index = 0; index < 4; ++index) signature.key_id[index] = static_cast<std::uint8_t>((*blob)[index]);
    signature.signature = blob->substr(4);
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

bool verify_note_signature(const Note& note, std::string_view key_name, std::string_view raw_public_key) {
  if (raw_public_key.size() != 32) return false;
  const std::array<std::uint8_t, 4> key_id = note_key_id(key_name, raw_public_key);
  bool verified = false;
  for (const NoteSignature& signature : note.signatures) {
    if (signature.key_name != key_name || signature.key_id != key_id) continue;
    // C2SP: a failing signature from a known key rejects the whole note.
    if (!verify_signature(raw_public_key, note.body, signature.signature)) return false;
    verified = true;
  }
  return verified;
}

// ---- checkpoints -------------------------------------------------------------------

std::string checkpoint_body(const Checkpoint& checkpoint) {
  TRIPARTITE_ASSERT(!checkpoint.origin.empty());
  TRIPARTITE_ASSERT(checkpoint.origin.find('\n') == std::string::npos);
  TRIPARTITE_ASSERT(is_clean_utf8(checkpoint.origin));
  std::string body = checkpoint.origin;
  body += '\n';
  body += std::to_string(checkpoint.size);
  body += '\n';
  body += base64_encode(hash_bytes(checkpoint.root));
  body += '\n';
  return body;
}

Result<Checkpoint> parse_checkpoint_body(std::string_view body) {
  if (body.empty() || body.back() != '\n') return invalid("checkpoint body does not end with a newline");
  if (!is_clean_utf8(body)) return invalid("checkpoint body is not valid UTF-8 or contains control characters");
  std::vector<std::string_view> lines;
  std::string_view rest = body;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) return invalid("checkpoint body has fewer than three lines");
  // SPEC §5 gives the body as exactly origin, size and root: C2SP's optional extension
  // lines are signed text no Tripartite checkpoint carries, so they are refused.
  if (lines.size() > 3) return invalid("checkpoint body has extension lines after its three");
  for (const std::string_view line : lines) {
    if (line.empty()) return invalid("checkpoint body has an empty line");
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  const std::string_view size_text = lines[1];
  if (size_text.size() > 1 && size_text[0] == '0') return invalid("checkpoint tree size has a leading zero");
  std::uint64_t size = 0;
  for (const char character : size_text) {
    if (character < '0' || character > '9') return invalid("checkpoint tree size is not a decimal number");
    const auto digit = static_cast<std::uint64_t>(character - '0');
    if (size > (UINT64_MAX - digit) / 10) return invalid("checkpoint tree size does not fit 64 bits");
    size = size * 10 + digit;
  }
  checkpoint.size = size;
  auto root = base64_decode(lines[2]);
  if (!root.ok()) return invalid("checkpoint root hash: " + root.error().message);
  if (root->size() != checkpoint.root.size()) {
    return invalid("checkpoint root hash is " + std::to_string(root->size()) + " bytes, not 32");
  }
  std::memcpy(checkpoint.root.data(), root->data(), checkpoint.root.size());
  return checkpoint;
}

BatchDigest::BatchDigest() : context_(EVP_MD_CTX_new()) {
  TRIPARTITE_ASSERT(context_ != nullptr);
  reset();
}
BatchDigest::~BatchDigest() { EVP_MD_CTX_free(context_); }
void BatchDigest::reset() { TRIPARTITE_ASSERT(EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) == 1); }
void BatchDigest::add(const Hash& leaf) { TRIPARTITE_ASSERT(EVP_DigestUpdate(context_, leaf.data(), leaf.size()) == 1); }
std::string BatchDigest::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  TRIPARTITE_ASSERT(EVP_DigestFinal_ex(context_, out, &size) == 1);
  return std::string(reinterpret_cast<const char*>(out), size);
}

}  // namespace tripartite::ledger
