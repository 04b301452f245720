// The controller: walks a Mapping's tile loop nest (groups outermost, then the three tile
// loops in the Mapping's loop order) and issues loads, compute and stores through a Fabric.
//
// Semantics, the ones docs/cost-model.md prices in closed form:
// - an operand tile is loaded when its index changes between consecutive iterations (this is
//   exactly the analytic reload factor); an output tile is written out when its index
//   changes, as partial sums at accumulator_bits while channel tiles remain (a spill) and at
//   out_bits on its last channel tile; a spilled tile is read back when it is revisited;
// - a double-buffered operand's next tile is loaded while the array works on the current
//   one, into the other half, as soon as that half's previous tile has had its last use (and,
//   for outputs, has been written out); a single-buffered operand's next tile is loaded only
//   after the current one's last use; so transfers overlap compute only with double
//   buffering, as in the analytic model;
// - a tile computes when its operands are in, the array is free and its output half is free.
// Times are cycles (double); a layer starts at `start` and ends when its last store lands.
#pragma once

#include <cstdint>

#include "mixq/costmodel/mapping.hpp"
#include "mixq/sim/hardware.hpp"

namespace mixq::sim {

struct LayerRun {
  double start = 0;
  double end = 0;
  double first_compute = 0;         // when the array started its first tile (after the first fills)
  double last_compute = 0;          // when it finished its last (the last stores follow)
  std::int64_t tiles = 0;           // tile iterations, all groups
  std::int64_t compute_cycles = 0;  // Σ tile compute (the analytic compute_cycles)
  double memory_stall_cycles = 0;   // array idle or slowed for data (bandwidth, latency)
  double contention_stall_cycles = 0;  // of which spent queued behind other transfers
};

class Controller {
 public:
  explicit Controller(Fabric& fabric) : fabric_(&fabric) {}

  // Executes one mapping from `start`. Throws mixq::Error if a tile does not fit its buffer.
  LayerRun run(const costmodel::Mapping& m, double start);

  // Input pixels (per channel) an M tile of `mt` output pixels reads, halo included (the
  // analytic model's footprint: whole samples, whole output rows, or a run within a row).
  [[nodiscard]] static std::int64_t input_footprint(const costmodel::Mapping& m, std::int64_t mt);

 private:
  Fabric* fabric_;
};

}  // namespace mixq::sim
