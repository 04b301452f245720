// A strategy that works out its whole plan before the first evaluation (greedy trajectories,
// ILP solutions, assignments learned by training) and proposes it in order; reports change
// nothing. Subclasses fill plan_, lazily in plan() when it is costly.
#pragma once

#include <vector>

#include "mixq/explorer/strategy.hpp"

namespace mixq::explorer {

class PlannedStrategy : public Strategy {
 public:
  std::vector<Genome> propose(std::size_t max_points) final {
    if (!planned_) {
      plan();
      planned_ = true;
    }
    std::vector<Genome> out;
    while (next_ < plan_.size() && out.size() < max_points) out.push_back(plan_[next_++]);
    return out;
  }
  void report(std::span<const Evaluation> /*results*/) final {}

 protected:
  // Called once, before the first proposal; the default plans nothing more (the constructor
  // filled plan_).
  virtual void plan() {}
  std::vector<Genome> plan_;

 private:
  bool planned_ = false;
  std::size_t next_ = 0;
};

}  // namespace mixq::explorer
