// The CLI's subcommands. Each add_* function declares its flags on `app` and stores what to
// run in `action`; main() parses, runs the action and turns errors into exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace mixq::cli {

using Action = std::function<int()>;

void add_list_command(CLI::App& app, Action& action);
void add_workload_commands(CLI::App& app, Action& action);
void add_eval_command(CLI::App& app, Action& action);
void add_arch_commands(CLI::App& app, Action& action);
void add_simulate_command(CLI::App& app, Action& action);
void add_sweep_commands(CLI::App& app, Action& action);  // sweep and plot
void add_train_command(CLI::App& app, Action& action);

}  // namespace mixq::cli
