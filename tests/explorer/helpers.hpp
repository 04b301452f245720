// Shared helpers of the explorer tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "mixq/explorer/runner.hpp"
#include "mixq/explorer/sweep.hpp"

namespace mixq::test {

// The acceptance space: fmnist_cnn, per-layer w/a bits in {2, 4, 8} on every weighted layer
// (no first/last rule), 9^4 = 6561 points on one arch.
inline std::string fmnist_sweep(const std::string& strategy, std::int64_t budget,
                                const std::string& extra = "") {
  return "name: fmnist\n"
         "workload: fmnist_cnn\n"
         "hardware: [bitfusion]\n"
         "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
         "accuracy: {source: proxy, base_accuracy: 0.91, drop_at_4bit: 0.01}\n"
         "objectives: [latency, energy, accuracy]\n"
         "strategy: {name: " + strategy + ", budget: " + std::to_string(budget) + extra + "}\n"
         "seed: 7\n";
}

inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mixq_explorer_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace mixq::test
