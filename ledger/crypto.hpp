// Hashing, encodings, Ed25519 keys and the signed forms of the audit trail (SPEC §5).
//
// Everything cryptographic goes through OpenSSL 3 (SHA-256 and Ed25519, RFC 8032); this
// file adds only encodings and the two C2SP text formats built on them: `signed-note`
// (text signed by one or more keys, Ed25519 signature type 0x01) and `tlog-checkpoint`
// (the note body `<origin>\n<size>\n<base64 root>\n` naming a Merkle tree head).
//
// Invariants: byte strings are `std::string`/`std::string_view` holding raw bytes; a raw
// Ed25519 public key is 32 bytes and a signature 64 bytes. Parsers are strict and accept
// only what the writers here produce (plus what the C2SP specifications allow), so that a
// parsed value written back gives the same bytes. A `PrivateKey` always holds a valid
// Ed25519 key; it is move-only and never printed except on request as PEM.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/result.hpp"

// OpenSSL's key type, kept out of this header.
struct evp_pkey_st;
struct evp_md_ctx_st;

namespace tripartite::ledger {

using Hash = std::array<std::uint8_t, 32>;

// SHA-256 of `bytes`. Reuses one digest context per thread: cheap enough for tens of
// millions of leaves.
Hash sha256(std::string_view bytes);
// SHA-256 of the concatenation of `parts`, without concatenating them first.
Hash sha256_concat(std::initializer_list<std::string_view> parts);

// SHA-256 over a batch's leaf hashes in order, fed one leaf at a time (one digest update
// per record, so a batch's content digest costs almost nothing next to the leaf hashes):
// the store writes it with each batch, verify recomputes it.
class BatchDigest {
 public:
  BatchDigest();
  BatchDigest(const BatchDigest&) = delete;
  BatchDigest& operator=(const BatchDigest&) = delete;
  ~BatchDigest();
  void reset();
  void add(const Hash& leaf);
  // The 32 raw bytes; reset() before the next batch.
  std::string finish();

 private:
  evp_md_ctx_st* context_;
};

// Decodes the code point at text[position], advancing position. False on any invalid
// sequence (overlong forms, surrogates, values above U+10FFFF, truncation).
bool next_code_point(std::string_view text, std::size_t& position, std::uint32_t& code_point);

// `text` as a message can show it unambiguously: printable ASCII as it is, every other
// character as <U+XXXX> (a byte-order mark, a no-break or zero-width space, a letter with
// an accent), and a control byte or a byte that is not part of well-formed UTF-8 as
// <0xXX>. For values quoted in error messages, where a character that does not show on a
// terminal may be the very thing wrong with the value.
std::string visible_text(std::string_view text);
// visible_text between single quotes, as every message quotes a value: 'F<U+00A0>01'.
std::string quoted_text(std::string_view text);
// quoted_text of at most the first 64 bytes (cut at a character's start), then "...": a
// 5,000-digit number or a whole line pasted into one field stays a one-line message.
std::string shown_text(std::string_view text);

// Well-formed UTF-8: no overlong form, no surrogate, nothing above U+10FFFF. Plain ASCII
// is passed eight bytes at a time, so a log's records cost little more than a read.
bool is_valid_utf8(std::string_view text);

// Lower-case hexadecimal, two characters per byte.
std::string to_hex(std::string_view bytes);
// The 32 raw bytes of a hash.
std::string hash_bytes(const Hash& hash);
// Lower-case hexadecimal of a hash.
std::string hash_hex(const Hash& hash);
// Parses exactly 64 hexadecimal characters (either case) into a hash.
Result<Hash> hash_from_hex(std::string_view text);
// Standard base64 (RFC 4648 §4), with padding.
std::string base64_encode(std::string_view bytes);
// Strict standard base64: the length is a multiple of 4, only the alphabet and final
// '=' padding (at most two), no white space, and the unused bits of the last character
// are zero (so every byte string has exactly one accepted encoding).
Result<std::string> base64_decode(std::string_view text);

// An Ed25519 private key. Move-only; owns an OpenSSL EVP_PKEY.
class PrivateKey {
 public:
  static Result<PrivateKey> generate();
  // A PKCS#8 "PRIVATE KEY" PEM block (white space around it allowed, nothing else).
  // Refuses encrypted keys and keys that are not Ed25519.
  static Result<PrivateKey> from_pem(std::string_view pem);
  static Result<PrivateKey> load_pem_file(const std::string& path);
  // The RFC 8032 32-byte private key (the "seed").
  static Result<PrivateKey> from_raw(std::string_view seed32);

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  std::string private_pem() const;     // PKCS#8 PEM, unencrypted
  std::string public_pem() const;      // SubjectPublicKeyInfo PEM
  std::string public_key_raw() const;  // 32 bytes
  std::string sign(std::string_view message) const;  // 64 bytes, RFC 8032 Ed25519

