// The ptq and qat accuracy sources on mixq::train: Fashion-MNIST from Debian's
// dataset-fashion-mnist, small subsets so that each case takes seconds.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/training_accuracy.hpp"

using namespace mixq;
using namespace mixq::explorer;

namespace {

std::string sweep(const std::string& accuracy, const std::string& strategy) {
  return "workload: fmnist_cnn\nhardware: bitfusion\n"
         "precision: {w_bits: [2, 8], a_bits: [8], first_last: none}\n"
         "accuracy: " + accuracy + "\n"
         "objectives: [bops, accuracy]\n"
         "strategy: " + strategy + "\nseed: 3\n";
}

}  // namespace

TEST_CASE("ptq: a float model evaluated under every assignment - 2-bit weights cost accuracy - any thread count") {
  // Two free layers (conv1, fc2), weights at 2 or 8 bits: 4 points.
  const auto text =
      "workload: fmnist_cnn\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 8], a_bits: [8], first_last: none,\n"
      "            layers: {conv2: {w_bits: [8]}, fc1: {w_bits: [8]}}}\n"
      "accuracy: {source: ptq, float_epochs: 1, train_subset: 2000, eval_subset: 500}\n"
      "objectives: [bops, accuracy]\nstrategy: {name: exhaustive, budget: 4}\nseed: 3\n";
  const auto spec = load_sweep_string(text, "ptq.yaml");
  RunOptions opt;
  opt.threads = 2;
  const auto r = run_sweep(spec, opt);
  REQUIRE(r.points.size() == 4);
  // Exhaustive order, last gene fastest: point 3 has both layers at w8, point 0 both at w2.
  REQUIRE(genome_to_string(r.points[3].genome) == "01010");
  const double acc8 = r.points[3].values[1];
  const double acc2 = r.points[0].values[1];
  INFO("w8a8 " << acc8 << ", conv1 and fc2 at w2a8 " << acc2);
  CHECK(acc8 > 0.6);  // one epoch on 2,000 images: far above chance (0.1)
  CHECK(acc2 < acc8);
  // The same source on one thread and on three gives the same numbers.
  const Space space(spec);
  const auto base = std::make_shared<const TrainedBase>(space, spec);
  const PtqAccuracy ptq(base);
  const Evaluator ev(space, spec.objectives, &ptq);
  std::vector<Evaluation> one(4), three(4);
  for (std::size_t i = 0; i < 4; ++i) one[i].genome = three[i].genome = r.points[i].genome;
  ev.evaluate(one, 1);
  ev.evaluate(three, 3);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(one[i].values == three[i].values);
    CHECK(one[i].values == r.points[i].values);
  }
}

TEST_CASE("qat: each assignment fine-tuned at its bits, then evaluated - deterministic") {
  const auto text = sweep("{source: qat, float_epochs: 1, qat_epochs: 1, train_subset: 600, eval_subset: 300}",
                          "{name: random, budget: 2}");
  RunOptions opt;
  opt.threads = 2;
  const auto a = run_sweep(load_sweep_string(text, "qat.yaml"), opt);
  opt.threads = 1;
  const auto b = run_sweep(load_sweep_string(text, "qat.yaml"), opt);
  REQUIRE(a.points.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(a.points[i].values[1] > 0.3);
    CHECK(a.points[i].values[1] <= 1.0);
    CHECK(a.points[i].values == b.points[i].values);
  }
}

TEST_CASE("training keys are rejected for the proxy, and a missing model file is located") {
  auto e = [](const std::string& acc) {
    return test::input_error_of(
        [&] { return load_sweep_string(sweep(acc, "{name: random, budget: 2}"), "t.yaml"); }, acc);
  };
  CHECK(e("{source: proxy, float_epochs: 2}").where().key_path == "accuracy.float_epochs");
  CHECK(e("{source: ptq, qat_epochs: 2}").where().key_path == "accuracy.qat_epochs");
  const auto missing = e("{source: ptq, model: /nonexistent/model.bin}");
  CHECK(missing.where().key_path == "accuracy.model");
  CHECK(missing.kind() == InputError::Kind::kNotFound);
}

TEST_CASE("qat strategy: one learned assignment per beta, scored by the ptq source - proxy refused") {
  const auto text =
      "workload: fmnist_cnn\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 3, 4, 5, 6, 7, 8], a_bits: [2, 3, 4, 5, 6, 7, 8], first_last: none}\n"
      "accuracy: {source: ptq, float_epochs: 1, train_subset: 600, eval_subset: 300}\n"
      "objectives: [bops, accuracy]\n"
      "strategy: {name: qat, budget: 10, betas: [0, 4], cost: bops, epochs: 1}\nseed: 3\n";
  RunOptions opt;
  opt.threads = 2;
  const auto r = run_sweep(load_sweep_string(text, "qs.yaml"), opt);
  REQUIRE(r.points.size() >= 1);
  REQUIRE(r.points.size() <= 2);
  for (const auto& p : r.points) {
    CHECK(p.feasible);
    CHECK(p.values[1] > 0.1);
  }
  // A larger beta never learns a dearer network (the cost term only pushes bits down).
  if (r.points.size() == 2) CHECK(r.points[1].values[0] <= r.points[0].values[0]);
  std::string proxy = text;
  proxy.replace(proxy.find("{source: ptq, float_epochs: 1, train_subset: 600, eval_subset: 300}"),
                std::string("{source: ptq, float_epochs: 1, train_subset: 600, eval_subset: 300}").size(),
                "{source: proxy}");
  CHECK_THROWS_AS(run_sweep(load_sweep_string(proxy, "qs.yaml"), opt), InputError);
}
