// Tests for ledger/crypto.hpp: SHA-256, hex and base64, Ed25519 keys (RFC 8032 vectors),
// key files, C2SP signed notes (the Go sumdb/note "PeterNeumann" example) and checkpoints.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/crypto.hpp"

using namespace tripartite;
using namespace tripartite::ledger;

namespace {

std::string from_hex(std::string_view hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string out;
  for (std::size_t index = 0; index < hex.size(); index += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(index, 2)), nullptr, 16));
  }
  return out;
}

std::string pem(std::string_view label, std::string_view der) {
  std::string body = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t index = 0; index < body.size(); index += 64) out += body.substr(index, 64) + "\n";
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

// PKCS#8 / SPKI DER prefixes for a 32-byte key of algorithm OID 1.3.101.<arc>.
std::string pkcs8_der(std::string_view oid_last_byte_hex, std::string_view seed) {
  return from_hex("302e020100300506032b65" + std::string(oid_last_byte_hex) + "04220420") + std::string(seed);
}
std::string spki_der(std::string_view oid_last_byte_hex, std::string_view raw) {
  return from_hex("302a300506032b65" + std::string(oid_last_byte_hex) + "032100") + std::string(raw);
}

// A fresh empty directory under the system temporary directory, removed at scope end.
struct TemporaryDirectory {
  std::filesystem::path path;
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tripartite-crypto-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path); }
};

unsigned permissions_of(const std::string& path) {
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  return static_cast<unsigned>(status.st_mode) & 07777u;
}

const std::string em_dash = "\xE2\x80\x94";

// RFC 8032 §7.1 TEST 1 and TEST 2.
struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};
const Rfc8032Vector rfc8032_vectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
     "5141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
     "b00d291612bb0c00"},
};

// golang.org/x/mod/sumdb/note note_test.go.
const std::string peter_text =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string peter_verifier_key = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";  // 0x01 || public key
const std::string peter_signer_key = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";    // 0x01 || seed
const std::string peter_signature_line =
    em_dash + " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

PrivateKey generated_key() {
  auto key = PrivateKey::generate();
  REQUIRE(key.ok());
  return std::move(key).value();
}

}  // namespace

// ---- hashing and encodings ---------------------------------------------------------

