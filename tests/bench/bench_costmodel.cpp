// Cost-model speed: what search tools pay per call. Targets (docs/PERFORMANCE.md): whole
// MobileNetV2 mapped cold at all 9 (w, a) in {2,4,8}² in under 1 s; warm re-pricing of a
// per-layer assignment at >= 1,000,000 assignments per second per core.
#include <benchmark/benchmark.h>

#include <random>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/costmodel/price_table.hpp"
#include "mixq/workloads/loader.hpp"

namespace {

using namespace mixq;

const workloads::Network& mobilenet() {
  static const workloads::Network net = workloads::load_workload("mobilenet_v2");
  return net;
}

const arch::Accelerator& bitfusion() {
  static const arch::Accelerator acc = arch::load_arch("bitfusion");
  return acc;
}

// One 3×3 conv (56×56 output, 64 → 64 channels) mapped from scratch: the mapper's search.
void BM_LayerCold(benchmark::State& state) {
  const auto layer = workloads::load_network_string(
                         "layer: {op: conv, c: 64, p: 56, q: 56, k: 64, r: 3, pad: 1}")
                         .layer(0);
  const costmodel::CostModel model(bitfusion());
  const auto rate = model.rate(4, 4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(costmodel::map_layer(layer, model.accelerator(), {4, 4, 4}, rate));
  }
}
BENCHMARK(BM_LayerCold)->Unit(benchmark::kMicrosecond);

// The same layer through the memo cache.
void BM_LayerWarm(benchmark::State& state) {
  const auto layer = workloads::load_network_string(
                         "layer: {op: conv, c: 64, p: 56, q: 56, k: 64, r: 3, pad: 1}")
                         .layer(0);
  const costmodel::CostModel model(bitfusion());
  (void)model.map(layer, {4, 4, 4});
  for (auto _ : state) benchmark::DoNotOptimize(model.map(layer, {4, 4, 4}));
}
BENCHMARK(BM_LayerWarm);

// All of MobileNetV2 mapped cold at every (w, a) in {2,4,8}² (a fresh model each time).
void BM_MobileNetV2ColdAllPairs(benchmark::State& state) {
  for (auto _ : state) {
    const costmodel::CostModel model(bitfusion());
    for (const int w : {2, 4, 8}) {
      for (const int a : {2, 4, 8}) {
        benchmark::DoNotOptimize(
            model.evaluate(mobilenet(), workloads::PrecisionAssignment::uniform(mobilenet(), {w, a})));
      }
    }
  }
}
BENCHMARK(BM_MobileNetV2ColdAllPairs)->Unit(benchmark::kMillisecond);

std::vector<std::vector<std::uint8_t>> random_indices(std::size_t count, std::size_t layers) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, 2);
  std::vector<std::vector<std::uint8_t>> out(count, std::vector<std::uint8_t>(layers));
  for (auto& v : out) {
    for (auto& x : v) x = static_cast<std::uint8_t>(pick(rng));
  }
  return out;
}

// A per-layer assignment re-priced through CostModel::evaluate (memo cache warm).
void BM_MobileNetV2WarmEvaluate(benchmark::State& state) {
  const costmodel::CostModel model(bitfusion());
  const int bits[] = {2, 4, 8};
  const auto idx = random_indices(64, mobilenet().size());
  std::vector<workloads::PrecisionAssignment> as;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    auto a = workloads::PrecisionAssignment::uniform(mobilenet(), {8, 8});
    for (std::size_t i = 0; i < mobilenet().size(); ++i) a.set(mobilenet(), i, {bits[idx[k][i]], bits[idx[(k + 1) % idx.size()][i]]});
    (void)model.evaluate(mobilenet(), a);
    as.push_back(std::move(a));
  }
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.evaluate(mobilenet(), as[k++ % as.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MobileNetV2WarmEvaluate);

// The same through a PriceTable: the path search loops use.
void BM_MobileNetV2WarmPriceTable(benchmark::State& state) {
  const costmodel::CostModel model(bitfusion());
  const costmodel::PriceTable table(model, mobilenet(), {2, 4, 8}, {2, 4, 8});
  const auto w = random_indices(256, mobilenet().size());
  const auto a = random_indices(257, mobilenet().size());
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.price(w[k % w.size()], a[k % a.size()]));
    ++k;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MobileNetV2WarmPriceTable);

}  // namespace

BENCHMARK_MAIN();
