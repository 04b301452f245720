// Explorer speed and search quality (docs/PERFORMANCE.md, "Explorer").
//  - BM_SweepProxyMobileNetV2: a whole random sweep (10^6 points) of MobileNetV2 per-layer bits on
//    two presets with the proxy accuracy (latency, energy, accuracy), through run_sweep:
//    strategy, parallel evaluation, records, Pareto archive and the fsync'd journal. The
//    space (PriceTables) is built once outside the timed loop, as a sweep builds it once.
//    Target: >= 100,000 assignments/s on 2 cores.
//  - BM_EvaluatorOnly/threads: the evaluator alone on pre-drawn genomes.
//  - BM_Nsga2VsExhaustive: the acceptance measure on fmnist_cnn, reported as counters.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/runner.hpp"

namespace {

using namespace mixq;
using namespace mixq::explorer;

std::string mobilenet_sweep(std::int64_t budget) {
  return "name: bench\nworkload: mobilenet_v2\nhardware: [bitfusion, stripes]\n"
         "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: 8}\n"
         "accuracy: {source: proxy}\nobjectives: [latency, energy, accuracy]\n"
         "strategy: {name: random, budget: " + std::to_string(budget) + "}\nseed: 1\n";
}

void BM_SweepProxyMobileNetV2(benchmark::State& state) {
  const std::int64_t budget = 1000000;
  const auto spec = load_sweep_string(mobilenet_sweep(budget), "bench.yaml");
  const auto dir = std::filesystem::temp_directory_path() / "mixq_bench_sweep";
  RunOptions opt;
  opt.threads = static_cast<int>(state.range(0));
  if (state.range(1) != 0) opt.out_dir = dir;
  // The search loop's own rate, from the first batch's end to the last's (run_sweep's clock
  // and items_per_second also include building the space, BM_SpaceSetupMobileNetV2).
  Progress first, last;
  opt.on_progress = [&](const Progress& p) {
    if (first.evaluated == 0) first = p;
    last = p;
  };
  for (auto _ : state) {
    first = last = Progress{};
    const auto r = run_sweep(spec, opt);
    benchmark::DoNotOptimize(r.hypervolume);
  }
  state.SetItemsProcessed(state.iterations() * budget);
  state.counters["search_per_s"] =
      static_cast<double>(last.evaluated - first.evaluated) / (last.seconds - first.seconds);
  std::filesystem::remove_all(dir);
}
// Args: threads, journal (0: none, 1: journal.txt fsync'd after each batch).
BENCHMARK(BM_SweepProxyMobileNetV2)
    ->ArgNames({"threads", "journal"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({2, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Building the space: loading both presets and pricing their PriceTables (once per sweep).
void BM_SpaceSetupMobileNetV2(benchmark::State& state) {
  const auto spec = load_sweep_string(mobilenet_sweep(10), "bench.yaml");
  for (auto _ : state) {
    const Space space(spec);
    benchmark::DoNotOptimize(space.genes());
  }
}
BENCHMARK(BM_SpaceSetupMobileNetV2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EvaluatorOnly(benchmark::State& state) {
  const auto spec = load_sweep_string(mobilenet_sweep(10), "bench.yaml");
  static const Space space(spec);
  const ProxyAccuracy proxy(space, spec.accuracy.proxy);
  const Evaluator ev(space, spec.objectives, &proxy);
  std::mt19937_64 rng(1);
  std::vector<Evaluation> batch(4096);
  for (auto& e : batch) {
    for (const int c : space.cardinalities()) e.genome.push_back(static_cast<std::uint8_t>(rng() % c));
  }
  for (auto _ : state) {
    ev.evaluate(batch, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(batch[0].values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch.size()));
}
BENCHMARK(BM_EvaluatorOnly)->Arg(1)->Arg(2)->UseRealTime();

// The acceptance measure: hypervolume of NSGA-II and random search with 5 % of the
// evaluations of the exhaustive run, as a fraction of the exhaustive front's (one reference
// point for all three: the exhaustive cloud's worst value + 10 % of its range).
void BM_Nsga2VsExhaustive(benchmark::State& state) {
  auto text = [](const std::string& strategy, std::int64_t budget, std::int64_t seed) {
    return "workload: fmnist_cnn\nhardware: bitfusion\n"
           "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
           "accuracy: {source: proxy, base_accuracy: 0.91, drop_at_4bit: 0.01}\n"
           "objectives: [latency, energy, accuracy]\n"
           "strategy: {name: " + strategy + ", budget: " + std::to_string(budget) +
           (strategy == "nsga2" ? ", population: 24" : "") + "}\nseed: " + std::to_string(seed) + "\n";
  };
  RunOptions opt;
  opt.threads = 2;
  const auto ex = run_sweep(load_sweep_string(text("exhaustive", 10000, 1), "ex.yaml"), opt);
  std::vector<Vector> all;
  for (const auto& p : ex.points) all.push_back(to_minimized(ex.objectives, p.values));
  const Vector ref = default_reference(all);
  auto hv = [&](const SweepResult& r) {
    std::vector<Vector> f;
    for (const std::size_t i : r.front) f.push_back(to_minimized(r.objectives, r.points[i].values));
    return hypervolume(f, ref);
  };
  const double hv_star = hv(ex);
  const std::int64_t budget = static_cast<std::int64_t>(ex.points.size()) * 5 / 100;
  double nsga = 0, rnd = 0, worst = 1;
  std::int64_t seed = 0;
  for (auto _ : state) {
    ++seed;
    const double n = hv(run_sweep(load_sweep_string(text("nsga2", budget, seed), "n.yaml"), opt)) / hv_star;
    const double r = hv(run_sweep(load_sweep_string(text("random", budget, seed), "r.yaml"), opt)) / hv_star;
    nsga += n;
    rnd += r;
    worst = std::min(worst, n);
  }
  state.counters["evaluations"] = static_cast<double>(budget);
  state.counters["exhaustive"] = static_cast<double>(ex.points.size());
  state.counters["nsga2_hv_ratio_mean"] = nsga / static_cast<double>(state.iterations());
  state.counters["nsga2_hv_ratio_worst"] = worst;
  state.counters["random_hv_ratio_mean"] = rnd / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Nsga2VsExhaustive)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
