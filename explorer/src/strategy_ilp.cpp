// ilp: per-layer bit choices under a cost budget, solved exactly as an integer linear
// program (HAWQ-V3, Yao et al., ICML 2021, eq. 5), with GLPK's branch and cut:
//
//   minimize   Σ_j Σ_c  noise_j(c) · x_jc                 (proxy noise, proxy_accuracy.hpp)
//   subject to Σ_c x_jc = 1                 for every free layer j
//              Σ_j Σ_c  cost_j(c) · x_jc ≤ B                (separable cost, separable.hpp)
//              x_jc ∈ {0, 1}, c ranging over the layer's (w_bits, a_bits) pairs.
//
// One ILP per hardware variant and budget; budgets are fractions f of the span between the
// cheapest and the dearest assignment, B = min + f·(max − min), `budgets: [..]` or `steps: N`
// evenly spaced ones (default 10). Each solution is one proposed point.
#include <glpk.h>

#include <cmath>
#include <limits>
#include <memory>

#include "mixq/explorer/separable.hpp"
#include "mixq/explorer/strategy.hpp"
#include "planned_strategy.hpp"

namespace mixq::explorer {
namespace {

using Kind = InputError::Kind;

struct ProblemDeleter {
  void operator()(glp_prob* p) const noexcept { glp_delete_prob(p); }
};

class Ilp final : public PlannedStrategy {
 public:
  Ilp(const SearchContext& ctx, SeparableCost cost, const std::vector<double>& budgets,
      int time_limit_ms) {
    const Space& space = *ctx.space;
    const auto& free = space.free_layers();
    glp_term_out(GLP_OFF);
    for (std::size_t hw = 0; hw < space.hardware().size(); ++hw) {
      const auto table = separable_costs(space, hw, cost);
      // Columns: every finite (layer, w, a) choice.
      struct Col {
        std::size_t j, wi, ai;
        double cost, noise;
      };
      std::vector<Col> cols;
      double lo = 0;
      double hi = 0;
      bool runnable = true;
      for (std::size_t j = 0; j < free.size(); ++j) {
        double lmin = std::numeric_limits<double>::infinity();
        double lmax = 0;
        for (std::size_t wi = 0; wi < free[j].w_bits.size(); ++wi) {
          for (std::size_t ai = 0; ai < free[j].a_bits.size(); ++ai) {
            const double c = table[j][wi][ai];
            if (!std::isfinite(c)) continue;
            cols.push_back({j, wi, ai, c,
                            ctx.sensitivity->layer_noise(free[j].layer, free[j].w_bits[wi],
                                                         free[j].a_bits[ai])});
            lmin = std::min(lmin, c);
            lmax = std::max(lmax, c);
          }
        }
        if (!std::isfinite(lmin)) runnable = false;
        lo += lmin;
        hi += lmax;
      }
      if (!runnable) continue;
      for (const double f : budgets) {
        std::unique_ptr<glp_prob, ProblemDeleter> lp(glp_create_prob());
        glp_set_obj_dir(lp.get(), GLP_MIN);
        const int rows = static_cast<int>(free.size()) + 1;
        glp_add_rows(lp.get(), rows);
        for (int r = 1; r <= static_cast<int>(free.size()); ++r) glp_set_row_bnds(lp.get(), r, GLP_FX, 1, 1);
        const double budget = lo + f * (hi - lo);
        glp_add_cols(lp.get(), static_cast<int>(cols.size()));
        std::vector<int> ia{0}, ja{0};
        std::vector<double> ar{0};
        for (std::size_t k = 0; k < cols.size(); ++k) {
          const int col = static_cast<int>(k) + 1;
          glp_set_col_kind(lp.get(), col, GLP_BV);
          glp_set_obj_coef(lp.get(), col, cols[k].noise);
          ia.push_back(static_cast<int>(cols[k].j) + 1);
          ja.push_back(col);
          ar.push_back(1);
          ia.push_back(rows);
          ja.push_back(col);
          ar.push_back(cols[k].cost / std::max(hi, 1.0));  // scaled: GLPK prefers O(1) rows
        }
        // A relative slack keeps f = 0 (the cheapest point) feasible despite rounding.
        glp_set_row_bnds(lp.get(), rows, GLP_UP, 0,
                         (budget * (1 + 1e-12) + 1e-9) / std::max(hi, 1.0));
        glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
        glp_iocp parm;
        glp_init_iocp(&parm);
        parm.presolve = GLP_ON;
        parm.msg_lev = GLP_MSG_OFF;
        parm.tm_lim = time_limit_ms;
        parm.mip_gap = 1e-6;
        const int rc = glp_intopt(lp.get(), &parm);
        const int status = glp_mip_status(lp.get());
        if ((rc != 0 && rc != GLP_ETMLIM) || (status != GLP_OPT && status != GLP_FEAS)) continue;
        Genome g(space.genes(), 0);
        g[0] = static_cast<std::uint8_t>(hw);
        for (std::size_t k = 0; k < cols.size(); ++k) {
          if (glp_mip_col_val(lp.get(), static_cast<int>(k) + 1) > 0.5) {
            g[1 + 2 * cols[k].j] = static_cast<std::uint8_t>(cols[k].wi);
            g[2 + 2 * cols[k].j] = static_cast<std::uint8_t>(cols[k].ai);
          }
        }
        if (plan_.empty() || plan_.back() != g) plan_.push_back(std::move(g));
      }
    }
  }

};

}  // namespace

StrategyInfo ilp_strategy() {
  return {"ilp", "HAWQ-V3 integer program: least proxy noise under each cost budget (GLPK)",
          {"cost", "budgets", "steps", "time_limit_ms"},
          [](const yaml::Node& params, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            std::vector<double> budgets;
            if (const auto b = params.find("budgets")) {
              for (const auto& e : b->elements()) {
                const double f = e.as<double>();
                if (!(f >= 0 && f <= 1)) e.fail(Kind::kValue, "a budget fraction must be in [0, 1]");
                budgets.push_back(f);
              }
              if (budgets.empty()) b->fail(Kind::kValue, "empty range: give at least one budget");
            } else {
              const auto steps = params.get_int("steps", 1, 10000, 10);
              for (std::int64_t i = 1; i <= steps; ++i) {
                budgets.push_back(static_cast<double>(i) / static_cast<double>(steps));
              }
            }
            const auto ms = static_cast<int>(params.get_int("time_limit_ms", 1, 3'600'000, 2000));
            return std::make_unique<Ilp>(ctx, parse_separable_cost(params), budgets, ms);
          }};
}

}  // namespace mixq::explorer
