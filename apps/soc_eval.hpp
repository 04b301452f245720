// `mixq eval --soc`: a network on a multi-accelerator SoC under a placement.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/network.hpp"
#include "options.hpp"

namespace mixq::cli {

struct SocEvalOptions {
  std::string soc;
  std::string placement = "auto";
  std::string schedule = "sequential";
  std::string save_placement;
  bool no_split = false;

  // Adds --soc, --placement, --schedule, --save-placement, --no-split; returns --soc.
  CLI::Option* add_to(CLI::App* cmd);
};

// The placement the options ask for: `auto` searches one for the schedule (splits unless
// --no-split), a file is loaded and checked; --save-placement writes it. `name` says which
// (for the report). Infeasible layers are InputErrors located at the workload.
costmodel::Placement resolve_placement(const SocEvalOptions& opts, const costmodel::SocModel& model,
                                       const workloads::Network& net, const workloads::PrecisionAssignment& a,
                                       const std::string& workload, costmodel::Schedule schedule,
                                       std::string& name);

// Prices `workload` on the SoC (overrides apply to the SoC file), printing a per-layer table
// with the engine of each part, or JSON.
int run_soc_eval(const SocEvalOptions& soc, const std::string& workload, const PrecisionOptions& precision,
                 const std::vector<std::string>& overrides, const std::string& objective, bool json);

}  // namespace mixq::cli
