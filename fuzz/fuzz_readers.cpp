// libFuzzer target for the season-folder readers (issue 4 item 6): every input is written to
// a temporary file and read by the bare RFC 4180 CsvReader (asked for the columns of the
// input's own first line, so that every record reaches the tokenizer), by read_coalition, and
// by the row readers (farmers, commitments, loans, deliveries, market prices) whose key
// column the first line names — all five when it names none. A seed of any kind (a CSV file
// or a coalition.toml from fixtures/) thus reaches every parser.
// The row readers resolve references against an InMemoryRegistry holding the reference
// season (fixtures/reference), so mutated rows get past "unknown farmer" into the deeper
// checks (commitment dates, grades, roles, decimals).
//
// Invariants checked beyond "no crash, no sanitizer report": a reader that reports no
// diagnostic hands on only values that satisfy the rules it promises (positive weights and
// principals, moisture in [0, 100), disbursed_on <= due_on, valid ids), and a reader that
// returns true has added no diagnostic. Built only by scripts/fuzz.sh (clang, ASan+UBSan).
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

  // The first line, split naively on commas: the header the bare reader is asked for, and
  // what picks the row readers to run (all of them when it names none).
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string_view first_line = bytes.substr(0, bytes.find('\n'));
  if (first_line.rfind("\xEF\xBB\xBF", 0) == 0) first_line.remove_prefix(3);
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  std::vector<std::string> columns;
  for (std::size_t start = 0; columns.size() < 64;) {
    const std::size_t comma = first_line.find(',', start);
    columns.emplace_back(
        first_line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto names = [&](std::string_view column) { return first_line.find(column) != std::string_view::npos; };
  const bool farmers = names("payout_method"), commitments = names("commitment_id"), loans = names("loan_id"),
             deliveries = names("delivery_id"), prices = names("price_per_kg");
  const bool all = !(farmers || commitments || loans || deliveries || prices);

  // The bare RFC 4180 reader over the file's own header: every record goes through the tokenizer.
  run([&](Diagnostics& diagnostics) {
    FileDiagnostics file("input.csv", diagnostics);
    auto reader = CsvReader::open(path, columns, {}, file);
    if (!reader) {
      file.finish();
      return file.count() == 0;
    }
    CsvRow row;
    int previous_line = 1;
    while (reader->next(row, file)) {
      expect(row.line() > previous_line, "records out of line order");
      previous_line = row.line();
      std::size_t total = 0;
      for (const auto& column : columns) {
        expect(row.has(column), "a header column missing from a record");
        total += row.get(column).size();
      }
      expect(total <= kMaximumRecordBytes, "a record longer than the limit handed on");
    }
    file.finish();
    return file.count() == 0;
  });
  if (all || farmers)
    run([&](Diagnostics& diagnostics) {
      return read_farmers(path, context, diagnostics, [](const Farmer& farmer, int line) {
        expect(line >= 2 && is_valid_id(farmer.id.value), "a farmer row handed on with a bad id");
        expect(farmer.payout_method == PayoutMethod::cash || !farmer.payout_account.empty(),
               "a farmer without a payout account");
      });
    });
  if (all || commitments)
    run([&](Diagnostics& diagnostics) {
      return read_commitments(path, context, diagnostics, [](const Commitment& commitment, int line) {
        expect(line >= 2 && commitment.quantity.grams > 0, "a commitment without a positive quantity");
      });
    });
  if (all || loans)
    run([&](Diagnostics& diagnostics) {
      return read_loans(path, context, diagnostics, [](const Loan& loan, int line) {
        expect(line >= 2 && loan.principal_minor > 0, "a loan without a positive principal");
        expect(loan.disbursed_on <= loan.due_on, "a loan due before it is disbursed");
      });
    });
  if (all || deliveries)
    run([&](Diagnostics& diagnostics) {
      return read_deliveries(path, context, diagnostics, [](const Delivery& delivery, int line) {
        expect(line >= 2 && delivery.weight.grams > 0, "a delivery without a positive weight");
        if (delivery.moisture_pct) {
          expect(!delivery.moisture_pct->is_negative() && *delivery.moisture_pct < Decimal{100, 0},
                 "a moisture outside [0, 100)");
        }
      });
    });
  if (all || prices)
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
