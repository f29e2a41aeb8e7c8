// `tripartite init --db PATH`: creates an empty ledger. The genesis record comes with the
// coordinator's first signed batch (an import of the coalition terms, or `keys add`).
#include "cli/common.hpp"

namespace tripartite::cli {

void setup_init(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("init", "Create an empty ledger (a SQLite file).");
  auto db = std::make_shared<std::string>();
  command->add_option("--db", *db, "Path of the ledger file to create (refuses to overwrite)")->required();
  command->callback([&action, db] {
    action = [db] {
      auto store = ledger::open_sqlite_store(*db, ledger::OpenMode::create_new);
      if (!store) return fail(store.error());
      std::cout << "created ledger " << (*store)->ledger_id() << " at " << *db << "\n";
      return 0;
    };
  });
}

}  // namespace tripartite::cli
