#!/usr/bin/env bash
# The signed audit trail through the command line (SPEC §5): verify of a database and of an
# export (by `tripartite verify` and by the independent docs/verify_export.py), the VERIFY.md
# steps run exactly as written, and tampering — with the database, with an export, with a
# kept checkpoint, and a consistent forgery by an operator holding every key, which only
# `verify --replay` catches. Every tamper must exit 3 AND name the record or checkpoint
# computed from the data. Stops at the first failure.
# Usage: test_audit.sh TRIPARTITE_BINARY SOURCE_DIR
set -uo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
py=/usr/bin/python3
checker="$src/docs/verify_export.py"
season="$src/fixtures/reference"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TRIPARTITE_SOURCE_DIR="$src"

die() { echo "FAIL $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
step() { echo; echo "== $*"; }
# expect CODE PATTERN DESCRIPTION COMMAND... — the exit status must be CODE and, when PATTERN
# is not empty, stdout or stderr must match the extended regular expression PATTERN.
expect() {
  local want=$1 pattern=$2 what=$3; shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    cat "$work/out" "$work/err" >&2
    die "$what: exit $got, expected $want"
  fi
  if [ -n "$pattern" ] && ! cat "$work/out" "$work/err" | grep -Eq -- "$pattern"; then
    cat "$work/out" "$work/err" >&2
    die "$what: the output does not match /$pattern/"
  fi
  ok "$what (exit $got)"
  if [ "$want" -ne 0 ]; then sed 's/^/       /' "$work/err" | head -2; fi
}
must() { "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; die "setup step failed: $*"; }; }
q() { sqlite3 "$1" "$2"; }                  # one SQL query on a ledger
copy_db() { rm -f "$2"; sqlite3 "$1" ".backup '$2'" || die "copying $1"; }
copy_export() { rm -rf "$2"; cp -r "$1" "$2"; }
at_record() { echo "at record $1:"; }
at_size() { echo "at checkpoint of tree size $1:"; }
# The tree size of the batch (checkpoint) that covers record $2 of ledger $1.
batch_end() { q "$1" "SELECT tree_size FROM batches WHERE first_seq <= $2 AND tree_size >= $2"; }
# Changes one byte of line $2 of file $1: its last digit becomes the next one (mod 10).
tweak_line() {
  "$py" - "$1" "$2" <<'EOF' || die "tweak_line $*"
import re, sys
path, number = sys.argv[1], int(sys.argv[2])
lines = open(path, "rb").read().split(b"\n")
line = lines[number - 1]
position = max(m.start() for m in re.finditer(rb"[0-9]", line))
lines[number - 1] = line[:position] + bytes([ord("0") + (line[position] - ord("0") + 1) % 10]) + line[position + 1:]
open(path, "wb").write(b"\n".join(lines))
EOF
}

# Changes one byte of the root line of checkpoint file $1 (to another base64 character).
tweak_root() {
  "$py" - "$1" <<'EOF' || die "tweak_root $*"
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines[2] = lines[2][:10] + (b"B" if lines[2][10:11] == b"A" else b"A") + lines[2][11:]
open(sys.argv[1], "wb").write(b"\n".join(lines))
EOF
}

# The forgery helper: what an operator could do with sqlite3 and the parties' private keys.
cat >"$work/forge.py" <<'EOF'
"""forge.py resign DB KEYS_DIR [BATCH_ID PARTY KEY_FILE] — recompute every leaf, batch digest,
signed checkpoint (signed with KEYS_DIR/<author>.pem; batch BATCH_ID by PARTY with KEY_FILE
instead, PARTY becoming its author) and the frontier. Ed25519 is deterministic: an untouched batch keeps its note.
forge.py rehash DB SEQ — recompute one record's leaf column only.
forge.py replace DB SEQ OLD NEW — replace the one occurrence of OLD in record SEQ's body.
forge.py shift DB SEQ AMOUNT FROM_TAG TO_TAG — in entry SEQ add AMOUNT to the first posting
tagged FROM_TAG, subtract it from the first tagged TO_TAG (balanced).
forge.py note ORIGIN SIZE ROOT_BASE64 PARTY KEY_FILE — print a signed checkpoint note."""
import base64, hashlib, json, os, sqlite3, struct, sys
sys.path.insert(0, os.path.join(os.environ["TRIPARTITE_SOURCE_DIR"], "docs"))
from verify_export import Frontier, canonical
from cryptography.hazmat.primitives import serialization

def leaf(body):
    return hashlib.sha256(b"\x00" + body).digest()

def note(origin, size, root, party, key_file):
    key = serialization.load_pem_private_key(open(key_file, "rb").read(), None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n".encode()
    key_id = hashlib.sha256(party.encode() + b"\n\x01" + raw).digest()[:4]
    return body.decode() + "\n\u2014 " + party + " " + base64.b64encode(key_id + key.sign(body)).decode() + "\n"

def text(value):
    return value if isinstance(value, str) else bytes(value).decode()

def body_of(db, seq):
    return text(db.execute("SELECT body FROM records WHERE seq=?", (seq,)).fetchone()[0]).encode()

def set_body(db, seq, body):
    db.execute("UPDATE records SET body=? WHERE seq=?", (body.decode(), seq))

def resign(db, keys_dir, override_batch=None, override_party=None, override_key=None):
    ledger_id = text(db.execute("SELECT value FROM meta WHERE name='ledger_id'").fetchone()[0])
    leaves = {}
    for seq, body in db.execute("SELECT seq, body FROM records ORDER BY seq").fetchall():
        leaves[seq] = leaf(body if isinstance(body, bytes) else body.encode())  # bytes as stored, UTF-8 or not
        db.execute("UPDATE records SET leaf=? WHERE seq=?", (leaves[seq], seq))
    frontier = Frontier()
    for batch, author, first, size in db.execute("SELECT id, author, first_seq, tree_size FROM batches ORDER BY id").fetchall():
        digest = hashlib.sha256()
        for seq in range(first, size + 1):
            frontier.append(leaves[seq])
            digest.update(leaves[seq])
        key_file = os.path.join(keys_dir, author + ".pem")
        if batch == override_batch:
            author, key_file = override_party, override_key
        signed = note("tripartite/" + ledger_id, size, frontier.root(), author, key_file)
        db.execute("UPDATE batches SET author=?, note=?, digest=? WHERE id=?", (author, signed, digest.digest(), batch))
    db.execute("UPDATE meta SET value=? WHERE name='frontier'",
               (struct.pack(">Q", frontier.size) + b"".join(h for _, h in frontier.stack),))

command = sys.argv[1]
if command == "extend":
    # A checkpoint whose body gains a fourth (C2SP extension) line, signed again by PARTY.
    path, party, key_file = sys.argv[2:5]
    body = open(path).read().split("\n\n")[0] + "\n" + "extension\n"
    key = serialization.load_pem_private_key(open(key_file, "rb").read(), None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(party.encode() + b"\n\x01" + raw).digest()[:4]
    open(path, "w").write(body + "\n\u2014 " + party + " " + base64.b64encode(key_id + key.sign(body.encode())).decode() + "\n")
    sys.exit(0)
if command == "note":
    origin, size, root, party, key_file = sys.argv[2:7]
    sys.stdout.write(note(origin, int(size), base64.b64decode(root), party, key_file))
    sys.exit(0)
db = sqlite3.connect(sys.argv[2])
if command == "resign":
    resign(db, sys.argv[3], *((int(sys.argv[4]), sys.argv[5], sys.argv[6]) if len(sys.argv) > 4 else ()))
elif command == "rehash":
    seq = int(sys.argv[3])
    db.execute("UPDATE records SET leaf=? WHERE seq=?", (leaf(body_of(db, seq)), seq))
elif command == "replace":
    seq, old, new = int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5].encode()
    body = body_of(db, seq)
    if body.count(old) != 1:
        sys.exit(f"forge.py: '{sys.argv[4]}' occurs {body.count(old)} times in record {seq}")
    set_body(db, seq, body.replace(old, new))
elif command == "append":
    # A new batch by AUTHOR of one record (or more: six arguments each), then every batch
    # signed again: what a party holding only its own key could append.
    keys_dir, author = sys.argv[3:5]
    first = db.execute("SELECT max(seq) FROM records").fetchone()[0] + 1
    batch = db.execute("SELECT max(id) FROM batches").fetchone()[0] + 1
    seq = first - 1
    for at in range(5, len(sys.argv), 6):
        index_kind, key, season, subject, date, body = sys.argv[at:at + 6]
        body = canonical(json.loads(body)).decode()
        seq += 1
        db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (seq, batch, index_kind, key, season, subject, date, body, leaf(body.encode())))
    db.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)", (batch, "forged:" + str(first), author, first, seq, b"", ""))
    resign(db, keys_dir)
elif command == "shift":
    seq, amount, from_tag, to_tag = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
    entry = json.loads(body_of(db, seq))
    for tag, delta in ((from_tag, amount), (to_tag, -amount)):
        index = next(i for i, p in enumerate(entry["postings"]) if p["tag"] == tag)
        entry["postings"][index]["amount"] += delta
    set_body(db, seq, canonical(entry))
else:
    sys.exit(f"forge.py: unknown command {command}")
db.commit()
EOF
forge() { "$py" "$work/forge.py" "$@" >"$work/forge.out" 2>&1 || { cat "$work/forge.out" >&2; die "forge.py $*"; }; }

command -v sqlite3 >/dev/null || die "the sqlite3 command line is needed (scripts/deps.sh)"
"$py" -c "import cryptography" 2>/dev/null || die "$py lacks the cryptography package (scripts/deps.sh)"

# ---------------------------------------------------------------------------------------
step "build the reference ledger (as scripts/demo.sh does)"
keys="$work/keys"
mkdir -p "$keys"
for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do
  must "$bin" keygen --party "$party" --out "$keys/$party.pem"
done
db="$work/ledger.db"
must "$bin" init --db "$db"
must "$bin" import --db "$db" --season-dir "$season" --keys "$keys"
must "$bin" import --db "$db" --season-dir "$season" --keys "$keys"
# An output file that cannot be written (a folder in its place) is found before the run is
# posted: exit 2, the ledger as it was, no .partial files; the run then goes through.
mkdir -p "$work/run1/payouts.csv"
before=$(sha256sum "$db" | cut -d' ' -f1)
expect 2 "run1/payouts.csv: exists and is not a file" "settle --out with a folder named payouts.csv" \
  "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$keys/OT1.pem" --out "$work/run1"
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$before" ] || die "a refused settle changed the ledger"
[ -z "$(find "$work/run1" -name '*.partial')" ] && [ ! -e "$work/run1/settlement.csv" ] || die "a refused settle left files"
rmdir "$work/run1/payouts.csv"
must "$bin" settle --db "$db" --season 2026A --as-of 2026-08-31 --key "$keys/OT1.pem" --out "$work/run1"
copy_db "$db" "$work/after-r1.db"
must "$bin" export audit --db "$db" --out "$work/export-r1"
must "$bin" settle --db "$db" --season 2026A --as-of 2026-10-31 --key "$keys/OT1.pem" --out "$work/run2"
last=$(q "$db" "SELECT max(seq) FROM records")
r1_size=$(q "$work/after-r1.db" "SELECT max(tree_size) FROM batches")
ledger_id=$(q "$db" "SELECT CAST(value AS TEXT) FROM meta WHERE name='ledger_id'")
[ -n "$last" ] && [ "$r1_size" -lt "$last" ] || die "unexpected ledger: $last records, $r1_size after run 1"
ok "ledger $ledger_id: $last records in $(q "$db" "SELECT count(*) FROM batches") batches; $r1_size after run 1"

# ---------------------------------------------------------------------------------------
step "a. a genuine ledger and its export verify"
expect 0 "^verified $last records" "verify --db" "$bin" verify --db "$db"
expect 0 "replayed 2 settlement runs" "verify --db --replay" "$bin" verify --db "$db" --replay
expect 0 "" "export audit" "$bin" export audit --db "$db" --out "$work/export"
exp="$work/export"
# The export replaces an empty folder and nothing else: not a file (however empty), not a
# symbolic link, not a folder with something in it; each is left as it was.
: >"$work/an-empty-file"
expect 2 "an-empty-file: exists and is not a folder" "export audit onto an empty file" \
  "$bin" export audit --db "$db" --out "$work/an-empty-file"
[ -f "$work/an-empty-file" ] && [ ! -s "$work/an-empty-file" ] || die "the empty file was replaced"
mkdir -p "$work/a-folder"
ln -s "$work/a-folder" "$work/a-link"
expect 2 "a-link: exists and is not a folder" "export audit onto a symbolic link" \
  "$bin" export audit --db "$db" --out "$work/a-link"
[ -L "$work/a-link" ] || die "the symbolic link was replaced"
expect 2 "export: exists and is not empty" "export audit onto a folder holding files" \
  "$bin" export audit --db "$db" --out "$work/export"
expect 1 "--out: an empty value" "export audit --out '' (a usage error: exit 1)" "$bin" export audit --db "$db" --out ""
# A folder given with a trailing slash (as the shell completes it): the export is written
# there, its work folder beside it (it used to be made inside it, and the export failed).
expect 0 "^exported the audit trail to $work/slashed/ " "export audit --out DIR/" "$bin" export audit --db "$db" --out "$work/slashed/"
expect 0 "^verified $last records" "… and it verifies" "$bin" verify --audit "$work/slashed/"
[ ! -e "$work/slashed/.partial" ] && [ ! -e "$work/slashed.partial" ] || die "export --out DIR/ left a .partial behind"
[ ! -e "$work/export.partial" ] && [ ! -e "$work/a-link.partial" ] || die "an export left a .partial behind"
expect 0 "^verified $last records" "verify --audit" "$bin" verify --audit "$exp"
# The wrong kind of path for --db or --audit: one line saying what it is, exit 2.
expect 2 "^tripartite: $work/a-folder: is a folder, not a ledger file$" "verify --db on a folder" "$bin" verify --db "$work/a-folder"
# A ledger file cut short is damaged, not a crash of the tool: exit 3 for verify and for
# every other command that reads it.
cp "$db" "$work/cut.db"
truncate -s 8192 "$work/cut.db"
expect 3 "^tripartite: the ledger file is damaged: it is not what SQLite wrote \(.*malformed\); restore it from a backup, or rebuild it from an audit export$" \
  "verify --db on a ledger file cut short" "$bin" verify --db "$work/cut.db"
expect 3 "the ledger file is damaged" "report loans on a ledger file cut short" "$bin" report loans --db "$work/cut.db" --as-of 2026-10-31
expect 2 "^tripartite: $work/no-such-export: no such folder$" "verify --audit on a path that is not there" \
  "$bin" verify --audit "$work/no-such-export"
expect 2 "^tripartite: $db: not a folder \(an audit export is a folder; a ledger file goes with --db\)$" \
  "verify --audit on a ledger file" "$bin" verify --audit "$db"
expect 0 "^verified $last records" "docs/verify_export.py" "$py" "$checker" "$exp"
# VERIFY.md section 3's command, as written but for the path to the source, run in the export.
written=$(tr '\n' ' ' <"$exp/VERIFY.md" | grep -o '`python3 /path/to/tripartite/docs/verify_export.py \.`' | tr -d '`')
[ -n "$written" ] || die "VERIFY.md section 3 does not give the Python command"
expect 0 "^verified $last records" "VERIFY.md's Python command, run in the export" \
  bash -c "cd '$exp' && ${written/\/path\/to\/tripartite/$src} "
expect 0 "extends the kept checkpoint of tree size $r1_size" "verify --db --checkpoint (kept after run 1)" \
  "$bin" verify --db "$db" --checkpoint "$work/export-r1/checkpoints/$r1_size"
expect 0 "extends the kept checkpoint of tree size $r1_size" "verify --audit --checkpoint (kept after run 1)" \
  "$bin" verify --audit "$exp" --checkpoint "$work/export-r1/checkpoints/$r1_size"
expect 0 "extends the kept checkpoint of tree size $last" "verify --checkpoint of the current head" \
  "$bin" verify --db "$db" --checkpoint "$exp/checkpoints/$last"
forge note "tripartite/$ledger_id" 0 "$(printf '' | openssl dgst -sha256 -binary | openssl base64 -A)" COAL "$keys/COAL.pem"
cp "$work/forge.out" "$work/empty-checkpoint"
expect 0 "extends the kept checkpoint of tree size 0" "a kept checkpoint of the empty tree" \
  "$bin" verify --db "$db" --checkpoint "$work/empty-checkpoint"
forge note "tripartite/$ledger_id" 0 "$(sed -n 3p "$exp/checkpoints/$last")" COAL "$keys/COAL.pem"
cp "$work/forge.out" "$work/bad-empty-checkpoint"
expect 3 "$(at_size 0)" "a kept checkpoint of size 0 whose root is not the empty tree's" \
  "$bin" verify --db "$db" --checkpoint "$work/bad-empty-checkpoint"
# A --checkpoint file that is no signed checkpoint at all is the auditor's input mistake:
# exit 2, said before the log is walked (a CSV, an empty file, a note without its body).
printf 'farmer_id,name\n' >"$work/not-a-checkpoint"
expect 2 "^tripartite: --checkpoint $work/not-a-checkpoint: not a signed checkpoint \(signed note has no blank line before its signatures\); give a checkpoint kept from an earlier export" \
  "verify --checkpoint on a file that is not a checkpoint" "$bin" verify --db "$db" --checkpoint "$work/not-a-checkpoint"
: >"$work/empty-file"
expect 2 "not a signed checkpoint" "verify --audit --checkpoint on an empty file" \
  "$bin" verify --audit "$exp" --checkpoint "$work/empty-file"
printf 'a note of one line\n\n%s\n' "$(tail -n 1 "$exp/checkpoints/$last")" >"$work/bodiless-checkpoint"
expect 2 "not a signed checkpoint \\(checkpoint" "verify --checkpoint on a signed note whose body is no checkpoint" \
  "$bin" verify --db "$db" --checkpoint "$work/bodiless-checkpoint"

# ---------------------------------------------------------------------------------------
step "b. VERIFY.md, sections 1 and 2, run exactly as written"
# The sh code blocks of the sections numbered $2 (a regex) of VERIFY.md $1.
md_blocks() {
  awk -v sections="$2" '
    /^## / { insection = ($2 ~ ("^(" sections ")\\.$")) }
    insection && /^```sh$/ { inblock = 1; next }
    inblock && /^```$/ { inblock = 0; next }
    insection && inblock { print }' "$1"
}
md_blocks "$exp/VERIFY.md" 1 >"$work/step1.sh"
md_blocks "$exp/VERIFY.md" 2 >"$work/step2.sh"
grep -q "openssl pkeyutl -verify" "$work/step1.sh" || die "VERIFY.md section 1 has no signature check"
grep -q "verify-inclusion.sh" "$work/step2.sh" || die "VERIFY.md section 2 has no inclusion check"
proven=$(sed -n 's/.*proofs\/inclusion-\([0-9]*\)\.txt.*/\1/p' "$work/step2.sh" | head -n 1)
signed=$(sed -n 's/^cp=checkpoints\/\([0-9]*\)$/\1/p' "$work/step1.sh")
[ -n "$proven" ] && [ -n "$signed" ] || die "VERIFY.md: cannot tell which record and checkpoint it checks"
run_md() { (cd "$1" && sh "$2"); }
copy_export "$exp" "$work/md"
expect 0 "Signature Verified Successfully" "section 1: checkpoints/$signed signature" run_md "$work/md" "$work/step1.sh"
expect 0 "^OK: record $proven is included" "section 2: record $proven inclusion" run_md "$work/md" "$work/step2.sh"
copy_export "$exp" "$work/md-cp"
tweak_root "$work/md-cp/checkpoints/$signed"
cmp -s "$exp/checkpoints/$signed" "$work/md-cp/checkpoints/$signed" && die "the checkpoint was not changed"
expect 1 "Signature Verification Failure" "section 1 after one byte of the checkpoint body changed" \
  run_md "$work/md-cp" "$work/step1.sh"
copy_export "$exp" "$work/md-rec"
tweak_line "$work/md-rec/journal.jsonl" "$proven"
expect 1 "^FAIL: record $proven is not included" "section 2 after one byte of journal line $proven changed" \
  run_md "$work/md-rec" "$work/step2.sh"

# ---------------------------------------------------------------------------------------
step "c. tampering with copies of the database: verify --db exits 3 naming the place"
farmer=$(q "$db" "SELECT min(seq) FROM records WHERE kind='farmer'")
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE records SET body = substr(body, 1, instr(body, '\"name\":\"') + 7) || '#' ||
                  substr(body, instr(body, '\"name\":\"') + 9) WHERE seq = $farmer"
expect 3 "$(at_record "$farmer")" "one byte of record $farmer's body" "$bin" verify --db "$work/t.db"

entry=$(q "$db" "SELECT min(seq) FROM records WHERE kind='settlement'")
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE records SET body = CAST(replace(CAST(body AS TEXT), '\"amount\":', '\"amount\":1') AS BLOB) WHERE seq = $entry"
expect 3 "$(at_record "$entry")" "the posting amounts of entry $entry" "$bin" verify --db "$work/t.db"

# tampered SQL PATTERN WHAT: SQL on a copy of the ledger, then verify --db must exit 3
# matching PATTERN.
tampered() {
  copy_db "$db" "$work/t.db"
  q "$work/t.db" "$1"
  expect 3 "$2" "$3" "$bin" verify --db "$work/t.db"
}
# The store's own derived rows: each batch's digest, the persisted tree frontier, the schema.
tampered "UPDATE batches SET digest = zeroblob(32) WHERE id = 3" \
  "$(at_size "$(q "$db" "SELECT tree_size FROM batches WHERE id = 3")") the batches table's digest" "batch 3's digest zeroed"
tampered "UPDATE meta SET value = substr(value, 1, 8) || zeroblob(length(value) - 8) WHERE name = 'frontier'" \
  "the stored tree frontier .* is not the frontier of records 1..$last" \
  "the persisted tree frontier zeroed (the next batch's tree head would be wrong)"
tampered "DROP INDEX records_by_key; CREATE INDEX records_by_key ON records(kind, key)" \
  "the database's schema is not Tripartite's: index records_by_key" "the unique index on (kind, key) made not unique"
tampered "DROP INDEX records_by_key" \
  "the database's schema is not Tripartite's: the index records_by_key is missing \(the schema has index records_by_key: CREATE UNIQUE INDEX" \
  "the unique index on (kind, key) dropped"
tampered "CREATE TABLE shadow(x)" "the database's schema is not Tripartite's: an extra table shadow: CREATE TABLE shadow\(x\)" \
  "an extra table"
# Balances are summed from the records of the kinds the store lists as entry kinds: a list
# that leaves out a kind (its entries would be missing from every balance), names a kind of
# records that are not entries, or names a kind no entry has is refused.
[ "$(q "$db" "SELECT value FROM meta WHERE name = 'entry_kinds'")" = "$(printf 'disbursement\nsettlement')" ] ||
  die "the reference ledger's entry kinds are not disbursement and settlement"
first_disbursement=$(q "$db" "SELECT min(seq) FROM records WHERE kind='disbursement'")
tampered "UPDATE meta SET value = 'disbursement' WHERE name = 'entry_kinds'" \
  "$(at_record "$entry") an entry stored as kind settlement, which the store does not list" "settlement left out of the entry kinds"
tampered "UPDATE meta SET value = 'settlement' WHERE name = 'entry_kinds'" \
  "$(at_record "$first_disbursement") an entry stored as kind disbursement, which the store does not list" \
  "disbursement left out of the entry kinds"
tampered "UPDATE meta SET value = 'disbursement' || char(10) || 'farmer' || char(10) || 'settlement' WHERE name = 'entry_kinds'" \
  "$(at_record "$farmer") a record of kind farmer that is not an entry" "farmer listed as an entry kind"
tampered "UPDATE meta SET value = value || char(10) || 'zz' WHERE name = 'entry_kinds'" \
  "the store lists zz as a kind of entries, but no entry is of that kind" "an entry kind no record has"
tampered "UPDATE meta SET value = 'settlement' || char(10) || 'disbursement' WHERE name = 'entry_kinds'" \
  "the store's list of entry kinds is not one sorted kind per line" "the entry kinds out of order"

# A ledger of schema version 1 (every posting also a row of a postings table) is migrated
# when opened: the rows are dropped, the kinds they came from become the entry kinds, and
# balances, the loan report and verify answer as before.
copy_db "$db" "$work/v1.db"
q "$work/v1.db" "CREATE TABLE postings(
  seq INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  date TEXT NOT NULL,
  account TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY(seq, idx)) WITHOUT ROWID;
