// A network on a multi-accelerator SoC, simulated in SystemC (docs/soc.md, "Simulation"):
// one module per engine, each with its DMA as an initiator on an approximately-timed
// sc::SharedPort standing for the one bus (and a second one for DRAM), plus one DMA initiator
// for the layers without weights. Each engine runs its parts of layers: load its inputs (and
// weights unless resident), compute for the part's cycles from costmodel::SocModel::price (the
// numbers the analytic model uses), store its output share. The transfers and compute cycles
// are those of SocModel::evaluate; what differs is that parts and inputs overlap and meet on
// the bus, where arbitration decides who waits.
//
//   sequential:  one input; a layer starts when every part of the previous layer has ended
//                (the analytic model's order); the parts of a split layer run concurrently,
//                each loading, computing and storing, and contend on the bus.
//   pipelined:   `inputs` inputs; each engine runs the oldest of its parts whose producers
//                (same input) have ended, so engines work on different inputs at once and
//                their transfers meet on the bus.
//
// Per engine: busy (computing), memory stall (its transfers on the bus and DRAM), contention
// stall (waiting for the bus or DRAM while another initiator holds it). SystemC's kernel is
// global: one simulate_soc per process (a second call throws mixq::Error).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/network.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::sim {

struct SocSimOptions {
  costmodel::Schedule schedule = costmodel::Schedule::kSequential;
  int inputs = 4;  // pipelined: the stream's length (at least 2 to measure a period)
};

struct SocSimEngine {
  std::string name;  // an engine's, or "dma" for the layers without weights
  std::int64_t parts = 0;  // layer parts run (over all inputs)
  double busy_cycles = 0;
  double memory_stall_cycles = 0;      // its bursts crossing the bus and DRAM
  double contention_stall_cycles = 0;  // queued while another initiator held the bus or DRAM
  double bus_bits = 0;
};

struct SocSimLayer {
  std::string name;
  std::vector<std::string> engines;  // per part, in channel order (empty: moved by the DMA)
  double start_cycles = 0;           // of input 0
  double end_cycles = 0;
  std::int64_t analytic_cycles = 0;  // SocModel's sequential figure (compute + transfers)
  // The same parts, each with the bus to itself: max over parts of (its transfers + compute).
  std::int64_t contention_free_cycles = 0;
};

struct SocSimResult {
  costmodel::Schedule schedule = costmodel::Schedule::kSequential;
  int inputs = 1;
  std::vector<SocSimLayer> layers;
  std::vector<SocSimEngine> engines;  // the SoC's engines, then "dma"
  double latency_cycles = 0;  // input 0, start to end
  double period_cycles = 0;   // pipelined: (end of the last input − end of the first) / (inputs − 1)
  double makespan_cycles = 0;  // all inputs
  double bus_busy_cycles = 0;
  // Analytic (SocModel::evaluate under the same schedule) and contention-free figures.
  std::int64_t analytic_latency_cycles = 0;
  std::int64_t analytic_period_cycles = 0;
  std::int64_t contention_free_latency_cycles = 0;  // Σ layers' contention_free_cycles
  double frequency_hz = 0;
};

// Throws what SocModel::evaluate throws for an infeasible placement, mixq::Error on a second
// call in one process or for inputs < 1.
[[nodiscard]] SocSimResult simulate_soc(const costmodel::SocModel& model, const workloads::Network& net,
                                        const workloads::PrecisionAssignment& a,
                                        const costmodel::Placement& placement,
                                        const SocSimOptions& options = {});

}  // namespace mixq::sim
