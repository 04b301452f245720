// Simulator speed. Target (docs/PERFORMANCE.md): MobileNetV2 on the bitfusion preset
// simulated at tile level in under 1 s on one core. SystemC's kernel is global and runs once
// per process, so the SystemC benchmark is one iteration (the mapper's cold search
// included); the plain kernel (same controller and policies, no kernel) repeats.
#include <benchmark/benchmark.h>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/sim/simulate.hpp"
#include "mixq/sim/trace.hpp"
#include "mixq/workloads/loader.hpp"

namespace {

using namespace mixq;

const workloads::Network& mobilenet() {
  static const workloads::Network net = workloads::load_workload("mobilenet_v2");
  return net;
}

void report(benchmark::State& state, const sim::SimResult& r) {
  state.counters["tiles"] = static_cast<double>(r.total.tiles);
  state.counters["sim_vs_analytic_%"] =
      100.0 * static_cast<double>(r.total.cycles - r.total.analytic_cycles) /
      static_cast<double>(r.total.analytic_cycles);
}

// The whole of `mixq simulate --arch bitfusion --workload mobilenet_v2` minus printing: a
// fresh CostModel (every layer mapped from scratch), then the TLM-2.0 loosely-timed run.
void BM_MobileNetV2BitfusionSystemC(benchmark::State& state) {
  const auto a = workloads::PrecisionAssignment::uniform(mobilenet(), {8, 8});
  for (auto _ : state) {
    const costmodel::CostModel model(arch::load_arch("bitfusion"));
    const auto r = sim::simulate(mobilenet(), a, model);
    report(state, r);
    state.counters["tlm_transactions"] = static_cast<double>(r.transactions);
  }
}
BENCHMARK(BM_MobileNetV2BitfusionSystemC)->Iterations(1)->Unit(benchmark::kMillisecond);

// The simulation alone: mappings warm in the CostModel's memo cache, plain kernel.
void BM_MobileNetV2BitfusionPlainWarm(benchmark::State& state) {
  const costmodel::CostModel model(arch::load_arch("bitfusion"));
  const auto a = workloads::PrecisionAssignment::uniform(mobilenet(), {8, 8});
  (void)model.evaluate(mobilenet(), a);
  sim::SimOptions opt;
  opt.kernel = sim::Kernel::kPlain;
  for (auto _ : state) {
    const auto r = sim::simulate(mobilenet(), a, model, opt);
    report(state, r);
  }
}
BENCHMARK(BM_MobileNetV2BitfusionPlainWarm)->Unit(benchmark::kMillisecond);

// The same with a timeline recorded (one event per tile, transfer and port use).
void BM_MobileNetV2BitfusionPlainTrace(benchmark::State& state) {
  const costmodel::CostModel model(arch::load_arch("bitfusion"));
  const auto a = workloads::PrecisionAssignment::uniform(mobilenet(), {4, 4});
  (void)model.evaluate(mobilenet(), a);
  for (auto _ : state) {
    sim::Trace trace;
    sim::SimOptions opt;
    opt.kernel = sim::Kernel::kPlain;
    opt.trace = &trace;
    const auto r = sim::simulate(mobilenet(), a, model, opt);
    report(state, r);
    state.counters["events"] = static_cast<double>(trace.events.size());
  }
}
BENCHMARK(BM_MobileNetV2BitfusionPlainTrace)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