CREATE INDEX postings_by_account ON postings(account, date);
INSERT INTO postings SELECT r.seq, p.key, r.date, json_extract(p.value, '$.account'), json_extract(p.value, '$.asset'),
  json_extract(p.value, '$.amount'), json_extract(p.value, '$.tag')
  FROM records r, json_each(CAST(r.body AS TEXT), '$.postings') p WHERE r.kind IN ('settlement', 'disbursement');
DELETE FROM meta WHERE name = 'entry_kinds';
UPDATE meta SET value = '1' WHERE name = 'schema_version';"
[ "$(q "$work/v1.db" "SELECT count(*) FROM postings")" -gt 20 ] || die "the version 1 copy has no posting rows"
must "$bin" report balances --db "$db" --as-of 2026-12-31 --format csv
cp "$work/out" "$work/balances-v2.csv"
must "$bin" report balances --db "$work/v1.db" --as-of 2026-12-31 --format csv
cmp -s "$work/out" "$work/balances-v2.csv" || die "balances of the migrated version 1 ledger differ"
ok "a version 1 ledger is migrated on opening: the same balances"
[ "$(q "$work/v1.db" "SELECT value FROM meta WHERE name = 'schema_version'")" = 2 ] || die "not migrated to version 2"
[ "$(q "$work/v1.db" "SELECT value FROM meta WHERE name = 'entry_kinds'")" = "$(printf 'disbursement\nsettlement')" ] ||
  die "the migrated ledger's entry kinds are not disbursement and settlement"
