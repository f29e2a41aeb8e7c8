// A deterministic generator of valid season folders at any size, for benchmarks and
// property tests: several lenders and loan products (declining and flat, three day counts),
// every deduction kind, grades, measured and unmeasured moisture, agents and direct
// deliveries, and loans that end fully, partly and not repaid.
//
// Invariants: the same (farmers, deliveries per farmer, seed) always gives byte-identical
// files; every generated folder imports without a diagnostic. Writing streams: memory does
// not grow with the number of farmers.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/result.hpp"

namespace tripartite::contracts {

struct GeneratorOptions {
  std::uint64_t farmers = 1000;
  std::uint64_t deliveries_per_farmer = 10;
  std::uint64_t seed = 1;
  std::string out;  // folder to create (must not exist or be empty)
};

struct GeneratorSummary {
  std::uint64_t farmers = 0;
  std::uint64_t loans = 0;
  std::uint64_t deliveries = 0;
};

Result<GeneratorSummary> generate_season(const GeneratorOptions& options);

}  // namespace tripartite::contracts
