// Shared helpers of the explorer tests.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "expect_error.hpp"
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

// The whole file, bytes as they are.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a sweep given as text: in memory, or journaled and resumable in `out` when given.
inline explorer::SweepResult run_text(const std::string& text, int threads = 1,
                                      const std::filesystem::path& out = {}, bool resume = false) {
  explorer::RunOptions opt;
  opt.threads = threads;
  opt.out_dir = out;
  opt.resume = resume;
  return explorer::run_sweep(explorer::load_sweep_string(text, "sweep.yaml"), opt);
}

// The InputError a sweep text raises (fails the test when it parses).
inline InputError reject(const std::string& text) {
  return input_error_of([&] { return explorer::load_sweep_string(text, "bad.yaml"); }, text);
}

}  // namespace mixq::test