TEST_CASE("sha256 matches the FIPS 180-2 examples", "[crypto]") {
  CHECK(hash_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256(std::string(1000000, 'a')) ==
        hash_from_hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0").value());
  CHECK(sha256_concat({"ab", "", "c"}) == sha256("abc"));
  CHECK(sha256_concat({}) == sha256(""));
  const std::string with_nul("a\0b", 3);
  CHECK(sha256(with_nul) != sha256("ab"));
}

TEST_CASE("hex encoding", "[crypto]") {
  CHECK(to_hex("") == "");
  CHECK(to_hex(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  const Hash hash = sha256("abc");
  CHECK(hash_bytes(hash).size() == 32);
  CHECK(to_hex(hash_bytes(hash)) == hash_hex(hash));
  auto upper = hash_from_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  REQUIRE(upper.ok());
  CHECK(*upper == hash);
  CHECK_FALSE(hash_from_hex("ba7816bf").ok());
  CHECK_FALSE(hash_from_hex("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").ok());
}

TEST_CASE("base64 encodes the RFC 4648 vectors and round-trips every byte", "[crypto]") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == plain);
  }
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  for (std::size_t length = 0; length <= all.size(); ++length) {
    const std::string part = all.substr(all.size() - length);
    auto decoded = base64_decode(base64_encode(part));
    REQUIRE(decoded.ok());
    CHECK(*decoded == part);
  }
  CHECK(base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64_decode is strict", "[crypto]") {
  const char* refused[] = {
      "Zg=",        // length not a multiple of 4
      "Zg",         // missing padding
      "Zm9v\n",     // trailing newline
      " Zm9v",      // leading space
      "Zm9v Zm9",   // inner space
      "Zm9v\r\n",   // CRLF
      "Zh==",       // unused bits set
      "Zm9=",       // unused bits set
      "Zm-v",       // URL-safe alphabet
      "Zm_v",       // URL-safe alphabet
      "Zg==Zg==",   // padding in the middle
      "=Zm9",       // padding first
      "Z===",       // three padding characters
      "====",       // only padding
      "Zm=v",       // padding inside a group
      "Zm9v\xc3\xa9",  // non-ASCII
  };
  for (const char* text : refused) {
    INFO(text);
    auto decoded = base64_decode(text);
    CHECK_FALSE(decoded.ok());
    if (!decoded.ok()) CHECK(decoded.error().kind == ErrorKind::invalid_input);
  }
}

// ---- Ed25519 -----------------------------------------------------------------------

TEST_CASE("Ed25519 reproduces the RFC 8032 test vectors", "[crypto]") {
  for (const Rfc8032Vector& vector : rfc8032_vectors) {
    INFO(vector.secret);
    const std::string seed = from_hex(vector.secret);
    const std::string message = from_hex(vector.message);
    const std::string expected = from_hex(vector.signature);

    auto raw_key = PrivateKey::from_raw(seed);
    REQUIRE(raw_key.ok());
    CHECK(to_hex(raw_key->public_key_raw()) == vector.public_key);
    CHECK(to_hex(raw_key->sign(message)) == vector.signature);

    // The same key through a hand-built PKCS#8 PEM (OID 1.3.101.112).
    auto pem_key = PrivateKey::from_pem(pem("PRIVATE KEY", pkcs8_der("70", seed)));
    REQUIRE(pem_key.ok());
    CHECK(pem_key->sign(message) == expected);
    CHECK(pem_key->private_pem() == pem("PRIVATE KEY", pkcs8_der("70", seed)));
    CHECK(pem_key->public_pem() == pem("PUBLIC KEY", spki_der("70", from_hex(vector.public_key))));

    CHECK(verify_signature(from_hex(vector.public_key), message, expected));
    CHECK_FALSE(verify_signature(from_hex(vector.public_key), message + "x", expected));
  }
  CHECK_FALSE(PrivateKey::from_raw(std::string(31, '\x01')).ok());
}

TEST_CASE("Ed25519 sign and verify round trip, any flipped bit is refused", "[crypto]") {
  const PrivateKey key = generated_key();
  const std::string public_key = key.public_key_raw();
  REQUIRE(public_key.size() == 32);
  const std::string message = "tripartite/ledger-1\n42\nroot\n";
  const std::string signature = key.sign(message);
  REQUIRE(signature.size() == 64);
  CHECK(verify_signature(public_key, message, signature));
  CHECK(key.sign(message) == signature);  // deterministic

  for (std::size_t bit = 0; bit < 64 * 8; ++bit) {
    std::string bad = signature;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    if (verify_signature(public_key, message, bad)) FAIL_CHECK("signature bit " << bit << " flipped still verifies");
  }
  for (std::size_t bit = 0; bit < message.size() * 8; ++bit) {
    std::string bad = message;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    if (verify_signature(public_key, bad, signature)) FAIL_CHECK("message bit " << bit << " flipped still verifies");
  }
  for (std::size_t bit = 0; bit < 32 * 8; ++bit) {
    std::string bad = public_key;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    if (verify_signature(bad, message, signature)) FAIL_CHECK("public key bit " << bit << " flipped still verifies");
  }
  CHECK_FALSE(verify_signature(public_key, message, signature.substr(0, 63)));
  CHECK_FALSE(verify_signature(public_key, message, signature + "x"));
  CHECK_FALSE(verify_signature(public_key.substr(0, 31), message, signature));
  CHECK_FALSE(verify_signature(generated_key().public_key_raw(), message, signature));
}

TEST_CASE("PEM round trips", "[crypto]") {
  const PrivateKey key = generated_key();
  const std::string private_text = key.private_pem();
  const std::string public_text = key.public_pem();
  CHECK(private_text.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(public_text.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);

  auto reloaded = PrivateKey::from_pem(private_text);
  REQUIRE(reloaded.ok());
  CHECK(reloaded->public_key_raw() == key.public_key_raw());
  CHECK(reloaded->sign("m") == key.sign("m"));
  CHECK(reloaded->private_pem() == private_text);

  auto raw = public_key_raw_from_pem(public_text);
  REQUIRE(raw.ok());
  CHECK(*raw == key.public_key_raw());
  CHECK(public_key_pem_from_raw(*raw) == public_text);

  // White space around the block is fine.
  CHECK(PrivateKey::from_pem("\n  " + private_text + "\n\n").ok());
  CHECK(public_key_raw_from_pem("\n" + public_text + "  \n").ok());

  // Moving keeps the key usable.
  PrivateKey moved = std::move(reloaded).value();
  CHECK(moved.public_key_raw() == key.public_key_raw());
}

TEST_CASE("PEM parsing refuses the wrong kind of key or text", "[crypto]") {
  const PrivateKey key = generated_key();
  const std::string private_text = key.private_pem();
  const std::string public_text = key.public_pem();
  const std::string seed(32, '\x07');

  CHECK_FALSE(PrivateKey::from_pem(public_text).ok());
  CHECK_FALSE(public_key_raw_from_pem(private_text).ok());
  CHECK_FALSE(PrivateKey::from_pem("").ok());
  CHECK_FALSE(PrivateKey::from_pem("not a key").ok());
  CHECK_FALSE(PrivateKey::from_pem("comment\n" + private_text).ok());
  CHECK_FALSE(PrivateKey::from_pem(private_text + "trailing\n").ok());
  CHECK_FALSE(PrivateKey::from_pem(private_text + private_text).ok());
  CHECK_FALSE(public_key_raw_from_pem(public_text + "x").ok());
  // X25519 (OID 1.3.101.110) keys are well-formed but not Ed25519.
  auto x25519_private = PrivateKey::from_pem(pem("PRIVATE KEY", pkcs8_der("6e", seed)));
  REQUIRE_FALSE(x25519_private.ok());
  CHECK(x25519_private.error().message.find("not an Ed25519") != std::string::npos);
  auto x25519_public = public_key_raw_from_pem(pem("PUBLIC KEY", spki_der("6e", seed)));
  REQUIRE_FALSE(x25519_public.ok());
  CHECK(x25519_public.error().message.find("not an Ed25519") != std::string::npos);
  // Encrypted keys, truncated DER, and DER with trailing bytes.
  CHECK_FALSE(PrivateKey::from_pem(pem("ENCRYPTED PRIVATE KEY", pkcs8_der("70", seed))).ok());
  CHECK_FALSE(PrivateKey::from_pem(pem("PRIVATE KEY", pkcs8_der("70", seed).substr(0, 40))).ok());
  CHECK_FALSE(PrivateKey::from_pem(pem("PRIVATE KEY", pkcs8_der("70", seed) + "x")).ok());
  CHECK_FALSE(public_key_raw_from_pem(pem("PUBLIC KEY", spki_der("70", seed) + "x")).ok());
  CHECK(public_key_raw_from_pem(pem("PUBLIC KEY", spki_der("70", seed))).ok());
  // Legacy PEM encryption headers are refused rather than ignored.
  std::string with_headers = pem("PRIVATE KEY", pkcs8_der("70", seed));
  REQUIRE(PrivateKey::from_pem(with_headers).ok());
  with_headers.insert(with_headers.find('\n') + 1, "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n");
  CHECK_FALSE(PrivateKey::from_pem(with_headers).ok());
}

TEST_CASE("write_key_files writes 0600 / 0644 files and never overwrites", "[crypto]") {
  const TemporaryDirectory directory;
  const std::string path = (directory.path / "coordinator.pem").string();
  const PrivateKey key = generated_key();
  const mode_t previous_umask = ::umask(077);  // the public file must still be 0644
  const Status written = write_key_files(key, path);
  ::umask(previous_umask);
  REQUIRE(written.ok());
  CHECK(permissions_of(path) == 0600u);
  CHECK(permissions_of(path + ".pub") == 0644u);

  auto loaded = PrivateKey::load_pem_file(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key_raw() == key.public_key_raw());
  auto public_text = read_file(path + ".pub");
  REQUIRE(public_text.ok());
  CHECK(*public_text == key.public_pem());

  // A second write refuses and leaves the files as they were.
  const PrivateKey other = generated_key();
  const Status again = write_key_files(other, path);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().kind == ErrorKind::invalid_input);
  CHECK(again.error().message.find(path) != std::string::npos);
  CHECK(PrivateKey::load_pem_file(path)->public_key_raw() == key.public_key_raw());

  // An existing .pub alone also refuses, and no private key file is left behind.
  const std::string second = (directory.path / "lender.pem").string();
  REQUIRE(write_key_files(other, second + ".tmp").ok());
  std::filesystem::rename(second + ".tmp.pub", second + ".pub");
  const Status clash = write_key_files(other, second);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().message.find(second + ".pub") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(second));

  // A missing directory is an error naming the path.
  const std::string nowhere = (directory.path / "missing" / "k.pem").string();
  const Status missing = write_key_files(key, nowhere);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find(nowhere) != std::string::npos);
}

