// The PE array at tile granularity. The time of a tile is costmodel::compute_cycles of the
// Mapping restricted to that one tile: the analytic model's own fold formula (folds ×
// (2·rows + cols + ⌈T·f_t⌉ − 2), docs/cost-model.md), so the simulator and the evaluator
// agree on compute by construction and differ only where the simulator sees more (stalls,
// queueing, port limits). The cycle-level model (systolic_cycle.hpp) proves that formula
// exact. Also: the bits the array reads from and writes to each operand's buffer per tile
// (the analytic model's per-dataflow counting, tile by tile), and MAC energy.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/mapping.hpp"

namespace mixq::sim {

// One tile of the loop nest: sizes and whether it is the first channel tile of its output
// (partial sums are read back into the array for all later ones).
struct TileShape {
  std::int64_t m = 1;
  std::int64_t c = 1;
  std::int64_t k = 1;
  bool first_c = true;
};

struct TileWork {
  std::int64_t compute_cycles = 0;
  std::int64_t macs = 0;
  // Bits between the array and each operand's buffer, indexed by arch::Operand.
  std::array<double, arch::kOperands> read_bits{};
  std::array<double, arch::kOperands> write_bits{};
};

class PeArray {
 public:
  PeArray(const costmodel::Mapping& m, const arch::Accelerator& acc);

  // Memoized per distinct tile shape (a layer has at most 2³ × 2 of them).
  [[nodiscard]] const TileWork& work(const TileShape& t);

  // The Mapping restricted to one tile (one group, whole-tile "tiles"), the value whose
  // costmodel::compute_cycles is the tile's time.
  [[nodiscard]] static costmodel::Mapping tile_mapping(const costmodel::Mapping& m, std::int64_t mt,
                                                       std::int64_t ct, std::int64_t kt);

 private:
  TileWork compute(const TileShape& t) const;

  const costmodel::Mapping* m_;
  const arch::Accelerator* acc_;
  struct Entry {
    TileShape shape;
    TileWork work;
  };
  std::vector<Entry> cache_;
};

}  // namespace mixq::sim