[ -z "$(q "$work/v1.db" "SELECT name FROM sqlite_master WHERE name LIKE 'postings%'")" ] || die "the postings table is still there"
must "$bin" report loans --db "$db" --as-of 2026-12-31 --format csv
cp "$work/out" "$work/loans-v2.csv"
must "$bin" report loans --db "$work/v1.db" --as-of 2026-12-31 --format csv
cmp -s "$work/out" "$work/loans-v2.csv" || die "the loan report of the migrated ledger differs"
expect 0 "^verified $last records" "verify --db passes on the migrated ledger" "$bin" verify --db "$work/v1.db"

size=$(q "$db" "SELECT tree_size FROM batches WHERE id = 2")
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE batches SET note = substr(note, 1, length(note) - 21) ||
                  CASE substr(note, length(note) - 20, 1) WHEN 'A' THEN 'B' ELSE 'A' END ||
                  substr(note, length(note) - 19) WHERE id = 2"
expect 3 "$(at_size "$size")" "one byte of the signature of checkpoint $size" "$bin" verify --db "$work/t.db"

gone=$(q "$db" "SELECT min(seq) + 1 FROM records WHERE kind='commitment'")
copy_db "$db" "$work/t.db"
q "$work/t.db" "DELETE FROM records WHERE seq = $gone"
expect 3 "$(at_record "$gone")" "record $gone deleted" "$bin" verify --db "$work/t.db"

