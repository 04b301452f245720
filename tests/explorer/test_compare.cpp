// Comparisons of strategies (`strategies:`) and the uniform strategy: parse errors located in
// the entry, each strategy's run equal to the same single-strategy sweep, the budget filter
// and the common hypervolume reference, and the uniform baseline.
#include <catch2/catch.hpp>

#include <fstream>
#include <stdexcept>
#include <set>

#include "helpers.hpp"
#include "mixq/explorer/comparison.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/training_accuracy.hpp"
#include "mixq/reports/report.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::reject;

namespace {

const std::string kHead =
    "name: cmp\n"                                                                   // 1
    "workload: fmnist_cnn\n"                                                        // 2
    "hardware: [bitfusion]\n"                                                       // 3
    "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: 8}\n"             // 4
    "accuracy: {source: proxy, base_accuracy: 0.91, drop_at_4bit: 0.01}\n"          // 5
    "objectives: [latency, energy, accuracy]\n"                                     // 6
    "seed: 3\n";                                                                    // 7

const std::string kStrategies =
    "strategies:\n"                                                                 // 8
    "  - {name: uniform, budget: 100}\n"                                            // 9
    "  - {name: nsga2, budget: 40, population: 10}\n"                               // 10
    "  - {name: ilp, budget: 20, cost: latency, steps: 10}\n"                       // 11
    "  - {name: random, label: random-ch, budget: 30, precision: {granularity: channel, channel_group: 8}}\n"  // 12
    "budget: {objective: latency, fraction_of_w8a8: 0.6}\n";                        // 13


}  // namespace

TEST_CASE("uniform proposes every (w, a) pair once per variant, the same bits on every free layer") {
  const auto spec = load_sweep_string(
      "name: u\nworkload: fmnist_cnn\nhardware: [bitfusion, {arch: bitfusion, vary: {array.rows: [8, 16]}}]\n"
      "precision: {granularity: channel, channel_group: 8, w_bits: [2, 4, 8], a_bits: [4, 8], first_last: 8,\n"
      "            layers: {conv2: {w_bits: [4, 8]}}}\n"
      "objectives: [latency]\nstrategy: {name: uniform, budget: 1000}\n",
      "u.yaml");
  RunOptions opt;
  opt.threads = 1;
  const auto r = run_sweep(spec, opt);
  // 3 variants × (w ∈ {4, 8} — conv2 refuses w2) × (a ∈ {4, 8}).
  REQUIRE(r.points.size() == 3 * 2 * 2);
  std::set<std::pair<int, std::pair<int, int>>> seen;
  const Space space(spec);
  for (const auto& p : r.points) {
    const auto a = space.assignment(p.genome);
    int w = -1;
    int act = -1;
    for (const auto& f : space.free_layers()) {
      const auto& lp = a[f.layer];
      CHECK(lp.is_uniform());
      if (w < 0) {
        w = lp.max_w_bits();
        act = lp.max_a_bits();
      }
      CHECK(lp.max_w_bits() == w);
      CHECK(lp.max_a_bits() == act);
    }
    CHECK(w != 2);
    seen.insert({p.genome[0], {w, act}});
  }
  CHECK(seen.size() == r.points.size());
  // A smaller budget stops early.
  const auto short_run = run_sweep(load_sweep_string(spec.text, "u.yaml", {"strategy.budget=5"}), opt);
  CHECK(short_run.points.size() == 5);
}

TEST_CASE("strategies: parse errors name the entry's line and key") {
  auto e = reject(kHead + "strategies:\n  - {name: nsga2, budget: 40, populaton: 10}\n");
  CHECK(e.where().line == 9);
  CHECK(e.where().key_path == "strategies[0].populaton");
  e = reject(kHead + "strategies:\n  - {name: uniform, budget: 9}\n  - {name: anneal, budget: 9}\n");
  CHECK(e.where().line == 10);
  CHECK(e.where().key_path == "strategies[1].name");
  e = reject(kHead + "strategies:\n  - {name: uniform, budget: 9}\n  - {name: uniform, budget: 5}\n");
  CHECK(e.where().line == 10);
  CHECK(e.message().find("appears twice") != std::string::npos);
  e = reject(kHead + "strategies:\n  - {name: ilp, budget: 9, precision: {granularity: channel}}\n");
  CHECK(e.where().key_path == "strategies[0].name");
  e = reject(kHead + "strategies:\n  - {name: uniform, budget: 9, precision: {w_bits: [3, 3]}}\n");
  CHECK(e.where().line == 9);
  e = reject(kHead + "strategy: {name: uniform, budget: 9}\nstrategies:\n  - {name: uniform, budget: 9}\n");
  CHECK(e.where().line == 8);
  e = reject(kHead + "strategy: {name: uniform, budget: 9}\nbudget: {objective: latency, fraction_of_w8a8: 0.5}\n");
  CHECK(e.where().key_path == "budget");
  e = reject(kHead + "strategies:\n  - {name: uniform, budget: 9}\nbudget: {objective: accuracy, fraction_of_w8a8: 0.5}\n");
  CHECK(e.where().key_path == "budget.objective");
  e = reject(kHead + "strategies:\n  - {name: uniform, budget: 9}\nbudget: {objective: latency, fraction_of_w8a8: 0.5}\nfinetune: {epochs: 1}\n");
  CHECK(e.where().key_path == "finetune");  // the proxy trains nothing
}

