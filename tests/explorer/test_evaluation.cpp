// The evaluator against the reference implementations: CostModel::evaluate for latency and
// energy, workloads::compute_metrics for memory and BOPs; the proxy's documented properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>

#include "helpers.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/workloads/metrics.hpp"

using namespace mixq;
using namespace mixq::explorer;

namespace {

Genome random_genome(const Space& space, std::mt19937_64& rng) {
  Genome g;
  for (const int c : space.cardinalities()) g.push_back(static_cast<std::uint8_t>(rng() % c));
  return g;
}

}  // namespace

TEST_CASE("evaluator equals CostModel::evaluate and compute_metrics on random MobileNetV2 points") {
  const auto spec = load_sweep_string(
      "workload: mobilenet_v2\n"
      "hardware: [bitfusion, {arch: stripes, vary: {array.rows: [8, 16]}}]\n"
      "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: 8}\n"
      "accuracy: {source: proxy}\n"
      "objectives: [latency, energy, edp, weight_memory, activation_memory, bops, accuracy]\n"
      "strategy: {name: random, budget: 10}\n",
      "mbv2.yaml");
  const Space space(spec);
  REQUIRE(space.hardware().size() == 3);
  CHECK(space.hardware()[2].label == "stripes[array.rows=16]");
  CHECK(space.hardware()[2].model->accelerator().array.rows == 16);
  // First and last weighted layers are fixed, so they are not genes.
  CHECK(space.genes() == 1 + 2 * (space.network().weighted_layers().size() - 2));
  const ProxyAccuracy proxy(space, spec.accuracy.proxy);
  const Evaluator ev(space, spec.objectives, &proxy);
  std::mt19937_64 rng(3);
  std::vector<Genome> batch;
  for (int i = 0; i < 40; ++i) batch.push_back(random_genome(space, rng));
  std::vector<Evaluation> out(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) out[i].genome = batch[i];
  ev.evaluate(out, 2);
  int feasible = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto a = space.assignment(batch[i]);
    const auto& model = *space.hardware()[batch[i][0]].model;
    const bool ok = model.check(space.network(), a).ok;
    REQUIRE(out[i].feasible == ok);
    if (!ok) continue;
    ++feasible;
    const auto cost = model.evaluate(space.network(), a);
    const auto m = workloads::compute_metrics(space.network(), a);
    const auto& v = out[i].values;
    CHECK(v[0] == Approx(cost.latency_s).epsilon(1e-12));
    CHECK(v[1] == Approx(cost.energy_pj).epsilon(1e-9));
    CHECK(v[2] == Approx(cost.energy_pj * cost.latency_s).epsilon(1e-9));
    CHECK(v[3] == static_cast<double>(m.weight_bits));
    CHECK(v[4] == static_cast<double>(m.activation_bits_sum));
    CHECK(v[5] == Approx(m.bops).epsilon(1e-12));
    CHECK(v[6] > 0);
    CHECK(v[6] <= 0.9);
  }
  CHECK(feasible > 20);
}

TEST_CASE("proxy accuracy: 8-bit is the base, uniform 4-bit loses drop_at_4bit, fewer bits never score higher") {
  const auto spec = load_sweep_string(
      "workload: mobilenet_v2\nhardware: bitfusion\n"
      "precision: {w_bits: [2, 3, 4, 8], a_bits: [2, 3, 4, 8], first_last: none}\n"
      "accuracy: {source: proxy, base_accuracy: 0.72, drop_at_4bit: 0.02}\n"
      "objectives: [accuracy]\nstrategy: {name: random, budget: 10}\n",
      "p.yaml");
  const Space space(spec);
  const ProxyAccuracy proxy(space, spec.accuracy.proxy);
  const Evaluator ev(space, spec.objectives, &proxy);
  auto uniform = [&](std::uint8_t idx) {
    Genome g(space.genes(), idx);
    g[0] = 0;
    std::vector<Evaluation> out(1);
    out[0].genome = g;
    ev.evaluate(out, 1);
    return out[0].values[0];
  };
  CHECK(uniform(3) == Approx(0.72 * std::exp(-(-std::log(0.98) / 256))));  // N = 1 at 8 bits
  CHECK(uniform(2) == Approx(0.72 * 0.98));
  CHECK(uniform(1) < uniform(2));
  CHECK(uniform(0) < uniform(1));
  // Monotone in every gene: lowering one layer's bits lowers the score.
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    Genome g = random_genome(space, rng);
    const std::size_t gene = 1 + rng() % (space.genes() - 1);
    if (g[gene] == 0) continue;
    Genome lower = g;
    --lower[gene];
    std::vector<Evaluation> out(2);
    out[0].genome = g;
    out[1].genome = lower;
    ev.evaluate(out, 1);
    REQUIRE(out[1].values[0] < out[0].values[0]);
  }
  // Depthwise layers (fan-in 9) are the most sensitive under the computed sensitivities.
  const auto& net = space.network();
  double dw = 0, pw = 0;
  for (const std::size_t l : net.weighted_layers()) {
    if (net.layer(l).op == workloads::OpKind::kDepthwiseConv) dw = std::max(dw, proxy.weight_sensitivity()[l]);
    if (net.layer(l).r == 1 && net.layer(l).op == workloads::OpKind::kConv) pw = std::max(pw, proxy.weight_sensitivity()[l]);
  }
  CHECK(dw > pw);
}

TEST_CASE("proxy sensitivities from a file must cover every weighted layer") {
  const auto dir = test::temp_dir("sens");
  {
    std::ofstream f(dir / "s.yaml");
    f << "layers:\n  conv1: {w: 1, a: 2}\n  conv2: 1\n  fc1: 0.5\n  fc2: {w: 4, a: 4}\n";
  }
  const std::string body = "workload: fmnist_cnn\nhardware: bitfusion\n"
                           "precision: {first_last: none}\n"
                           "objectives: [accuracy]\nstrategy: {name: random, budget: 10}\n";
  auto spec = load_sweep_string(body + "accuracy: {source: proxy, sensitivities: " +
                                    (dir / "s.yaml").string() + "}\n",
                                "s.yaml");
  const Space space(spec);
  const ProxyAccuracy proxy(space, spec.accuracy.proxy);
  const auto l = *space.network().find("fc2");
  CHECK(proxy.weight_sensitivity()[l] == 4);
  CHECK(proxy.activation_sensitivity()[*space.network().find("conv1")] == 2);
  {
    std::ofstream f(dir / "short.yaml");
    f << "layers:\n  conv1: 1\n";
  }
  spec = load_sweep_string(body + "accuracy: {source: proxy, sensitivities: " +
                               (dir / "short.yaml").string() + "}\n",
                           "s.yaml");
  const Space space2(spec);
  CHECK_THROWS_AS(ProxyAccuracy(space2, spec.accuracy.proxy), InputError);
  std::filesystem::remove_all(dir);
}