TEST_CASE("read_file and load_pem_file report the path", "[crypto]") {
  const TemporaryDirectory directory;
  const std::string path = (directory.path / "absent.pem").string();
  auto text = read_file(path);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::invalid_input);
  CHECK(text.error().message.find(path) != std::string::npos);
  auto key = PrivateKey::load_pem_file(path);
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().message.find(path) != std::string::npos);
  auto directory_read = read_file(directory.path.string());
  CHECK_FALSE(directory_read.ok());
}

// ---- signed notes ------------------------------------------------------------------

TEST_CASE("signed notes reproduce the Go sumdb/note PeterNeumann example", "[crypto][note]") {
  auto verifier = base64_decode(peter_verifier_key);
  auto signer = base64_decode(peter_signer_key);
  REQUIRE(verifier.ok());
  REQUIRE(signer.ok());
  REQUIRE(verifier->size() == 33);
  REQUIRE(signer->size() == 33);
  CHECK((*verifier)[0] == '\x01');
  const std::string public_key = verifier->substr(1);

  const std::array<std::uint8_t, 4> expected_id{0xc7, 0x4f, 0x20, 0xa3};
  CHECK(note_key_id("PeterNeumann", public_key) == expected_id);
  CHECK(note_key_id("PeterNeumanN", public_key) != expected_id);

  auto key = PrivateKey::from_raw(signer->substr(1));
  REQUIRE(key.ok());
  CHECK(key->public_key_raw() == public_key);
  const std::string note_text = sign_note(peter_text, "PeterNeumann", *key);
  CHECK(note_text == peter_text + "\n" + peter_signature_line);

  auto note = parse_note(note_text);
  REQUIRE(note.ok());
  CHECK(note->body == peter_text);
  REQUIRE(note->signatures.size() == 1);
  CHECK(note->signatures[0].key_name == "PeterNeumann");
  CHECK(note->signatures[0].key_id == expected_id);
  CHECK(note->signatures[0].signature.size() == 64);
  CHECK(verify_note_signature(*note, "PeterNeumann", public_key));

  std::string altered = note_text;
  altered.replace(altered.find("cryptography"), 12, "cryptographY");
  auto altered_note = parse_note(altered);
  REQUIRE(altered_note.ok());
  CHECK_FALSE(verify_note_signature(*altered_note, "PeterNeumann", public_key));
}

