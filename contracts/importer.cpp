// Importing a season folder as signed batches. See importer.hpp.
#include "contracts/importer.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "contracts/records.hpp"
#include "contracts/repository.hpp"
#include "contracts/season_reader.hpp"
#include "ledger/chunk_channel.hpp"
#include "ledger/chunk_pipeline.hpp"

namespace tripartite::contracts {
namespace {

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

// Resolves references against the ledger and what this import has staged so far.
class LedgerRegistry final : public Registry {
 public:
  LedgerRegistry(ledger::Store& store, const LedgerParties& parties) : store_(&store), parties_(&parties) {}

  void use_terms(const SeasonTerms& terms) { terms_ = &terms; }
  void add_farmer(const Farmer& farmer) { staged_farmers_.insert(farmer.id.value); }
  void add_commitment(const Commitment& commitment) {
    auto [it, inserted] =
        commitments_.emplace(CommitmentKey{commitment.farmer.value, commitment.offtaker.value}, commitment.signed_on);
    if (!inserted && date::sys_days(commitment.signed_on) < date::sys_days(it->second)) it->second = commitment.signed_on;
  }
  Status load_commitments(const SeasonId& season) {
    ledger::RecordFilter filter{"commitment"};
    filter.season = season.value;
    return store_->scan(filter, [&](const ledger::StoredRecord& record) -> Status {
      TRIPARTITE_TRY(commitment, decode_commitment(record.body));
      add_commitment(commitment);
      return Status::success();
    });
  }

  std::optional<Role> party_role(const PartyId& party) const override {
    if (auto role = season_party_role(party)) return role;
    auto it = parties_->parties.find(party.value);
    if (it != parties_->parties.end()) return it->second.role;
    return std::nullopt;
  }
  // From here on farmers are known from memory alone (every farmer of the ledger, this
  // import's included), so a reader on another thread may ask: nothing touches the store.
  Status freeze_farmers() {
    ledger_farmers_.clear();
    TRIPARTITE_CHECK(store_->scan_keys("farmer", [&](std::string_view key) {
      ledger_farmers_.emplace(key);
      return Status::success();
    }));
    staged_farmers_.clear();
    farmers_frozen_ = true;
    return Status::success();
  }

  std::optional<Role> season_party_role(const PartyId& party) const override {
    if (terms_ == nullptr) return std::nullopt;
    for (const auto& p : terms_->parties) {
      if (p.id == party) return p.role;
    }
    return std::nullopt;
  }
  bool farmer_exists(const FarmerId& farmer) const override {
    if (farmers_frozen_) return ledger_farmers_.count(farmer.value) != 0;
    if (staged_farmers_.count(farmer.value) != 0) return true;
    auto found = store_->find("farmer", farmer.value);
    return found.ok() && found->has_value();
  }
  bool product_exists(const ProductId& product) const override {
    if (terms_ != nullptr) {
      for (const auto& p : terms_->loan_products) {
        if (p.id == product) return true;
      }
    }
    auto found = store_->find("loan_product", product.value);
    return found.ok() && found->has_value();
  }
  bool grade_exists(const std::string& grade) const override {
    return terms_ != nullptr && terms_->price.grade_multipliers.count(grade) != 0;
  }
  std::optional<Date> earliest_commitment(const FarmerId& farmer, const PartyId& offtaker) const override {
    auto it = commitments_.find(CommitmentKey{farmer.value, offtaker.value});
    if (it == commitments_.end()) return std::nullopt;
    return it->second;
  }

 private:
  ledger::Store* store_;
  const LedgerParties* parties_;
  const SeasonTerms* terms_ = nullptr;
  // Farmers and commitments are asked for once per row (ten million deliveries a season):
  // hashed, since nothing reads them in order.
  struct CommitmentKey {
    std::string farmer;
    std::string offtaker;
    bool operator==(const CommitmentKey&) const = default;
  };
  struct CommitmentKeyHash {
    std::size_t operator()(const CommitmentKey& key) const {
      const std::size_t farmer = std::hash<std::string>{}(key.farmer);
      return farmer ^ (std::hash<std::string>{}(key.offtaker) + 0x9e3779b97f4a7c15ULL + (farmer << 6) + (farmer >> 2));
    }
  };
  std::unordered_set<std::string> staged_farmers_;
  bool farmers_frozen_ = false;
  std::unordered_set<std::string> ledger_farmers_;
  std::unordered_map<CommitmentKey, Date, CommitmentKeyHash> commitments_;
};

// Writes one file's records as one batch of one author, recording what was new, what was
// already there, and what conflicts with the ledger.
class BatchWriter {
 public:
  BatchWriter(ledger::Store& store, ledger::Transaction& tx, std::string file, std::string author,
              const ledger::PrivateKey& key, Diagnostics& diagnostics)
      : store_(store), tx_(tx), key_(key), diagnostics_(diagnostics) {
    summary_.file = std::move(file);
    summary_.author = std::move(author);
  }

