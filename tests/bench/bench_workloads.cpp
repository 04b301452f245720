// Speed of the hardware-independent pieces: loading a zoo network, and re-computing the
// footprint/BOPs metrics of a per-layer assignment (what a memory-targeted search calls).
#include <benchmark/benchmark.h>

#include <random>

#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"

namespace {

using namespace mixq::workloads;

void BM_LoadMobileNetV2(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(load_workload("mobilenet_v2"));
  }
}
BENCHMARK(BM_LoadMobileNetV2)->Unit(benchmark::kMillisecond);

void BM_MetricsMobileNetV2PerLayer(benchmark::State& state) {
  const Network net = load_workload("mobilenet_v2");
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> pick(0, 2);
  const int choices[] = {2, 4, 8};
  PrecisionAssignment a = PrecisionAssignment::uniform(net, {8, 8});
  for (std::size_t i = 0; i < net.size(); ++i) a.set(net, i, {choices[pick(rng)], choices[pick(rng)]});
  for (auto _ : state) {
    benchmark::DoNotOptimize(compute_metrics(net, a));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsMobileNetV2PerLayer);

}  // namespace

BENCHMARK_MAIN();
