// The rl strategy (strategy_rl.cpp, docs/rl.md): HAQ's budget enforcement never returns an
// assignment above budget, runs are deterministic for a seed whatever the thread count and
// replay from the journal, bad settings are refused, and the agent's policy beats its own
// warm-up (random) episodes on a small proxy space.
#include <catch2/catch.hpp>

#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "helpers.hpp"
#include "mixq/common/error.hpp"
#include "mixq/explorer/results.hpp"
#include "mixq/explorer/strategy.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::slurp;

namespace {

std::string rl_sweep(const std::string& granularity, const std::string& strategy_extra,
                     std::int64_t budget, double drop = 0.2) {
  return "name: rl\n"
         "workload: fmnist_cnn\n"
         "hardware: [bitfusion]\n"
         "precision: {" + granularity + "w_bits: [2, 3, 4, 6, 8], a_bits: [2, 3, 4, 6, 8], first_last: none}\n"
         "accuracy: {source: proxy, base_accuracy: 0.9, drop_at_4bit: " + std::to_string(drop) + "}\n"
         "objectives: [latency, accuracy]\n"
         "strategy: {name: rl, budget: " + std::to_string(budget) + strategy_extra + "}\n"
         "seed: 5\n";
}

}  // namespace

TEST_CASE("rl budget enforcement never returns an assignment above budget") {
  for (const std::string granularity : {"", "granularity: channel, channel_group: 8, "}) {
    const auto spec = load_sweep_string(rl_sweep(granularity, "", 10), "rl.yaml");
    const Space space(spec);
    SearchContext ctx;
    ctx.space = &space;
    ctx.objectives = spec.objectives;
    ctx.seed = 1;
    ctx.budget = 10;
    std::mt19937_64 rng(42);
    // The cheapest assignment's cost as a fraction of W8A8: budgets from it up to above W8A8.
    double lowest = 0, w8a8 = 0;
    (void)rl_enforce_budget(yaml::load_string("{name: rl, budget: 10, cost_budget: 100}", "p.yaml"), ctx,
                            Genome(space.genes(), 0), &lowest, &w8a8);
    lowest /= w8a8 / 100;
    REQUIRE(lowest < 0.9);
    for (const double fraction : {lowest * (1 + 1e-9), lowest * 1.05, (lowest + 1) / 2, 1.0, 1.3}) {
      INFO("granularity '" << granularity << "', budget " << fraction);
      std::ostringstream text;
      text.precision(17);
      text << "{name: rl, budget: 10, cost_budget: " << fraction << "}";
      const auto params = yaml::load_string(text.str(), "p.yaml");
      int changed = 0;
      for (int trial = 0; trial < 60; ++trial) {
        Genome g(space.genes());
        for (std::size_t i = 0; i < g.size(); ++i) {
          g[i] = static_cast<std::uint8_t>(rng() % static_cast<std::uint64_t>(space.cardinalities()[i]));
        }
        if (trial == 0) std::fill(g.begin() + 1, g.end(), 4);  // everything at 8 bits
        double cost = 0, budget = 0;
        const Genome e = rl_enforce_budget(params, ctx, g, &cost, &budget);
        REQUIRE(cost <= budget);
        space.check(e);
        // Only lowered, never raised; untouched when it already fitted.
        for (std::size_t i = 0; i < g.size(); ++i) REQUIRE(e[i] <= g[i]);
        if (e != g) ++changed;
      }
      // Tight budgets must have had work to do (the check above is then not vacuous).
      if (fraction < 0.99) CHECK(changed > 0);
    }
    // A budget below the lowest assignment's cost is refused where it is written.
    const auto tiny = yaml::load_string("{name: rl, budget: 10, cost_budget: 0.001}", "p.yaml");
    try {
      (void)rl_enforce_budget(tiny, ctx, Genome(space.genes(), 0));
      FAIL("accepted an unreachable budget");
    } catch (const InputError& e) {
      CHECK(e.where().key_path == "cost_budget");
    }
  }
}

