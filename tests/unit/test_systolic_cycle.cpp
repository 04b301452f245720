// The cycle-level systolic array against the analytic fold formula (cycles, exactly) and a
// plain matrix product (values, exactly). docs/systolic-cycle.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "mixq/costmodel/analytic.hpp"
#include "mixq/sim/systolic_cycle.hpp"

using namespace mixq;
using arch::Dataflow;
using sim::GemmShape;
using sim::OperandBits;

namespace {

constexpr std::array<Dataflow, 3> kDataflows{
    Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary};

// compute_cycles reads only the array; the rest of the accelerator stays default.
arch::Accelerator accelerator(std::int64_t rows, std::int64_t cols, Dataflow df) {
  arch::Accelerator acc;
  acc.name = "systolic-cycle-test";
  acc.array = {rows, cols, df, /*rows_unroll_filter=*/true};
  return acc;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Folds by the dataflow's unrolling (arch::ArraySpec): ws rows ← Kr, cols ← Nf; os rows ← M,
// cols ← Nf; is rows ← Kr, cols ← M.
std::int64_t expected_folds(const arch::ArraySpec& a, GemmShape g) {
  switch (a.dataflow) {
    case Dataflow::kWeightStationary:
      return ceil_div(g.kr, a.rows) * ceil_div(g.nf, a.cols);
    case Dataflow::kOutputStationary:
      return ceil_div(g.m, a.rows) * ceil_div(g.nf, a.cols);
    case Dataflow::kInputStationary:
      return ceil_div(g.kr, a.rows) * ceil_div(g.m, a.cols);
  }
  return 0;
}

// Runs one GEMM on one array and checks cycles against the cost model and values against
// the triple loop; returns the result for further checks.
sim::CycleResult check_gemm(std::int64_t rows, std::int64_t cols, Dataflow df, GemmShape g,
                            OperandBits bits, std::uint64_t seed) {
  const auto acc = accelerator(rows, cols, df);
  const auto ops = sim::random_operands(g, bits, seed);
  INFO(arch::to_string(df) << " on " << rows << "x" << cols << ", (m, kr, nf) = (" << g.m << ", "
                           << g.kr << ", " << g.nf << "), w" << bits.w_bits << "a" << bits.a_bits);
  auto r = sim::run_systolic(acc.array, g, bits, ops.x, ops.w);
  CHECK(r.cycles == costmodel::compute_cycles(sim::gemm_mapping(acc, g, bits), acc));
  CHECK(r.folds == expected_folds(acc.array, g));
  CHECK(r.y == sim::reference_product(g, ops.x, ops.w));
  return r;
}

struct FoldCase {
  std::int64_t rows, cols;
  GemmShape g;
};

}  // namespace

TEST_CASE("systolic cycle: one N×N×N fold on an N×N array takes 4N − 2 cycles", "[sim]") {
  for (const std::int64_t n : {1, 2, 4, 7}) {
    for (const auto df : kDataflows) {
      const auto r = check_gemm(n, n, df, {n, n, n}, {8, 8}, 1);
      CHECK(r.folds == 1);
      CHECK(r.cycles == 4 * n - 2);
    }
  }
}

TEST_CASE("systolic cycle: cycles equal compute_cycles and Y equals X·W on folded, ragged GEMMs",
          "[sim]") {
  const std::vector<FoldCase> cases{
      {1, 1, {1, 1, 1}},  {4, 4, {1, 1, 1}},   {1, 1, {3, 5, 2}},     // degenerate arrays/GEMMs
      {4, 4, {4, 4, 4}},  {8, 4, {8, 8, 4}},                          // exactly one fold
      {4, 4, {6, 20, 3}}, {4, 4, {20, 3, 6}},                         // several row folds
      {4, 4, {6, 3, 20}}, {4, 4, {20, 6, 3}},                         // several column folds
      {4, 3, {10, 7, 9}}, {8, 4, {33, 17, 5}}, {16, 8, {5, 40, 70}},  // ragged on every dim
      {4, 3, {1, 9, 6}},  {3, 5, {1, 1, 11}},  {2, 6, {13, 1, 1}},    // M = 1, Kr = 1, Nf = 1
  };
  const std::vector<OperandBits> precisions{{2, 2}, {4, 4}, {8, 8}, {2, 8}, {8, 4}};
  std::uint64_t seed = 42;
  for (const auto& c : cases) {
    for (const auto df : kDataflows) {
      for (const auto bits : precisions) check_gemm(c.rows, c.cols, df, c.g, bits, ++seed);
    }
  }
}

TEST_CASE("systolic cycle: (m, kr, nf) = (5, 40, 70) on 16×8, folds and cycles by hand", "[sim]") {
  // ws: ⌈40/16⌉ · ⌈70/8⌉ = 27 folds of 2·16 + 8 + 5 − 2 = 43 cycles.
  // os: ⌈5/16⌉ · ⌈70/8⌉ = 9 folds of 32 + 8 + 40 − 2 = 78.
  // is: ⌈40/16⌉ · ⌈5/8⌉ = 3 folds of 32 + 8 + 70 − 2 = 108.
  const GemmShape g{5, 40, 70};
  auto r = check_gemm(16, 8, Dataflow::kWeightStationary, g, {4, 4}, 7);
  CHECK(r.folds == 27);
  CHECK(r.cycles == 1161);  // 27 · 43
  r = check_gemm(16, 8, Dataflow::kOutputStationary, g, {4, 4}, 7);
  CHECK(r.folds == 9);
  CHECK(r.cycles == 702);  // 9 · 78
  r = check_gemm(16, 8, Dataflow::kInputStationary, g, {4, 4}, 7);
  CHECK(r.folds == 3);
  CHECK(r.cycles == 324);  // 3 · 108
}

TEST_CASE("systolic cycle: every dim at array size − 1, size and size + 1", "[sim]") {
  // On a 4 × 3 array each GEMM dim is swept across both array dims' fold boundaries.
  std::uint64_t seed = 1000;
  for (const auto df : kDataflows) {
    for (const std::int64_t m : {2, 3, 4, 5}) {
      for (const std::int64_t kr : {2, 3, 4, 5}) {
        for (const std::int64_t nf : {2, 3, 4, 5})
          check_gemm(4, 3, df, {m, kr, nf}, {4, 2}, ++seed);
      }
    }
  }
}

TEST_CASE("systolic cycle: buffer tiles run as fold sequences add up to compute_cycles", "[sim]") {
  // compute_cycles sums folds over buffer tiles (edge tiles included). Running each tile as
  // its own GEMM on the array, and adding the reduction tiles' partial sums outside it, must
  // give the same cycles and the same product.
  const GemmShape g{33, 17, 5};
  const std::int64_t tm = 10, tc = 6, tk = 3;
  const OperandBits bits{4, 8};
  const auto ops = sim::random_operands(g, bits, 11);
  for (const auto df : kDataflows) {
    INFO(arch::to_string(df));
    const auto acc = accelerator(8, 4, df);
    auto mapping = sim::gemm_mapping(acc, g, bits);
    mapping.tile_m = tm;
    mapping.tile_c = tc;
    mapping.tile_k = tk;
    std::int64_t cycles = 0;
    std::vector<std::int64_t> y(static_cast<std::size_t>(g.m * g.nf), 0);
    for (std::int64_t m0 = 0; m0 < g.m; m0 += tm) {
      for (std::int64_t c0 = 0; c0 < g.kr; c0 += tc) {
        for (std::int64_t k0 = 0; k0 < g.nf; k0 += tk) {
          const GemmShape t{std::min(tm, g.m - m0), std::min(tc, g.kr - c0),
                            std::min(tk, g.nf - k0)};
          std::vector<std::int64_t> x, w;
          for (std::int64_t i = 0; i < t.m; ++i) {
            for (std::int64_t c = 0; c < t.kr; ++c) {
              x.push_back(ops.x[static_cast<std::size_t>((m0 + i) * g.kr + c0 + c)]);
            }
          }
          for (std::int64_t c = 0; c < t.kr; ++c) {
            for (std::int64_t j = 0; j < t.nf; ++j) {
              w.push_back(ops.w[static_cast<std::size_t>((c0 + c) * g.nf + k0 + j)]);
            }
          }
          const auto r = sim::run_systolic(acc.array, t, bits, x, w);
          cycles += r.cycles;
          for (std::int64_t i = 0; i < t.m; ++i) {
            for (std::int64_t j = 0; j < t.nf; ++j) {
              y[static_cast<std::size_t>((m0 + i) * g.nf + k0 + j)] +=
                  r.y[static_cast<std::size_t>(i * t.nf + j)];
            }
          }
        }
      }
    }
    CHECK(cycles == costmodel::compute_cycles(mapping, acc));
    CHECK(y == sim::reference_product(g, ops.x, ops.w));
  }
}

TEST_CASE("systolic cycle: extreme operands keep their sign through the array", "[sim]") {
  // The most negative weight times the largest activation, summed over a long reduction:
  // catches a sign or width mix-up that random values could miss.
  for (const OperandBits bits : {OperandBits{2, 2}, OperandBits{8, 8}, OperandBits{16, 16}}) {
    const GemmShape g{6, 11, 5};
    const std::vector<std::int64_t> x(66, (std::int64_t{1} << bits.a_bits) - 1);
    const std::vector<std::int64_t> w(55, -(std::int64_t{1} << (bits.w_bits - 1)));
    const std::int64_t expected = 11 * x[0] * w[0];
    for (const auto df : kDataflows) {
      const auto acc = accelerator(4, 3, df);
      const auto r = sim::run_systolic(acc.array, g, bits, x, w);
      CHECK(r.y == std::vector<std::int64_t>(30, expected));
      CHECK(r.cycles == costmodel::compute_cycles(sim::gemm_mapping(acc, g, bits), acc));
    }
  }
}

TEST_CASE("systolic cycle: ragged column folds of ws and is finish their real results early",
          "[sim]") {
  // The formula charges every fold at full width; under the fixed-shape schedule the padding
  // columns' (zero) results leave C − c_real cycles after the last real one. OS drains all
  // columns together after the last MAC, so there the two coincide.
  const GemmShape g{4, 4, 5};  // ws on 4×4: Nf = 5 → folds of 4 and 1 columns
  auto r = check_gemm(4, 4, Dataflow::kWeightStationary, g, {8, 8}, 3);
  CHECK(r.cycles == 28);  // 2 folds of 2·4 + 4 + 4 − 2
  CHECK(r.cycles_to_last_real_result == r.cycles - (4 - 1));
  r = check_gemm(4, 4, Dataflow::kInputStationary, {5, 4, 4}, {8, 8}, 3);  // M = 5 on cols
  CHECK(r.cycles_to_last_real_result == r.cycles - (4 - 1));
  r = check_gemm(4, 4, Dataflow::kOutputStationary, {5, 4, 5}, {8, 8}, 3);
  CHECK(r.cycles_to_last_real_result == r.cycles);
  r = check_gemm(4, 4, Dataflow::kWeightStationary, {4, 5, 4}, {8, 8}, 3);  // ragged rows only
  CHECK(r.cycles_to_last_real_result == r.cycles);
}

TEST_CASE("systolic cycle: bad input is refused with mixq::Error", "[sim]") {
  const auto acc = accelerator(2, 2, Dataflow::kWeightStationary);
  const GemmShape g{2, 2, 2};
  const std::vector<std::int64_t> ok(4, 1);
  CHECK_NOTHROW(sim::run_systolic(acc.array, g, {2, 2}, ok, ok));
  // Weights are signed 2-bit: [−2, 1]; activations unsigned 2-bit: [0, 3].
  CHECK_THROWS_AS(
      sim::run_systolic(acc.array, g, {2, 2}, ok, std::vector<std::int64_t>{1, 2, 1, 1}), Error);
  CHECK_THROWS_AS(
      sim::run_systolic(acc.array, g, {2, 2}, std::vector<std::int64_t>{0, -1, 0, 0}, ok), Error);
  CHECK_THROWS_AS(sim::run_systolic(acc.array, g, {2, 2}, std::vector<std::int64_t>(3, 1), ok),
                  Error);
  CHECK_THROWS_AS(sim::run_systolic(acc.array, g, {0, 2}, ok, ok), Error);
  CHECK_THROWS_AS(sim::run_systolic(acc.array, {0, 2, 2}, {2, 2}, ok, ok), Error);
  auto broadcast = acc.array;
  broadcast.systolic = false;
  CHECK_THROWS_AS(sim::run_systolic(broadcast, g, {2, 2}, ok, ok), Error);
}

TEST_CASE("systolic cycle: os drain on a one-row array leaves no stale operand for the next fold",
          "[sim]") {
  // Found by the random sweep: the drain wrote only the accumulators, so a one-cycle drain
  // left the register buffer of two cycles earlier, valid operands included, in place.
  check_gemm(1, 4, Dataflow::kOutputStationary, {4, 6, 9}, {8, 3}, 5);
}

TEST_CASE("systolic cycle: random arrays and GEMMs up to 9 on a side", "[sim]") {
  // Beyond the hand-picked shapes: any mix of folds and ragged edges, seeded.
  std::mt19937_64 rng(2024);
  const auto draw = [&](std::int64_t hi) { return 1 + static_cast<std::int64_t>(rng() % hi); };
  for (int n = 0; n < 300; ++n) {
    const std::int64_t rows = draw(6), cols = draw(6);
    const GemmShape g{draw(9), draw(9), draw(9)};
    const OperandBits bits{static_cast<int>(draw(8)), static_cast<int>(draw(8))};
    check_gemm(rows, cols, kDataflows[static_cast<std::size_t>(n % 3)], g, bits, rng());
  }
}
