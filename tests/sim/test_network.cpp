// The network-level simulator under finite bandwidth, its two kernels, and its timeline.
// Each TEST_CASE is its own process with at most one SystemC simulation (one sc_start).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "mixq/arch/accelerator.hpp"
#include "mixq/common/error.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/sim/simulate.hpp"
#include "mixq/sim/trace.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;

namespace {

// First and last layers at w8a8, the rest at w4a4: several precisions in one network.
workloads::PrecisionAssignment mixed(const workloads::Network& net) {
  auto a = workloads::PrecisionAssignment::uniform(net, {4, 4});
  std::vector<std::size_t> weighted;
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (net.layer(i).has_weights()) weighted.push_back(i);
  }
  a.set(net, weighted.front(), {8, 8});
  a.set(net, weighted.back(), {8, 8});
  return a;
}

}  // namespace

// Reduced DRAM bandwidth (bitfusion at 16 bits per cycle instead of 192): the simulator must
// report memory stalls, and no layer may run faster than the array alone (the analytic
// compute-bound latency of the same mapping) or than the DRAM channel can move its bits.
// What the analytic model omits, and the simulator adds on top of it:
// - the order of transfers on the one DRAM channel: a tile's stores and the next tiles'
//   loads queue behind each other (reported as contention), where the analytic model only
//   sums the bits;
// - per-tile bottlenecks: the sum over tiles of max(compute, transfers) exceeds the max of
//   the sums when tiles differ (edge tiles, the first channel tile without partial sums);
// - DRAM latency per burst (when set; the analytic model has none).
// The pipeline head and tail (the first tiles in, the last tile out, through the slower of
// DRAM and the buffers' ports) are priced by both the same way (docs/cost-model.md).
TEST_CASE("reduced bandwidth: memory stalls and never faster than compute or the DRAM channel",
          "[sim][network]") {
  const costmodel::CostModel model(arch::load_arch("bitfusion", {"dram.bits_per_cycle=16"}));
  std::vector<workloads::Network> nets;
  for (const char* name : {"resnet18", "mobilenet_v2", "fmnist_cnn"})
    nets.push_back(workloads::load_workload(name));
  std::vector<workloads::PrecisionAssignment> as;
  for (const auto& n : nets) as.push_back(mixed(n));
  std::vector<sim::SimJob> jobs;
  for (std::size_t i = 0; i < nets.size(); ++i) jobs.push_back({&nets[i], &as[i]});
  sim::SimOptions opt;
  opt.dram_latency_cycles = 20;
  const auto results = sim::simulate_all(jobs, model, opt);
  REQUIRE(results.size() == 3);
  for (std::size_t n = 0; n < results.size(); ++n) {
    const auto& r = results[n];
    std::int64_t stalled_layers = 0, cycles = 0, analytic_compute = 0;
    for (const auto& l : r.layers) {
      INFO(nets[n].name() << "/" << l.name << ": simulated " << l.cycles << ", analytic "
                          << l.analytic_cycles << ", compute " << l.analytic_compute_cycles
                          << ", DRAM bits " << l.dram_read_bits + l.dram_write_bits << " vs "
                          << l.analytic_dram_bits);
      CHECK(l.cycles >= l.analytic_compute_cycles);
      // The channel must have moved every bit: a lower bound no schedule beats.
      CHECK(static_cast<double>(l.cycles) >=
            static_cast<double>(l.dram_read_bits + l.dram_write_bits) / 16.0 - 1);
      CHECK(l.dram_read_bits + l.dram_write_bits == l.analytic_dram_bits);
      CHECK(l.compute_cycles + l.memory_stall_cycles + l.contention_stall_cycles == l.cycles);
      if (l.memory_stall_cycles > 0) ++stalled_layers;
      cycles += l.cycles;
      analytic_compute += l.analytic_compute_cycles;
    }
    CHECK(stalled_layers > static_cast<std::int64_t>(r.layers.size()) / 2);
    CHECK(r.total.cycles == cycles);
    CHECK(r.total.analytic_compute_cycles == analytic_compute);
    CHECK(r.total.cycles > r.total.analytic_compute_cycles);
    CHECK(r.total.memory_stall_cycles > 0);
    CHECK(r.total.contention_stall_cycles > 0);  // stores and loads share the channel
    // Energy is counted per action from the same tables; the traffic is the same.
    CHECK(r.total.energy_pj == Approx(r.total.analytic_energy_pj).epsilon(1e-6));
    CHECK(r.total.energy.mac_pj > 0);
  }
  // SystemC's clock followed the policies' clock to the end of the last job.
  CHECK(results[0].kernel_end_cycles == Approx(results[0].end_cycles).epsilon(1e-6));
  CHECK(results[0].transactions > 1000);
  CHECK(results[0].syncs >= 1);
}