TEST_CASE("sign_note output parses and verifies, any changed body byte is refused", "[crypto][note]") {
  const PrivateKey key = generated_key();
  const PrivateKey other = generated_key();
  const std::string body = "tripartite/ledger-7\n12\n" + base64_encode(hash_bytes(sha256("x"))) + "\n";
  const std::string text = sign_note(body, "coordinator", key);
  CHECK(text.rfind(body + "\n" + em_dash + " coordinator ", 0) == 0);
  CHECK(text.back() == '\n');

  auto note = parse_note(text);
  REQUIRE(note.ok());
  CHECK(note->body == body);
  CHECK(verify_note_signature(*note, "coordinator", key.public_key_raw()));
  CHECK_FALSE(verify_note_signature(*note, "offtaker", key.public_key_raw()));
  CHECK_FALSE(verify_note_signature(*note, "coordinator", other.public_key_raw()));
  CHECK_FALSE(verify_note_signature(*note, "coordinator", key.public_key_raw().substr(1)));

  for (std::size_t index = 0; index < body.size(); ++index) {
    std::string changed = text;
    changed[index] = changed[index] == 'A' ? 'B' : 'A';
    auto changed_note = parse_note(changed);
    if (changed_note.ok() && verify_note_signature(*changed_note, "coordinator", key.public_key_raw())) {
      FAIL_CHECK("body byte " << index << " changed still verifies");
    }
  }

  // A second signer appends its line; both verify.
  const std::string cosigned = text + note_signature_line(body, "lender-1", other);
  auto both = parse_note(cosigned);
  REQUIRE(both.ok());
  CHECK(both->signatures.size() == 2);
  CHECK(verify_note_signature(*both, "coordinator", key.public_key_raw()));
  CHECK(verify_note_signature(*both, "lender-1", other.public_key_raw()));

  // A bad signature under a known name and key id rejects the note even beside a good one.
  Note tampered = *both;
  tampered.signatures.push_back(tampered.signatures[0]);
  tampered.signatures.back().signature[0] = static_cast<char>(tampered.signatures.back().signature[0] ^ 1);
  CHECK_FALSE(verify_note_signature(tampered, "coordinator", key.public_key_raw()));

  // Bodies with blank lines inside: the body ends at the last blank line.
  const std::string multi = "a\n\nb\n\n";
  auto multi_note = parse_note(sign_note(multi, "k", key));
  REQUIRE(multi_note.ok());
  CHECK(multi_note->body == multi);
  CHECK(verify_note_signature(*multi_note, "k", key.public_key_raw()));
}