a=$(q "$db" "SELECT min(seq) FROM records WHERE kind='delivery'")
b=$((a + 2))
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE records SET body = CASE seq WHEN $a THEN (SELECT body FROM records WHERE seq = $b)
                  ELSE (SELECT body FROM records WHERE seq = $a) END WHERE seq IN ($a, $b)"
expect 3 "$(at_record "$a")" "the bodies of records $a and $b swapped" "$bin" verify --db "$work/t.db"

last_first=$(q "$db" "SELECT first_seq FROM batches ORDER BY id DESC LIMIT 1")
copy_db "$db" "$work/t.db"
q "$work/t.db" "DELETE FROM records WHERE seq >= $last_first"
expect 3 "$(at_size "$last")" "log truncated before record $last_first (the last batch row kept)" \
  "$bin" verify --db "$work/t.db"

# The last batch removed whole (its records and its row): the tree frontier the ledger keeps
# still knows the size it had, so the message names the first missing record as truncation.
last_batch=$(q "$db" "SELECT max(id) FROM batches")
copy_db "$db" "$work/t.db"
q "$work/t.db" "DELETE FROM records WHERE seq >= $last_first; DELETE FROM batches WHERE id = $last_batch"
expect 3 "$(at_record "$last_first") missing: the log ends at record $((last_first - 1)), but the ledger's tree frontier .* is of $last records.*truncated" \
  "the last batch removed whole (records and batch row)" "$bin" verify --db "$work/t.db"

