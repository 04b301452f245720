// exhaustive: every point of the space, in mixed-radix order (gene 0 slowest). Refuses a
// space larger than the budget rather than silently evaluating a prefix of it.
#include <cmath>

#include "mixq/explorer/strategy.hpp"

namespace mixq::explorer {
namespace {

class Exhaustive final : public Strategy {
 public:
  explicit Exhaustive(const SearchContext& ctx)
      : card_(ctx.space->cardinalities()), next_(card_.size(), 0) {}

  std::vector<Genome> propose(std::size_t max_points) override {
    std::vector<Genome> out;
    while (!done_ && out.size() < max_points) {
      out.push_back(next_);
      // Increment the mixed-radix counter, last gene fastest.
      std::size_t g = card_.size();
      while (g-- > 0) {
        if (++next_[g] < card_[g]) break;
        next_[g] = 0;
        if (g == 0) done_ = true;
      }
      if (card_.empty()) done_ = true;
    }
    return out;
  }
  void report(std::span<const Evaluation> /*results*/) override {}

 private:
  std::vector<int> card_;
  Genome next_;
  bool done_ = false;
};

}  // namespace

StrategyInfo exhaustive_strategy() {
  return {"exhaustive", "every point of the space (small spaces only)", {},
          [](const yaml::Node& params, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            const double size = ctx.space->size();
            if (size > static_cast<double>(ctx.budget)) {
              params.at("budget").fail(
                  InputError::Kind::kValue,
                  "the space has " + std::to_string(static_cast<long double>(size)) +
                      " points, more than the budget: raise the budget or use random or nsga2");
            }
            return std::make_unique<Exhaustive>(ctx);
          }};
}

}  // namespace mixq::explorer