TEST_CASE("the SystemC kernel and the plain kernel give the same numbers", "[sim][network]") {
  const costmodel::CostModel model(arch::load_arch("tpu_v1"));
  const auto net = workloads::load_workload("resnet18");
  const auto a = workloads::PrecisionAssignment::uniform(net, {8, 8});
  sim::SimOptions opt;
  opt.quantum_cycles = 5000;  // several synchronizations
  const auto tlm = sim::simulate(net, a, model, opt);
  opt.kernel = sim::Kernel::kPlain;
  const auto plain = sim::simulate(net, a, model, opt);
  REQUIRE(tlm.layers.size() == plain.layers.size());
  for (std::size_t i = 0; i < tlm.layers.size(); ++i) {
    INFO(tlm.layers[i].name);
    CHECK(tlm.layers[i].cycles == plain.layers[i].cycles);
    CHECK(tlm.layers[i].memory_stall_cycles == plain.layers[i].memory_stall_cycles);
    CHECK(tlm.layers[i].contention_stall_cycles == plain.layers[i].contention_stall_cycles);
    CHECK(tlm.layers[i].energy_pj == plain.layers[i].energy_pj);
  }
  CHECK(tlm.syncs > 1);
  CHECK(plain.syncs == 0);
  CHECK(tlm.kernel_end_cycles == Approx(tlm.end_cycles).epsilon(1e-6));
}

TEST_CASE("SystemC's kernel is global: a second SystemC simulation in one process is refused",
          "[sim][network]") {
  const costmodel::CostModel model(arch::load_arch("systolic"));
  const auto net = workloads::load_workload("jet_mlp");
  const auto a = workloads::PrecisionAssignment::uniform(net, {8, 8});
  (void)sim::simulate(net, a, model);
#if defined(__SANITIZE_ADDRESS__)
  // After SystemC has switched coroutine stacks, AddressSanitizer reports a false
  // stack-buffer-overflow when any exception is thrown (google/sanitizers#189: it warns
  // "False positive error reports may follow"); the refusal is checked in the plain build.
  WARN("ASan build: the second-simulation refusal is checked in the Release build only");
#else
  CHECK_THROWS_WITH(sim::simulate(net, a, model),
                    Catch::Contains("one SystemC simulation per process"));
#endif
  sim::SimOptions plain;
  plain.kernel = sim::Kernel::kPlain;
  CHECK_NOTHROW(sim::simulate(net, a, model, plain));
}

TEST_CASE("an assignment the cost model cannot map is refused before simulating",
          "[sim][network]") {
  const costmodel::CostModel model(arch::load_arch("tpu_v1"));  // 8-bit MACs at most
  const auto net = workloads::load_workload("jet_mlp");
  const auto a = workloads::PrecisionAssignment::uniform(net, {16, 16});
  sim::SimOptions plain;
  plain.kernel = sim::Kernel::kPlain;
  CHECK_THROWS_AS(sim::simulate(net, a, model, plain), costmodel::InfeasibleError);
}

TEST_CASE("trace: one track per unit and tiles in order on the PE array in valid trace-event JSON",
          "[sim][network][trace]") {
  const costmodel::CostModel model(arch::load_arch("bitfusion"));
  const auto net = workloads::load_workload("fmnist_cnn");
  const auto a = mixed(net);
  sim::Trace trace;
  sim::SimOptions opt;
  opt.trace = &trace;
  const auto r = sim::simulate(net, a, model, opt);
  std::ostringstream os;
  sim::write_chrome_trace(trace, os);
  const auto doc = nlohmann::json::parse(os.str());
  std::map<int, std::string> names;
  std::map<std::string, int> complete;
  double last_tile_end = -1;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name")
      names[e["tid"].get<int>()] = e["args"]["name"];
  }
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const std::string track = names.at(e["tid"].get<int>());
    ++complete[track];
    CHECK(e["dur"].get<double>() >= 0);
    if (track == "PE array") {
      // The array runs one tile at a time.
      CHECK(e["ts"].get<double>() >= last_tile_end - 1e-6);
      last_tile_end = e["ts"].get<double>() + e["dur"].get<double>();
    }
  }
  for (const char* track :
       {"DMA", "DRAM", "PE array", "buffer wbuf", "buffer ibuf", "buffer obuf"}) {
    INFO(track);
    CHECK(complete[track] > 0);
  }
  CHECK(complete["PE array"] == r.total.tiles);
  // The timeline ends where the simulation does (microseconds at 500 MHz).
  CHECK(last_tile_end <= r.end_cycles / 500.0 + 1e-6);
}