# Two records of one batch exchanged whole (every column but seq, leaf hash included): each
# row agrees with itself, and the checkpoint names the batch's records as not those signed.
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE records SET seq = -1 WHERE seq = $a; UPDATE records SET seq = $a WHERE seq = $b;
                UPDATE records SET seq = $b WHERE seq = -1"
expect 3 "$(at_size "$(batch_end "$db" "$a")") records [0-9]*..$(batch_end "$db" "$a") are not the ones this batch signed" \
  "two deliveries of a batch exchanged with their leaf hashes" "$bin" verify --db "$work/t.db"

deliveries=$(q "$db" "SELECT id FROM batches WHERE first_seq = $a")
copy_db "$db" "$work/t.db"
forge resign "$work/t.db" "$keys" "$deliveries" COAL "$keys/COAL.pem"
expect 3 "$(at_record "$a").*COAL \(coordinator\)" "the deliveries batch re-signed by the coordinator's key" \
  "$bin" verify --db "$work/t.db"
mkdir -p "$work/rogue"
must "$bin" keygen --party OT1 --out "$work/rogue/OT1.pem"
copy_db "$db" "$work/t.db"
forge resign "$work/t.db" "$keys" "$deliveries" OT1 "$work/rogue/OT1.pem"   # the right name, an unregistered key
expect 3 "$(at_size "$(batch_end "$db" "$a")").*does not verify" \
  "the deliveries batch signed by an unregistered key of the right name" "$bin" verify --db "$work/t.db"
copy_db "$db" "$work/t.db"
forge resign "$work/t.db" "$keys"
expect 0 "^verified $last records" "(the re-signing helper changes nothing by itself)" "$bin" verify --db "$work/t.db"
# Re-signed with every key: the log is intact, but what a delivery says is checked (verify
# reads deliveries without a full parse; these are the fields it reads).
copy_db "$db" "$work/t.db"
forge replace "$work/t.db" "$a" '"offtaker":"OT1"' '"offtaker":"COAL"'
forge resign "$work/t.db" "$keys"
expect 3 "$(at_record "$a") a delivery for off-taker COAL signed by OT1" \
  "delivery $a naming another off-taker, re-signed" "$bin" verify --db "$work/t.db"
copy_db "$db" "$work/t.db"
forge replace "$work/t.db" "$a" '"farmer":"F001"' '"farmer":"F002"'
forge resign "$work/t.db" "$keys"
expect 3 "$(at_record "$a") the records table's index columns disagree with the record" \
  "delivery $a moved to another farmer in its body only, re-signed" "$bin" verify --db "$work/t.db"
# The same bytes stored as a BLOB where the schema writes TEXT: SQLite compares them as
# different values, so the row would vanish from look-ups by that column (a delivery left out
# of settlement, an entry out of the balances) while its bytes still hash right.
for column in kind season subject date key; do
  copy_db "$db" "$work/t.db"
  q "$work/t.db" "UPDATE records SET $column = CAST($column AS BLOB) WHERE seq = $a"
  expect 3 "$(at_record "$a") the records table holds its column $column with another type than the schema's" \
    "delivery $a's $column stored as a blob" "$bin" verify --db "$work/t.db"
done
copy_db "$db" "$work/t.db"
q "$work/t.db" "UPDATE batches SET idempotency_key = CAST(idempotency_key AS BLOB) WHERE id = 2"
expect 3 "the batches table holds the column idempotency_key of batch 2 with another type than the schema's" \
  "a batch's idempotency key stored as a blob" "$bin" verify --db "$work/t.db"
# Every member present, no others (docs/audit-format.md §2), for the kinds verify reads
# without decoding them: a member added or taken away, re-signed by the rightful author.
farmer_seq=$(q "$db" "SELECT min(seq) FROM records WHERE kind='farmer'")
commitment_seq=$(q "$db" "SELECT min(seq) FROM records WHERE kind='commitment'")
for change in "$farmer_seq|\"group_id\":|\"bonus\":\"1\",\"group_id\":|with an unknown member 'bonus'" \
              "$commitment_seq|,\"quantity_kg\":\"1000.000\"||without the member 'quantity_kg'" \
              "$farmer_seq|\"group_id\":\"G1\",|\"bonus\":\"a \\\"quoted\\\" word\",\"group_id\":\"G1\",|with an unknown member 'bonus'" \
              "$farmer_seq|\"group_id\":\"G1\",|\"group_id\":1,|whose member 'group_id' is not a string" \
              "$a|\"agent\":\"AG1\",||without the member 'agent'" \
              "$a|\"weight_kg\":|\"weight_kg\":\"1\",\"zz\":|with an unknown member 'zz'"; do
  IFS='|' read -r seq from to message <<<"$change"
  copy_db "$db" "$work/t.db"
  forge replace "$work/t.db" "$seq" "$from" "$to"
  forge resign "$work/t.db" "$keys"
  expect 3 "$(at_record "$seq") a [a-z]+ record $message" "record $seq $message, re-signed" "$bin" verify --db "$work/t.db"
  rm -rf "$work/t-export"
  must "$bin" export audit --db "$work/t.db" --out "$work/t-export"
  expect 3 "$(at_record "$seq") a [a-z]+ record $message" "… in its export too" "$bin" verify --audit "$work/t-export"
  expect 3 "$(at_record "$seq") a [a-z]+ record $message" "… and by docs/verify_export.py" "$py" "$checker" "$work/t-export"
done
copy_db "$db" "$work/t.db"
forge replace "$work/t.db" "$a" '"season":"' '"seasons":"'
forge resign "$work/t.db" "$keys"
expect 3 "$(at_record "$a") " "delivery $a without a season member, re-signed" "$bin" verify --db "$work/t.db"

step "c. a kept checkpoint catches a dropped batch and a rewritten history"
kept="$work/kept-$last"
cp "$exp/checkpoints/$last" "$kept"    # the auditor keeps the latest checkpoint
copy_db "$db" "$work/dropped.db"       # the operator drops the run-2 batch and its checkpoint
q "$work/dropped.db" "ATTACH '$work/after-r1.db' AS r1;
  DELETE FROM records WHERE seq > $r1_size;
  DELETE FROM batches WHERE tree_size > $r1_size;
  UPDATE meta SET value = (SELECT value FROM r1.meta WHERE name = 'frontier') WHERE name = 'frontier'"
expect 0 "^verified $r1_size records" "plain verify passes on the ledger without the run-2 batch" \
  "$bin" verify --db "$work/dropped.db"
expect 3 "$(at_size "$last").*truncated" "verify --checkpoint (kept at $last) catches the dropped batch" \
  "$bin" verify --db "$work/dropped.db" --checkpoint "$kept"
expect 3 "$(at_size "$last")" "verify --checkpoint on the ledger as it was after run 1" \
  "$bin" verify --db "$work/after-r1.db" --checkpoint "$kept"

must "$bin" init --db "$work/other.db"    # the same data in a different ledger
must "$bin" import --db "$work/other.db" --season-dir "$season" --keys "$keys"
must "$bin" settle --db "$work/other.db" --season 2026A --as-of 2026-08-31 --key "$keys/OT1.pem"
must "$bin" settle --db "$work/other.db" --season 2026A --as-of 2026-10-31 --key "$keys/OT1.pem"
expect 0 "^verified $last records" "a second ledger of the same data verifies by itself" "$bin" verify --db "$work/other.db"
expect 3 "$(at_size "$last").*another log" "verify --checkpoint rejects it as another log" \
  "$bin" verify --db "$work/other.db" --checkpoint "$kept"

