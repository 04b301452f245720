// What the analytic model (and the simulator) report for one layer.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mixq::costmodel {

struct EnergyBreakdown {
  double mac_pj = 0;
  std::vector<double> buffer_pj;  // one per accelerator buffer, in spec order
  double dram_pj = 0;
  [[nodiscard]] double total_pj() const noexcept;
};

struct LayerCost {
  std::int64_t cycles = 0;          // latency of the layer
  std::int64_t compute_cycles = 0;  // the array alone: folds with fill and drain
  std::int64_t memory_stall_cycles = 0;  // cycles beyond compute spent waiting for data
  double latency_s = 0;
  std::int64_t macs = 0;
  EnergyBreakdown energy;
  double energy_pj = 0;
  // Bits moved: DRAM reads + writes, and per buffer reads / writes.
  std::int64_t dram_read_bits = 0;
  std::int64_t dram_write_bits = 0;
  std::vector<std::int64_t> buffer_read_bits;
  std::vector<std::int64_t> buffer_write_bits;
  // MACs / (cycles · peak MACs per cycle at this precision).
  double utilization = 0;
  // The spatial part alone: used PE slots / available, over all folds.
  double spatial_utilization = 0;
};

}  // namespace mixq::costmodel
