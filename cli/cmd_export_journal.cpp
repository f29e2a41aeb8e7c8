// `tripartite export journal --db PATH --out FILE`: the ledger's journal entries in the
// plain-text accounting format read by hledger and ledger-cli, so that an auditor can check
// balances with a tool they already trust (`hledger -f FILE balance`).
//
// Invariants: one transaction per journal entry, in log order, dated its effective date,
// with the entry id as the transaction code, the memo as description and the entry's refs as
// tags; every posting with its exact amount at the asset's decimals (currency exponent; kg
// with 3), never rounded or floating point, so that each transaction balances per commodity
// exactly as the entry does and the balances equal `tripartite report balances`. Commodities
// that are not plain letters (e.g. "kg:maize") are written in double quotes, as hledger and
// ledger-cli require. The file is written to FILE.partial and renamed into place when complete.
#include <cstdio>
#include <fstream>
#include <map>

#include "cli/common.hpp"
#include "ledger/crypto.hpp"
#include "ledger/money.hpp"

namespace tripartite::cli {
namespace {

// Decimals of an asset: a currency's exponent, 3 for kilograms, 0 for anything else.
int asset_decimals(const std::string& asset, std::map<std::string, int>& cache) {
  auto found = cache.find(asset);
  if (found != cache.end()) return found->second;
  int decimals = 0;
  if (asset.rfind("kg:", 0) == 0) {
    decimals = 3;
  } else if (auto currency = ledger::Currency::from_code(asset)) {
    decimals = currency->exponent;
  }
  cache[asset] = decimals;
  return decimals;
}

// A commodity symbol: bare when it is letters only, else in double quotes.
std::string commodity_symbol(const std::string& asset) {
  bool letters = !asset.empty();
  for (char c : asset) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) letters = false;
  }
  if (letters) return asset;
  std::string quoted = "\"";
  for (char c : asset) quoted.push_back(c == '"' || static_cast<unsigned char>(c) < 0x20 ? '_' : c);
  return quoted + "\"";
}

// Free text on one journal line: no line breaks, and no ';' (which starts a comment).
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      out.push_back(' ');
    } else if (c == ';') {
      out.push_back(',');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct ExportCounts {
  std::uint64_t entries = 0;
  std::uint64_t postings = 0;
};

Result<ExportCounts> export_journal(ledger::Store& store, const std::string& path) {
  TRIPARTITE_CHECK(ledger::check_replaceable_file(path));
  TRIPARTITE_TRY(total_records, store.size());
  const std::string partial = path + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) return invalid(partial + ": cannot write");
  out << "; Tripartite ledger " << store.ledger_id() << " as a plain-text accounting journal (hledger, ledger-cli).\n"
      << "; One transaction per journal entry, in log order: (code) = entry id, description = memo, tags = refs.\n"
      << "; Amounts are exact, with the asset's decimals; quantities are kilograms (\"kg:<commodity>\", 3 decimals).\n"
      << "; Debit positive, credit negative; every transaction balances per commodity.\n";
  ExportCounts counts;
  std::map<std::string, int> decimals;
  std::uint64_t records = 0;
  Progress progress("exporting records", total_records);
  Status status = store.scan_log([&](const ledger::StoredRecord& record, const ledger::Hash&) -> Status {
    records += 1;
    progress.update(records);
    const std::string& kind = record.index.kind;
    if (kind != "settlement" && kind != "disbursement" && kind != "entry") return Status::success();
    TRIPARTITE_TRY(entry, ledger::entry_from_bytes(record.body));
    out << "\n" << entry.date << " (" << one_line(entry.id) << ") " << one_line(entry.memo);
    if (!entry.refs.empty()) {
      out << "  ;";
      bool first = true;
      for (const auto& [name, ref] : entry.refs) {
        out << (first ? " " : ", ") << one_line(name) << ":" << one_line(ref);
        first = false;
      }
    }
    out << "\n";
    std::size_t width = 0;
    for (const auto& posting : entry.postings) width = std::max(width, posting.account.size());
    for (const auto& posting : entry.postings) {
      std::string amount = ledger::format_units(posting.amount, asset_decimals(posting.asset, decimals)) + " " +
                           commodity_symbol(posting.asset);
      std::string account = one_line(posting.account);
      out << "    " << account << std::string(width - account.size() + 2, ' ');
      if (amount.size() < 24) out << std::string(24 - amount.size(), ' ');
      out << amount;
      if (!posting.tag.empty()) out << "  ; tag:" << one_line(posting.tag);
      out << "\n";
      counts.postings += 1;
    }
    counts.entries += 1;
    return Status::success();
  });
  progress.finish();
  out.close();
  if (!status.ok()) {
    std::remove(partial.c_str());
    return status.error();
  }
  if (!out) {
    std::remove(partial.c_str());
    return internal_error(partial + ": write failed");
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) return internal_error(path + ": cannot rename into place");
  return counts;
}

}  // namespace

void add_export_journal(CLI::App& export_command, Action& action) {
  auto* journal = export_command.add_subcommand(
      "journal",
      "Write the ledger's journal entries as a plain-text accounting journal for hledger or ledger-cli\n"
      "(`hledger -f FILE balance` gives the balances of `tripartite report balances`).");
  struct Options {
    std::string db, out;
  };
  auto options = std::make_shared<Options>();
  journal->add_option("--db", options->db, "Ledger file")->required();
  journal->add_option("--out", options->out, "Journal file to write (replaced if it exists)")->required();
  journal->callback([&action, options] {
    action = [options] {
      auto store = open_store(options->db);
      if (!store) return fail(store.error());
      auto counts = export_journal(**store, options->out);
      if (!counts) return fail(counts.error());
      std::cout << "exported " << counts->entries << " journal entries (" << counts->postings << " postings) to "
                << options->out << "\n";
      return 0;
    };
  });
}

}  // namespace tripartite::cli
