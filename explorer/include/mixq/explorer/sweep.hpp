// A sweep file (docs/sweep-format.md): the design space (workload × hardware variants ×
// per-layer precision), where accuracy comes from, the search strategy and its budget, the
// objectives. Parsed and validated completely before any work starts: every error names the
// file, line and key path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mixq/common/yaml.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/explorer/objective.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::explorer {

// One entry of `hardware:`: a preset (or file) with fixed overrides and the keys to vary.
// Its variants are the Cartesian product of the `vary` lists, in file order (last key fastest).
struct HardwareSpec {
  std::string arch;
  std::vector<std::string> set;  // "key.path=value", as `mixq eval --set`
  std::vector<std::pair<std::string, std::vector<std::string>>> vary;
  SourceLocation where;
};

struct LayerBitsOverride {
  std::string layer;
  std::vector<int> w_bits;
  std::vector<int> a_bits;
  SourceLocation where;
};

struct PrecisionSpec {
  // kLayer: one weight gene per free layer; kChannel: one weight gene per `channel_group`
  // output channels (kernels) of each free layer (docs/sweep-format.md, "Channel granularity").
  workloads::Granularity granularity = workloads::Granularity::kLayer;
  int channel_group = 1;
  SourceLocation granularity_where;
  std::vector<int> w_bits{2, 4, 8};  // allowed, ascending, unique
  std::vector<int> a_bits{2, 4, 8};
  std::optional<int> first_last_bits = 8;  // first and last weighted layers fixed (w and a)
  std::vector<LayerBitsOverride> layers;
};

enum class AccuracyKind { kNone, kProxy, kPtq, kQat };

struct ProxySpec {
  double base_accuracy = 0.9;  // the full-precision (all 8-bit) accuracy the drop applies to
  double drop_at_4bit = 0.01;  // relative drop of the uniform 4-bit network (see proxy_accuracy.hpp)
  // Per-layer sensitivities {layer: {w: s_w, a: s_a}} from a file; empty: computed by mixq.
  std::map<std::string, std::pair<double, double>> sensitivities;
  std::string sensitivity_file;
};

// ptq and qat: a model trained with mixq::train (docs/training.md), evaluated (ptq) or
// fine-tuned at fixed bits and evaluated (qat) under each assignment, on Fashion-MNIST.
struct TrainingSpec {
  std::string model;            // a `mixq train` model file; empty: train a float model first
  int float_epochs = 2;         // float pretraining when no model is given
  int qat_epochs = 1;           // qat: fixed-bit fine-tune per assignment
  double lr = 1e-3;             // qat fine-tune learning rate
  std::int64_t train_subset = 10000;  // training images (0: all)
  std::int64_t eval_subset = 2000;    // test images each assignment is scored on (0: all)
  std::string data_dir;         // empty: Debian's dataset-fashion-mnist
};

struct AccuracySpec {
  AccuracyKind kind = AccuracyKind::kNone;
  ProxySpec proxy;
  TrainingSpec training;
  SourceLocation where;
};

struct StrategySpec {
  std::string name;
  std::int64_t budget = 0;  // evaluations at most
  std::optional<yaml::Node> params;  // the whole `strategy:` map; each strategy reads its own keys
};

struct ComparisonRun;

// A comparison's hardware budget (`budget:`): a point is within it when its `objective`
// (a minimized cost among the sweep's objectives) is at most `fraction_of_w8a8` times that
// of the network at w8a8 everywhere on the same hardware variant.
struct ComparisonBudget {
  ObjectiveKind objective = ObjectiveKind::kLatency;
  double fraction_of_w8a8 = 1;
  SourceLocation where;
};

// A comparison's fine-tune post-pass (`finetune:`): the best within-budget point of each
// strategy fine-tuned at its bits (LSQ, as the qat accuracy source) and evaluated.
struct FinetuneSpec {
  int epochs = 1;
  double lr = 1e-3;
};

struct SweepSpec {
  std::string name;
  std::string file;         // where it was read from ("" for a string)
  std::string text;         // the document after --set overrides, for reports
  // `workload:` is one network or a list; a list runs one sweep per network (for_workload),
  // each with its own journal, front and report. `workload` is the one run_sweep searches.
  std::vector<std::string> workloads;
  std::string workload;
  std::vector<HardwareSpec> hardware;
  PrecisionSpec precision;
  AccuracySpec accuracy;
  StrategySpec strategy;
  std::vector<ObjectiveKind> objectives;
  // Hypervolume reference point, per objective in natural units; unset entries default to
  // the worst value seen plus 10 % of the range (see pareto.hpp).
  std::vector<std::optional<double>> reference;
  costmodel::Objective mapper_objective = costmodel::Objective::kLatency;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: every hardware thread
  // `strategies:` (docs/sweep-format.md, "Comparing strategies"): one run per entry, each a
  // complete single-strategy sweep (same space, accuracy source, objectives and seed; its own
  // strategy and optionally its own precision keys). Empty for a single-strategy sweep, whose
  // `strategy` is then set; `strategy.name` is empty for a comparison.
  std::vector<ComparisonRun> comparison;
  std::optional<ComparisonBudget> budget;      // comparisons only
  std::optional<FinetuneSpec> finetune;        // comparisons only
};

struct ComparisonRun {
  std::string label;  // unique; the run's subfolder
  SweepSpec spec;     // its `text` is the equivalent single-strategy sweep file
};

// Parse a sweep document; `overrides` are `--set key.path=value` applied to the document
// before validation. Throws InputError (file, line, key path) on anything invalid: unknown
// keys, unknown strategy or objective, an empty range, an objective no source produces.
[[nodiscard]] SweepSpec parse_sweep(const yaml::Node& root);
[[nodiscard]] SweepSpec load_sweep(const std::filesystem::path& file,
                                   const std::vector<std::string>& overrides = {});
[[nodiscard]] SweepSpec load_sweep_string(const std::string& text, const std::string& name,
                                          const std::vector<std::string>& overrides = {});

// The sweep restricted to workloads[i] (what run_sweep runs).
[[nodiscard]] SweepSpec for_workload(const SweepSpec& spec, std::size_t i);

// True when this build can run accuracy sources that train or evaluate a network.
[[nodiscard]] bool training_available() noexcept;

}  // namespace mixq::explorer
