// Runs a sweep: builds the space, the accuracy source and the strategy (all validation
// first, before any evaluation), then asks the strategy for batches, evaluates each batch on
// `threads` threads, appends it to the journal (durable) and tells the strategy. Results are
// deterministic for a seed whatever the thread count: batches depend only on the strategy's
// state, and each point's evaluation is pure.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "mixq/explorer/results.hpp"
#include "mixq/explorer/sweep.hpp"

namespace mixq::explorer {

class TrainedBase;  // mixq/explorer/training_accuracy.hpp

struct Progress {
  std::int64_t evaluated = 0;  // points done, resumed ones included
  std::int64_t budget = 0;
  std::int64_t resumed = 0;
  std::size_t front_size = 0;  // feasible non-dominated points so far
  double seconds = 0;          // since the search loop started (setup and replay excluded)
};

struct RunOptions {
  int threads = 0;                  // 0: the sweep's `threads`, whose 0 means all cores
  std::filesystem::path out_dir;    // journal.txt goes here; empty: no journal
  bool resume = false;
  std::function<void(const Progress&)> on_progress;  // after each batch, on the caller's thread
  std::size_t max_batch = 16384;    // largest batch asked of a strategy (one fsync each)
  // The ptq/qat sources' float model and data, when the caller already has them (a
  // comparison shares one between its runs); null: built from the sweep. It must have been
  // built from the same workload, training settings and seed.
  std::shared_ptr<const TrainedBase> trained_base;
};

// A single-strategy sweep; a comparison (`strategies:`) is run by run_comparison
// (comparison.hpp), and passing one here is an Error.
[[nodiscard]] SweepResult run_sweep(const SweepSpec& spec, const RunOptions& options);

// The threads a run uses: options, then the sweep, then std::thread::hardware_concurrency.
[[nodiscard]] int resolve_threads(const SweepSpec& spec, const RunOptions& options) noexcept;

}  // namespace mixq::explorer
