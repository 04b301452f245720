// A comparison of strategies (`strategies:` in a sweep file, docs/sweep-format.md "Comparing
// strategies"): every entry runs as its own single-strategy sweep — the same space, accuracy
// source, objectives and seed, its own journal in OUT/LABEL (so --resume works per strategy) —
// and the runs are then set side by side at one hardware budget:
//
//  - evaluations and wall time of each run;
//  - the best accuracy among its points within `budget:` (cost ≤ fraction × the cost of w8a8
//    everywhere on the point's hardware variant), and that point's bits and cost;
//  - optionally that point fine-tuned at its bits (`finetune:`, LSQ as the qat source);
//  - front size and hypervolume, every run against one common reference point (the sweep's
//    `reference:`, else the default reference of all runs' points together), so that the
//    hypervolumes compare.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mixq/explorer/results.hpp"
#include "mixq/explorer/runner.hpp"

namespace mixq::explorer {

struct ComparisonRow {
  std::string label;
  std::string strategy;
  std::string granularity;          // "layer", "channel" or "channel/G"
  std::int64_t evaluations = 0;
  double seconds = 0;               // the run's wall time (setup included)
  std::size_t front_size = 0;
  double hypervolume = 0;           // against ComparisonResult::reference
  std::int64_t within_budget = 0;   // feasible points within the budget
  std::optional<std::size_t> best;  // index into the run's points: best accuracy within budget
  double best_accuracy = 0;
  double best_cost = 0;             // budget objective, natural units
  double best_fraction = 0;         // best_cost / the w8a8 cost of its variant
  std::string best_bits;            // per weighted layer, e.g. "conv1:w8a8 conv2:w{8x4,24x2}a2"
  std::optional<double> finetuned_accuracy;
};

struct ComparisonResult {
  std::string name;
  std::string workload;
  std::string config_text;
  std::vector<ObjectiveKind> objectives;
  std::vector<std::string> hardware;       // variant labels (genome[0])
  std::optional<ComparisonBudget> budget;
  std::vector<double> w8a8_cost;           // budget objective at w8a8, per variant
  std::optional<FinetuneSpec> finetune;
  std::vector<double> reference;           // common hypervolume reference, natural units
  std::vector<SweepResult> runs;           // parallel to rows
  std::vector<ComparisonRow> rows;
  double seconds = 0;
};

struct ComparisonCallbacks {
  std::function<void(const ComparisonRun&)> on_start;
  std::function<void(const ComparisonRun&, const SweepResult&)> on_done;
};

// Runs every entry of a comparison (spec.comparison non-empty) with `options` (each run's
// journal in options.out_dir / label when out_dir is set; resume applies to every run), then
// the comparison. ptq/qat share one float model between runs.
[[nodiscard]] ComparisonResult run_comparison(const SweepSpec& spec, const RunOptions& options,
                                              const ComparisonCallbacks& callbacks = {});

// The comparison table alone, from finished runs (what run_comparison does after the runs,
// fine-tune excluded).
[[nodiscard]] ComparisonResult compare_runs(const SweepSpec& spec, std::vector<SweepResult> runs);

// DIR/comparison.csv (one row per strategy) and DIR/comparison.json (rows, budget,
// reference, each run's folder).
void save_comparison(const ComparisonResult& c, const std::filesystem::path& dir);

}  // namespace mixq::explorer
