// Training-engine speed (docs/PERFORMANCE.md, "Training"): mini-batch steps of fmnist_cnn
// with LSQ fake quantization, float steps, and post-training evaluation under an assignment.
// The step time is the loop's own clock (TrainResult::train_seconds over the batches run),
// so data loading, calibration and the per-epoch test pass are excluded.
#include <benchmark/benchmark.h>

#include "mixq/train/train.hpp"

namespace {

using namespace mixq::train;

const Dataset& images() {
  static const Dataset d = load_mnist_format(default_fashion_mnist_dir(), "train", 2560);
  return d;
}

void run_steps(benchmark::State& state, PhaseKind kind) {
  TrainConfig c;
  c.workload = "fmnist_cnn";
  c.threads = static_cast<int>(state.range(0));
  c.batch = 128;
  c.quant.bits = {4, 4};
  c.phases = {{kind, 1, 1e-3}};
  const Dataset tiny_test = images().head(10);
  for (auto _ : state) {
    const TrainResult r = train(c, images(), tiny_test);
    state.SetIterationTime(r.train_seconds);
  }
  state.SetItemsProcessed(state.iterations() * images().size());
  state.counters["s_per_60k_epoch"] = benchmark::Counter(
      60000.0 * static_cast<double>(state.iterations()) / static_cast<double>(images().size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_TrainEpochLsqW4A4(benchmark::State& state) { run_steps(state, PhaseKind::kFixedBits); }
void BM_TrainEpochFloat(benchmark::State& state) { run_steps(state, PhaseKind::kFloat); }

void BM_EvaluateAssignment(benchmark::State& state) {
  static const Dataset test = load_mnist_format(default_fashion_mnist_dir(), "t10k");
  TrainConfig c;
  c.phases = {{PhaseKind::kFloat, 0, 1e-3}};
  c.threads = static_cast<int>(state.range(0));
  static const TrainResult r = train(c, images().head(256), test.head(10));
  const auto a = mixq::workloads::PrecisionAssignment::uniform(*r.model.network, {4, 4});
  EvalOptions o;
  o.threads = c.threads;
  for (auto _ : state) benchmark::DoNotOptimize(evaluate_accuracy(r.model, a, test, o));
  state.SetItemsProcessed(state.iterations() * test.size());
}

}  // namespace

BENCHMARK(BM_TrainEpochLsqW4A4)->Arg(1)->Arg(2)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_TrainEpochFloat)->Arg(1)->Arg(2)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EvaluateAssignment)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