# The trust anchor: the same data signed from the start with other keys verifies by itself,
# and is refused once the auditor gives the coordinator's key as the coordinator gave it.
mkdir -p "$work/keys2"
for party in COAL OT1 BANK1 SUP1 TRN1 AG1 AG2 CESS; do must "$bin" keygen --party "$party" --out "$work/keys2/$party.pem"; done
must "$bin" init --db "$work/rekeyed.db"
must "$bin" import --db "$work/rekeyed.db" --season-dir "$season" --keys "$work/keys2"
expect 0 "^verified" "a ledger signed from the start with other keys verifies by itself" "$bin" verify --db "$work/rekeyed.db"
expect 3 "$(at_record 1) the genesis declares a coordinator key that is not the one given" \
  "... and is refused with --coordinator-key (the coordinator's own key)" \
  "$bin" verify --db "$work/rekeyed.db" --coordinator-key "$keys/COAL.pem.pub"
expect 0 "its genesis declares the coordinator key given" "the genuine ledger passes with --coordinator-key" \
  "$bin" verify --db "$db" --coordinator-key "$keys/COAL.pem.pub"
expect 0 "its genesis declares the coordinator key given" "... and so does its export" \
  "$bin" verify --audit "$exp" --coordinator-key "$keys/COAL.pem.pub"

copy_db "$db" "$work/rewritten.db"     # an earlier record altered, everything re-hashed and re-signed
forge replace "$work/rewritten.db" "$farmer" '"name":"' '"name":"X'
forge resign "$work/rewritten.db" "$keys"
expect 0 "^verified $last records" "a history rewritten with every key passes plain verify" \
  "$bin" verify --db "$work/rewritten.db"
expect 3 "$(at_size "$last").*rewritten" "verify --checkpoint (kept at $last) catches the rewrite" \
  "$bin" verify --db "$work/rewritten.db" --checkpoint "$kept"
expect 3 "$(at_size "$r1_size").*rewritten" "verify --checkpoint (kept at $r1_size) catches it too" \
  "$bin" verify --db "$work/rewritten.db" --checkpoint "$work/export-r1/checkpoints/$r1_size"

# ---------------------------------------------------------------------------------------
step "d. corrupt exports: verify --audit and docs/verify_export.py both exit 3 naming the place"
# both DESCRIPTION PATTERN DIR
both() {
  expect 3 "$2" "verify --audit: $1" "$bin" verify --audit "$3"
  expect 3 "$2" "verify_export.py: $1" "$py" "$checker" "$3"
}
# The places a change at line $1 may be reported: a record from $1 to the end of its batch,
# or that batch's checkpoint (an export has no stored leaf hashes, so a well-formed change
# shows first as a wrong Merkle root).
places() {
  local end alternatives="" n
  end=$(batch_end "$db" "$1")
  for n in $(seq "$1" "$end"); do alternatives+="|$(at_record "$n")"; done
  echo "($(at_size "$end")$alternatives)"
}
line=$farmer
copy_export "$exp" "$work/x"
tweak_line "$work/x/journal.jsonl" "$line"
both "one byte of journal line $line" "$(places "$line")" "$work/x"

copy_export "$exp" "$work/x"
sed -i "${gone}d" "$work/x/journal.jsonl"
both "journal line $gone deleted" "$(places "$gone")" "$work/x"

copy_export "$exp" "$work/x"
sed -i "${a}{h;d};$((a + 1)){G}" "$work/x/journal.jsonl"   # lines a and a+1 swapped
[ "$(sed -n "$((a + 1))p" "$work/x/journal.jsonl")" = "$(sed -n "${a}p" "$exp/journal.jsonl")" ] || die "swap failed"
both "journal lines $a and $((a + 1)) swapped" "$(at_size "$(batch_end "$db" "$a")")" "$work/x"

copy_export "$exp" "$work/x"
touch "$work/x/checkpoints/18446744073709551616"
both "a checkpoint file named past 2^64" "checkpoints/18446744073709551616 is not a tree size" "$work/x"

copy_export "$exp" "$work/x"
first_size=$(ls "$exp/checkpoints" | sort -n | head -1)
forge extend "$work/x/checkpoints/$first_size" COAL "$keys/COAL.pem"
both "checkpoint $first_size with a fourth body line, signed" "$(at_size "$first_size")" "$work/x"

copy_export "$exp" "$work/x"
sed -i "${farmer}s/,\"id\":/, \"id\":/" "$work/x/journal.jsonl"
cmp -s "$exp/journal.jsonl" "$work/x/journal.jsonl" && die "no space was added"
both "a space added to journal line $farmer (no longer canonical)" "$(at_record "$farmer") .*canonical" "$work/x"

copy_export "$exp" "$work/x"
sed -i "${farmer}s/^/\n/" "$work/x/journal.jsonl"   # an empty line before line $farmer
[ -z "$(sed -n "${farmer}p" "$work/x/journal.jsonl")" ] || die "no empty line was inserted"
both "an empty line inserted before journal line $farmer" "$(at_record "$farmer") " "$work/x"

# Export ends every record with a line feed (audit-format §5). A last record without it
# hashes the same, but the file is not what export wrote (cut short at a record's end, or
# edited): both verifiers refuse it, naming the last record.
copy_export "$exp" "$work/x"
truncate -s -1 "$work/x/journal.jsonl"
[ "$(tail -c 1 "$work/x/journal.jsonl")" = "}" ] || die "the final newline was not removed"
both "the journal's final newline removed" \
  "$(at_record "$(wc -l <"$exp/journal.jsonl")") the last record of journal.jsonl is not followed by a line break" "$work/x"

copy_export "$exp" "$work/x"
tweak_root "$work/x/checkpoints/$size"
both "one byte of checkpoints/$size" "$(at_size "$size")" "$work/x"

copy_export "$exp" "$work/x"
"$bin" export audit --db "$work/other.db" --out "$work/other-export" >/dev/null || die "export of the second ledger"
cp "$work/other-export/checkpoints/$size" "$work/x/checkpoints/$size"   # a genuine note of another ledger
both "checkpoints/$size replaced by another ledger's" "$(at_size "$size")" "$work/x"

copy_export "$exp" "$work/x"
cp "$exp/keys/OT1.pem" "$work/x/keys/BANK1.pem"
both "keys/BANK1.pem replaced by OT1's key" "keys/BANK1\.pem is not the key the log registered \(record $(q "$db" "SELECT seq FROM records WHERE kind='key' AND key='BANK1'")" "$work/x"

copy_export "$exp" "$work/x"
cp "$work/rogue/OT1.pem.pub" "$work/x/keys/ROGUE.pem"
both "an unregistered keys/ROGUE.pem added" "keys/ROGUE\.pem is not a key the log registered" "$work/x"

copy_export "$exp" "$work/x"
rm "$work/x/checkpoints/$last"
both "the last checkpoint removed" "$(at_record "$last_first") not covered" "$work/x"

