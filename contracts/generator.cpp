// Generated season folders. See generator.hpp.
#include "contracts/generator.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace tripartite::contracts {
namespace {

// SplitMix64: tiny, fast and fully specified, so the output is the same on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [low, high].
  std::uint64_t between(std::uint64_t low, std::uint64_t high) { return low + next() % (high - low + 1); }
  bool chance(unsigned percent) { return next() % 100 < percent; }

 private:
  std::uint64_t state_;
};

constexpr std::uint64_t kAgents = 40;

std::string padded(const char* prefix, std::uint64_t number, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%0*llu", prefix, width, static_cast<unsigned long long>(number));
  return buffer;
}

// Three decimals from an integer count of thousandths.
std::string thousandths(std::uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%llu.%03llu", static_cast<unsigned long long>(value / 1000),
                static_cast<unsigned long long>(value % 1000));
  return buffer;
}

std::string date_in_2026(unsigned month, unsigned day) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "2026-%02u-%02u", month, day);
  return buffer;
}

const char* kCoalition = R"toml(# Generated season: maize, KES, one off-taker, two banks, every deduction kind.
[season]
id = "GEN26"
currency = "KES"
commodity = "maize"

[[party]]
id = "COAL"
role = "coordinator"
name = "Generated Coalition Secretariat"

[[party]]
id = "OT1"
role = "offtaker"
name = "Generated Grain Millers"

[[party]]
id = "BANK1"
role = "lender"
name = "First Generated Bank"

[[party]]
id = "BANK2"
role = "lender"
name = "Second Generated Microfinance"

[[party]]
id = "SUP1"
role = "input_supplier"
name = "Generated Agro Inputs"

[[party]]
id = "TRN1"
role = "service_provider"
name = "Generated Training Institute"

[[party]]
id = "CESS"
role = "authority"
name = "County Produce Cess"

[[party]]
id = "MKT"
role = "authority"
name = "Market Development Levy"
)toml";

const char* kTerms = R"toml(
[price]
method = "fixed"
base_per_kg = "38.50"
moisture_target_pct = "13.5"
[price.grade]
A = "1.05"
B = "1.00"
C = "0.90"

[[loan_product]]
id = "INPUT-DECL"
annual_rate = "0.18"
method = "declining"
day_count = "ACT/365F"
origination_fee = "0.02"

[[loan_product]]
id = "INPUT-FLAT"
annual_rate = "0.12"
method = "flat"
day_count = "30/360"
origination_fee = "0.015"

[[loan_product]]
id = "CASH-360"
annual_rate = "0.24"
method = "declining"
day_count = "ACT/360"
origination_fee = "0"

[[deduction]]
kind = "levy"
to = "CESS"
rate = "0.01"

[[deduction]]
kind = "coalition_fee"
rate = "0.02"
shares = { SUP1 = "0.40", TRN1 = "0.35", COAL = "0.25" }

[[deduction]]
kind = "agent_commission"
per_kg = "0.50"

[[deduction]]
kind = "loan_repayment"
max_share_of_gross = "0.70"

[[deduction]]
kind = "levy"
to = "MKT"
rate = "0.005"
)toml";

}  // namespace

