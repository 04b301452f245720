// `mixq eval --soc`: a network on a multi-accelerator SoC under a placement.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

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

// Prices `workload` on the SoC (overrides apply to the SoC file), printing a per-layer table
// with the engine of each part, or JSON.
int run_soc_eval(const SocEvalOptions& soc, const std::string& workload, const PrecisionOptions& precision,
                 const std::vector<std::string>& overrides, const std::string& objective, bool json);

}  // namespace mixq::cli