# An id recorded twice: delivery $a+1 given delivery $a's id in its body, the log re-signed
# with every key, then exported. A database's unique index would refuse the second record;
# an export read alone must be checked for it.
dup=$((a + 1))
id_a=$(q "$db" "SELECT key FROM records WHERE seq = $a")
id_dup=$(q "$db" "SELECT key FROM records WHERE seq = $dup")
[ "$(q "$db" "SELECT kind FROM records WHERE seq = $dup")" = delivery ] || die "record $dup is not a delivery"
copy_db "$db" "$work/t.db"
forge replace "$work/t.db" "$dup" "\"id\":\"$id_dup\"" "\"id\":\"$id_a\""
forge resign "$work/t.db" "$keys"
must "$bin" export audit --db "$work/t.db" --out "$work/dup"
both "delivery $dup given delivery $a's id, re-signed" \
  "$(at_record "$dup") a second delivery record with key '$id_a' \(record $a has it\)" "$work/dup"
# ... and a later record changed too: the repeated id is still the first problem named.
copy_export "$work/dup" "$work/x"
tweak_line "$work/x/journal.jsonl" "$last"
both "... and journal line $last changed as well" "$(at_record "$dup") a second delivery record" "$work/x"

# ---------------------------------------------------------------------------------------
step "e. verify --replay: a forgery with every key that only replay catches"
r2_entry=$(q "$db" "SELECT max(seq) FROM records WHERE kind='settlement'")
r2_id=$(q "$db" "SELECT key FROM records WHERE seq = $r2_entry")
copy_db "$db" "$work/t.db"     # 1.00 moved from the farmer's payout to the coalition, balanced
forge shift "$work/t.db" "$r2_entry" 100 net_payout coalition_fee
expect 3 "$(at_record "$r2_entry")" "entry $r2_id altered (body and postings): plain verify names it" \
  "$bin" verify --db "$work/t.db"
forge resign "$work/t.db" "$keys"
expect 0 "^verified $last records" "... and re-signed: plain verify passes" "$bin" verify --db "$work/t.db"
expect 3 "replay of run 2026A-R2 failed $(at_record "$r2_entry") entry $r2_id differs" \
  "... verify --replay names run 2026A-R2 and record $r2_entry" "$bin" verify --db "$work/t.db" --replay

terms=$(q "$db" "SELECT seq FROM records WHERE kind='season' AND key='2026A'")
r1_first=$(q "$db" "SELECT min(seq) FROM records WHERE kind='settlement'")
copy_db "$db" "$work/t.db"     # the levy rate in the signed terms raised, its leaf recomputed
forge replace "$work/t.db" "$terms" '"rate":"0.01"' '"rate":"0.02"'
forge rehash "$work/t.db" "$terms"
# Only the body and leaf columns changed, so the checkpoint root of the terms' batch no
# longer matches: plain verify reports that, and --replay never gets to run.
expect 3 "$(at_size "$(batch_end "$db" "$terms")")" "levy rate changed in the terms (body and leaf)" \
  "$bin" verify --db "$work/t.db"
expect 3 "$(at_size "$(batch_end "$db" "$terms")")" "... verify --replay stops at the same checkpoint" \
  "$bin" verify --db "$work/t.db" --replay
forge resign "$work/t.db" "$keys"
expect 0 "^verified $last records" "... re-signed with every key: plain verify passes" "$bin" verify --db "$work/t.db"
expect 3 "replay of run 2026A-R1 failed $(at_record "$r1_first")" \
  "... verify --replay names run 2026A-R1 and its first entry $r1_first" "$bin" verify --db "$work/t.db" --replay
# An auditor with only the export replays it too (from a ledger rebuilt in a temporary folder).
must "$bin" export audit --db "$work/t.db" --out "$work/t-audit"
expect 0 "^verified $last records" "its export passes plain verify --audit" "$bin" verify --audit "$work/t-audit"
mkdir -p "$work/tmp"
expect 3 "replay of run 2026A-R1 failed $(at_record "$r1_first")" \
  "... verify --audit --replay names run 2026A-R1 and its first entry $r1_first" \
  env TMPDIR="$work/tmp" "$bin" verify --audit "$work/t-audit" --replay
[ -z "$(ls -A "$work/tmp")" ] && ok "... and leaves no temporary ledger behind" || die "left in TMPDIR: $(ls "$work/tmp")"
expect 0 "replayed 2 settlement runs \\(4 entries\\) exactly" "the genuine export replays exactly" \
  env TMPDIR="$work/tmp" "$bin" verify --audit "$exp" --replay

step "g. one party with only its own key appends what its role may sign, but the log's structure forbids"
# A settlement entry outside any run's batch (the off-taker), a second disbursement of a
# loan (its lender), a disbursement that posts other amounts than its loan record: each
# signed correctly by an entitled party, each refused by plain verify at its record.
forged="$work/forged.db"
next=$(($(q "$db" "SELECT max(seq) FROM records") + 1))
copy_db "$db" "$forged"
forge append "$forged" "$keys" OT1 settlement 2026A-R9-F004 2026A F004 2026-10-31 \
  '{"date":"2026-10-31","id":"2026A-R9-F004","kind":"entry","memo":"settlement 2026A-R9 F004","postings":[{"account":"lender:BANK1:funds","amount":500000,"asset":"KES","tag":"repayment"},{"account":"loan:L004:principal","amount":-500000,"asset":"KES","tag":"principal_paid"}],"refs":{"farmer":"F004","run":"2026A-R9","season":"2026A"}}'
expect 3 "$(at_record "$next") settlement entries of run 2026A-R9 without the run's record in their batch" \
  "a settlement entry the off-taker appends outside any run" "$bin" verify --db "$forged"
copy_db "$db" "$forged"
forge append "$forged" "$keys" OT1 settlement 2026A-R1-F004 2026A F004 2026-08-31 \
  '{"date":"2026-08-31","id":"2026A-R1-F004","kind":"entry","memo":"settlement 2026A-R1 F004","postings":[{"account":"lender:BANK1:funds","amount":500000,"asset":"KES","tag":"repayment"},{"account":"loan:L004:principal","amount":-500000,"asset":"KES","tag":"principal_paid"}],"refs":{"farmer":"F004","run":"2026A-R1","season":"2026A"}}'
expect 3 "$(at_record "$next") a settlement entry of run 2026A-R1 after that run's record" \
  "a settlement entry of run 1 the off-taker appends after the run" "$bin" verify --db "$forged"
must "$bin" export audit --db "$forged" --out "$work/forged-audit"
both "its export" "$(at_record "$next")" "$work/forged-audit"
copy_db "$db" "$forged"
forge append "$forged" "$keys" BANK1 disbursement disburse-L001-topup 2026A F001 2026-03-01 \
  '{"date":"2026-03-01","id":"disburse-L001-topup","kind":"entry","memo":"disbursement of loan L001 to farmer F001","postings":[{"account":"loan:L001:principal","amount":5000000,"asset":"KES","tag":"disbursed"},{"account":"lender:BANK1:funds","amount":-5000000,"asset":"KES","tag":"disbursed"}],"refs":{"farmer":"F001","loan":"L001","season":"2026A"}}'
expect 3 "$(at_record "$next") a disbursement of loan L001 that does not follow the loan's record" \
  "a second disbursement of L001 its lender appends" "$bin" verify --db "$forged"