  Status begin(const std::string& season) {
    TRIPARTITE_TRY(size, store_.size());
    open_ = true;
    return tx_.begin_batch(summary_.author, "import:" + season + ":" + summary_.file + ":" + summary_.author + ":" +
                                                std::to_string(size));
  }

  // Appends the record unless an identical one is there. A different one with the same id
  // is a diagnostic at `line` / `field`. Only I/O and database failures are errors. The
  // insert is tried first (the store's unique index finds an existing id), so a new record
  // costs no extra look-up.
  Status write(const EncodedRecord& record, int line, const std::string& field,
               const ledger::JournalEntry* entry = nullptr) {
    return written(tx_.append(record.index, record.body, entry), record.index, record.body, line, field, entry);
  }
  // The same with the leaf hash already taken; true when the record was appended, false
  // when one with its id was there.
  Result<bool> write(const ledger::RecordIndex& index, const ledger::HashedBody& body, int line,
                     const std::string& field, const ledger::JournalEntry* entry = nullptr) {
    auto appended = tx_.append(index, body, entry);
    const bool added = appended.ok();
    TRIPARTITE_CHECK(written(std::move(appended), index, body.bytes(), line, field, entry));
    return added;
  }

  Result<FileSummary> seal() {
    TRIPARTITE_ASSERT(open_);
    open_ = false;
    TRIPARTITE_TRY(outcome, tx_.seal_batch(key_));
    (void)outcome;
    return summary_;
  }

 private:
  // Counts an appended record, or sorts out why it was not: identical to the one in the
  // ledger (skipped), or different from it (a diagnostic).
  Status written(Result<std::uint64_t> appended, const ledger::RecordIndex& index, std::string_view body, int line,
                 const std::string& field, const ledger::JournalEntry* entry) {
    if (appended) {
      if (entry == nullptr) summary_.added += 1;
      return Status::success();
    }
    if (appended.error().kind != ErrorKind::invalid_input) return appended.error();
    TRIPARTITE_TRY(existing, store_.find(index.kind, index.key));
    if (!existing) {
      diagnostics_.push_back(Diagnostic{summary_.file, line, field, appended.error().message});
    } else if (existing->body == body) {
      summary_.unchanged += 1;
    } else if (!existing->index.season.empty() && !index.season.empty() && existing->index.season != index.season) {
      diagnostics_.push_back(Diagnostic{summary_.file, line, field,
                                        index.kind + " " + index.key + " is already in the ledger, in season " +
                                            existing->index.season + " (record " + std::to_string(existing->seq) +
                                            "); ids are unique across the ledger's seasons"});
    } else {
      const std::string changed = describe_differences(body, existing->body);
      diagnostics_.push_back(
          Diagnostic{summary_.file, line, field,
                     index.kind + " " + index.key + " is already in the ledger with different content (record " +
                         std::to_string(existing->seq) + ")" + (changed.empty() ? "" : ": " + changed) +
                         "; a correction is an explicit reversal"});
    }
    return Status::success();
  }

  ledger::Store& store_;
  ledger::Transaction& tx_;
  const ledger::PrivateKey& key_;
  Diagnostics& diagnostics_;
  FileSummary summary_;
  bool open_ = false;
};

// The rows of one file dated after ImportOptions::future_after, noted on the reading thread
// and said once, as a warning at the first such row, after the import.
struct FutureDates {
  explicit FutureDates(std::optional<Date> after_day) : after(after_day) {}
  std::optional<Date> after;
  std::int64_t count = 0;
  int first_line = 0;
  Date first_date;
  void note(const Date& date, int line) {
    if (!after || date::sys_days(date) <= date::sys_days(*after)) return;
    if (count++ == 0) first_line = line, first_date = date;
  }
  void warn(std::vector<std::string>& warnings, const std::string& file, const std::string& column,
            const std::string& consequence) const {
    if (count == 0) return;
    warnings.push_back(file + ":" + std::to_string(first_line) + ": " + column + ": " + format_date(first_date) +
                       " is in the future by this machine's clock" +
                       (count > 1 ? " (and " + std::to_string(count - 1) + " more row(s) of the file)" : "") +
                       "; a year typed wrong? " + consequence);
  }
};

struct Importer {
  ledger::Store& store;
  const ImportOptions& options;
  Diagnostics& diagnostics;
  LedgerParties parties;
  std::optional<SeasonTerms> terms;
  KeyLines key_lines;  // of coalition.toml, for diagnostics found against the ledger
  std::unique_ptr<ledger::Transaction> tx;
  ImportSummary summary;
  std::string progress_file;       // the file being read, for progress
  std::uint64_t progress_rows = 0;  // its rows read so far

  std::string path(const std::string& file) const { return options.directory + "/" + file; }

  void start_file(const std::string& file) {
    progress_file = file;
    progress_rows = 0;
  }
  void tick() {
    progress_rows += 1;
    if (options.progress && progress_rows % 1024 == 0) options.progress(progress_file, progress_rows);
  }

