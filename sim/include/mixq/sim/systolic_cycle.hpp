// Cycle-level model of a small systolic array: an R × C grid of 1-MAC PEs stepped one clock
// at a time, with operands and partial sums moving through registers between neighbours and
// real integer multiply-accumulates. It exists to prove that the analytic fold formula
// (costmodel::compute_cycles, docs/cost-model.md "Compute cycles") is exact, and that the
// array computes the right product. See docs/systolic-cycle.md.
//
// GEMM view: Y[M×Nf] = X[M×Kr] · W[Kr×Nf], row-major. Weights are signed w_bits integers,
// activations unsigned a_bits integers, partial sums int64.
//
// Timing convention (every dataflow). In a clock cycle each PE reads the registers its
// neighbours wrote at the end of the previous cycle (edge PEs read the edge feeders), does at
// most one MAC, and writes its own registers at the end of the cycle. Results leave through
// the bottom edge, one per column per cycle, and the output buffer latches them at the end
// of the cycle they cross it: on WS and IS a bottom PE's new partial sum (its output
// register is the buffer's input), in an OS drain cycle the bottom row's accumulator while
// the rows above shift down one. Folds run back to back; a fold counts from its first cycle
// (first preload cycle; first streaming cycle on OS) to the cycle its last value leaves, and
// it ends only when no register holds valid data (the model finds that out; it is not told
// the formula). Every fold has the physical shape R × C: a ragged edge fold is padded with
// zeros, which cross the whole array like data (the fixed-shape schedule of SCALE-Sim that
// the formula assumes). Cycle indices below are 0-based within a phase.
//
//   WS (rows ← Kr, cols ← Nf, T = M): R preload cycles shift the weight tile down from the
//      top, one row per cycle, bottom row first. Then X(t, k0 + i) enters array row i from
//      the left in stream cycle t + i and moves right one PE per cycle; PE(i, j) multiplies
//      it in cycle t + i + j and adds the partial sum PE(i − 1, j) wrote the cycle before;
//      Y(t, j) leaves the bottom of column j in stream cycle t + R − 1 + j. The last leaves
//      in T + R + C − 3, so a fold takes R + (T + R + C − 2) = 2R + C + T − 2 cycles.
//   IS (rows ← Kr, cols ← M, T = Nf): the same pipeline with the roles swapped: the input
//      tile Xᵀ is preloaded, W(k0 + i, t) streams into row i; 2R + C + T − 2.
//   OS (rows ← M, cols ← Nf, T = Kr): X(m0 + i, k) enters row i from the left in cycle k + i,
//      W(k, n0 + j) enters column j from the top in cycle k + j; they meet in PE(i, j) in
//      cycle k + i + j, the last MAC is in T + R + C − 3; then the accumulators shift down one row
//      per cycle, the bottom row leaving first, R cycles: (T + R + C − 2) + R.
//
// Reduction folds (Kr > R for WS and IS) produce partial sums that a host-side accumulator,
// standing in for the output buffer, adds up; the array never sees them again.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/mapping.hpp"

namespace mixq::sim {

struct GemmShape {
  std::int64_t m = 1;   // output rows (pixels)
  std::int64_t kr = 1;  // reduction
  std::int64_t nf = 1;  // output columns (filters)
};

// Operand precision: weights signed in [−2^(w_bits−1), 2^(w_bits−1) − 1], activations
// unsigned in [0, 2^a_bits − 1]. 1 ≤ bits ≤ 16 each.
struct OperandBits {
  int w_bits = 8;
  int a_bits = 8;
};

struct GemmOperands {
  std::vector<std::int64_t> x;  // M × Kr, row-major
  std::vector<std::int64_t> w;  // Kr × Nf, row-major
};

// Operands drawn uniformly within their ranges from std::mt19937_64(seed) (fully specified
// by the standard, so the values are the same on every platform).
[[nodiscard]] GemmOperands random_operands(GemmShape shape, OperandBits bits, std::uint64_t seed);

// Y = X · W by the plain triple loop, the reference the array is checked against.
[[nodiscard]] std::vector<std::int64_t> reference_product(GemmShape shape,
                                                          std::span<const std::int64_t> x,
                                                          std::span<const std::int64_t> w);

struct CycleResult {
  std::int64_t cycles = 0;      // all folds, per the timing convention above
  std::vector<std::int64_t> y;  // M × Nf, row-major
  std::int64_t folds = 0;
  // Σ over folds of the cycle in which the fold's last non-padding result left the array.
  // Equal to `cycles` except on ragged column folds of WS and IS, where the padding columns'
  // results leave after the real ones: what a controller that stops at the last real result
  // (rather than at the end of the fixed-shape fold) would take.
  std::int64_t cycles_to_last_real_result = 0;
};

// Runs the GEMM on `array` (its rows, cols and dataflow; it must be systolic) cycle by cycle.
// Throws mixq::Error when the array is not systolic, a dim is < 1, a span has the wrong
// size, a bitwidth is outside 1..16, an operand is outside its range, or the int64
// accumulator could overflow.
[[nodiscard]] CycleResult run_systolic(const arch::ArraySpec& array, GemmShape shape,
                                       OperandBits bits, std::span<const std::int64_t> x,
                                       std::span<const std::int64_t> w);

// The cost model's Mapping of the same GEMM on `acc` (a gemm layer through
// costmodel::base_mapping with 1-MAC PEs and whole-layer tiles), so that
// costmodel::compute_cycles(gemm_mapping(...), acc) is the analytic counterpart of
// run_systolic(acc.array, ...).cycles.
[[nodiscard]] costmodel::Mapping gemm_mapping(const arch::Accelerator& acc, GemmShape shape,
                                              OperandBits bits);

}  // namespace mixq::sim
