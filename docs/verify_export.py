#!/usr/bin/python3
"""Independent verifier of a Tripartite audit export (`tripartite export audit`).

Usage: python3 verify_export.py EXPORT_DIR

Written from docs/audit-format.md alone, with no Tripartite code: Python 3 (hashlib,
base64, json) and the `cryptography` package for Ed25519. It reads journal.jsonl (line i is
record i's canonical bytes c_i), checks every record is canonical (§1), recomputes the
leaf hashes and the RFC 6962 Merkle root at every checkpoint's tree size (§3), checks each
checkpoint's origin, size, root, key id and Ed25519 signature against the key the log
registered for its signer, that every record is covered by exactly one batch, that every
record has exactly its kind's members and that the signer may write it (§2, §4), that every
entry balances and that no id is recorded twice (§2); finally that keys/ holds exactly the
registered keys.

Exit 0 with a one-line summary; 3 with the first bad record number or checkpoint tree
size and why; 2 when the folder is not an audit export; 1 on bad usage.
"""
import base64
import hashlib
import json
import os
import re
import sys
from fractions import Fraction

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

COORDINATOR_KINDS = {"key", "party", "loan_product", "season", "farmer", "market_price"}
OFFTAKER_KINDS = {"commitment", "delivery", "run"}
ROLES = {"offtaker", "lender", "input_supplier", "service_provider", "agent", "authority", "coordinator"}
INT64 = (-(1 << 63), (1 << 63) - 1)
# Each kind's members, all present and no others (docs/audit-format.md §2).
MEMBERS = {
    "genesis": {"coordinator", "kind", "ledger", "public_key"},
    "key": {"kind", "party", "public_key"},
    "party": {"id", "kind", "name", "role"},
    "loan_product": {"annual_rate", "day_count", "id", "kind", "method", "origination_fee"},
    "season": {"commodity", "currency", "deductions", "id", "kind", "loan_products", "parties", "price"},
    "farmer": {"group_id", "id", "kind", "name", "payout_account", "payout_method", "phone"},
    "market_price": {"date", "kind", "price_per_kg", "season"},
    "commitment": {"farmer", "id", "kind", "offtaker", "quantity_kg", "season", "signed_on"},
    "delivery": {"agent", "delivered_on", "farmer", "grade", "id", "kind", "moisture_pct", "offtaker", "season",
                 "weight_kg"},
    "loan": {"disbursed_on", "due_on", "farmer", "id", "kind", "lender", "paid_to", "principal", "product", "season"},
    "entry": {"date", "id", "kind", "memo", "postings", "refs"},
    "run": {"as_of", "deliveries", "farmers", "id", "kind", "number", "season"},
    "acknowledgement": {"amount", "currency", "kind", "lender", "received_on", "run"},
}
# The kinds whose members are all strings (a run has integers; a season and an entry nest).
STRING_KINDS = set(MEMBERS) - {"run", "season", "entry"}


class Failed(Exception):
    pass


def at_record(seq, why):
    return Failed(f"verification failed at record {seq}: {why}")


def at_checkpoint(size, why):
    return Failed(f"verification failed at checkpoint of tree size {size}: {why}")


# ---- §1 canonical bytes ---------------------------------------------------------------

def canonical(value):
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ValueError("booleans, null and floats are not allowed")
    if isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise ValueError("integer out of signed 64-bit range")
        return str(value).encode()
    if isinstance(value, str):
        out = bytearray(b'"')
        for byte in value.encode("utf-8"):
            if byte == 0x22:
                out += b'\\"'
            elif byte == 0x5C:
                out += b"\\\\"
            elif byte < 0x20:
                out += b"\\u00%02x" % byte
            else:
                out.append(byte)
        return bytes(out + b'"')
    if isinstance(value, list):
        return b"[" + b",".join(canonical(item) for item in value) + b"]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: item[0].encode("utf-8"))
        return b"{" + b",".join(canonical(k) + b":" + canonical(v) for k, v in items) + b"}"
    raise ValueError("unexpected value")


def no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key '{key}' appears twice")
        result[key] = value
    return result


