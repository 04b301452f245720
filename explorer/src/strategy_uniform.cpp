// uniform: every uniform-precision assignment — the same weight bits w and activation bits a
// on every free layer (every kernel group too, in a channel space) — on every hardware
// variant: the baseline a mixed-precision search is judged against. Order: variant, then w,
// then a, ascending. A (w, a) pair that some free layer does not allow (a per-layer override)
// is not uniform and is skipped. Proposes at most `budget` points.
#include <algorithm>

#include "mixq/explorer/strategy.hpp"

namespace mixq::explorer {
namespace {

class Uniform final : public Strategy {
 public:
  explicit Uniform(const SearchContext& ctx) {
    const Space& space = *ctx.space;
    const auto& free = space.free_layers();
    for (std::size_t hw = 0; hw < space.hardware().size(); ++hw) {
      for (const int w : space.w_choices()) {
        for (const int a : space.a_choices()) {
          Genome g(space.genes(), 0);
          g[0] = static_cast<std::uint8_t>(hw);
          bool ok = true;
          for (std::size_t j = 0; j < free.size() && ok; ++j) {
            const auto wi = std::find(free[j].w_bits.begin(), free[j].w_bits.end(), w);
            const auto ai = std::find(free[j].a_bits.begin(), free[j].a_bits.end(), a);
            ok = wi != free[j].w_bits.end() && ai != free[j].a_bits.end();
            if (!ok) break;
            for (std::size_t grp = 0; grp < free[j].group_channels.size(); ++grp) {
              g[space.w_gene(j, grp)] = static_cast<std::uint8_t>(wi - free[j].w_bits.begin());
            }
            g[space.a_gene(j)] = static_cast<std::uint8_t>(ai - free[j].a_bits.begin());
          }
          if (ok) plan_.push_back(std::move(g));
        }
      }
    }
  }

  std::vector<Genome> propose(std::size_t max_points) override {
    const std::size_t n = std::min(max_points, plan_.size() - next_);
    std::vector<Genome> out(plan_.begin() + static_cast<std::ptrdiff_t>(next_),
                            plan_.begin() + static_cast<std::ptrdiff_t>(next_ + n));
    next_ += n;
    return out;
  }
  void report(std::span<const Evaluation> /*results*/) override {}

 private:
  std::vector<Genome> plan_;
  std::size_t next_ = 0;
};

}  // namespace

StrategyInfo uniform_strategy() {
  return {"uniform", "every uniform (w, a) assignment on every hardware variant", {},
          [](const yaml::Node& /*params*/, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            return std::make_unique<Uniform>(ctx);
          }};
}

}  // namespace mixq::explorer
