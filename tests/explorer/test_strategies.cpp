// Strategies and the runner: exhaustive covers the space once, runs are deterministic for a
// seed whatever the thread count, greedy and ILP respect their cost model, and the
// acceptance measure: NSGA-II against the exhaustive front.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "helpers.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/separable.hpp"
#include "mixq/explorer/strategy.hpp"

using namespace mixq;
using namespace mixq::explorer;

namespace {

double hv_against(const SweepResult& r, const Vector& ref) {
  std::vector<Vector> pts;
  for (const std::size_t i : r.front) pts.push_back(to_minimized(r.objectives, r.points[i].values));
  return hypervolume(pts, ref);
}

}  // namespace

TEST_CASE("exhaustive evaluates every point exactly once") {
  const auto r = test::run_text(test::fmnist_sweep("exhaustive", 10000), 2);
  REQUIRE(r.points.size() == 6561);
  std::set<std::string> unique;
  for (const auto& p : r.points) unique.insert(genome_to_string(p.genome));
  CHECK(unique.size() == 6561);
  CHECK(r.space_size == 6561);
  CHECK(!r.front.empty());
  CHECK(r.hypervolume > 0);
  REQUIRE(r.knee.has_value());
  CHECK(*r.knee < r.front.size());
  // The front is what non_dominated says of all points.
  std::vector<Vector> all;
  for (const auto& p : r.points) all.push_back(to_minimized(r.objectives, p.values));
  auto sorted_front = r.front;
  std::sort(sorted_front.begin(), sorted_front.end());
  CHECK(non_dominated(all) == sorted_front);
  REQUIRE(r.front_details.size() == r.front.size());
  CHECK(r.front_details[0].w_bits.size() == 4);
  CHECK(r.front_details[0].energy_pj.size() == 5);  // mac, wbuf, ibuf, obuf, dram
}

TEST_CASE("results do not depend on the thread count") {
  for (const char* strategy : {"nsga2", "random"}) {
    INFO(strategy);
    const auto a = test::run_text(test::fmnist_sweep(strategy, 500, ""), 1);
    const auto b = test::run_text(test::fmnist_sweep(strategy, 500, ""), 3);
    REQUIRE(a.points.size() == 500);
    REQUIRE(b.points.size() == a.points.size());
    for (std::size_t i = 0; i < a.points.size(); ++i) {
      REQUIRE(genome_to_string(a.points[i].genome) == genome_to_string(b.points[i].genome));
      REQUIRE(a.points[i].values == b.points[i].values);
    }
    CHECK(a.front == b.front);
    CHECK(a.hypervolume == b.hypervolume);
  }
}

TEST_CASE("random search draws no point twice in a small space") {
  const auto r = test::run_text(test::fmnist_sweep("random", 3000));
  std::set<std::string> unique;
  for (const auto& p : r.points) unique.insert(genome_to_string(p.genome));
  CHECK(unique.size() == r.points.size());
}

TEST_CASE("greedy lowers one step at a time down to the lowest bits, cost never rising") {
  const auto r = test::run_text(
      "workload: fmnist_cnn\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
      "accuracy: {source: proxy}\nobjectives: [bops, accuracy]\n"
      "strategy: {name: greedy, budget: 1000, cost: bops}\n");
  // 4 layers × 2 operands × 2 steps each = 16 steps, plus the start.
  REQUIRE(r.points.size() == 17);
  for (std::size_t i = 1; i < r.points.size(); ++i) {
    int changed = 0;
    for (std::size_t g = 0; g < r.points[i].genome.size(); ++g) {
      changed += r.points[i].genome[g] != r.points[i - 1].genome[g];
    }
    CHECK(changed == 1);
    CHECK(r.points[i].values[0] <= r.points[i - 1].values[0]);
    CHECK(r.points[i].values[1] < r.points[i - 1].values[1]);
  }
  CHECK(genome_to_string(r.points.back().genome) == "000000000");
}

TEST_CASE("ILP solutions are the least-noise assignments under each BOPs budget") {
  const std::string text =
      "workload: fmnist_cnn\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
      "accuracy: {source: proxy}\nobjectives: [bops, accuracy]\n"
      "strategy: {name: ilp, budget: 100, cost: bops, budgets: [0.1, 0.3, 0.6, 1.0]}\n";
  const auto ilp = test::run_text(text);
  REQUIRE(ilp.points.size() >= 3);
  // Brute force over the 6561 points: for each ILP point's BOPs, no point at most as costly is
  // more accurate (the proxy's accuracy is a decreasing function of the ILP's objective).
  auto ex_text = text;
  ex_text.replace(ex_text.find("strategy:"), std::string::npos,
                  "strategy: {name: exhaustive, budget: 10000}\n");
  const auto all = test::run_text(ex_text, 2);
  for (const auto& p : ilp.points) {
    double best = 0;
    for (const auto& q : all.points) {
      if (q.values[0] <= p.values[0]) best = std::max(best, q.values[1]);
    }
    CHECK(p.values[1] == Approx(best).epsilon(1e-12));
  }
  // The whole-span budget gives the all-8-bit point.
  CHECK(genome_to_string(ilp.points.back().genome) == "022222222");
}

TEST_CASE("acceptance: NSGA-II reaches 99 % of the exhaustive hypervolume with 5 % of the evaluations, beating random") {
  const auto exhaustive = test::run_text(test::fmnist_sweep("exhaustive", 10000), 2);
  const Vector ref = [&] {
    std::vector<Vector> all;
    for (const auto& p : exhaustive.points) all.push_back(to_minimized(exhaustive.objectives, p.values));
    return default_reference(all);
  }();
  const double hv_star = hv_against(exhaustive, ref);
  const std::int64_t budget = 6561 * 5 / 100;  // 328 evaluations
  for (const int seed : {1, 2, 3, 4, 5}) {
    INFO("seed " << seed);
    const auto tail = "seed: " + std::to_string(seed) + "\n";
    auto nsga_text = test::fmnist_sweep("nsga2", budget, ", population: 24");
    auto rand_text = test::fmnist_sweep("random", budget);
    nsga_text.replace(nsga_text.find("seed: 7\n"), 8, tail);
    rand_text.replace(rand_text.find("seed: 7\n"), 8, tail);
    const auto nsga = test::run_text(nsga_text, 2);
    const auto rnd = test::run_text(rand_text, 2);
    REQUIRE(nsga.points.size() <= static_cast<std::size_t>(budget));
    const double hv_n = hv_against(nsga, ref);
    const double hv_r = hv_against(rnd, ref);
    WARN("exhaustive " << hv_star << ", nsga2 " << hv_n / hv_star << ", random " << hv_r / hv_star);
    CHECK(hv_n >= 0.99 * hv_star);
    CHECK(hv_n > hv_r);
  }
}

TEST_CASE("NSGA-II with a single objective finds the optimum of a small space") {
  // One objective: pagmo's crowding distance is undefined, survival is by fitness.
  const auto r = test::run_text(
      "workload: jet_mlp\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
      "objectives: [bops]\nstrategy: {name: nsga2, budget: 400, population: 16}\n");
  REQUIRE(r.front.size() == 1);
  // The least BOPs: every layer at w2a2.
  CHECK(genome_to_string(r.points[r.front[0]].genome) == "000000000");
}