def reject_float(text):
    raise ValueError(f"a number with a fraction or exponent: {text}")


def parse_record(seq, body):
    try:
        value = json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicates, parse_float=reject_float,
                           parse_constant=reject_float)
        if not isinstance(value, dict):
            raise ValueError("not a JSON object")
        if canonical(value) != body:
            raise ValueError("not in canonical form")
    except (ValueError, UnicodeError) as error:
        raise at_record(seq, f"not a canonical record: {error}")
    if not isinstance(value.get("kind"), str):
        raise at_record(seq, "no 'kind'")
    members = MEMBERS.get(value["kind"])
    if members is None:
        raise at_record(seq, f"unknown record kind '{value['kind']}'")
    if set(value) != members:
        missing, unknown = sorted(members - set(value)), sorted(set(value) - members)
        raise at_record(seq, f"a {value['kind']} record " + (f"without the member '{missing[0]}'" if missing
                                                              else f"with an unknown member '{unknown[0]}'"))
    if value["kind"] in STRING_KINDS:
        for name in sorted(value):
            if not isinstance(value[name], str):
                raise at_record(seq, f"a {value['kind']} record whose member '{name}' is not a string")
    return value


def text(seq, record, member):
    value = record.get(member)
    if not isinstance(value, str) or not value:
        raise at_record(seq, f"a {record['kind']} record without '{member}'")
    return value


def decimal(seq, value):
    """A canonical decimal string ("0.02", "-15000") as an exact Fraction."""
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        raise at_record(seq, f"'{value}' is not a decimal")
    return Fraction(value)


