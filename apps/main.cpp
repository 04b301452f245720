// mixq: the command-line front end. It parses flags and calls the library; nothing else.
#include <iostream>

#include "commands.hpp"
#include "mixq/common/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mixq: hardware cost model and design-space explorer for mixed-precision "
               "quantized neural networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mixq 0.1.0");
  mixq::cli::Action action;
  mixq::cli::add_list_command(app, action);
  mixq::cli::add_workload_commands(app, action);
  mixq::cli::add_arch_commands(app, action);
  mixq::cli::add_eval_command(app, action);
  mixq::cli::add_simulate_command(app, action);
  mixq::cli::add_sweep_commands(app, action);
  mixq::cli::add_train_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // Exit codes: 0 success, 1 internal failure, 2 bad input (file, key, value).
  try {
    return action ? action() : 0;
  } catch (const mixq::InputError& e) {
    std::cerr << "mixq: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mixq: error: " << e.what() << '\n';
    return 1;
  }
}
