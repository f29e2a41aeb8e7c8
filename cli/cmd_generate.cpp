// `tripartite generate --farmers N --deliveries-per-farmer K --seed S --out DIR`: a valid,
// deterministic season folder of any size (contracts/generator.hpp), for benchmarks and tests.
#include "cli/common.hpp"
#include "contracts/generator.hpp"

namespace tripartite::cli {

void setup_generate(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand(
      "generate", "Write a generated, valid season folder (season GEN26) of any size; the same seed gives the same files.");
  auto options = std::make_shared<contracts::GeneratorOptions>();
  command->add_option("--farmers", options->farmers, "Number of farmers")->required();
  command->add_option("--deliveries-per-farmer", options->deliveries_per_farmer, "Deliveries per farmer")->required();
  command->add_option("--seed", options->seed, "Seed of the generator")->required();
  command->add_option("--out", options->out, "Folder to write (must not exist or be empty)")->required();
  command->callback([&action, options] {
    action = [options] {
      auto summary = contracts::generate_season(*options);
      if (!summary) return fail(summary.error());
      std::cout << "wrote season GEN26 to " << options->out << ": " << summary->farmers << " farmers, "
                << summary->loans << " loans, " << summary->deliveries << " deliveries\n";
      return 0;
    };
  });
}

}  // namespace tripartite::cli
