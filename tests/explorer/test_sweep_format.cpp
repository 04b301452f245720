// The sweep format: valid files parse, invalid ones are rejected before any work with the
// file, line and key path of the mistake.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "mixq/explorer/strategy.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::reject;

namespace {


}  // namespace

TEST_CASE("every built-in strategy is registered by name") {
  register_builtin_strategies();
  for (const char* name : {"exhaustive", "random", "nsga2", "greedy", "ilp", "qat"}) {
    INFO(name);
    const StrategyInfo* s = find_strategy(name);
    REQUIRE(s != nullptr);
    CHECK(s->make);
  }
  CHECK(find_strategy("simulated_annealing") == nullptr);
  CHECK(strategy_names().size() >= 6);
}

TEST_CASE("a valid sweep parses with defaults and overrides") {
  const auto s = load_sweep_string(test::fmnist_sweep("nsga2", 300, ", population: 32"), "ok.yaml",
                                   {"seed=11", "strategy.budget=200"});
  CHECK(s.workload == "fmnist_cnn");
  CHECK(s.seed == 11);
  CHECK(s.strategy.budget == 200);
  CHECK(s.objectives.size() == 3);
  CHECK(s.objectives[2] == ObjectiveKind::kAccuracy);
  CHECK(s.precision.w_bits == std::vector<int>{2, 4, 8});
  CHECK_FALSE(s.precision.first_last_bits.has_value());
  CHECK(s.accuracy.kind == AccuracyKind::kProxy);
  CHECK(s.text.find("seed: 11") != std::string::npos);
}

TEST_CASE("unknown strategy is rejected with its line and key path") {
  const auto e = reject(test::fmnist_sweep("simulated_annealing", 10));
  CHECK(e.where().file == "bad.yaml");
  CHECK(e.where().line == 7);
  CHECK(e.where().key_path == "strategy.name");
  CHECK_THAT(e.message(), Catch::Contains("unknown strategy") && Catch::Contains("nsga2"));
}

TEST_CASE("empty hardware range is rejected") {
  const auto e = reject(
      "workload: fmnist_cnn\n"
      "hardware:\n"
      "  - arch: bitfusion\n"
      "    vary: {array.rows: []}\n"
      "objectives: [latency]\n"
      "strategy: {name: random, budget: 10}\n");
  CHECK(e.where().line == 4);
  CHECK(e.where().key_path == "hardware[0].vary.array.rows");
  CHECK_THAT(e.message(), Catch::Contains("empty range"));
}

TEST_CASE("empty bit list and empty ILP budget list are rejected") {
  auto e = reject(
      "workload: fmnist_cnn\nhardware: bitfusion\nprecision: {w_bits: []}\n"
      "objectives: [latency]\nstrategy: {name: random, budget: 10}\n");
  CHECK(e.where().key_path == "precision.w_bits");
  CHECK(e.where().line == 3);
  // Strategy parameters are checked when the strategy is built, before any evaluation.
  try {
    (void)run_sweep(load_sweep_string("workload: fmnist_cnn\nhardware: bitfusion\n"
                                      "objectives: [latency]\n"
                                      "strategy: {name: ilp, budget: 10, budgets: []}\n",
                                      "ilp.yaml"),
                    RunOptions{});
    FAIL("accepted");
  } catch (const InputError& err) {
    CHECK(err.where().key_path == "strategy.budgets");
    CHECK(err.where().line == 4);
  }
}

TEST_CASE("an objective no source produces is rejected") {
  const auto e = reject(
      "workload: fmnist_cnn\nhardware: bitfusion\n"
      "objectives: [latency, accuracy]\nstrategy: {name: random, budget: 10}\n");
  CHECK(e.where().line == 3);
  CHECK(e.where().key_path == "objectives[1]");
  CHECK_THAT(e.message(), Catch::Contains("produced by no source"));
}

