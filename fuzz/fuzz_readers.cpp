// libFuzzer target for the season-folder readers (issue 4 item 6): every input is written to
// a temporary file and read by each reader in turn — the bare RFC 4180 CsvReader, the five
// row readers (farmers, commitments, loans, deliveries, market prices) and read_coalition —
// so a seed of any kind (a CSV file or a coalition.toml from fixtures/) reaches every parser.
// The row readers resolve references against an InMemoryRegistry holding the reference
// season (fixtures/reference), so mutated rows get past "unknown farmer" into the deeper
// checks (commitment dates, grades, roles, decimals).
//
// Invariants checked beyond "no crash, no sanitizer report": a reader that reports no
// diagnostic hands on only values that satisfy the rules it promises (positive weights and
// principals, moisture in [0, 100), disbursed_on <= due_on, valid ids), and a reader that
// returns true has added no diagnostic. Built only by scripts/fuzz.sh (clang, ASan+UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

#include "contracts/csv.hpp"
#include "contracts/season_reader.hpp"

namespace {

using namespace tripartite;
using namespace tripartite::contracts;

struct Harness {
  InMemoryRegistry registry;
  std::optional<Currency> currency;
  std::string path;
};

Harness* harness = nullptr;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_readers: invariant broken: %s\n", what);
  std::abort();
}

void expect(bool condition, const char* what) {
  if (!condition) broken(what);
}

// Reads the reference season into the registry the row readers resolve against.
Harness* make_harness() {
  auto* h = new Harness();
  const std::string reference = std::string(TRIPARTITE_SOURCE_DIR) + "/fixtures/reference";
  Diagnostics diagnostics;
  SeasonFolder folder = read_season_folder(reference, diagnostics);
  if (!diagnostics.empty() || !folder.terms) {
    std::fprintf(stderr, "fuzz_readers: cannot read %s\n", reference.c_str());
    std::abort();
  }
  h->registry.add_terms(*folder.terms);
  for (const auto& farmer : folder.farmers) h->registry.add_farmer(farmer);
  for (const auto& commitment : folder.commitments) h->registry.add_commitment(commitment);
  h->currency = folder.terms->currency;
  const char* directory = std::getenv("TMPDIR");
  h->path = std::string(directory != nullptr ? directory : "/tmp") + "/fuzz_readers." + std::to_string(getpid());
  return h;
}

// Runs one reader and checks that its verdict agrees with the diagnostics it added.
template <class Read>
void run(Read read) {
  Diagnostics diagnostics;
  const bool clean = read(diagnostics);
  expect(clean == diagnostics.empty(), "a reader's verdict disagrees with its diagnostics");
  for (const auto& diagnostic : diagnostics) expect(!diagnostic.format().empty(), "an empty diagnostic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (harness == nullptr) harness = make_harness();
  {
    std::ofstream out(harness->path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) broken("cannot write the temporary input file");
  }
  const std::string& path = harness->path;
  const ReadContext context{&harness->registry, harness->currency};

  // The bare CSV reader over a small header (only rows of that shape get through).
  run([&](Diagnostics& diagnostics) {
    FileDiagnostics file("input.csv", diagnostics);
    auto reader = CsvReader::open(path, {"a", "b"}, {"c"}, file);
    if (!reader) return false;
    CsvRow row;
    while (reader->next(row, file)) {
      expect(row.line() >= 2, "a record before the header");
      (void)row.get("a");
      (void)row.get("b");
      expect(row.has("c") || row.get("c").empty(), "an absent column with a value");
    }
    file.finish();
    return file.count() == 0;
  });
  run([&](Diagnostics& diagnostics) {
    return read_farmers(path, context, diagnostics, [](const Farmer& farmer, int line) {
      expect(line >= 2 && is_valid_id(farmer.id.value), "a farmer row handed on with a bad id");
      expect(farmer.payout_method == PayoutMethod::cash || !farmer.payout_account.empty(),
             "a farmer without a payout account");
    });
  });
  run([&](Diagnostics& diagnostics) {
    return read_commitments(path, context, diagnostics, [](const Commitment& commitment, int line) {
      expect(line >= 2 && commitment.quantity.grams > 0, "a commitment without a positive quantity");
    });
  });
  run([&](Diagnostics& diagnostics) {
    return read_loans(path, context, diagnostics, [](const Loan& loan, int line) {
      expect(line >= 2 && loan.principal_minor > 0, "a loan without a positive principal");
      expect(loan.disbursed_on <= loan.due_on, "a loan due before it is disbursed");
    });
  });
  run([&](Diagnostics& diagnostics) {
    return read_deliveries(path, context, diagnostics, [](const Delivery& delivery, int line) {
      expect(line >= 2 && delivery.weight.grams > 0, "a delivery without a positive weight");
      if (delivery.moisture_pct) {
        expect(!delivery.moisture_pct->is_negative() && *delivery.moisture_pct < Decimal{100, 0},
               "a moisture outside [0, 100)");
      }
    });
  });
  run([&](Diagnostics& diagnostics) {
    return read_market_prices(path, diagnostics, [](const MarketPrice& price, int line) {
      expect(line >= 2 && price.price_per_kg > Decimal{0, 0}, "a market price that is not positive");
    });
  });
  run([&](Diagnostics& diagnostics) {
    auto terms = read_coalition(path, diagnostics, &harness->registry);
    if (terms) {
      int offtakers = 0;
      for (const auto& party : terms->parties) offtakers += party.role == Role::offtaker ? 1 : 0;
      expect(offtakers == 1, "terms without exactly one off-taker");
    }
    return terms.ok();
  });
  return 0;
}