  std::optional<Role> role_of(const std::string& party) const {
    if (terms) {
      for (const auto& p : terms->parties) {
        if (p.id.value == party) return p.role;
      }
    }
    auto it = parties.parties.find(party);
    if (it != parties.parties.end()) return it->second.role;
    if (parties.genesis && parties.genesis->coordinator.value == party) return Role::coordinator;
    return std::nullopt;
  }

  // Whether `party` may sign the coordinator's batch of a ledger that has a genesis: a
  // coordinator already in the ledger (the genesis one, or a party record of that role) with
  // a registered key. A coordinator named only by the terms being imported may not: its
  // role and key would be vouched for by its own batch (verify refuses such a batch).
  bool ledger_coordinator(const std::string& party) const {
    if (parties.genesis && parties.genesis->coordinator.value == party) return true;
    auto it = parties.parties.find(party);
    return it != parties.parties.end() && it->second.role == Role::coordinator && parties.keys.count(party) != 0;
  }

  // The signer for a role; for the coordinator the genesis coordinator is preferred, and on
  // a ledger with a genesis only a ledger_coordinator qualifies.
  const ImportSigner* signer_with_role(Role role) const {
    const ImportSigner* found = nullptr;
    for (const auto& signer : options.signers) {
      if (role_of(signer.party) != role) continue;
      if (role == Role::coordinator && parties.genesis && !ledger_coordinator(signer.party)) continue;
      if (role == Role::coordinator && parties.genesis && parties.genesis->coordinator.value == signer.party) {
        return &signer;
      }
      if (found == nullptr) found = &signer;
    }
    return found;
  }

  const ImportSigner* signer_for(const std::string& party) const {
    for (const auto& signer : options.signers) {
      if (signer.party == party) return &signer;
    }
    return nullptr;
  }

  std::string offtaker() const {
    for (const auto& p : terms->parties) {
      if (p.role == Role::offtaker) return p.id.value;
    }
    return {};
  }

  // The coordinator who signs the coordinator's parts: the ledger's genesis coordinator, or
  // on an empty ledger the first of the terms.
  std::string coordinator_id() const {
    if (parties.genesis) return parties.genesis->coordinator.value;
    if (terms) {
      for (const auto& p : terms->parties) {
        if (p.role == Role::coordinator) return p.id.value;
      }
    }
    return "the coordinator";
  }

  // A part of the folder whose author has no key among the signers: listed as left out
  // (--key), or an error when every author was meant to sign (--keys; ImportOptions).
  // `detail` names the records of `author` when the file has several authors ("3 loan(s)").
  void leave_out(const std::string& file, const std::string& detail, const std::string& author) {
    if (options.every_author) {
      diagnostics.push_back(Diagnostic{file, 0, "",
                                       "no key for " + author + " (" + author + ".pem) in the --keys folder, and " +
                                           author + " signs " + (detail.empty() ? "this file" : "its " + detail) +
                                           "; give every author's key, or import each author's part with --key"});
    } else {
      summary.skipped.push_back(file + (detail.empty() ? "" : ": " + detail + " of " + author) + " (signed by " +
                                author + ")");
    }
  }

  // One CSV file as one batch of `signer`, read on a second thread (parsed, validated,
  // encoded and hashed there) while this thread appends its records in file order, at most
  // kChunksInFlight chunks of kChunkRecords behind: memory stays flat in the file's size.
  // `read(problems, emit)` runs the file's reader, its diagnostics going to `problems` and
  // each row it hands on to emit(record, line); it runs on the reading thread, so it may
  // touch only what this thread does not while the file is read (the registry: its farmers
  // are frozen, or being added by this very reader). The file's diagnostics come out as one
  // thread reading and writing would list them: in line order, the reader's first on a
  // line, its "N more errors not shown" last.
  using Emit = std::function<void(EncodedRecord record, int line)>;
  static constexpr std::size_t kChunkRecords = 4096;
  static constexpr std::size_t kChunksInFlight = 4;
  struct ReadRecord {
    ledger::RecordIndex index;
    ledger::HashedBody body;
    int line;
  };
  struct ReaderAbandoned {};  // thrown on the reading thread to stop its reader early

