// Where the accuracy objective comes from. A source scores a batch of assignments; it must be
// deterministic and thread-safe (score() is called from several threads at once).
#pragma once

#include <span>
#include <string>

#include "mixq/explorer/space.hpp"

namespace mixq::explorer {

class AccuracySource {
 public:
  virtual ~AccuracySource() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  // True when one score costs far more than a table lookup (training, inference): the
  // evaluator then spreads even a handful of points over its threads.
  [[nodiscard]] virtual bool costly() const { return false; }
  // accuracy[i] ∈ [0, 1] for batch[i] (per-layer choice indices of the space).
  virtual void score(const Space& space, std::span<const ChoiceIndices* const> batch,
                     std::span<double> accuracy) const = 0;
};

}  // namespace mixq::explorer