Result<GeneratorSummary> generate_season(const GeneratorOptions& options) {
  namespace fs = std::filesystem;
  if (options.farmers == 0 || options.farmers > 99999999) return invalid("--farmers must be 1..99999999");
  if (options.deliveries_per_farmer > 1000) return invalid("--deliveries-per-farmer must be 0..1000");
  std::error_code error;
  if (fs::exists(options.out, error) && !fs::is_empty(options.out, error)) {
    return invalid(options.out + ": exists and is not empty");
  }
  fs::create_directories(options.out, error);
  if (error) return invalid(options.out + ": " + error.message());
  const fs::path out(options.out);
  auto open = [&](const char* name) {
    std::ofstream file(out / name, std::ios::binary | std::ios::trunc);
    return file;
  };

  std::ofstream coalition = open("coalition.toml");
  coalition << kCoalition;
  for (std::uint64_t a = 1; a <= kAgents; ++a) {
    coalition << "\n[[party]]\nid = \"" << padded("AG", a, 3) << "\"\nrole = \"agent\"\nname = \"Agent "
              << a << "\"\n";
  }
  coalition << kTerms;
  coalition.close();

  std::ofstream farmers = open("farmers.csv");
  std::ofstream commitments = open("commitments.csv");
  std::ofstream loans = open("loans.csv");
  std::ofstream deliveries = open("deliveries.csv");
  farmers << "farmer_id,name,group_id,phone,payout_method,payout_account\n";
  commitments << "commitment_id,farmer_id,offtaker_id,quantity_kg,signed_on\n";
  loans << "loan_id,farmer_id,lender_id,product_id,principal,disbursed_on,due_on,paid_to\n";
  deliveries << "delivery_id,farmer_id,offtaker_id,grade,weight_kg,moisture_pct,delivered_on,agent_id\n";

  Random random(options.seed);
  GeneratorSummary summary;
  std::uint64_t delivery_number = 0;
  std::uint64_t loan_number = 0;
  static constexpr std::array<const char*, 3> kGrades{"A", "B", "C"};
  static constexpr std::array<const char*, 3> kProducts{"INPUT-DECL", "INPUT-FLAT", "CASH-360"};
  for (std::uint64_t f = 1; f <= options.farmers; ++f) {
    const std::string farmer = padded("F", f, 8);
    const std::string phone = "+2547" + padded("", 10000000 + f % 89999999, 8);
    const unsigned method = static_cast<unsigned>(random.next() % 10);
    const char* payout = method < 7 ? "mobile_money" : method < 9 ? "bank" : "cash";
    std::string account = method < 7 ? phone : method < 9 ? "BANK1-" + padded("", f, 9) : "";
    farmers << farmer << ",Farmer " << f << ",G" << (f % 5000) << "," << phone << "," << payout << "," << account
            << "\n";
    commitments << padded("C", f, 8) << "," << farmer << ",OT1," << thousandths(random.between(500, 5000) * 1000)
                << "," << date_in_2026(2, static_cast<unsigned>(random.between(1, 28))) << "\n";
    // Expected gross ~ deliveries × 600 kg × 38.5: loans sized so some are fully, some partly
    // and some not repaid (a farmer without deliveries leaves its loans untouched).
    const unsigned loan_count = random.chance(60) ? (random.chance(25) ? 2 : 1) : 0;
    for (unsigned l = 0; l < loan_count; ++l) {
      ++loan_number;
      const char* lender = (l == 0) == (f % 3 != 0) ? "BANK1" : "BANK2";
      const char* product = kProducts[random.next() % kProducts.size()];
      const std::uint64_t principal_shillings = random.between(2000, 20000 * (options.deliveries_per_farmer + 1));
      const unsigned disbursed_month = static_cast<unsigned>(random.between(3, 5));
      const bool to_supplier = random.chance(50);
      loans << padded("L", loan_number, 9) << "," << farmer << "," << lender << "," << product << ","
            << principal_shillings << ".00," << date_in_2026(disbursed_month, static_cast<unsigned>(random.between(1, 28)))
            << "," << date_in_2026(static_cast<unsigned>(random.between(9, 11)), 30) << ","
            << (to_supplier ? "SUP1" : "") << "\n";
      summary.loans += 1;
    }
    for (std::uint64_t d = 0; d < options.deliveries_per_farmer; ++d) {
      ++delivery_number;
      const std::uint64_t weight_grams = random.between(50000, 1500000);
      const bool measured = random.chance(90);
      const std::uint64_t moisture = random.between(11000, 16500);
      const bool via_agent = random.chance(70);
      deliveries << padded("D", delivery_number, 10) << "," << farmer << ",OT1," << kGrades[random.next() % 3] << ","
                 << thousandths(weight_grams) << "," << (measured ? thousandths(moisture) : std::string()) << ","
                 << date_in_2026(static_cast<unsigned>(random.between(7, 10)), static_cast<unsigned>(random.between(1, 28)))
                 << "," << (via_agent ? padded("AG", random.between(1, kAgents), 3) : std::string()) << "\n";
    }
    summary.deliveries += options.deliveries_per_farmer;
    summary.farmers += 1;
  }
  for (std::ofstream* file : {&farmers, &commitments, &loans, &deliveries}) {
    file->close();
    if (!*file) return internal_error(options.out + ": write failed");
  }
  return summary;
}

}  // namespace tripartite::contracts