  Status stream_file(const std::string& file, const ImportSigner& signer, const std::string& field,
                     const std::function<void(Diagnostics& problems, const Emit& emit)>& read) {
    start_file(file);
    Diagnostics read_problems;
    Diagnostics write_problems;
    BatchWriter batch(store, *tx, file, signer.party, *signer.key, write_problems);
    TRIPARTITE_CHECK(batch.begin(terms->id.value));
    ledger::ChunkChannel<ReadRecord> channel(kChunksInFlight);
    ledger::ProducerThread reader(
        [&] {
          auto chunk = channel.spare();
          read(read_problems, [&](EncodedRecord record, int line) {
            chunk.push_back(ReadRecord{std::move(record.index), ledger::HashedBody(std::move(record.body)), line});
            if (chunk.size() < kChunkRecords) return;
            if (!channel.push(std::move(chunk))) throw ReaderAbandoned{};
            chunk = channel.spare();
          });
          if (!chunk.empty()) channel.push(std::move(chunk));
        },
        [&] { channel.close(); }, [&] { channel.cancel(); });
    while (auto chunk = channel.pop()) {
      for (const auto& record : *chunk) {
        tick();
        TRIPARTITE_CHECK(batch.write(record.index, record.body, record.line, field));  // ~reader cancels
      }
      channel.recycle(std::move(*chunk));
    }
    reader.join();
    merge_in_line_order(read_problems, write_problems);
    TRIPARTITE_TRY(written, batch.seal());
    summary.files.push_back(written);
    return Status::success();
  }

  // Appends one file's reader and writer diagnostics to `diagnostics` in line order (see
  // stream_file): a reader's line-0 diagnostic after its row diagnostics is its closing
  // "N more errors not shown", which stays last.
  void merge_in_line_order(Diagnostics& read, Diagnostics& written) {
    std::size_t next_written = 0;
    bool rows_seen = false;
    for (auto& problem : read) {
      bool closing = problem.line == 0 && rows_seen;
      while (next_written < written.size() && (closing || written[next_written].line < problem.line)) {
        diagnostics.push_back(std::move(written[next_written++]));
      }
      rows_seen = rows_seen || problem.line > 0;
      diagnostics.push_back(std::move(problem));
    }
    while (next_written < written.size()) diagnostics.push_back(std::move(written[next_written++]));
  }

  // The season is in the ledger with other terms: one diagnostic per key that differs, at
  // its line (or one for the whole file when the difference is not in a key, e.g. order).
  Status report_changed_terms() {
    TRIPARTITE_TRY(ledger_terms, load_terms(store, terms->id));
    Diagnostics differences = terms_differences(key_lines, ledger_terms, *terms);
    if (differences.empty()) {
      differences.push_back(Diagnostic{"coalition.toml", 0, "season.id",
                                       "differs from the terms of season " + terms->id.value +
                                           " in the ledger; a season's terms cannot change once imported"});
    }
    for (auto& difference : differences) diagnostics.push_back(std::move(difference));
    return Status::success();
  }

  // The terms' record with parties and loan products in id order: a coalition.toml that lists
  // the same parties or products in another order holds the same terms (the order of the
  // deductions, the waterfall, is kept: it is part of the terms).
  static std::string order_free_body(SeasonTerms terms) {
    std::sort(terms.parties.begin(), terms.parties.end(),
              [](const Party& a, const Party& b) { return a.id.value < b.id.value; });
    std::sort(terms.loan_products.begin(), terms.loan_products.end(),
              [](const LoanProduct& a, const LoanProduct& b) { return a.id.value < b.id.value; });
    return encode_season(terms).body;
  }

  // Whether the season's record in the ledger holds these terms, listed in another order.
  Result<bool> same_terms_in_another_order() {
    TRIPARTITE_TRY(ledger_terms, load_terms(store, terms->id));
    return order_free_body(ledger_terms) == order_free_body(*terms);
  }

