// Flags several commands share.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

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

}  // namespace mixq::cli