def raw_key(seq, record):
    try:
        key = base64.b64decode(text(seq, record, "public_key"), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise at_record(seq, "public_key is not the base64 of 32 bytes")
    return key


# ---- §3 the Merkle tree ---------------------------------------------------------------

def sha256(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


class Frontier:
    """The roots of the perfect subtrees of the tree so far (RFC 6962 MTH, incremental)."""

    def __init__(self):
        self.size = 0
        self.stack = []  # (subtree size, hash), largest first

    def append(self, leaf):
        self.size += 1
        self.stack.append((1, leaf))
        while len(self.stack) > 1 and self.stack[-1][0] == self.stack[-2][0]:
            (size, right), (_, left) = self.stack.pop(), self.stack.pop()
            self.stack.append((2 * size, sha256(b"\x01", left, right)))

    def root(self):
        if not self.stack:
            return sha256(b"")
        root = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            root = sha256(b"\x01", left, root)
        return root


# ---- §4 checkpoints -------------------------------------------------------------------

def parse_note(size, note):
    """(body bytes, signer, key id, signature) of a signed note with one signature line."""
    try:
        note.decode("utf-8")
    except UnicodeError:
        raise at_checkpoint(size, "the signed note is not UTF-8")
    split = note.rfind(b"\n\n")
    if split < 0:
        raise at_checkpoint(size, "the signed note has no empty line before its signature")
    body, signatures = note[: split + 1], note[split + 2:]
    lines = signatures.split(b"\n")
    if len(lines) != 2 or lines[1] != b"":
        raise at_checkpoint(size, "expected exactly one signature line ending in a newline")
    dash = "\u2014 ".encode("utf-8")
    parts = lines[0].split(b" ")
    if not lines[0].startswith(dash) or len(parts) != 3:
        raise at_checkpoint(size, "the signature line is not '\u2014 <party> <base64>'")
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except ValueError:
        raise at_checkpoint(size, "the signature is not base64")
    if len(blob) != 4 + 64:
        raise at_checkpoint(size, "the signature is not a 4-byte key id and a 64-byte Ed25519 signature")
    return body, parts[1].decode("utf-8"), blob[:4], blob[4:]


def check_checkpoint(size, body, ledger_id, root):
    lines = body.split(b"\n")
    if len(lines) != 4 or lines[3] != b"":
        raise at_checkpoint(size, "the checkpoint body is not three lines")
    if lines[0] != ("tripartite/" + ledger_id).encode("utf-8"):
        raise at_checkpoint(size, f"origin '{lines[0].decode('utf-8', 'replace')}' is not tripartite/{ledger_id}")
    if lines[1] != str(size).encode():
        raise at_checkpoint(size, f"the signed size is {lines[1].decode('utf-8', 'replace')}")
    try:
        signed_root = base64.b64decode(lines[2], validate=True)
    except ValueError:
        signed_root = b""
    if signed_root != root:
        raise at_checkpoint(size, f"the signed root is not the Merkle root of records 1..{size}")


def check_signature(size, signer, key_id, signature, body, keys):
    if signer not in keys:
        raise at_checkpoint(size, f"signed by {signer}, who has no registered key")
    raw = keys[signer][0]
    if sha256(signer.encode("utf-8"), b"\n\x01", raw)[:4] != key_id:
        raise at_checkpoint(size, f"the key id is not that of {signer}'s registered key")
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, body)
    except InvalidSignature:
        raise at_checkpoint(size, f"the signature of {signer} does not verify with its registered key")


# ---- §2 and §4 authority, one record at a time ------------------------------------------

def identity(record):
    """A record's (kind, key), which occurs once in a ledger (docs/audit-format.md §2,
    "Each id is recorded once")."""
    def member(name):
        value = record.get(name)
        return value if isinstance(value, str) else ""
    kind = record["kind"]
    if kind == "genesis":
        return kind, member("ledger")
    if kind == "key":
        return kind, member("party")
    if kind == "market_price":
        return kind, member("season") + "/" + member("date")
    if kind == "acknowledgement":
        return kind, member("run") + "/" + member("lender")
    if kind == "entry":
        refs = record.get("refs") if isinstance(record.get("refs"), dict) else {}
        return ("settlement" if "run" in refs else "disbursement" if "loan" in refs else "entry"), member("id")
    return kind, member("id")


class Log:
    def __init__(self):
        self.ledger_id = None
        self.ids = {}         # (kind, key) -> the record that has it
        self.roles = {}       # party -> role
        self.keys = {}        # party -> (raw key, seq of the record that registered it)
        self.offtakers = {}   # season -> its off-taker
        self.lenders = {}     # loan -> its lender
        self.entries = 0
        self.fees = {}        # loan product -> its origination_fee, exactly
        self.currencies = {}  # season -> currency code
        self.pending_loan = None  # (seq, loan record): its disbursement must come next
        self.runs = set()     # run ids whose record has come
        self.payables = {}    # run -> party -> what its settlement entries owe the party
        self.acknowledged = set()  # (run, lender)
        self.batch_run = None  # the current batch's settlement entries: run, count, first seq
        self.batch_run_entries = 0
        self.batch_run_first = 0
        self.batch_run_closed = False

    def loan_without_disbursement(self):
        seq, loan = self.pending_loan
        return at_record(seq, f"loan {loan.get('id')} is not followed by its disbursement entry")

    def close_batch(self):
        """At the end of a batch: no loan waits for its disbursement, no settlement entry
        for its run's record."""
        if self.pending_loan:
            raise self.loan_without_disbursement()
        if self.batch_run_entries and not self.batch_run_closed:
            raise at_record(self.batch_run_first,
                            f"settlement entries of run {self.batch_run} without the run's record in their batch")
        self.batch_run, self.batch_run_entries, self.batch_run_first, self.batch_run_closed = None, 0, 0, False

    def check_unique(self, seq, record):
        kind, key = identity(record)
        first = self.ids.setdefault((kind, key), seq)
        if first != seq:
            raise at_record(seq, f"a second {kind} record with key '{key}' (record {first} has it); "
                                 "an id is recorded once in a ledger")

    def check(self, seq, record, author):
        kind = record["kind"]
        if seq == 1 or kind == "genesis":
            if seq != 1 or kind != "genesis":
                raise at_record(seq, "the log must start with its one genesis record")
            coordinator = text(seq, record, "coordinator")
            if coordinator != author:
                raise at_record(seq, f"genesis names {coordinator} but is signed by {author}")
            self.ledger_id = text(seq, record, "ledger")
            self.roles[author] = "coordinator"
            self.keys[author] = (raw_key(seq, record), seq)
            return
        role = self.roles.get(author, "no role")
        if self.pending_loan and kind != "entry":
            raise self.loan_without_disbursement()
        if kind == "entry":
            self.check_entry(seq, record, author)
            return
        if kind in COORDINATOR_KINDS:
            required = "coordinator"
        elif kind in OFFTAKER_KINDS:
            required = "offtaker"
        elif kind in ("loan", "acknowledgement"):
            required = "lender"
        else:
            raise at_record(seq, f"unknown record kind '{kind}'")
        if role != required:
            raise at_record(seq, f"a {kind} record signed by {author} ({role}); only a party of role {required} may write it")
        if kind == "key":
            party = text(seq, record, "party")
            if party in self.keys:
                raise at_record(seq, f"a second key for party {party}")
            self.keys[party] = (raw_key(seq, record), seq)
        elif kind == "party":
            party, new_role = text(seq, record, "id"), record.get("role")
            if new_role not in ROLES:
                raise at_record(seq, f"unknown role {new_role}")
            if self.roles.get(party, new_role) != new_role:
                raise at_record(seq, f"party {party} already has role {self.roles[party]}")
            self.roles[party] = new_role
        elif kind == "season":
            parties = record.get("parties")
            if not isinstance(parties, list):
                raise at_record(seq, "a season without 'parties'")
            offtakers = [p for p in parties if self.roles.get(p) == "offtaker"]
            if len(offtakers) != 1:
                raise at_record(seq, "a season must name exactly one party of role offtaker")
            self.offtakers[text(seq, record, "id")] = offtakers[0]
            self.currencies[text(seq, record, "id")] = text(seq, record, "currency")
        elif kind == "loan":
            lender = text(seq, record, "lender")
            if lender != author:
                raise at_record(seq, f"loan of lender {lender} signed by {author}")
            self.lenders[text(seq, record, "id")] = lender
            self.pending_loan = (seq, record)
        elif kind == "loan_product":
            self.fees[text(seq, record, "id")] = decimal(seq, text(seq, record, "origination_fee"))
        elif kind == "acknowledgement":
            lender = text(seq, record, "lender")
            if lender != author:
                raise at_record(seq, f"acknowledgement of lender {lender} signed by {author}")
            self.check_acknowledgement(seq, record, lender)
        elif kind in OFFTAKER_KINDS:
            season = text(seq, record, "season")
            if self.offtakers.get(season) != author:
                raise at_record(seq, f"a {kind} of season {season} signed by {author}, not its off-taker")
            if kind != "run" and record.get("offtaker") != author:
                raise at_record(seq, f"a {kind} for off-taker {record.get('offtaker')} signed by {author}")
            if kind == "run":
                self.check_run(seq, record)

    def check_acknowledgement(self, seq, record, lender):
        """Of a run in the log, once per lender, for what the run's entries owe the lender."""
        run = text(seq, record, "run")
        if run not in self.runs:
            raise at_record(seq, f"an acknowledgement of run {run}, which is not in the log before it")
        if (run, lender) in self.acknowledged:
            raise at_record(seq, f"a second acknowledgement of run {run} by {lender}")
        self.acknowledged.add((run, lender))
        amount = int(decimal(seq, text(seq, record, "amount").replace(".", "")))  # the currency's decimals
        if amount != self.payables.get(run, {}).get(lender, 0):
            raise at_record(seq, f"the acknowledgement of run {run} by {lender} is not the amount the run's entries owe that lender")

    def check_run(self, seq, record):
        run = text(seq, record, "id")
        if not isinstance(record.get("farmers"), int) or record["farmers"] <= 0:
            raise at_record(seq, f"run {run} settled no farmer (a run that would settle nothing is not recorded)")
        if run in self.runs:
            raise at_record(seq, f"a second record of run {run}")
        self.runs.add(run)
        if self.batch_run_closed:
            raise at_record(seq, "a second run record in one batch")
        if self.batch_run_entries and self.batch_run != run:
            raise at_record(seq, f"run {run} closes a batch of settlement entries of run {self.batch_run}")
        if record.get("farmers") != self.batch_run_entries:
            raise at_record(seq, f"run {run} settled {record.get('farmers')} farmers, its batch holds "
                                 f"{self.batch_run_entries} settlement entries")
        self.batch_run_closed = True

    def check_settlement_entry(self, seq, run):
        if run in self.runs or self.batch_run_closed:
            raise at_record(seq, f"a settlement entry of run {run} after that run's record")
        if self.batch_run_entries == 0:
            self.batch_run, self.batch_run_first = run, seq
        elif self.batch_run != run:
            raise at_record(seq, f"a settlement entry of run {run} in the batch of run {self.batch_run}")
        self.batch_run_entries += 1

    def check_disbursement(self, seq, record, loan_id):
        if not self.pending_loan or self.pending_loan[1].get("id") != loan_id:
            raise at_record(seq, f"a disbursement of loan {loan_id} that does not follow the loan's record")
        loan_seq, loan = self.pending_loan
        self.pending_loan = None
        principal = text(loan_seq, loan, "principal")
        amount = int(decimal(loan_seq, principal.replace(".", "")))  # exactly the currency's decimals
        fee_rate = self.fees.get(loan.get("product"))
        if fee_rate is None:
            raise at_record(loan_seq, f"loan {loan_id} names product {loan.get('product')}, not in the log before it")
        fee = round(amount * fee_rate)  # Python rounds a Fraction half to even
        lender, account = loan.get("lender"), f"loan:{loan_id}:"
        asset = self.currencies.get(loan.get("season"))
        expected = [{"account": account + "principal", "amount": amount, "asset": asset, "tag": "disbursed"},
                    {"account": f"lender:{lender}:funds", "amount": -amount, "asset": asset, "tag": "disbursed"}]
        if fee:
            expected += [{"account": account + "fees", "amount": fee, "asset": asset, "tag": "fee_charged"},
                         {"account": f"lender:{lender}:fee_income", "amount": -fee, "asset": asset, "tag": "fee_charged"}]
        refs = {"farmer": loan.get("farmer"), "loan": loan_id, "season": loan.get("season")}
        if record.get("postings") != expected or record.get("refs") != refs or record.get("date") != loan.get("disbursed_on"):
            raise at_record(seq, f"the disbursement of loan {loan_id} is not what its loan record and product give")

    def check_entry(self, seq, record, author):
        postings, refs = record.get("postings"), record.get("refs")
        if not isinstance(postings, list) or not isinstance(refs, dict):
            raise at_record(seq, "an entry without 'postings' or 'refs'")
        if len(postings) < 2:
            raise at_record(seq, f"entry has {len(postings)} posting(s), at least 2 are needed")
        sums, debits = {}, {}
        for posting in postings:
            if not isinstance(posting, dict) or set(posting) != {"account", "amount", "asset", "tag"} \
                    or not isinstance(posting["amount"], int) or not posting["account"] or not posting["asset"]:
                raise at_record(seq, "a posting is not {account, amount, asset, tag}")
            asset, amount = posting["asset"], posting["amount"]
            sums[asset] = sums.get(asset, 0) + amount
            debits[asset] = debits.get(asset, 0) + max(amount, 0)
            # Amounts are signed 64-bit integers of minor units, and so is what an entry moves.
            if not -2 ** 63 <= sums[asset] < 2 ** 63 or debits[asset] >= 2 ** 63:
                raise at_record(seq, f"entry {record.get('id')} moves more than the largest representable amount")
        for asset, total in sorted(sums.items()):
            if total != 0:
                raise at_record(seq, f"entry does not balance in {asset}: postings sum to {total}")
        self.entries += 1
        if "run" in refs:
            season = refs.get("season")
            if self.offtakers.get(season) != author:
                raise at_record(seq, f"settlement entry signed by {author}, who is not the season's off-taker")
            if self.pending_loan:
                raise self.loan_without_disbursement()
            self.check_settlement_entry(seq, refs["run"])
            owed = self.payables.setdefault(refs["run"], {})
            for posting in postings:
                if posting["account"].startswith("payable:"):
                    party = posting["account"][len("payable:"):]
                    owed[party] = owed.get(party, 0) - posting["amount"]
        elif "loan" in refs:
            if self.lenders.get(refs["loan"]) != author:
                raise at_record(seq, f"disbursement of loan {refs['loan']} signed by {author}, not its lender")
            self.check_disbursement(seq, record, refs["loan"])
        else:
            raise at_record(seq, "an entry that is neither a settlement nor a disbursement")


# ---- the export -----------------------------------------------------------------------

def verify(directory):
    checkpoints_dir = os.path.join(directory, "checkpoints")
    sizes = []
    for name in os.listdir(checkpoints_dir):
        if not name.isdigit() or not name.isascii() or (len(name) > 1 and name[0] == "0"):
            raise Failed(f"verification failed: checkpoints/{name} is not named by a tree size")
        if int(name) >= 2 ** 64:
            raise Failed(f"verification failed: checkpoints/{name} is not a tree size a log can have")
        sizes.append(int(name))
    sizes.sort()
    with open(os.path.join(directory, "journal.jsonl"), "rb") as journal:
        lines = journal.read().split(b"\n")
    unterminated = lines[-1] != b""
    if not unterminated:
        lines.pop()
    if not lines:
        raise Failed("verification failed: the log is empty")

    log, frontier, start = Log(), Frontier(), 0
    for size in sizes:
        # Batch: records start+1 .. size, signed by the checkpoint's signer.
        with open(os.path.join(checkpoints_dir, str(size)), "rb") as file:
            note = file.read()
        if size <= start:
            raise at_checkpoint(size, "an empty batch")
        if start >= len(lines):
            raise at_checkpoint(size, f"the log ends at record {len(lines)}: records it covers are missing (a truncated log?)")
        body, signer, key_id, signature = parse_note(size, note)
        for seq in range(start + 1, size + 1):
            if seq > len(lines):
                raise at_checkpoint(size, f"the log ends at record {len(lines)}: records it covers are missing (a truncated log?)")
            record_bytes = lines[seq - 1]
            record = parse_record(seq, record_bytes)
            log.check(seq, record, signer)
            log.check_unique(seq, record)
            frontier.append(sha256(b"\x00", record_bytes))
        log.close_batch()
        check_checkpoint(size, body, log.ledger_id, frontier.root())
        check_signature(size, signer, key_id, signature, body, log.keys)
        start = size
    if start < len(lines):
        raise at_record(start + 1, "not covered by any checkpoint")
    if unterminated:
        raise at_record(len(lines), "the last record of journal.jsonl is not followed by a line break "
                        "(export ends every record with \\n: the file was cut short or edited)")

    keys_dir = os.path.join(directory, "keys")
    present = set(os.listdir(keys_dir)) if os.path.isdir(keys_dir) else set()
    for party, (raw, seq) in sorted(log.keys.items()):
        name = party + ".pem"
        if name not in present:
            raise Failed(f"verification failed: keys/{name} is missing (record {seq} registered {party}'s key)")
        present.discard(name)
        with open(os.path.join(keys_dir, name), "rb") as file:
            try:
                key = serialization.load_pem_public_key(file.read())
                file_raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            except (ValueError, TypeError):
                file_raw = None
        if file_raw != raw:
            raise Failed(f"verification failed: keys/{name} is not the key the log registered "
                         f"(record {seq} registered {party}'s key)")
    if present:
        raise Failed(f"verification failed: keys/{sorted(present)[0]} is not a key the log registered")
    root = base64.b64encode(frontier.root()).decode()
    return (f"verified {frontier.size} records in {len(sizes)} signed batches ({log.entries} balanced journal "
            f"entries) of ledger {log.ledger_id}; tree head {root}")


def main(argv):
    if len(argv) != 2:
        print("usage: verify_export.py EXPORT_DIR", file=sys.stderr)
        return 1
    directory = argv[1]
    if not os.path.isfile(os.path.join(directory, "journal.jsonl")) or \
            not os.path.isdir(os.path.join(directory, "checkpoints")):
        print(f"{directory}: no journal.jsonl and checkpoints/ (not an audit export)", file=sys.stderr)
        return 2
    try:
        print(verify(directory))
    except Failed as failure:
        print(failure, file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