  Status import_terms(const ImportSigner* coordinator) {
    const std::string file = "coalition.toml";
    EncodedRecord season_record = encode_season(*terms);
    TRIPARTITE_TRY(existing_season, store.find("season", terms->id.value));
    if (existing_season && existing_season->body != season_record.body) {
      TRIPARTITE_TRY(reordered, same_terms_in_another_order());
      // The record in the ledger stands as it was written; the party and product records are
      // still checked one by one below (and by id, so their order does not matter).
      if (reordered) season_record.body = existing_season->body;
    }
    if (coordinator == nullptr) {
      // Another author's import: the terms must already be in the ledger, exactly.
      if (!existing_season) {
        diagnostics.push_back(Diagnostic{file, 0, "season.id",
                                         "season " + terms->id.value +
                                             " is not in the ledger: the coordinator imports coalition.toml first"});
      } else if (existing_season->body != season_record.body) {
        TRIPARTITE_CHECK(report_changed_terms());
      }
      leave_out("coalition.toml", "", coordinator_id());
      return Status::success();
    }
    if (existing_season && existing_season->body != season_record.body) return report_changed_terms();
    auto line_of = [this](const std::string& key) {
      auto found = key_lines.find(key);
      return found == key_lines.end() ? 0 : found->second;
    };
    BatchWriter batch(store, *tx, file, coordinator->party, *coordinator->key, diagnostics);
    TRIPARTITE_CHECK(batch.begin(terms->id.value));
    if (!parties.genesis) {
      std::string public_key = coordinator->key->public_key_raw();
      TRIPARTITE_CHECK(batch.write(encode_genesis(store.ledger_id(), PartyId(coordinator->party), public_key), 0, ""));
    }
    for (const auto& [party, public_key] : options.keys_to_register) {
      bool in_terms = false;
      for (const auto& p : terms->parties) in_terms = in_terms || p.id.value == party;
      if (!in_terms) continue;
      auto registered = parties.keys.find(party);
      if (registered != parties.keys.end() && registered->second != public_key) {
        diagnostics.push_back(Diagnostic{"keys/" + party + ".pem", 0, "",
                                         "party " + party + " already has a different registered key"});
        continue;
      }
      if (registered != parties.keys.end()) continue;                   // already registered
      if (!parties.genesis && party == coordinator->party) continue;  // registered by the genesis
      TRIPARTITE_CHECK(batch.write(encode_key(PartyId(party), public_key), 0, ""));
    }
    // A party or loan product another season recorded differently is refused at the line of
    // the first key that differs (SPEC §2: "the line of the offending key"), or of its table.
    auto changed_line = [&](const EncodedRecord& record, const std::string& table) -> Result<int> {
      TRIPARTITE_TRY(existing, store.find(record.index.kind, record.index.key));
      if (existing) {
        for (const auto& difference : member_differences(record.body, existing->body)) {
          if (int line = line_of(table + "." + difference.member); line > 0) return line;
        }
      }
      return line_of(table);
    };
    for (std::size_t i = 0; i < terms->parties.size(); ++i) {
      const Party& party = terms->parties[i];
      EncodedRecord record = encode_party(party);
      TRIPARTITE_TRY(line, changed_line(record, "party[" + std::to_string(i) + "]"));
      TRIPARTITE_CHECK(batch.write(record, line, "party." + party.id.value));
    }
    for (std::size_t i = 0; i < terms->loan_products.size(); ++i) {
      const LoanProduct& product = terms->loan_products[i];
      EncodedRecord record = encode_loan_product(product);
      TRIPARTITE_TRY(line, changed_line(record, "loan_product[" + std::to_string(i) + "]"));
      TRIPARTITE_CHECK(batch.write(record, line, "loan_product." + product.id.value));
    }
    TRIPARTITE_CHECK(batch.write(season_record, line_of("season.id"), "season.id"));
    TRIPARTITE_TRY(written, batch.seal());
    summary.files.push_back(written);
    return Status::success();
  }

