// random: uniform points of the space, without repetition while the space is not nearly
// exhausted (a repeated point would waste an evaluation of the budget).
#include <random>
#include <string>
#include <unordered_set>

#include "mixq/explorer/strategy.hpp"

namespace mixq::explorer {
namespace {

class RandomSearch final : public Strategy {
 public:
  explicit RandomSearch(const SearchContext& ctx)
      : card_(ctx.space->cardinalities()), rng_(ctx.seed), size_(ctx.space->size()) {}

  std::vector<Genome> propose(std::size_t max_points) override {
    std::vector<Genome> out;
    const bool track = size_ < 1e7;  // small spaces: remember what was drawn
    while (out.size() < max_points) {
      if (track && static_cast<double>(seen_.size()) >= size_) break;
      Genome g(card_.size());
      for (std::size_t i = 0; i < card_.size(); ++i) {
        g[i] = static_cast<std::uint8_t>(rng_() % static_cast<std::uint64_t>(card_[i]));
      }
      if (track && !seen_.insert(std::string(g.begin(), g.end())).second) continue;
      out.push_back(std::move(g));
    }
    return out;
  }
  void report(std::span<const Evaluation> /*results*/) override {}

 private:
  std::vector<int> card_;
  std::mt19937_64 rng_;
  double size_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

StrategyInfo random_strategy() {
  return {"random", "uniform random points, no repeats in small spaces", {},
          [](const yaml::Node& /*params*/, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            return std::make_unique<RandomSearch>(ctx);
          }};
}

}  // namespace mixq::explorer