TEST_CASE("parse_note is strict", "[crypto][note]") {
  const PrivateKey key = generated_key();
  const std::string good = sign_note("body\n", "name", key);
  REQUIRE(parse_note(good).ok());
  const std::string blob = good.substr(good.rfind(' ') + 1, good.size() - good.rfind(' ') - 2);
  const std::string line = em_dash + " name " + blob + "\n";
  REQUIRE(good == "body\n\n" + line);

  const std::pair<std::string, const char*> refused[] = {
      {"body\n" + line, "no blank line"},
      {"body\n\n", "no signature lines"},
      {"body\n\n" + line.substr(0, line.size() - 1), "no final newline"},
      {"body\n\n- name " + blob + "\n", "ASCII hyphen instead of em dash"},
      {"body\n\n" + em_dash + "name " + blob + "\n", "no space after the dash"},
      {"body\n\n" + em_dash + "  " + blob + "\n", "empty key name"},
      {"body\n\n" + em_dash + " na+me " + blob + "\n", "plus in key name"},
      {"body\n\n" + em_dash + " na\xC2\xA0me " + blob + "\n", "no-break space in key name"},
      {"body\n\n" + em_dash + " name\n", "no signature"},
      {"body\n\n" + em_dash + " name " + blob + " \n", "trailing space"},
      {"body\n\n" + em_dash + " name  " + blob + "\n", "two spaces"},
      {"body\n\n" + em_dash + " name " + blob.substr(1) + "\n", "bad base64"},
      {"body\n\n" + em_dash + " name AAAA\n", "signature shorter than 5 bytes"},
      {"body\n\n" + line + "\n", "blank line after signatures"},
      {"bo\tdy\n\n" + line, "tab in body"},
      {"body\r\n\n" + line, "carriage return"},
      {"bo\xFF" "dy\n\n" + line, "invalid UTF-8"},
      {"bo\xC0\xAF" "dy\n\n" + line, "overlong UTF-8"},
      {"bo\xED\xA0\x80" "dy\n\n" + line, "UTF-16 surrogate"},
      {"", "empty"},
  };
  for (const auto& [text, why] : refused) {
    INFO(why);
    auto note = parse_note(text);
    CHECK_FALSE(note.ok());
    if (!note.ok()) CHECK(note.error().kind == ErrorKind::invalid_input);
  }

  // Unknown algorithms parse (C2SP: ignore unknown keys) but never verify as Ed25519.
  auto short_signature = parse_note("body\n\n" + em_dash + " other " + base64_encode("12345") + "\n" + line);
  REQUIRE(short_signature.ok());
  CHECK(short_signature->signatures[0].signature == "5");
  CHECK(verify_note_signature(*short_signature, "name", key.public_key_raw()));
  CHECK_FALSE(verify_note_signature(*short_signature, "other", key.public_key_raw()));

  // At most 100 signatures.
  std::string hundred = "body\n\n";
  for (int count = 0; count < 100; ++count) hundred += line;
  CHECK(parse_note(hundred).ok());
  CHECK_FALSE(parse_note(hundred + line).ok());
}