  Status run() {
    TRIPARTITE_TRY(loaded, load_parties(store));
    parties = std::move(loaded);
    LedgerRegistry registry(store, parties);
    auto read_terms = read_coalition(path("coalition.toml"), diagnostics, &registry, &key_lines);
    if (read_terms) {
      terms = std::move(read_terms).value();
      registry.use_terms(*terms);
      TRIPARTITE_CHECK(registry.load_commitments(terms->id));
      summary.season = terms->id.value;
    }
    RefusedRows refused;  // filled on the reading threads; read after each file is joined
    ReadContext context;
    context.refused = &refused;
    if (!terms) {
      // Without valid terms nothing can be resolved or written; still list every row-local
      // problem of the folder.
      read_farmers(path("farmers.csv"), context, diagnostics, [](const Farmer&, int) {});
      read_commitments(path("commitments.csv"), context, diagnostics, [](const Commitment&, int) {});
      read_loans(path("loans.csv"), context, diagnostics, [](const Loan&, int) {});
      read_deliveries(path("deliveries.csv"), context, diagnostics, [](const Delivery&, int) {});
      if (file_exists(path("market_prices.csv"))) {
        read_market_prices(path("market_prices.csv"), diagnostics, [](const MarketPrice&, int) {});
      }
      return invalid(problems_summary(diagnostics, options.directory, "imported") +
                     ". coalition.toml has errors, so the CSV files were checked row by row only: the "
                     "checks that need the terms (parties and their roles, loan products, grades, the currency's "
                     "decimals, farmers and commitments referred to) run once it is corrected");
    }
    context.registry = &registry;
    context.currency = terms->currency;
    TRIPARTITE_TRY(begun, store.begin());
    tx = std::move(begun);

    const ImportSigner* coordinator = terms ? signer_with_role(Role::coordinator) : nullptr;
    if (!parties.genesis && terms && coordinator == nullptr) {
      return invalid("the ledger is empty: its first import must be signed by the season's coordinator");
    }
    if (terms && coordinator == nullptr) {
      for (const auto& signer : options.signers) {
        if (role_of(signer.party) != Role::coordinator) continue;
        diagnostics.push_back(Diagnostic{
            "coalition.toml", 0, "party." + signer.party,
            signer.party + " is not yet a coordinator of this ledger (its coordinator is " +
                parties.genesis->coordinator.value +
                "): a coordinator already in the ledger, with a registered key, signs the terms that name a new one"});
      }
    }
    if (terms) TRIPARTITE_CHECK(import_terms(coordinator));
    const ImportSigner* offtaker_signer = terms ? signer_for(offtaker()) : nullptr;
    const std::string season = terms ? terms->id.value : std::string();

    // farmers.csv — the coordinator's.
    std::size_t before = diagnostics.size();
    if (coordinator != nullptr) {
      // Two farmers paid into one account (a row copied and not fully edited) is legal (a
      // household may share a phone) but worth a word: said at the second farmer's line.
      std::unordered_map<std::string, int> first_with_account;
      std::vector<std::string> shared_accounts;
      std::int64_t more_shared = 0;
      TRIPARTITE_CHECK(stream_file("farmers.csv", *coordinator, "farmer_id", [&](Diagnostics& problems, const Emit& emit) {
        read_farmers(path("farmers.csv"), context, problems, [&](const Farmer& farmer, int line) {
          registry.add_farmer(farmer);
          if (!farmer.payout_account.empty()) {
            auto [first, inserted] = first_with_account.try_emplace(
                std::string(to_string(farmer.payout_method)) + " " + farmer.payout_account, line);
            if (!inserted && shared_accounts.size() < 20) {
              shared_accounts.push_back("farmers.csv:" + std::to_string(line) +
                                        ": payout_account: " + ledger::shown_text(farmer.payout_account) +
                                        " is also the account of the farmer at line " + std::to_string(first->second) +
                                        ": both are paid into it (a row copied?)");
            } else if (!inserted) {
              ++more_shared;
            }
          }
          emit(encode_farmer(farmer), line);
        });
      }));
      if (summary.files.back().added > 0) {  // said when the farmers are new, not on every re-import
        summary.warnings.insert(summary.warnings.end(), shared_accounts.begin(), shared_accounts.end());
        if (more_shared > 0) {
          summary.warnings.push_back("farmers.csv: " + std::to_string(more_shared) + " more farmer(s) share an account");
        }
      }
    } else if (terms) {  // without terms there is no coordinator to name (coalition.toml's errors say why)
      leave_out("farmers.csv", "", coordinator_id());
    }
    // Every farmer is known now; later readers (on the reading thread) ask memory only.
    TRIPARTITE_CHECK(registry.freeze_farmers());
    context.farmers_readable = !file_unreadable(diagnostics, before, "farmers.csv");
    before = diagnostics.size();

    // commitments.csv — the off-taker's.
    if (offtaker_signer != nullptr) {
      TRIPARTITE_CHECK(stream_file("commitments.csv", *offtaker_signer, "commitment_id",
                                   [&](Diagnostics& problems, const Emit& emit) {
                                     read_commitments(path("commitments.csv"), context, problems,
                                                      [&](const Commitment& commitment, int line) {
                                                        registry.add_commitment(commitment);
                                                        emit(encode_commitment(commitment, terms->id), line);
                                                      });
                                   }));
    } else if (terms) {
      leave_out("commitments.csv", "", offtaker());
    }

    context.commitments_readable = !file_unreadable(diagnostics, before, "commitments.csv");
    TRIPARTITE_CHECK(import_loans(context));

    // deliveries.csv — the off-taker's; streams.
    if (offtaker_signer != nullptr) {
      FutureDates future(options.future_after);
      TRIPARTITE_CHECK(
          stream_file("deliveries.csv", *offtaker_signer, "delivery_id", [&](Diagnostics& problems, const Emit& emit) {
            read_deliveries(path("deliveries.csv"), context, problems, [&](const Delivery& delivery, int line) {
              future.note(delivery.delivered_on, line);
              emit(encode_delivery(delivery, terms->id), line);
            });
          }));
      if (summary.files.back().added > 0) {  // said when the rows are new, not on every re-import
        future.warn(summary.warnings, "deliveries.csv", "delivered_on",
                    "a run settles a delivery only when dated on or after it, so it waits unpaid until then");
      }
    } else if (terms) {
      leave_out("deliveries.csv", "", offtaker());
    }

    // market_prices.csv — the coordinator's; optional. SPEC §2: needed by floor_market,
    // ignored otherwise, so a fixed-price season does not read it (nor fail on it).
    if (file_exists(path("market_prices.csv"))) {
      if (terms && terms->price.method == PriceMethod::fixed) {
        summary.notes.push_back("market_prices.csv: not read: season " + terms->id.value +
                                " is priced fixed (market prices are used by floor_market only)");
      } else if (coordinator != nullptr) {
        // A floor_market season's runs priced their deliveries with the prices recorded
        // then: a new price dated on or before the last run would change what was paid.
        std::optional<StoredRun> last_run;
        if (terms->price.method == PriceMethod::floor_market) {
          TRIPARTITE_TRY(runs, load_runs(store, terms->id));
          if (!runs.empty()) last_run = runs.back();
        }
        start_file("market_prices.csv");
        const std::size_t diagnostics_before = diagnostics.size();
        BatchWriter batch(store, *tx, "market_prices.csv", coordinator->party, *coordinator->key, diagnostics);
        TRIPARTITE_CHECK(batch.begin(season));
        Status failure;
        read_market_prices(path("market_prices.csv"), diagnostics, [&](const MarketPrice& price, int line) {
          tick();
          if (!failure.ok()) return;
          EncodedRecord record = encode_market_price(price, terms->id);
          if (last_run && date::sys_days(price.date) <= date::sys_days(last_run->run.as_of)) {
            auto existing = store.find(record.index.kind, record.index.key);
            if (!existing.ok()) {
              failure = existing.error();
              return;
            }
            if (!*existing) {
              diagnostics.push_back(Diagnostic{
                  "market_prices.csv", line, "date",
                  format_date(price.date) + " is on or before the season's last run " + last_run->run.id + " (as of " +
                      format_date(last_run->run.as_of) +
                      "): a new price for a settled date would change what the run paid"});
              return;
            }
          }
          failure = batch.write(record, line, "date");
        });
        TRIPARTITE_CHECK(failure);
        TRIPARTITE_TRY(written, batch.seal());
        if (terms->price.method == PriceMethod::floor_market && written.added == 0 && written.unchanged == 0 &&
            diagnostics.size() == diagnostics_before) {
          // A header and no row is the same as no file (below), when none is stored yet.
          TRIPARTITE_CHECK(require_market_price("no prices: price method floor_market needs market prices"));
        }
        summary.files.push_back(written);
      } else if (terms) {
        leave_out("market_prices.csv", "", coordinator_id());
      }
    } else if (terms && terms->price.method == PriceMethod::floor_market) {
      TRIPARTITE_CHECK(require_market_price("missing: price method floor_market needs market prices"));
    }

    if (!diagnostics.empty()) {
      return invalid(problems_summary(diagnostics, options.directory, "imported"));
    }
    if (!terms) return invalid("coalition.toml could not be read; nothing was imported");
    TRIPARTITE_CHECK(tx->commit());
    TRIPARTITE_TRY(size, store.size());
    summary.tree_size = size;
    return Status::success();
  }

