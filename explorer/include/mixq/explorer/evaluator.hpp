// Scores genomes on every objective of a sweep: costs through the variant's PriceTable (a
// handful of table lookups, no allocation), memory and BOPs from per-layer counts, accuracy
// from the sweep's AccuracySource. Pure and thread-safe, so a batch can be split over threads
// in any way and give the same numbers.
#pragma once

#include <span>
#include <vector>

#include "mixq/explorer/accuracy.hpp"
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
  bool need_price_ = false;
  // Per layer, batch included.
  std::vector<double> weights_, macs_, out_elements_;
  double input_elements_ = 0;
};

}  // namespace mixq::explorer
