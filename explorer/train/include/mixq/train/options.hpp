// The options of one training run as users give them — `mixq train`'s flags and the Python
// module's `train(...)` keywords — and the TrainConfig they stand for, so that both front
// ends build the same phases from the same options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mixq/train/config.hpp"

namespace mixq::train {

struct RunOptions {
  std::string workload = "fmnist_cnn";
  std::string bits;                 // "w4a4": float → LSQ phases; empty: float only
  std::string first_last = "w8a8";  // or "same" (the first and last layers take `bits`)
  bool learn_bits = false;          // float → LSQ at bits → learned → frozen fine-tune
  std::string granularity = "layer";  // layer, channel_group or channel
  int group_size = 8;
  std::string cost = "none";        // none, memory, bops, ebops, latency, energy
  std::string arch;
  std::vector<std::string> overrides;
  double beta = 0;
  std::optional<int> epochs;        // of the main phase (float, LSQ or learned)
  std::optional<int> fp_epochs;     // default 15, or 0 when starting from `init`
  int qat_epochs = 8, learn_epochs = 8, finetune_epochs = 4;
  double lr = 1e-3, qat_lr = 5e-4, finetune_lr = 2e-4;
  int batch = 128, micro_batch = 16, min_bits = 2, max_bits = 8;
  std::string optimizer = "adam";   // adam or sgd
  std::uint64_t seed = 1;
  int threads = 0;
  std::string data, init;
  std::int64_t train_subset = 0, test_subset = 0;
  // How errors name the bits options (the CLI says "--bits", Python "bits").
  std::string bits_key = "--bits", first_last_key = "--first-last";
};

// Phases of zero epochs are dropped, except that a run keeps at least one. Throws
// InputError for unparsable bits; the choices (granularity, cost, optimizer) are the
// caller's to check, as each front end reports them in its own terms.
[[nodiscard]] TrainConfig config_from(const RunOptions& o);

}  // namespace mixq::train