 private:
  explicit PrivateKey(evp_pkey_st* key) : key_(key) {}
  evp_pkey_st* key_ = nullptr;
};

// Writes the private key PEM to `path` (mode 0600) and the public SPKI PEM to
// `path + ".pub"` (mode 0644). Both are created with O_EXCL: an existing file is never
// overwritten, and nothing is left behind on failure. Errors are invalid_input and name
// the path.
Status write_key_files(const PrivateKey& key, const std::string& path);
// The 32 raw bytes of an Ed25519 SubjectPublicKeyInfo "PUBLIC KEY" PEM block.
Result<std::string> public_key_raw_from_pem(std::string_view spki_pem);
// The SubjectPublicKeyInfo PEM of a raw 32-byte Ed25519 public key.
// REQUIRES: raw32.size() == 32.
std::string public_key_pem_from_raw(std::string_view raw32);
// The whole file. Errors are invalid_input and name the path.
Result<std::string> read_file(const std::string& path);
// Whether an output file may be written at `path`: nothing is there, or a regular file that
// it replaces. An empty path, or a folder, link to a folder or anything else in its place is
// an invalid_input error naming the path, found before any work is done (not when the
// finished file is renamed into place).
Status check_replaceable_file(const std::string& path);
// True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by the raw
// 32-byte public key. Wrong lengths are simply false.
bool verify_signature(std::string_view raw_public_key, std::string_view message, std::string_view signature);

// ---- C2SP signed-note --------------------------------------------------------------

// Key names are non-empty valid UTF-8 without Unicode spaces or '+'.
bool is_valid_note_key_name(std::string_view key_name);
// Note text: non-empty, ends with '\n', valid UTF-8, no control character but '\n'.
bool is_valid_note_text(std::string_view text);

// SHA-256(key_name || 0x0A || 0x01 || raw_public_key)[:4].
std::array<std::uint8_t, 4> note_key_id(std::string_view key_name, std::string_view raw_public_key);
// body + "\n" + "\u2014 " + key_name + " " + base64(key_id || signature) + "\n".
// REQUIRES: is_valid_note_text(body) and is_valid_note_key_name(key_name).
std::string sign_note(std::string_view body, std::string_view key_name, const PrivateKey& key);
// The signature line alone ("\u2014 name base64\n"), to append to a note's signatures.
// REQUIRES: as for sign_note.
std::string note_signature_line(std::string_view body, std::string_view key_name, const PrivateKey& key);

struct NoteSignature {
  std::string key_name;
  std::array<std::uint8_t, 4> key_id{};
  std::string signature;  // the bytes after the key id: 64 for Ed25519
};
struct Note {
  std::string body;  // includes its final '\n'
  std::vector<NoteSignature> signatures;
};
// Strict C2SP signed-note: valid UTF-8 without control characters but '\n'; the body ends
// at the last blank line and is not empty; then one or more (at most 100) lines
// "\u2014 <name> <base64(key id || signature)>\n" with a valid key name and at least one
// signature byte. Signatures of other algorithms parse (C2SP: unknown keys are ignored).
Result<Note> parse_note(std::string_view text);
// True when some signature line has this key name and the key id of (name, public key),
// and its signature verifies over note.body.
bool verify_note_signature(const Note& note, std::string_view key_name, std::string_view raw_public_key);

// ---- C2SP tlog-checkpoint ----------------------------------------------------------

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};
// "<origin>\n<size>\n<base64 root>\n". REQUIRES: origin is non-empty valid note text
// without '\n'.
std::string checkpoint_body(const Checkpoint& checkpoint);
// Strict: a non-empty origin line, a decimal size without '+' or leading zeros ("0" for
// the empty tree) that fits 64 bits, the strict base64 of exactly 32 bytes, each line
// ending in '\n'. Non-empty extension lines after the root are allowed and ignored.
Result<Checkpoint> parse_checkpoint_body(std::string_view body);

}  // namespace tripartite::ledger
