// greedy: bit lowering by sensitivity per unit cost. For each hardware variant, start with
// every free layer at its highest bits and repeatedly take the one step (one layer's weight
// or activation bits down to its next allowed value) that adds the least proxy noise per unit
// of separable cost saved (separable.hpp), until every layer is at its lowest bits. Every
// step's assignment is proposed: the trajectory traces a cost/accuracy front in
// Σ (steps) evaluations. The noise is the proxy's per-layer term (proxy_accuracy.hpp), the
// first-order sensitivity ranking of HAWQ (Dong et al., ICCV 2019) with a noise model in
// place of the Hessian trace.
#include <limits>

#include "mixq/explorer/separable.hpp"
#include "mixq/explorer/strategy.hpp"
#include "planned_strategy.hpp"

namespace mixq::explorer {
namespace {

class Greedy final : public PlannedStrategy {
 public:
  Greedy(const SearchContext& ctx, SeparableCost cost) {
    const Space& space = *ctx.space;
    const auto& free = space.free_layers();
    for (std::size_t hw = 0; hw < space.hardware().size(); ++hw) {
      const auto table = separable_costs(space, hw, cost);
      Genome g(space.genes(), 0);
      g[0] = static_cast<std::uint8_t>(hw);
      for (std::size_t j = 0; j < free.size(); ++j) {
        g[1 + 2 * j] = static_cast<std::uint8_t>(free[j].w_bits.size() - 1);
        g[2 + 2 * j] = static_cast<std::uint8_t>(free[j].a_bits.size() - 1);
      }
      plan_.push_back(g);
      while (true) {
        double best = std::numeric_limits<double>::infinity();
        std::size_t best_gene = 0;
        for (std::size_t j = 0; j < free.size(); ++j) {
          const std::size_t wi = g[1 + 2 * j];
          const std::size_t ai = g[2 + 2 * j];
          const double noise = ctx.sensitivity->layer_noise(free[j].layer, free[j].w_bits[wi],
                                                            free[j].a_bits[ai]);
          for (const std::size_t gene : {1 + 2 * j, 2 + 2 * j}) {
            if (g[gene] == 0) continue;
            const std::size_t nwi = gene == 1 + 2 * j ? wi - 1 : wi;
            const std::size_t nai = gene == 2 + 2 * j ? ai - 1 : ai;
            const double saved = table[j][wi][ai] - table[j][nwi][nai];
            const double added = ctx.sensitivity->layer_noise(
                                     free[j].layer, free[j].w_bits[nwi], free[j].a_bits[nai]) -
                                 noise;
            // A step that saves nothing is never worth taking first; ties go to the lowest gene.
            const double score = saved > 0 ? added / saved : std::numeric_limits<double>::max();
            if (score < best) {
              best = score;
              best_gene = gene;
            }
          }
        }
        if (best_gene == 0) break;
        --g[best_gene];
        plan_.push_back(g);
      }
    }
  }

};

}  // namespace

StrategyInfo greedy_strategy() {
  return {"greedy", "bit lowering by sensitivity per unit cost, one trajectory per variant",
          {"cost"},
          [](const yaml::Node& params, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            return std::make_unique<Greedy>(ctx, parse_separable_cost(params));
          }};
}

}  // namespace mixq::explorer
