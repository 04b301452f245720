// qat: assignments produced by the training loop. For each β of `betas`, mixq::train learns
// per-layer bits under the hardware-aware loss task + β·cost/cost(8 bits) (Uhlich et al.'s
// learned step and range, docs/training.md), starting from the sweep's float model: a
// learn-bits phase of `epochs`, then a frozen fine-tune of `epochs`. The learned bits, rounded
// to the nearest allowed choice of each layer (ties upward), are proposed on every hardware
// variant; the sweep's accuracy source (ptq or qat) scores them like any other point. Needs
// accuracy.source ptq or qat (their float model and data).
#include <cmath>

#include "mixq/explorer/strategy.hpp"
#include "planned_strategy.hpp"
#include "mixq/explorer/training_accuracy.hpp"
#include "mixq/train/train.hpp"

namespace mixq::explorer {
namespace {

using Kind = InputError::Kind;

std::uint8_t nearest(const std::vector<int>& allowed, int bits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < allowed.size(); ++i) {
    if (std::abs(allowed[i] - bits) <= std::abs(allowed[best] - bits)) best = i;
  }
  return static_cast<std::uint8_t>(best);
}

class Qat final : public PlannedStrategy {
 public:
  Qat(const SearchContext& ctx, std::vector<double> betas, train::CostKind cost, int epochs,
      double lr)
      : ctx_(ctx), betas_(std::move(betas)), cost_(cost), epochs_(epochs), lr_(lr) {}

 private:
  // Trains once per β (deterministic: the sweep's seed, one thread per run is not needed here
  // since runs are sequential; the training loop is deterministic for a seed and thread count).
  void plan() override {
    const TrainedBase* base = ctx_.trained();
    if (base == nullptr) throw Error("strategy qat: no trained model (accuracy.source must be ptq or qat)");
    const Space& space = *ctx_.space;
    const auto& spec = *ctx_.spec;
    int lo = 16, hi = 2;
    for (const auto& f : space.free_layers()) {
      lo = std::min({lo, f.w_bits.front(), f.a_bits.front()});
      hi = std::max({hi, f.w_bits.back(), f.a_bits.back()});
    }
    for (const double beta : betas_) {
      train::TrainConfig c;
      c.workload = spec.workload;
      c.phases = {{train::PhaseKind::kLearnBits, epochs_, lr_}, {train::PhaseKind::kFrozen, epochs_, lr_}};
      c.quant.min_bits = std::max(2, lo);
      c.quant.max_bits = std::max(c.quant.min_bits, std::min(16, hi));
      c.quant.first_last.reset();
      c.cost.kind = cost_;
      c.cost.beta = beta;
      c.init_model = base->model_file();
      c.seed = spec.seed;
      c.threads = spec.threads;
      const auto r = train::train(c, base->train_data(), base->test_data());
      Genome g(space.genes(), 0);
      for (std::size_t j = 0; j < space.free_layers().size(); ++j) {
        const auto& f = space.free_layers()[j];
        g[1 + 2 * j] = nearest(f.w_bits, r.assignment[f.layer].max_w_bits());
        g[2 + 2 * j] = nearest(f.a_bits, r.assignment[f.layer].max_a_bits());
      }
      for (std::size_t h = 0; h < space.hardware().size(); ++h) {
        g[0] = static_cast<std::uint8_t>(h);
        if (std::find(plan_.begin(), plan_.end(), g) == plan_.end()) plan_.push_back(g);
      }
    }
  }

  SearchContext ctx_;
  std::vector<double> betas_;
  train::CostKind cost_;
  int epochs_;
  double lr_;
};

}  // namespace

StrategyInfo qat_strategy() {
  return {"qat", "bits learned by the training loop under the hardware-aware loss, one run per beta",
          {"betas", "cost", "epochs", "lr"},
          [](const yaml::Node& params, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            if (!ctx.spec || (ctx.spec->accuracy.kind != AccuracyKind::kPtq &&
                              ctx.spec->accuracy.kind != AccuracyKind::kQat)) {
              params.at("name").fail(Kind::kValue,
                                     "strategy qat starts from the float model of accuracy.source "
                                     "ptq or qat: set one of them");
            }
            std::vector<double> betas;
            const auto b = params.at("betas");
            for (const auto& e : b.elements()) {
              const double x = e.as<double>();
              if (!(x >= 0) || !std::isfinite(x)) e.fail(Kind::kValue, "beta must be finite and >= 0");
              betas.push_back(x);
            }
            if (betas.empty()) b.fail(Kind::kValue, "empty range: give at least one beta");
            train::CostKind cost = train::CostKind::kBops;
            if (const auto c = params.find("cost")) {
              if (!train::parse_cost_kind(c->as<std::string>(), cost) || cost == train::CostKind::kNone ||
                  cost == train::CostKind::kLatency || cost == train::CostKind::kEnergy) {
                c->fail(Kind::kValue, "expected memory, bops or ebops");
              }
            }
            const auto epochs = static_cast<int>(params.get_int("epochs", 1, 1000, 1));
            double lr = 1e-3;
            if (const auto l = params.find("lr")) {
              lr = l->as<double>();
              if (!(lr > 0 && lr < 10)) l->fail(Kind::kValue, "must be in (0, 10)");
            }
            return std::make_unique<Qat>(ctx, std::move(betas), cost, epochs, lr);
          }};
}

}  // namespace mixq::explorer