  // A loan's record and, when its product is in these terms, its disbursement entry,
  // encoded and hashed (prepare_loan, on a worker thread).
  struct PreparedLoan {
    const Loan* loan = nullptr;
    int line = 0;
    ledger::RecordIndex index;
    std::optional<ledger::HashedBody> body;
    // The disbursement: the entry, its record, or why it could not be made; none of the
    // three when the product is not in these terms (write_loan reads it from the ledger).
    std::optional<ledger::JournalEntry> entry;
    ledger::RecordIndex entry_index;
    std::optional<ledger::HashedBody> entry_body;
    std::optional<Error> entry_error;
  };

  PreparedLoan prepare_loan(const std::pair<Loan, int>& item,
                            const std::map<std::string, const LoanProduct*>& products) const {
    const Loan& loan = item.first;
    PreparedLoan out;
    out.loan = &loan;
    out.line = item.second;
    EncodedRecord record = encode_loan(loan, terms->id, terms->currency);
    out.index = std::move(record.index);
    out.body.emplace(std::move(record.body));
    auto product = products.find(loan.product.value);
    if (product == products.end()) return out;
    auto entry = disbursement_entry(loan, *product->second, terms->id, terms->currency);
    if (!entry) {
      out.entry_error = entry.error();
      return out;
    }
    EncodedRecord encoded = encode_entry(*entry);
    out.entry = std::move(entry).value();
    out.entry_index = std::move(encoded.index);
    out.entry_body.emplace(std::move(encoded.body));
    return out;
  }

  // Appends a prepared loan and, when the loan is new, its disbursement (a loan already in
  // the ledger, identical or not, had its disbursement written with it).
  Status write_loan(BatchWriter& batch, const PreparedLoan& prepared) {
    TRIPARTITE_TRY(added, batch.write(prepared.index, *prepared.body, prepared.line, "loan_id"));
    if (!added) return Status::success();
    if (prepared.entry_error) return *prepared.entry_error;
    if (prepared.entry) {
      TRIPARTITE_CHECK(batch.write(prepared.entry_index, *prepared.entry_body, prepared.line, "loan_id", &*prepared.entry));
      return Status::success();
    }
    // A product of an earlier season's terms: read it back from the ledger.
    const Loan& loan = *prepared.loan;
    TRIPARTITE_TRY(stored, store.find("loan_product", loan.product.value));
    if (!stored) return Status::success();  // reported by the reader
    TRIPARTITE_TRY(decoded, decode_loan_product(stored->body));
    TRIPARTITE_TRY(entry, disbursement_entry(loan, decoded, terms->id, terms->currency));
    return batch.write(encode_entry(entry), prepared.line, "loan_id", &entry);
  }