TEST_CASE("note key names and texts", "[crypto][note]") {
  CHECK(is_valid_note_key_name("coordinator"));
  CHECK(is_valid_note_key_name("example.com/log-1"));
  CHECK(is_valid_note_key_name("caf\xC3\xA9"));
  CHECK_FALSE(is_valid_note_key_name(""));
  CHECK_FALSE(is_valid_note_key_name("a b"));
  CHECK_FALSE(is_valid_note_key_name("a+b"));
  CHECK_FALSE(is_valid_note_key_name("a\xE3\x80\x80" "b"));  // ideographic space
  CHECK_FALSE(is_valid_note_key_name("a\nb"));
  CHECK_FALSE(is_valid_note_key_name("\xFF"));
  CHECK(is_valid_note_text("a\n"));
  CHECK_FALSE(is_valid_note_text(""));
  CHECK_FALSE(is_valid_note_text("a"));
  CHECK_FALSE(is_valid_note_text("a\x01\n"));
}

// ---- checkpoints -------------------------------------------------------------------

TEST_CASE("checkpoint bodies round-trip and sign as notes", "[crypto][checkpoint]") {
  Checkpoint checkpoint;
  checkpoint.origin = "tripartite/ledger-1";
  checkpoint.size = 20852163;
  checkpoint.root = sha256("root");
  const std::string body = checkpoint_body(checkpoint);
  CHECK(body == "tripartite/ledger-1\n20852163\n" + base64_encode(hash_bytes(checkpoint.root)) + "\n");
  auto parsed = parse_checkpoint_body(body);
  REQUIRE(parsed.ok());
  CHECK(*parsed == checkpoint);

  // The C2SP tlog-checkpoint example body.
  auto example = parse_checkpoint_body("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  REQUIRE(example.ok());
  CHECK(example->origin == "example.com/behind-the-sofa");
  CHECK(example->size == 20852163u);
  CHECK(base64_encode(hash_bytes(example->root)) == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");

  // C2SP's optional extension lines are refused: a Tripartite checkpoint is exactly three lines.
  auto extended = parse_checkpoint_body(body + "extension one\nextension two\n");
  REQUIRE_FALSE(extended.ok());
  CHECK(extended.error().message == "checkpoint body has extension lines after its three");

  checkpoint.size = 0;
  CHECK(parse_checkpoint_body(checkpoint_body(checkpoint))->size == 0u);
  checkpoint.size = UINT64_MAX;
  CHECK(parse_checkpoint_body(checkpoint_body(checkpoint))->size == UINT64_MAX);

  const PrivateKey key = generated_key();
  auto note = parse_note(sign_note(body, "coordinator", key));
  REQUIRE(note.ok());
  CHECK(verify_note_signature(*note, "coordinator", key.public_key_raw()));
  CHECK(parse_checkpoint_body(note->body).ok());
}

TEST_CASE("parse_checkpoint_body is strict", "[crypto][checkpoint]") {
  const std::string root = base64_encode(hash_bytes(sha256("root")));
  REQUIRE(parse_checkpoint_body("origin\n7\n" + root + "\n").ok());
  const std::pair<std::string, const char*> refused[] = {
      {"origin\n007\n" + root + "\n", "leading zeros"},
      {"origin\n00\n" + root + "\n", "double zero"},
      {"origin\n+7\n" + root + "\n", "plus sign"},
      {"origin\n-7\n" + root + "\n", "negative"},
      {"origin\n 7\n" + root + "\n", "space"},
      {"origin\n7 \n" + root + "\n", "trailing space"},
      {"origin\n0x7\n" + root + "\n", "hexadecimal"},
      {"origin\n\n" + root + "\n", "empty size"},
      {"origin\n18446744073709551616\n" + root + "\n", "size overflow"},
      {"origin\n7\n" + root, "missing final newline"},
      {"origin\n7\n" + root.substr(1) + "\n", "bad base64"},
      {"origin\n7\n" + root + " \n", "space after root"},
      {"origin\n7\n" + base64_encode(std::string(31, 'a')) + "\n", "31-byte root"},
      {"origin\n7\n" + base64_encode(std::string(33, 'a')) + "\n", "33-byte root"},
      {"origin\n7\n", "no root"},
      {"\n7\n" + root + "\n", "empty origin"},
      {"origin\n7\n" + root + "\n\n", "empty extension line"},
      {"origin\r\n7\n" + root + "\n", "carriage return"},
      {"", "empty"},
  };
  for (const auto& [body, why] : refused) {
    INFO(why);
    auto parsed = parse_checkpoint_body(body);
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok()) CHECK(parsed.error().kind == ErrorKind::invalid_input);
  }
}

TEST_CASE("visible_text: printable ASCII as it is, other characters as code points, bad bytes as bytes", "[crypto]") {
  CHECK(visible_text("F-01.a_Z 9") == "F-01.a_Z 9");
  CHECK(visible_text("") == "");
  CHECK(visible_text("\xEF\xBB\xBF"
                     "F1") == "<U+FEFF>F1");        // byte-order mark
  CHECK(visible_text("A\xC2\xA0") == "A<U+00A0>");  // no-break space
  CHECK(visible_text("F\xE2\x80\x8B"
                     "1") == "F<U+200B>1");  // zero-width space
  CHECK(visible_text("Mar\xC3\xAD"
                     "a") == "Mar<U+00ED>a");                             // a letter beyond ASCII
  CHECK(visible_text("\xF0\x9F\x98\x80") == "<U+1F600>");                 // four bytes
  CHECK(visible_text("\xF4\x8F\xBF\xBF") == "<U+10FFFF>");                // the last code point
  CHECK(visible_text("a\tb\x7F") == "a<0x09>b<0x7F>");                    // control bytes
  CHECK(visible_text("\xC0\x80") == "<0xC0><0x80>");                      // overlong
  CHECK(visible_text("\xE0\x9F\xBF") == "<0xE0><0x9F><0xBF>");            // overlong, three bytes
  CHECK(visible_text("\xED\xA0\x80") == "<0xED><0xA0><0x80>");            // a surrogate
  CHECK(visible_text("\xF4\x90\x80\x80") == "<0xF4><0x90><0x80><0x80>");  // above U+10FFFF
  CHECK(visible_text("x\xE2\x80") == "x<0xE2><0x80>");                    // cut short
  CHECK(visible_text("\xFF\xC3") == "<0xFF><0xC3>");
}

TEST_CASE("check_replaceable_file: nothing there or a regular file, not a folder or an empty name", "[crypto]") {
  const std::string base =
      (std::filesystem::temp_directory_path() / ("tripartite-replaceable-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base + "/folder");
  { std::ofstream(base + "/file") << "x"; }
  CHECK(check_replaceable_file(base + "/new.csv").ok());
  CHECK(check_replaceable_file(base + "/file").ok());
  auto folder = check_replaceable_file(base + "/folder");
  REQUIRE_FALSE(folder.ok());
  CHECK(folder.error().kind == tripartite::ErrorKind::invalid_input);
  CHECK(folder.error().message == base + "/folder: exists and is not a file");
  CHECK_FALSE(check_replaceable_file("").ok());
  std::filesystem::remove_all(base);
}

TEST_CASE("is_valid_utf8: well-formed UTF-8 only, ASCII fast or not", "[crypto]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII, longer than eight bytes"));
  CHECK(is_valid_utf8("Ana Mar\xC3\xAD" "a \xE2\x82\xAC \xF0\x9F\x8C\xBD and more ASCII after it"));
  CHECK_FALSE(is_valid_utf8("twelve bytes\xFF"));                  // a byte that starts nothing
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80 a surrogate, then ASCII"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF overlong"));
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80 above U+10FFFF"));
  CHECK_FALSE(is_valid_utf8("truncated at the end \xE2\x82"));
  // The fast path must not skip a bad byte in any position of an eight-byte word.
  for (std::size_t at = 0; at < 16; ++at) {
    std::string text(16, 'a');
    text[at] = '\xFF';
    INFO(at);
    CHECK_FALSE(is_valid_utf8(text));
  }
}
