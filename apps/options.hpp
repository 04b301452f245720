// Flags several commands share.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::cli {

// --bits / --assignment / --first-last: how a command gets its PrecisionAssignment.
struct PrecisionOptions {
  std::string bits;
  std::string assignment;
  std::string first_last;

  void add_to(CLI::App* cmd);
  // Uniform w8a8 when neither --bits nor --assignment is given.
  [[nodiscard]] workloads::PrecisionAssignment resolve(const workloads::Network& net) const;
  [[nodiscard]] std::string describe() const;
};

// The cost model of `acc` for the mapper objective named by --objective, after checking that
// `a` runs on it: a layer it cannot run is an InputError naming the workload and the layer.
[[nodiscard]] costmodel::CostModel checked_cost_model(arch::Accelerator acc, const std::string& objective,
                                                      const std::string& workload,
                                                      const workloads::Network& net,
                                                      const workloads::PrecisionAssignment& a);

}  // namespace mixq::cli