  Status import_loans(const ReadContext& context) {
    // Read every loan first (a loan book is small next to deliveries), then one batch per
    // lender, in lender id order.
    std::map<std::string, std::vector<std::pair<Loan, int>>> by_lender;
    start_file("loans.csv");
    read_loans(path("loans.csv"), context, diagnostics, [&](const Loan& loan, int line) {
      tick();
      by_lender[loan.lender.value].emplace_back(loan, line);
    });
    if (!terms) return Status::success();
    std::map<std::string, const LoanProduct*> products;
    for (const auto& product : terms->loan_products) products[product.id.value] = &product;
    for (const auto& [lender, loans] : by_lender) {
      const ImportSigner* signer = signer_for(lender);
      if (signer == nullptr) {
        leave_out("loans.csv", std::to_string(loans.size()) + " loan(s)", lender);
        continue;
      }
      BatchWriter batch(store, *tx, "loans.csv", lender, *signer->key, diagnostics);
      TRIPARTITE_CHECK(batch.begin(terms->id.value));
      // Each loan's record and disbursement entry are encoded and hashed on the pipeline's
      // worker threads (pure: the loan, its product in these terms); this thread appends
      // them in file order and does what needs the store.
      ledger::ChunkPipeline<const std::pair<Loan, int>*, PreparedLoan> pipeline(
          1024, [&](const std::pair<Loan, int>* item) { return prepare_loan(*item, products); },
          [&](const PreparedLoan& prepared) { return write_loan(batch, prepared); });
      for (const auto& item : loans) TRIPARTITE_CHECK(pipeline.add(&item));
      TRIPARTITE_CHECK(pipeline.finish());
      TRIPARTITE_TRY(written, batch.seal());
      if (written.added > 0 && !terms->deducts_loan_repayment()) {
        const bool zero_share = std::any_of(terms->deductions.begin(), terms->deductions.end(),
                                            [](const Deduction& d) { return d.kind == DeductionKind::loan_repayment; });
        summary.warnings.push_back(
            "loans.csv: season " + terms->id.value +
            (zero_share ? "'s loan_repayment deduction has max_share_of_gross 0" : " has no loan_repayment deduction") +
            " in coalition.toml: settlement deducts nothing for the loans of " + lender +
            " imported here (they are repaid outside Tripartite, if at all)");
      }
      summary.files.push_back(written);
      if (written.added > 0) {  // this lender's loans, when its batch adds some
        FutureDates future(options.future_after);
        for (const auto& [loan, line] : loans) future.note(loan.disbursed_on, line);
        future.warn(summary.warnings, "loans.csv", "disbursed_on",
                    "a loan takes part only in runs dated on or after its disbursement, and is charged interest "
                    "from it");
      }
    }
    return Status::success();
  }

  // A floor_market season with no market price in the ledger (this import's included) could
  // not price a delivery: `why` becomes a diagnostic of market_prices.csv.
  Status require_market_price(const std::string& why) {
    TRIPARTITE_TRY(existing, load_market_prices(store, terms->id));
    if (existing.empty()) diagnostics.push_back(Diagnostic{"market_prices.csv", 0, "", why});
    return Status::success();
  }
};

}  // namespace

Result<std::int64_t> origination_fee_minor(const Loan& loan, const LoanProduct& product) {
  auto fee = ledger::round_to_int64(ledger::BigInt(loan.principal_minor) * product.origination_fee.units,
                                    ledger::pow10(product.origination_fee.scale));
  if (!fee) return invalid("origination fee of loan " + loan.id.value + " is out of range");
  return fee;
}

Result<ledger::JournalEntry> disbursement_entry(const Loan& loan, const LoanProduct& product, const SeasonId& season,
                                                const Currency& currency) {
  ledger::JournalEntry entry;
  entry.id = "disburse-" + loan.id.value;
  entry.date = format_date(loan.disbursed_on);
  entry.memo = "disbursement of loan " + loan.id.value + " to " +
               (loan.paid_to ? loan.paid_to->value + " for farmer " + loan.farmer.value : "farmer " + loan.farmer.value);
  entry.refs = {{"farmer", loan.farmer.value}, {"loan", loan.id.value}, {"season", season.value}};
  const std::string asset = currency.code;
  const std::string loan_account = "loan:" + loan.id.value + ":";
  const std::string lender_account = "lender:" + loan.lender.value + ":";
  entry.postings.push_back({loan_account + "principal", asset, loan.principal_minor, "disbursed"});
  entry.postings.push_back({lender_account + "funds", asset, -loan.principal_minor, "disbursed"});
  TRIPARTITE_TRY(fee, origination_fee_minor(loan, product));
  if (fee != 0) {
    entry.postings.push_back({loan_account + "fees", asset, fee, "fee_charged"});
    entry.postings.push_back({lender_account + "fee_income", asset, -fee, "fee_charged"});
  }
  return entry;
}

Result<ImportSummary> import_season(ledger::Store& store, const ImportOptions& options, Diagnostics& diagnostics) {
  Importer importer{store, options, diagnostics, {}, std::nullopt, {}, nullptr, {}, {}, 0};
  TRIPARTITE_CHECK(importer.run());
  return importer.summary;
}

}  // namespace tripartite::contracts
