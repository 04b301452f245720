// The embedded quantization-aware training loop (docs/training.md) and the post-training
// evaluation API the explorer calls on candidate assignments.
//
// Contract: the library never prints; progress goes to an optional callback. Results are
// deterministic for a given seed and thread count. Bad configuration throws InputError,
// unreadable data DataError, a diverging run DivergenceError (no assignment is produced).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mixq/train/config.hpp"
#include "mixq/train/dataset.hpp"
#include "mixq/train/model.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::train {

// Loss not finite or above TrainConfig::divergence_loss.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

struct Progress {
  std::size_t phase = 0;       // index into TrainConfig::phases
  PhaseKind phase_kind = PhaseKind::kFloat;
  int epoch = 0;               // 1-based within the phase
  int epochs = 0;
  std::int64_t batch = 0;      // 1-based within the epoch
  std::int64_t batches = 0;
  double loss = 0;             // running mean over the epoch so far (task loss)
  double accuracy = 0;         // running training accuracy over the epoch so far
  double elapsed_s = 0;        // since train() started
  double eta_s = 0;            // estimate for the whole run
};
using ProgressFn = std::function<void(const Progress&)>;

struct EpochLog {
  std::size_t phase = 0;
  PhaseKind phase_kind = PhaseKind::kFloat;
  int epoch = 0;
  double lr = 0;               // at the epoch's start
  double train_loss = 0;       // mean task loss
  double train_accuracy = 0;
  double test_accuracy = 0;
  double cost = 0;             // normalized hardware cost (0 without a cost term)
  double avg_weight_bits = 32;
  double avg_activation_bits = 32;
  double seconds = 0;
};

struct TrainResult {
  double test_accuracy = 0;
  // The precision of the last quantized phase (uniform 32 bits after a float-only run).
  workloads::PrecisionAssignment assignment;
  bool quantized = false;
  // Weighted by weight count / by input-activation elements over the weighted layers.
  double avg_weight_bits = 32;
  double avg_activation_bits = 32;
  std::vector<EpochLog> log;
  double train_seconds = 0;    // training only, excluding data loading and evaluation
  double total_seconds = 0;
  int epochs = 0;
  TrainedModel model;
};

// Loads the data (TrainConfig::data_dir) and trains.
[[nodiscard]] TrainResult train(const TrainConfig& config, const ProgressFn& progress = {});
// The same on data already in memory (tests, explorer loops).
[[nodiscard]] TrainResult train(const TrainConfig& config, const Dataset& train_data,
                                const Dataset& test_data, const ProgressFn& progress = {});

struct EvalOptions {
  int threads = 0;           // 0: hardware_concurrency
  std::int64_t batch = 500;
  std::int64_t subset = 0;   // > 0: only the first N samples
};

// Top-1 accuracy of `model` under `assignment`: batch norm folded into the weights, weights
// quantized per precision group and activations per layer with MSE-calibrated steps
// (weights: from the weights themselves; activations: from the model's calibration sample).
// Per-weight (histogram) groups give the most bits to the largest-magnitude weights.
// Costs one quantized forward pass over `data` (about 0.3 s for 10,000 Fashion-MNIST images
// on two cores).
[[nodiscard]] double evaluate_accuracy(const TrainedModel& model,
                                       const workloads::PrecisionAssignment& assignment,
                                       const Dataset& data, const EvalOptions& options = {});
// Full-precision accuracy (batch norm in inference mode).
[[nodiscard]] double evaluate_accuracy(const TrainedModel& model, const Dataset& data,
                                       const EvalOptions& options = {});

// Average bits of an assignment as TrainResult defines them.
[[nodiscard]] double average_weight_bits(const workloads::Network& net,
                                         const workloads::PrecisionAssignment& a);
[[nodiscard]] double average_activation_bits(const workloads::Network& net,
                                             const workloads::PrecisionAssignment& a);

}  // namespace mixq::train