TEST_CASE("rl is deterministic for a seed whatever the thread count, and resumes") {
  const auto text = rl_sweep("granularity: channel, channel_group: 16, ", ", warmup: 5, batch: 16, cost_budget: 0.8", 30);
  const auto dir = test::temp_dir("rl_resume");
  const auto a = test::run_text(text, 1, dir / "a");
  const auto b = test::run_text(text, 3);
  REQUIRE(a.points.size() == 30);
  REQUIRE(b.points.size() == 30);
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    REQUIRE(genome_to_string(a.points[i].genome) == genome_to_string(b.points[i].genome));
    REQUIRE(a.points[i].values == b.points[i].values);
  }
  // Past the warm-up the agents pick, so later points come from the policy: a journal cut
  // after 12 episodes replays them into the same agents.
  const std::string journal = slurp(dir / "a" / "journal.txt");
  std::size_t pos = 0;
  for (int k = 0; k < 13; ++k) pos = journal.find("\nB ", pos + 1);
  REQUIRE(pos != std::string::npos);
  std::filesystem::create_directories(dir / "b");
  {
    std::ofstream out(dir / "b" / "journal.txt", std::ios::binary);
    out << journal.substr(0, pos + 1);
  }
  const auto resumed = test::run_text(text, 2, dir / "b", true);
  CHECK(resumed.resumed_points == 12);
  REQUIRE(resumed.points.size() == a.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    REQUIRE(genome_to_string(resumed.points[i].genome) == genome_to_string(a.points[i].genome));
    REQUIRE(resumed.points[i].values == a.points[i].values);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("rl refuses settings it cannot search, located in the sweep") {
  // Two hardware variants.
  auto two = rl_sweep("", "", 10);
  two.replace(two.find("[bitfusion]"), 11, "[bitfusion, stripes]");
  CHECK_THROWS_AS(test::run_text(two, 1), InputError);
  // No accuracy objective.
  auto no_acc = rl_sweep("", "", 10);
  no_acc.replace(no_acc.find("[latency, accuracy]"), 19, "[latency, energy]");
  try {
    (void)test::run_text(no_acc, 1);
    FAIL("accepted rl without accuracy");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "strategy.name");
  }
  // Cost objective not among the sweep's.
  CHECK_THROWS_AS(test::run_text(rl_sweep("", ", cost: energy", 10), 1), InputError);
  CHECK_THROWS_AS(test::run_text(rl_sweep("", ", cost: edp", 10), 1), InputError);
  CHECK_THROWS_AS(test::run_text(rl_sweep("", ", gamma: 2", 10), 1), InputError);
  CHECK_THROWS_AS(test::run_text(rl_sweep("", ", hiden: [8]", 10), 1), InputError);  // unknown key
}

TEST_CASE("rl improves on its warm-up episodes on a small proxy space") {
  // Reward as the strategy computes it: accuracy − λ · latency / latency(W8A8). λ = 0: within
  // the budget the agent must find the most accurate assignment. Budgets leave room above the
  // cheapest assignment (0.47 of W8A8 per layer, 0.60 with 16-channel groups on BitFusion).
  constexpr int kWarmup = 30;
  constexpr int kEpisodes = 200;
  for (const std::string granularity : {"", "granularity: channel, channel_group: 16, "}) {
    INFO("granularity '" << granularity << "'");
    const std::string budget = granularity.empty() ? "0.7" : "0.8";
    const auto r =
        test::run_text(rl_sweep(granularity,
                                ", warmup: " + std::to_string(kWarmup) +
                                    ", lambda: 0, cost_budget: " + budget + ", batch: 32",
                                kEpisodes),
                       1);
    REQUIRE(r.points.size() == static_cast<std::size_t>(kEpisodes));
    std::vector<double> acc;
    for (const auto& p : r.points) {
      REQUIRE(p.feasible);
      acc.push_back(p.values[1]);
    }
    const auto mean = [&](std::size_t lo, std::size_t hi) {
      return std::accumulate(acc.begin() + static_cast<std::ptrdiff_t>(lo), acc.begin() + static_cast<std::ptrdiff_t>(hi), 0.0) /
             static_cast<double>(hi - lo);
    };
    const double warm = mean(0, kWarmup);
    const double late = mean(kEpisodes - 40, kEpisodes);
    const double best_warm = *std::max_element(acc.begin(), acc.begin() + kWarmup);
    INFO("warm-up mean " << warm << ", last 40 mean " << late << ", best of warm-up " << best_warm);
    // The learned policy's episodes are better than random ones on average, and the search's
    // best beats the best random episode of the warm-up.
    CHECK(late > warm + 0.02);
    CHECK(*std::max_element(acc.begin(), acc.end()) > best_warm);
  }
}