TEST_CASE("each strategy of a comparison runs exactly as its single-strategy sweep") {
  const auto spec = load_sweep_string(kHead + kStrategies, "cmp.yaml");
  REQUIRE(spec.comparison.size() == 4);
  CHECK(spec.comparison[3].label == "random-ch");
  const auto dir = test::temp_dir("compare");
  RunOptions opt;
  opt.threads = 2;
  opt.out_dir = dir;
  const auto c = run_comparison(spec, opt);
  REQUIRE(c.rows.size() == 4);
  for (std::size_t i = 0; i < spec.comparison.size(); ++i) {
    INFO(spec.comparison[i].label);
    // The same sweep written by hand: the single-strategy document is a sweep file.
    const auto alone = run_sweep(load_sweep_string(spec.comparison[i].spec.text, "alone.yaml"), RunOptions{});
    REQUIRE(alone.points.size() == c.runs[i].points.size());
    for (std::size_t p = 0; p < alone.points.size(); ++p) {
      CHECK(alone.points[p].genome == c.runs[i].points[p].genome);
      CHECK(alone.points[p].values == c.runs[i].points[p].values);
    }
    CHECK(alone.front == c.runs[i].front);
    CHECK(std::filesystem::exists(dir / spec.comparison[i].label / "journal.txt"));
  }
  CHECK(c.rows[3].granularity == "channel/8");
  CHECK(c.rows[0].evaluations == 9);  // 3 × 3 uniform pairs

  // The budget: every within-budget point counted, the best is the most accurate of them.
  REQUIRE(c.w8a8_cost.size() == 1);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    std::int64_t within = 0;
    double best = -1;
    for (const auto& p : c.runs[i].points) {
      if (p.feasible && p.values[0] <= 0.6 * c.w8a8_cost[0]) {
        ++within;
        best = std::max(best, p.values[2]);
      }
    }
    CHECK(c.rows[i].within_budget == within);
    CHECK(c.rows[i].best.has_value() == (within > 0));
    if (c.rows[i].best) {
      CHECK(c.rows[i].best_accuracy == best);
      CHECK(c.rows[i].best_fraction <= 0.6);
    }
  }
  // w8a8 is the uniform strategy's dearest point (w8a8 on the free layers, first/last at 8).
  double dearest = 0;
  for (const auto& p : c.runs[0].points) dearest = std::max(dearest, p.values[0]);
  CHECK(c.w8a8_cost[0] == Approx(dearest).epsilon(1e-12));

  // One reference for all: dominated by no run's point, and each row's hypervolume is its
  // front's against it.
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    std::vector<Vector> front;
    for (const std::size_t f : c.runs[i].front) {
      front.push_back(to_minimized(c.objectives, c.runs[i].points[f].values));
    }
    CHECK(c.rows[i].hypervolume == Approx(hypervolume(front, to_minimized(c.objectives, c.reference))));
    CHECK(c.rows[i].hypervolume > 0);
  }

  // Resume: a second run over the same folder reads every journal back.
  opt.resume = true;
  const auto again = run_comparison(spec, opt);
  for (std::size_t i = 0; i < again.runs.size(); ++i) {
    CHECK(again.runs[i].resumed_points == static_cast<std::int64_t>(c.runs[i].points.size()));
    CHECK(again.rows[i].best == c.rows[i].best);
  }

  // The report: table files, the page and (with gnuplot) the one picture.
  const auto rep = reports::write_comparison_report(c, dir / "report");
  CHECK(std::filesystem::exists(dir / "report" / "comparison.csv"));
  CHECK(std::filesystem::exists(dir / "report" / "comparison.json"));
  std::ifstream csv(dir / "report" / "comparison.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  CHECK(lines == 5);
  std::ifstream page(rep.index);
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  CHECK(html.find("random-ch") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("finetune: each strategy's best within-budget point is the qat source's fine-tune of it") {
  // Small subsets: seconds. conv2 and fc1 free (w in {2, 8}, a at 8).
  const std::string text =
      "name: ft\nworkload: fmnist_cnn\nhardware: [bitfusion]\n"
      "precision: {w_bits: [2, 8], a_bits: [8], first_last: 8}\n"
      "accuracy: {source: ptq, float_epochs: 1, train_subset: 600, eval_subset: 300}\n"
      "objectives: [latency, accuracy]\n"
      "strategies:\n  - {name: uniform, budget: 4}\n  - {name: random, budget: 3}\n"
      "budget: {objective: latency, fraction_of_w8a8: 0.9}\n"
      "finetune: {epochs: 1, lr: 0.002}\nseed: 5\n";
  const auto spec = load_sweep_string(text, "ft.yaml");
  RunOptions opt;
  opt.threads = 2;
  const auto c = run_comparison(spec, opt);
  REQUIRE(c.rows.size() == 2);
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    INFO(c.rows[i].label);
    REQUIRE(c.rows[i].best.has_value());
    REQUIRE(c.rows[i].finetuned_accuracy.has_value());
    // The same point scored by a qat-source sweep with qat_epochs and lr of `finetune:`.
    auto qspec = load_sweep_string(spec.comparison[i].spec.text, "q.yaml",
                                   {"accuracy.source=qat", "accuracy.qat_epochs=1", "accuracy.lr=0.002"});
    const Space space(qspec);
    const auto base = std::make_shared<const TrainedBase>(space, qspec);
    const QatAccuracy qat(base, qspec);
    const Evaluator ev(space, qspec.objectives, &qat);
    std::vector<Evaluation> e(1);
    e[0].genome = c.runs[i].points[*c.rows[i].best].genome;
    ev.evaluate(e, 1);
    CHECK(*c.rows[i].finetuned_accuracy == e[0].values[1]);
    CHECK(*c.rows[i].finetuned_accuracy > 0.1);  // above chance
  }
}
