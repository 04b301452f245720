// What a training run does: the phases, the optimizer and schedule, the quantizers, the
// hardware-aware loss. docs/training.md explains every field and its default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mixq/workloads/precision.hpp"

namespace mixq::train {

// The multi-phase schedule of learned-precision training (seed 000's code: pretrain, learn
// precision, fine-tune at frozen precision):
//  - kFloat: full precision, no quantizer;
//  - kFixedBits: LSQ fake quantization at the fixed assignment (TrainConfig::bits...);
//  - kLearnBits: bits are learned per PrecisionAssignment group under the hardware-aware
//    loss (Uhlich et al.'s (step, range) parametrization, see quantizer.hpp);
//  - kFrozen: the learned bits rounded to integers and frozen, LSQ fine-tune.
enum class PhaseKind { kFloat, kFixedBits, kLearnBits, kFrozen };
[[nodiscard]] std::string_view to_string(PhaseKind k) noexcept;

struct Phase {
  PhaseKind kind = PhaseKind::kFloat;
  int epochs = 1;
  double lr = 1e-3;  // peak learning rate of this phase (the schedule restarts per phase)
};

enum class OptimizerKind { kSgd, kAdam };
enum class Schedule { kConstant, kCosine, kStep };
// Gradient modification of round() in the straight-through estimator (notes: EWGS, Lee et
// al. CVPR 2021; inverse-tanh form of seed 000; PSG, Kim et al. NeurIPS 2020).
enum class GradMod { kNone, kEwgs, kAtanh, kPsg };
// Cost of the hardware-aware loss (see hw_cost.hpp).
enum class CostKind { kNone, kMemory, kBops, kEbops, kLatency, kEnergy };
[[nodiscard]] std::string_view to_string(CostKind k) noexcept;
// "none", "memory", "bops", "ebops", "latency", "energy"; false otherwise.
[[nodiscard]] bool parse_cost_kind(std::string_view text, CostKind& out) noexcept;

struct QuantizerConfig {
  // Fixed-bit phases: every weighted layer at `bits`, the first and last weighted layers at
  // `first_last` when given; `assignment`, when given, overrides both.
  workloads::Bits bits{4, 4};
  std::optional<workloads::Bits> first_last = workloads::Bits{8, 8};
  std::optional<workloads::PrecisionAssignment> assignment;

  // Learned-bit phase: the granularity of the weight-bit parameters (activations are
  // learned per layer: one tensor feeds every output channel) and the bit range.
  workloads::Granularity granularity = workloads::Granularity::kLayer;
  int channel_group_size = 8;  // for kChannelGroup
  int min_bits = 2;
  int max_bits = 8;
  // Quantizer parameters (log steps, log ranges) learn at this multiple of the phase's lr,
  // and the ranges of the learned-bit phase (which carry the bits: Δb ≈ Δlog(range)/ln 2)
  // at a further `range_lr_scale`, so that bits can move by whole steps within a phase.
  double quantizer_lr_scale = 1.0;
  double range_lr_scale = 10.0;

  GradMod weight_grad_mod = GradMod::kEwgs;
  GradMod act_grad_mod = GradMod::kEwgs;
  double grad_mod_delta = 5e-3;  // δ of the notes (seed 000's configs)
};

struct CostConfig {
  CostKind kind = CostKind::kNone;
  double beta = 0;            // loss = task + beta · cost / cost(uniform 8 bits)
  std::string arch;           // preset or file, for kLatency and kEnergy
  std::vector<std::string> arch_overrides;
};

struct TrainConfig {
  std::string workload = "fmnist_cnn";  // zoo name or YAML file; its batch N is ignored
  std::vector<Phase> phases{{PhaseKind::kFloat, 15, 1e-3}};
  int batch = 128;
  // Each worker processes its share of a batch in passes of this many samples (gradients
  // add up, so the batch is unchanged); small passes keep activations in cache. Batch norm
  // normalizes over one pass ("ghost" batch norm).
  int micro_batch = 16;
  OptimizerKind optimizer = OptimizerKind::kAdam;
  double momentum = 0.9;      // SGD
  double weight_decay = 0;    // L2 on weights (not biases, batch norm or quantizers)
  Schedule schedule = Schedule::kCosine;
  double step_gamma = 0.1;    // kStep: lr × gamma at 50% and 75% of each phase
  QuantizerConfig quant;
  CostConfig cost;
  // Start from these weights (a model file of the same workload, e.g. a float run's
  // model.bin) instead of a random initialization; a sweep then skips the float phase.
  std::filesystem::path init_model;
  std::uint64_t seed = 1;
  int threads = 0;            // 0: std::thread::hardware_concurrency()
  std::filesystem::path data_dir;  // empty: default_fashion_mnist_dir()
  std::int64_t train_subset = 0;   // > 0: only the first N training images
  std::int64_t test_subset = 0;    // > 0: only the first N test images
  // Stop with DivergenceError when the mean batch loss exceeds this or is not finite.
  double divergence_loss = 50;
};

}  // namespace mixq::train
