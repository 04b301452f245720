// Network-level pricing: every layer in topological order, precision group by group, with a
// memo cache so that re-pricing an assignment costs table lookups.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::costmodel {

struct GroupResult {
  workloads::PrecisionGroup group;
  Mapping mapping;
  LayerCost cost;  // this group's share of the layer
};

struct LayerResult {
  std::string name;
  bool on_array = false;  // false for pooling, add and concat (priced as data movement)
  LayerCost cost;         // sum over groups
  std::vector<GroupResult> groups;
};

struct NetworkCost {
  std::vector<LayerResult> layers;
  std::int64_t cycles = 0;
  double latency_s = 0;
  double energy_pj = 0;
  EnergyBreakdown energy;
  std::int64_t macs = 0;
  std::int64_t dram_read_bits = 0;
  std::int64_t dram_write_bits = 0;
};

// check() says whether an assignment can run, and if not which layer and why.
struct Check {
  bool ok = true;
  std::string layer;
  std::string reason;
};

// The layer restricted to `channels` of its output channels (depthwise: channels of both
// sides). Per-channel precision groups and SoC channel splits run as such sub-layers.
[[nodiscard]] workloads::Layer channel_slice(const workloads::Layer& layer, std::int64_t channels);

// Thrown by evaluate() for an assignment that check() rejects.
class InfeasibleError : public Error {
 public:
  InfeasibleError(const std::string& layer, const std::string& reason)
      : Error("layer '" + layer + "': " + reason), layer_(layer), reason_(reason) {}
  [[nodiscard]] const std::string& layer() const noexcept { return layer_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::string layer_;
  std::string reason_;
};

// The library's entry point. Thread-safe: evaluate() may be called from several threads on
// one CostModel; the memo cache is shared.
class CostModel {
 public:
  explicit CostModel(arch::Accelerator acc, Objective objective = Objective::kLatency);
  ~CostModel();
  CostModel(CostModel&&) noexcept;
  CostModel& operator=(CostModel&&) noexcept;

  [[nodiscard]] const arch::Accelerator& accelerator() const noexcept { return acc_; }
  [[nodiscard]] Objective objective() const noexcept { return objective_; }

  // How the PE runs (w_bits, a_bits) on this accelerator.
  [[nodiscard]] PeRate rate(int w_bits, int a_bits) const;
  // One layer at one precision (memoized).
  [[nodiscard]] MapResult map(const workloads::Layer& layer, const Precision& bits) const;

  [[nodiscard]] Check check(const workloads::Network& net,
                            const workloads::PrecisionAssignment& a) const;
  [[nodiscard]] NetworkCost evaluate(const workloads::Network& net,
                                     const workloads::PrecisionAssignment& a) const;

  [[nodiscard]] std::size_t cache_size() const;

 private:
  struct Cache;
  arch::Accelerator acc_;
  Objective objective_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace mixq::costmodel