TEST_CASE("unknown keys, objectives and out-of-range values are located") {
  auto e = reject("workload: fmnist_cnn\nhardware: bitfusion\nobjectivs: [latency]\n"
                  "strategy: {name: random, budget: 10}\n");
  CHECK(e.kind() == InputError::Kind::kUnknownKey);
  CHECK(e.where().line == 3);
  e = reject("workload: fmnist_cnn\nhardware: bitfusion\nobjectives: [latncy]\n"
             "strategy: {name: random, budget: 10}\n");
  CHECK(e.where().key_path == "objectives[0]");
  e = reject("workload: fmnist_cnn\nhardware: bitfusion\nobjectives: [latency]\n"
             "strategy: {name: random, budget: 0}\n");
  CHECK(e.where().key_path == "strategy.budget");
  e = reject("workload: fmnist_cnn\nhardware: bitfusion\nobjectives: [latency]\n"
             "strategy: {name: random, budget: 10, population: 5}\n");
  CHECK(e.kind() == InputError::Kind::kUnknownKey);  // population is nsga2's, not random's
  e = reject("workload: fmnist_cnn\nhardware: bitfusion\nobjectives: [latency, energy]\n"
             "reference: {bops: 3}\nstrategy: {name: random, budget: 10}\n");
  CHECK(e.where().key_path == "reference.bops");
  e = reject("workload: fmnist_cnn\nhardware: bitfusion\nprecision: {granularity: weight}\n"
             "objectives: [latency]\nstrategy: {name: random, budget: 10}\n");
  CHECK(e.where().key_path == "precision.granularity");
}

TEST_CASE("training-based accuracy sources are validated against the build") {
  const std::string text =
      "workload: fmnist_cnn\nhardware: bitfusion\naccuracy: {source: qat}\n"
      "objectives: [latency, accuracy]\nstrategy: {name: random, budget: 10}\n";
  if (training_available()) {
    CHECK(load_sweep_string(text, "qat.yaml").accuracy.kind == AccuracyKind::kQat);
  } else {
    const auto e = reject(text);
    CHECK(e.where().key_path == "accuracy.source");
    CHECK_THAT(e.message(), Catch::Contains("training module"));
  }
  const auto e = reject("workload: fmnist_cnn\nhardware: bitfusion\naccuracy: {source: oracle}\n"
                        "objectives: [accuracy]\nstrategy: {name: random, budget: 10}\n");
  CHECK(e.where().key_path == "accuracy.source");
}

TEST_CASE("bad presets, overrides and layer names are rejected before any evaluation") {
  RunOptions opt;
  opt.threads = 1;
  auto run = [&](const std::string& text) {
    return run_sweep(load_sweep_string(text, "bad.yaml"), opt);
  };
  CHECK_THROWS_AS(run("workload: fmnist_cnn\nhardware: nosucharch\nobjectives: [latency]\n"
                      "strategy: {name: random, budget: 10}\n"),
                  InputError);
  CHECK_THROWS_AS(run("workload: fmnist_cnn\nhardware: [{arch: bitfusion, vary: {array.rowz: [8]}}]\n"
                      "objectives: [latency]\nstrategy: {name: random, budget: 10}\n"),
                  InputError);
  try {
    (void)run("workload: fmnist_cnn\nhardware: bitfusion\n"
              "precision: {layers: {conv9: {w_bits: [8]}}}\n"
              "objectives: [latency]\nstrategy: {name: random, budget: 10}\n");
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(e.where().line == 3);
    CHECK_THAT(e.message(), Catch::Contains("conv9"));
  }
  // Exhaustive refuses a space larger than its budget.
  CHECK_THROWS_AS(run(test::fmnist_sweep("exhaustive", 100)), InputError);
}

TEST_CASE("a list of workloads runs one sweep per workload - a bad name in it fails first") {
  const std::string body = "hardware: bitfusion\nobjectives: [latency, bops]\n"
                           "strategy: {name: random, budget: 20}\n";
  const auto s = load_sweep_string("workload: [fmnist_cnn, jet_mlp]\n" + body, "two.yaml");
  REQUIRE(s.workloads == std::vector<std::string>{"fmnist_cnn", "jet_mlp"});
  const auto second = for_workload(s, 1);
  CHECK(second.workload == "jet_mlp");
  const auto r = run_sweep(second, RunOptions{});
  CHECK(r.workload == "jet_mlp");
  CHECK(r.points.size() == 20);
  const auto e = reject("workload: [fmnist_cnn, nosuchnet]\n" + body);
  CHECK(e.where().key_path == "workload[1]");
  CHECK(e.kind() == InputError::Kind::kNotFound);
  // A per-layer override must name a weighted layer of every workload.
  const auto e2 = reject("workload: [fmnist_cnn, jet_mlp]\nprecision: {layers: {conv1: {bits: [8]}}}\n" + body);
  CHECK_THAT(e2.message(), Catch::Contains("jet_mlp"));
}
