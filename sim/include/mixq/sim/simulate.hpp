// The network-level entry of the simulator: every layer of a network under a
// PrecisionAssignment on an accelerator, executing the mappings costmodel::CostModel chose
// (the same Mapping values the analytic model priced), and the analytic figures beside the
// simulated ones. docs/simulator.md.
//
// Layers run one after another in topological order (as in the analytic model); a weighted
// layer runs its precision groups one after another, each with its own mapping; a per-weight
// histogram bucket is its share of the layer run at that bucket's precision (the layer is
// simulated at that precision and scaled, as the analytic model scales it); pooling, add and
// concat are data movement (inputs in from DRAM through the input buffer, the output back
// through the output buffer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mixq/costmodel/layer_cost.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/workloads/network.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::sim {

struct Trace;

enum class Kernel {
  // TLM-2.0 loosely timed: the controller is an SC_THREAD, DMA and PE array are sc_modules
  // reached through b_transport with annotated delays and a quantum keeper. SystemC's kernel
  // is global: one such simulation per process (a second call throws mixq::Error).
  kSystemC,
  // The same controller and policies called directly: no kernel, any number per process,
  // identical numbers (tested).
  kPlain,
};

struct SimOptions {
  Kernel kernel = Kernel::kSystemC;
  double dram_latency_cycles =
      0;  // per DMA burst; arch files give none, the analytic model assumes 0
  double quantum_cycles = 100000;  // TLM global quantum (loosely timed), in accelerator cycles
  Trace* trace = nullptr;          // records a timeline when set
};

struct SimLayer {
  std::string name;
  bool on_array = false;
  double start_cycles = 0;
  std::int64_t cycles = 0;           // simulated latency
  std::int64_t analytic_cycles = 0;  // costmodel's figure for the same mappings
  std::int64_t analytic_compute_cycles = 0;
  std::int64_t analytic_dram_bits = 0;       // reads + writes
  std::int64_t compute_cycles = 0;           // the array computing (Σ tiles)
  std::int64_t memory_stall_cycles = 0;      // waiting for DRAM or buffer bandwidth, latency
  std::int64_t contention_stall_cycles = 0;  // queued behind other transfers on a shared port
  // Of the stalls: before the array's first tile (the first tiles filling the buffers) and
  // after its last (the last outputs draining), summed over precision groups: the analytic
  // model's prologue and epilogue.
  double fill_cycles = 0;
  double drain_cycles = 0;
  double latency_s = 0;
  std::int64_t macs = 0;
  std::int64_t tiles = 0;
  costmodel::EnergyBreakdown energy;  // counted per action: MACs, buffer bits, DRAM bits
  double energy_pj = 0;
  double analytic_energy_pj = 0;
  std::int64_t dram_read_bits = 0;
  std::int64_t dram_write_bits = 0;
  std::vector<std::int64_t> buffer_read_bits;
  std::vector<std::int64_t> buffer_write_bits;
  double utilization = 0;  // MACs / (cycles · peak MACs per cycle of the first group's precision)
  double spatial_utilization = 0;  // a property of the mappings: the analytic model's value
};

struct SimResult {
  std::vector<SimLayer> layers;
  SimLayer total;  // sums; total.name is the network's
  // Of the whole run (all jobs of simulate_all): where the policies' clock ended, where the
  // kernel's ended (sc_time_stamp() in cycles; the same under kPlain), TLM transactions and
  // quantum-keeper synchronizations (0 under kPlain).
  double end_cycles = 0;
  double kernel_end_cycles = 0;
  std::int64_t transactions = 0;
  std::int64_t syncs = 0;
};

// Throws costmodel::InfeasibleError for an assignment the cost model cannot map, and
// mixq::Error for a second kSystemC simulation in one process.
[[nodiscard]] SimResult simulate(const workloads::Network& net,
                                 const workloads::PrecisionAssignment& a,
                                 const costmodel::CostModel& model, const SimOptions& opt = {});

// Simulates several (network, assignment) jobs on one accelerator, one after another in one
// kernel run (one sc_start): how a single process checks many networks under kSystemC.
struct SimJob {
  const workloads::Network* net = nullptr;
  const workloads::PrecisionAssignment* assignment = nullptr;
};
[[nodiscard]] std::vector<SimResult> simulate_all(const std::vector<SimJob>& jobs,
                                                  const costmodel::CostModel& model,
                                                  const SimOptions& opt = {});

}  // namespace mixq::sim
