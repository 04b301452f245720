// Scores genomes on every objective of a sweep: costs through the variant's PriceTable (a
// handful of table lookups, no allocation), memory and BOPs from per-layer counts, accuracy
// from the sweep's AccuracySource. In a channel space (Space::per_channel) costs come from
// CostModel::evaluate of the per-group assignment, memory and BOPs count every group at its
// own bits, and the proxy's noise of a layer is the channel-weighted mean of its groups' terms
// (docs/sweep-format.md, "Channel granularity"). Pure and thread-safe, so a batch can be split over threads
// in any way and give the same numbers.
#pragma once

#include <span>
#include <vector>

#include "mixq/explorer/accuracy.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/space.hpp"

namespace mixq::explorer {

struct Evaluation {
  Genome genome;
  bool feasible = false;       // false: some layer cannot run on the variant
  std::vector<double> values;  // per objective, natural units (empty when infeasible)
};

class Evaluator {
 public:
  // `accuracy` may be null when no objective needs it.
  Evaluator(const Space& space, std::vector<ObjectiveKind> objectives,
            const AccuracySource* accuracy);

  [[nodiscard]] const std::vector<ObjectiveKind>& objectives() const noexcept { return kinds_; }

  // Scores every points[i].genome into points[i] (feasible, values), on `threads` threads
  // (≥ 1). Results do not depend on `threads`.
  void evaluate(std::span<Evaluation> points, int threads) const;

 private:
  void evaluate_range(std::span<Evaluation> points) const;

  const Space& space_;
  std::vector<ObjectiveKind> kinds_;
  const AccuracySource* accuracy_;
  const ProxyAccuracy* proxy_ = nullptr;  // accuracy_ when it is the proxy
  bool need_price_ = false;
  // Per layer, batch included.
  std::vector<double> weights_, macs_, out_elements_, weights_per_kernel_, kernels_;
  double input_elements_ = 0;
  std::vector<int> free_index_;  // per layer: its index in Space::free_layers(), or -1
};

}  // namespace mixq::explorer