must "$bin" export audit --db "$forged" --out "$work/forged-audit2"
both "its export" "$(at_record "$next")" "$work/forged-audit2"
copy_db "$db" "$forged"
disbursement=$(q "$db" "SELECT seq FROM records WHERE key = 'disburse-L004'")
q "$forged" "UPDATE records SET body = replace(replace(body, ':500000,', ':900000,'), ':-500000,', ':-900000,') WHERE seq = $disbursement"
forge resign "$forged" "$keys"
expect 3 "$(at_record "$disbursement") the disbursement of loan L004 is not what its loan record and product give" \
  "L004's disbursement posting 9000.00 against a loan record of 5000.00, re-signed with every key" "$bin" verify --db "$forged"
must "$bin" export audit --db "$forged" --out "$work/forged-audit3"
both "its export" "$(at_record "$disbursement")" "$work/forged-audit3"

# A lender acknowledges what no run owes it; the off-taker records a run that settled nothing.
owed_r1=$(q "$db" "SELECT -sum(json_extract(p.value, '$.amount')) FROM records r, json_each(CAST(r.body AS TEXT), '$.postings') p
                     WHERE r.kind = 'settlement' AND r.key LIKE '2026A-R1-%' AND json_extract(p.value, '$.account') = 'payable:BANK1'")
for case in "2026A-R7:$owed_r1:not in the log before it" "2026A-R1:$((owed_r1 + 100)):is not the amount the run's entries owe"; do
  run=${case%%:*} rest=${case#*:} amount=${rest%%:*} why=${rest#*:}
  copy_db "$db" "$forged"
  forge append "$forged" "$keys" BANK1 acknowledgement "$run/BANK1" 2026A BANK1 2026-09-02 \
    "{\"amount\":\"$((amount / 100)).$(printf %02d $((amount % 100)))\",\"currency\":\"KES\",\"kind\":\"acknowledgement\",\"lender\":\"BANK1\",\"received_on\":\"2026-09-02\",\"run\":\"$run\"}"
  expect 3 "$(at_record "$next") .*$why" "BANK1 acknowledges $amount cents for run $run" "$bin" verify --db "$forged"
  must "$bin" export audit --db "$forged" --out "$work/forged-ack"
  both "BANK1 acknowledges $amount cents for run $run" "$(at_record "$next") .*$why" "$work/forged-ack"
  rm -rf "$work/forged-ack"
done
copy_db "$db" "$forged"
forge append "$forged" "$keys" OT1 run 2026A-R3 2026A "" 2026-12-31 \
  '{"as_of":"2026-12-31","deliveries":0,"farmers":0,"id":"2026A-R3","kind":"run","number":3,"season":"2026A"}'
expect 3 "$(at_record "$next") run 2026A-R3 settled no farmer" "a run record that settles nothing, appended by the off-taker" \
  "$bin" verify --db "$forged"
# A third run that pays F004 again, with its entry and its run record in one batch: well
# formed, so plain verify passes; the replay (no delivery is left to settle) names the entry.
copy_db "$db" "$forged"
forge append "$forged" "$keys" OT1 settlement 2026A-R3-F004 2026A F004 2026-12-31 \
  '{"date":"2026-12-31","id":"2026A-R3-F004","kind":"entry","memo":"settlement 2026A-R3 F004","postings":[{"account":"offtaker:OT1:purchases","amount":100000,"asset":"KES","tag":"gross"},{"account":"farmer:F004:payout","amount":-100000,"asset":"KES","tag":"net_payout"}],"refs":{"farmer":"F004","run":"2026A-R3","season":"2026A"}}' \
  run 2026A-R3 2026A "" 2026-12-31 \
  '{"as_of":"2026-12-31","deliveries":1,"farmers":1,"id":"2026A-R3","kind":"run","number":3,"season":"2026A"}'
expect 0 "^verified $((next + 1)) records" "a third run paying F004 again, appended by the off-taker: plain verify passes" \
  "$bin" verify --db "$forged"
expect 3 "replay of run 2026A-R3 failed $(at_record "$next") entry 2026A-R3-F004 was posted, but the terms give no such entry" \
  "... verify --replay names its entry" "$bin" verify --db "$forged" --replay

# A record that is not UTF-8 (a farmer's name with a lone 0xFF byte), re-signed.
copy_db "$db" "$forged"
q "$forged" "UPDATE records SET body = CAST(replace(body, '\"name\":\"', '\"name\":\"' || CAST(x'FF' AS TEXT)) AS BLOB)
             WHERE seq = $farmer"
forge resign "$forged" "$keys"
expect 3 "$(at_record "$farmer") the record is not valid UTF-8" "record $farmer with a byte that is not UTF-8, re-signed" \
  "$bin" verify --db "$forged"
must "$bin" export audit --db "$forged" --out "$work/forged-audit5"
both "record $farmer with a byte that is not UTF-8, re-signed" "$(at_record "$farmer")" "$work/forged-audit5"

# A balanced entry whose debits pass what a signed 64-bit amount holds (re-signed).
copy_db "$db" "$forged"
l001=$(q "$db" "SELECT seq FROM records WHERE key = 'disburse-L001'")
q "$forged" "UPDATE records SET body = replace(replace(replace(replace(body, ':1500000,', ':5000000000000000000,'),
               ':-1500000,', ':-5000000000000000000,'), ':30000,', ':5000000000000000000,'), ':-30000,', ':-5000000000000000000,')
             WHERE seq = $l001"
forge resign "$forged" "$keys"
must "$bin" export audit --db "$forged" --out "$work/forged-audit4"
both "L001's disbursement moving 2 x 5e18 cents (balanced, but past 2^63)" \
  "$(at_record "$l001") entry disburse-L001 moves more than the largest representable amount" "$work/forged-audit4"

step "f. a ledger of several thousand records: hashed and parsed in chunks on two cores, still exact"
# verify hands records to a second thread in chunks of 2,048; a bad record deep inside a
# later chunk is still the one named, for the database and for its export.
big="$work/big.db"
must "$bin" generate --farmers 800 --deliveries-per-farmer 4 --seed 11 --out "$work/big-season"
must "$bin" init --db "$big"
mkdir -p "$work/big-keys" && cp "$keys"/*.pem "$work/big-keys/"
must "$bin" keygen --party BANK2 --out "$work/big-keys/BANK2.pem"  # the generator's second lender
must "$bin" import --db "$big" --season-dir "$work/big-season" --keys "$work/big-keys"
total=$(q "$big" "SELECT count(*) FROM records")
[ "$total" -gt 5000 ] || die "the larger ledger has only $total records"
expect 0 "^verified $total records" "verify --db of $total records" "$bin" verify --db "$big"
deep=$(q "$big" "SELECT max(seq) - 7 FROM records WHERE kind = 'delivery'")
copy_db "$big" "$work/t.db"
q "$work/t.db" "UPDATE records SET body = replace(body, '\"grade\":\"', '\"grade\":\"X') WHERE seq = $deep"
expect 3 "$(at_record "$deep") stored leaf hash" "one delivery ($deep of $total) altered deep in the log" \
  "$bin" verify --db "$work/t.db"
must "$bin" export audit --db "$big" --out "$work/big-audit"
expect 0 "^verified $total records" "verify --audit of $total records" "$bin" verify --audit "$work/big-audit"
tweak_line "$work/big-audit/journal.jsonl" "$deep"
expect 3 "($(at_size "$(batch_end "$big" "$deep")")|$(at_record "$deep"))" "the export with journal line $deep altered" \
  "$bin" verify --audit "$work/big-audit"

echo
echo "all audit checks passed"
