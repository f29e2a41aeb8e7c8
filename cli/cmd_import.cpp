// `tripartite import --db PATH --season-dir DIR (--key FILE | --keys DIR)`: imports the
// parts of a season folder that the given key's party may sign (SPEC §2, §5), or, with
// --keys, every part with its author's key DIR/<party>.pem (demos and tests). All or
// nothing: on any problem every diagnostic is listed as FILE:LINE: field: message, the exit
// status is 2, and the ledger is unchanged.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "cli/common.hpp"
#include "cli/signing.hpp"
#include "contracts/importer.hpp"

namespace tripartite::cli {
namespace {

struct Options {
  std::string db, season_dir, key, keys;
};

struct LoadedKey {
  std::string party;
  ledger::PrivateKey key;
};

// About how many data rows a CSV file holds, for its progress line: its lines after the
// header (a quoted field holding a line break makes this an overestimate); 0 when it cannot
// be read. One pass over the file, which the import then reads from the page cache.
std::uint64_t estimated_rows(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return 0;
  std::vector<char> buffer(1 << 20);
  std::uint64_t line_ends = 0;
  char last = '\n';
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    line_ends += static_cast<std::uint64_t>(std::count(buffer.begin(), buffer.begin() + static_cast<long>(got), '\n'));
    last = buffer[got - 1];
  }
  const std::uint64_t lines = line_ends + (last == '\n' ? 0 : 1);
  return lines > 1 ? lines - 1 : 0;
}

Result<std::vector<LoadedKey>> load_key_directory(const std::string& directory,
                                                  const contracts::LedgerParties& parties) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error)) return invalid("--keys: " + directory + " is not a folder");
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(directory, error)) {
    if (item.path().extension() == ".pem") files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<LoadedKey> keys;
  for (const auto& file : files) {
    std::string party = file.stem().string();
    if (!contracts::is_valid_id(party)) continue;
    TRIPARTITE_TRY(text, ledger::read_file(file.string()));
    if (auto named = party_named_in_key_file(text); named && *named != party) {
      return invalid(file.string() + ": names party " + *named + ", not " + party);
    }
    auto begin = text.find("-----BEGIN");
    if (begin == std::string::npos) return invalid(file.string() + ": not a PEM private key");
    auto key = ledger::PrivateKey::from_pem(std::string_view(text).substr(begin));
    if (!key) return invalid(file.string() + ": " + key.error().message);
    auto registered = parties.keys.find(party);
    if (registered != parties.keys.end() && registered->second != key->public_key_raw()) {
      return invalid(file.string() + ": not the key registered for party " + party);
    }
    keys.push_back(LoadedKey{party, std::move(key).value()});
  }
  if (keys.empty()) return invalid("--keys: no <party>.pem key files in " + directory);
  return keys;
}

int run(const Options& options) {
  if (options.key.empty() == options.keys.empty()) {
    return fail(Error{ErrorKind::usage, "import: give exactly one of --key FILE or --keys DIR"});
  }
  // One line for a season folder that is not there, rather than one per file it should hold.
  std::error_code folder_error;
  if (!std::filesystem::is_directory(options.season_dir, folder_error)) {
    const bool exists = std::filesystem::exists(options.season_dir, folder_error);
    return fail(invalid("--season-dir: " + options.season_dir + (exists ? ": not a folder" : ": no such folder")));
  }
  auto store = open_store(options.db);
  if (!store) return fail(store.error());
  auto parties = contracts::load_parties(**store);
  if (!parties) return fail(parties.error());

  std::vector<LoadedKey> keys;
  contracts::ImportOptions import;
  import.directory = options.season_dir;
  import.future_after = contracts::parse_date(tomorrow_utc());
  if (!options.keys.empty()) {
    auto loaded = load_key_directory(options.keys, *parties);
    if (!loaded) return fail(loaded.error());
    keys = std::move(loaded).value();
    for (const auto& key : keys) import.keys_to_register[key.party] = key.key.public_key_raw();
    import.every_author = true;
  } else {
    auto loaded = load_signing_key(options.key, *parties, !parties->genesis.has_value());
    if (!loaded) return fail(loaded.error());
    keys.push_back(LoadedKey{loaded->party, std::move(loaded->key)});
  }
  for (const auto& key : keys) import.signers.push_back(contracts::ImportSigner{key.party, &key.key});
  Progress progress("importing");
  std::string progress_file;
  import.progress = [&](const std::string& file, std::uint64_t rows) {
    if (file != progress_file) {
      progress_file = file;
      progress.relabel("importing " + file + ", rows read:",
                       progress_enabled() ? estimated_rows(options.season_dir + "/" + file) : 0);
    }
    progress.update(rows);
  };

  Diagnostics diagnostics;
  auto summary = contracts::import_season(**store, import, diagnostics);
  progress.finish();
  if (!summary) {
    for (const auto& diagnostic : diagnostics) std::cerr << diagnostic.format() << "\n";
    return fail(summary.error());
  }
  std::int64_t added = 0;
  for (const auto& file : summary->files) {
    std::cout << file.file << ": " << file.added << " new, " << file.unchanged << " already in the ledger (signed by "
              << file.author << ")\n";
    added += file.added;
  }
  for (const auto& skipped : summary->skipped) std::cout << "not imported with this key: " << skipped << "\n";
  for (const auto& note : summary->notes) std::cout << note << "\n";
  for (const auto& warning : summary->warnings) std::cerr << "warning: " << warning << "\n";
  if (summary->files.empty() && options.keys.empty()) {
    // A key that signs nothing in the folder is the wrong key (an input supplier's, or a
    // lender's with no loans here): exit 1, so that a script does not take it for done.
    std::cerr << "tripartite: --key: " << keys.front().party << " signs no part of " << options.season_dir
              << " (the parts and their authors are listed above); nothing was imported\n";
    return 1;
  }
  if (added == 0) {
    std::cout << "season " << summary->season << ": nothing new; the ledger is unchanged (" << summary->tree_size
              << " records)\n";
  } else {
    std::cout << "season " << summary->season << ": imported " << added << " records; the ledger holds "
              << summary->tree_size << " records\n";
  }
  return 0;
}

}  // namespace

void setup_import(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "import",
      "Import a season folder (coalition.toml, farmers.csv, commitments.csv, loans.csv,\n"
      "deliveries.csv, market_prices.csv). Each part is signed by its author: the coordinator\n"
      "(terms, farmers, market prices), the off-taker (commitments, deliveries), each lender\n"
      "(its loans). With --key only the parts that key's party may sign are imported. All or\n"
      "nothing: any problem lists every error as FILE:LINE: field: message and stores nothing.\n"
      "Importing again adds only new records; a changed record is refused.");
  auto options = std::make_shared<Options>();
  command->add_option("--db", options->db, "Ledger file")->required();
  command->add_option("--season-dir", options->season_dir, "The season folder")->required();
  command->add_option("--key", options->key, "Your party's private key file");
  command->add_option("--keys", options->keys,
                      "A folder with every author's key as <party>.pem (demos and tests); the coordinator's\n"
                      "batch registers the public keys found there. A part whose author has no key there is\n"
                      "an error (with --key, other authors' parts are listed as not imported)");
  command->callback([&action, options] { action = [options] { return run(*options); }; });
}

}  // namespace tripartite::cli
