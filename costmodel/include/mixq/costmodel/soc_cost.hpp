// A network on a multi-accelerator SoC: which engine runs each layer (a placement, which may
// split a layer's output channels across engines), and what that costs under a schedule
// (docs/soc-model.md).
//
// Model, per layer i, in SoC cycles:
//   part p on engine e:  compute(p) = the engine's cycles for the layer restricted to the
//                        part's channels, converted to the SoC clock;
//   transfers:           every tensor a layer reads comes from L2 and its output goes back
//                        (DIANA and DARKSIDE cores exchange activations through L2), plus the
//                        weights of engines that do not keep them resident; each transfer
//                        costs dma_setup + bits / bus width, serialized on the one bus;
//                        tensors larger than L2 also cross DRAM;
//   sequential:          cycles(i) = max_p compute(p) + transfers(i): parts of a split layer
//                        run concurrently, transfers are not overlapped with compute;
//   pipelined (stream):  each engine works on a different input; the period is the busiest
//                        resource's total (max over engines of Σ compute, and the bus's
//                        Σ transfers), the latency of one input that of the sequential order.
// Energy: array engines as the cost model prices them; formula and cluster engines as active
// power × busy time; transfers as L2 (and DRAM) energy per bit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mixq/arch/soc.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::costmodel {

// One engine's share of a layer: `channels` output channels (all of them when unsplit).
struct PlacementPart {
  int engine = 0;
  std::int64_t channels = 0;
  friend bool operator==(const PlacementPart&, const PlacementPart&) = default;
};

// Per layer, its parts in channel order (weighted layers only; layers without weights move
// data and have none).
struct Placement {
  std::vector<std::vector<PlacementPart>> layers;
  friend bool operator==(const Placement&, const Placement&) = default;
};

enum class Schedule { kSequential, kPipelined };
[[nodiscard]] const char* to_string(Schedule s) noexcept;
[[nodiscard]] bool parse_schedule(const std::string& text, Schedule& out) noexcept;

// An engine's price for one layer part at one precision.
struct EnginePrice {
  bool feasible = false;
  std::string reason;          // why not, when infeasible
  std::int64_t cycles = 0;     // at the SoC clock
  double energy_pj = 0;
  int mode_w_bits = 0;         // the engine mode the part runs at
  int mode_a_bits = 0;
};

// One DMA transfer of one tensor (or share of it) between L2 and an engine.
struct Transfer {
  double bits = 0;
  bool via_dram = false;  // larger than L2 (or weights that do not all fit): it also crosses DRAM
};

struct SocPartCost {
  int engine = 0;
  std::int64_t channels = 0;
  int w_bits = 0;  // the part's precision (the widest of its channels)
  int a_bits = 0;
  EnginePrice price;
  std::vector<Transfer> loads;   // its inputs (its channels only, for depthwise), its weights
  std::vector<Transfer> stores;  // its channels of the output
};

struct SocLayerCost {
  std::string name;
  std::vector<SocPartCost> parts;
  // Layers without weights: the SoC's DMA moves their inputs and output through L2.
  std::vector<Transfer> dma_loads;
  std::vector<Transfer> dma_stores;
  std::int64_t compute_cycles = 0;   // max over parts
  std::int64_t transfer_cycles = 0;  // on the shared bus
  std::int64_t cycles = 0;           // compute + transfers (sequential)
  double compute_energy_pj = 0;
  double transfer_energy_pj = 0;
  double energy_pj = 0;
  std::int64_t bus_bits = 0;
  std::int64_t dram_bits = 0;
};

struct SocCost {
  std::vector<SocLayerCost> layers;
  Schedule schedule = Schedule::kSequential;
  std::int64_t latency_cycles = 0;  // one input, start to end
  double latency_s = 0;
  std::int64_t period_cycles = 0;   // between inputs in steady state (= latency when sequential)
  double throughput_per_s = 0;      // inferences per second
  double energy_pj = 0;             // per inference
  std::vector<std::int64_t> engine_busy_cycles;  // per engine, per inference
  std::int64_t bus_busy_cycles = 0;
};

class SocModel {
 public:
  explicit SocModel(arch::Soc soc, Objective objective = Objective::kLatency);
  ~SocModel();
  SocModel(SocModel&&) noexcept;
  SocModel& operator=(SocModel&&) noexcept;

  [[nodiscard]] const arch::Soc& soc() const noexcept { return soc_; }

  // The price of running `channels` output channels of `layer` on `engine` at `bits`
  // (out_bits: the storage precision of the output). Infeasible, with a reason, when the
  // engine does not run the op, its `when` condition fails, or no mode holds the bits.
  [[nodiscard]] EnginePrice price(const workloads::Layer& layer, const Precision& bits, int engine,
                                  std::int64_t channels) const;

  // Whether the placement fits the network and every part is feasible; else which layer, why.
  [[nodiscard]] Check check(const workloads::Network& net, const workloads::PrecisionAssignment& a,
                            const Placement& placement) const;
  // Throws InfeasibleError for what check() rejects, InputError for a placement that does
  // not fit the network.
  [[nodiscard]] SocCost evaluate(const workloads::Network& net,
                                 const workloads::PrecisionAssignment& a,
                                 const Placement& placement,
                                 Schedule schedule = Schedule::kSequential) const;

 private:
  arch::Soc soc_;
  std::vector<std::unique_ptr<CostModel>> array_models_;  // per engine, array engines only
};

// Placement files (docs/soc-format.md): `default: ENGINE` and per-layer entries, either an
// engine name or `{split: {ENGINE: CHANNELS, ...}}`. Errors name file, line and key path;
// an engine that cannot run a layer at its assigned precision is rejected with the reason.
[[nodiscard]] Placement parse_placement(const yaml::Node& root, const workloads::Network& net,
                                        const arch::Soc& soc);
[[nodiscard]] Placement load_placement(const std::filesystem::path& file,
                                       const workloads::Network& net, const arch::Soc& soc);
// load_placement, then SocModel::check at the assignment's bits: a part its engine cannot
// run is an InputError located at the layer's entry (or at `default` when it came from there).
[[nodiscard]] Placement load_checked_placement(const std::filesystem::path& file,
                                               const workloads::Network& net, const SocModel& model,
                                               const workloads::PrecisionAssignment& a);
[[nodiscard]] std::string placement_to_yaml(const Placement& p, const workloads::Network& net,
                                            const arch::Soc& soc);
// Every weighted layer whole on one engine.
[[nodiscard]] Placement uniform_placement(const workloads::Network& net, int engine);

// Placement search. Greedy: layer by layer, the engine — or, with splits allowed, the split
// of output channels between two engines — that minimizes the layer's cycles (sequential) or
// the running bottleneck (pipelined). Exhaustive: every engine per layer (no splits), when
// the count of combinations is at most `max_exhaustive`; otherwise greedy.
struct PlacementSearch {
  Schedule schedule = Schedule::kSequential;
  bool allow_split = true;
  std::int64_t split_step = 8;  // channel granularity of splits
  std::int64_t max_exhaustive = 1'000'000;
};
struct PlacementResult {
  Placement placement;
  SocCost cost;
  std::int64_t evaluated = 0;  // placements (or per-layer options) priced
  bool exhaustive = false;
};
[[nodiscard]] PlacementResult search_placement(const SocModel& model, const workloads::Network& net,
                                               const workloads::PrecisionAssignment& a,
                                               const PlacementSearch& options = {});

}  // namespace mixq::costmodel
