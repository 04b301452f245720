// The analytic evaluator and the mapper against hand derivations.
#include <catch2/catch.hpp>

#include <cmath>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/analytic.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/sim/controller.hpp"
#include "mixq/sim/hardware.hpp"
#include "mixq/sim/simulate.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;
using costmodel::Mapping;
using costmodel::PeRate;
using costmodel::TileDim;

namespace {

// An array with roomy buffers and fast DRAM, so that only the array's timing shows.
arch::Accelerator array(std::int64_t rows, std::int64_t cols, arch::Dataflow df,
                        bool unroll_filter = true) {
  arch::Accelerator acc;
  acc.name = "test";
  acc.frequency_hz = 1e9;
  acc.array = {rows, cols, df, unroll_filter};
  arch::BufferSpec buf;
  buf.name = "global";
  buf.size_bits = std::int64_t{1} << 40;
  buf.holds = {true, true, true};
  buf.read_bits_per_cycle = 1e12;
  buf.write_bits_per_cycle = 1e12;
  buf.read_energy_pj_per_bit = 0.05;
  buf.write_energy_pj_per_bit = 0.1;
  acc.buffers = {buf};
  acc.dram = {1e12, 10.0, ""};
  return acc;
}

PeRate unit_rate(std::int64_t spatial = 1, double temporal = 1.0) {
  PeRate r;
  r.supported = true;
  r.spatial_factor = spatial;
  r.temporal_factor = temporal;
  r.energy_per_mac_pj = 1.0;
  return r;
}

workloads::Layer gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  return workloads::load_network_string("layer: {op: gemm, m: " + std::to_string(m) +
                                        ", n: " + std::to_string(n) + ", k: " + std::to_string(k) + "}")
      .layer(0);
}

Mapping whole(const workloads::Layer& l, const arch::Accelerator& acc, PeRate rate = unit_rate()) {
  return costmodel::base_mapping(l, acc, {8, 8, 8}, rate);
}

}  // namespace

TEST_CASE("systolic: an N×N×N GEMM on an N×N array is one fold of 4N − 2 cycles", "[costmodel]") {
  // One fold: N cycles to fill the stationary operand, then N streamed elements skewed over
  // 2N − 1 diagonals: 2N + N + N − 2.
  for (const std::int64_t n : {1, 2, 8, 16, 32}) {
    for (const auto df : {arch::Dataflow::kWeightStationary, arch::Dataflow::kOutputStationary,
                          arch::Dataflow::kInputStationary}) {
      const auto acc = array(n, n, df);
      CHECK(costmodel::compute_cycles(whole(gemm(n, n, n), acc), acc) == 4 * n - 2);
    }
  }
}

TEST_CASE("systolic: multi-fold GEMMs with ragged edges, derived by hand", "[costmodel]") {
  // M = 100 output rows, Nf = 20 filters, Kr = 40 reduction, on 16 rows × 8 cols.
  const auto l = gemm(100, 20, 40);
  // WS: rows ← Kr: ⌈40/16⌉ = 3 folds, cols ← Nf: ⌈20/8⌉ = 3, T = M = 100:
  // 9 · (2·16 + 8 + 100 − 2) = 9 · 138.
  auto acc = array(16, 8, arch::Dataflow::kWeightStationary);
  CHECK(costmodel::compute_cycles(whole(l, acc), acc) == 9 * 138);
  // OS: rows ← M: ⌈100/16⌉ = 7, cols ← Nf: 3, T = Kr = 40: 21 · (32 + 8 + 40 − 2).
  acc = array(16, 8, arch::Dataflow::kOutputStationary);
  CHECK(costmodel::compute_cycles(whole(l, acc), acc) == 21 * 78);
  // IS: rows ← Kr: 3, cols ← M: ⌈100/8⌉ = 13, T = Nf = 20: 39 · (32 + 8 + 20 − 2).
  acc = array(16, 8, arch::Dataflow::kInputStationary);
  CHECK(costmodel::compute_cycles(whole(l, acc), acc) == 39 * 58);
}

TEST_CASE("tiling adds the folds of every edge tile", "[costmodel]") {
  const auto l = gemm(100, 20, 40);
  const auto acc = array(16, 8, arch::Dataflow::kWeightStationary);
  Mapping m = whole(l, acc);
  m.tile_m = 64;  // tiles of 64 and 36 rows
  CHECK(costmodel::compute_cycles(m, acc) == 9 * (40 - 2 + 64) + 9 * (40 - 2 + 36));
  m.tile_m = 100;
  m.tile_c = 32;  // reduction tiles of 32 and 8: 2 + 1 folds along the rows
  CHECK(costmodel::compute_cycles(m, acc) == (2 + 1) * 3 * 138);
}

TEST_CASE("precision: spatial factor widens the reduction, temporal factor stretches the stream",
          "[costmodel]") {
  const auto l = gemm(64, 16, 256);
  const auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  // 8 bits: 256/16 = 16 row folds; 2-bit fusion (16 products per PE): one fold.
  const auto base = costmodel::compute_cycles(whole(l, acc), acc);
  CHECK(base == 16 * (48 - 2 + 64));
  CHECK(costmodel::compute_cycles(whole(l, acc, unit_rate(16)), acc) == 1 * (48 - 2 + 64));
  // Bit-serial activations at 4 bits: 4 cycles per streamed element.
  CHECK(costmodel::compute_cycles(whole(l, acc, unit_rate(1, 4.0)), acc) == 16 * (48 - 2 + 256));
}

TEST_CASE("DRAM traffic follows the loop order's reload factors", "[costmodel]") {
  const auto l = gemm(256, 64, 128);
  const auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  Mapping m = whole(l, acc);
  m.tile_m = 64;  // 4 M tiles
  m.tile_k = 16;  // 4 K tiles
  const double weights = 64.0 * 128 * 8;
  const double inputs = 256.0 * 128 * 8;
  const double outputs = 256.0 * 64 * 8;
  // Order k, c, m (m innermost): weights stay while m sweeps; inputs reload for each k tile.
  m.order = {TileDim::kK, TileDim::kC, TileDim::kM};
  auto c = costmodel::evaluate(m, acc);
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(weights + 4 * inputs));
  CHECK(c.dram_write_bits == static_cast<std::int64_t>(outputs));
  // Order m, c, k: inputs stay while k sweeps; weights reload for each m tile.
  m.order = {TileDim::kM, TileDim::kC, TileDim::kK};
  c = costmodel::evaluate(m, acc);
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(4 * weights + inputs));
  // Split the channels in 2 with c outermost: every output tile is revisited once more, so
  // partial sums (32 bits) go out and come back once.
  m.tile_c = 64;
  m.order = {TileDim::kC, TileDim::kM, TileDim::kK};
  c = costmodel::evaluate(m, acc);
  const double psums = 256.0 * 64 * 32;
  CHECK(c.dram_write_bits == static_cast<std::int64_t>(outputs + psums));
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(4 * weights + inputs + psums));
}

TEST_CASE("buffer capacity is counted in bits: 4-bit weights take half the room", "[costmodel]") {
  auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  acc.buffers[0].size_bits = 2 * (64 * 128 * 4 + 256 * 128 * 8 + 256 * 64 * 8);  // double-buffered
  const auto l = gemm(256, 64, 128);
  const auto m8 = costmodel::base_mapping(l, acc, {8, 8, 8}, unit_rate());
  const auto m4 = costmodel::base_mapping(l, acc, {4, 8, 8}, unit_rate());
  CHECK_FALSE(costmodel::tiles_fit(m8, acc, nullptr));
  CHECK(costmodel::tiles_fit(m4, acc, nullptr));
  std::string why;
  CHECK_FALSE(costmodel::tiles_fit(m8, acc, &why));
  CHECK_THAT(why, Catch::Contains("global"));
}

TEST_CASE("a memory-bound FC layer at batch 1 scales with weight bits, not MACs", "[costmodel]") {
  auto acc = array(32, 32, arch::Dataflow::kWeightStationary);
  acc.dram.bits_per_cycle = 16;  // slow DRAM: streaming the weights dominates
  acc.buffers[0].size_bits = 8 * 1024 * 1024;
  const auto fc = workloads::load_network_string("layer: {op: fc, c: 4096, k: 4096}").layer(0);
  const auto c8 = costmodel::map_layer(fc, acc, {8, 8, 8}, unit_rate());
  const auto c4 = costmodel::map_layer(fc, acc, {4, 8, 8}, unit_rate());
  const auto c2 = costmodel::map_layer(fc, acc, {2, 8, 8}, unit_rate());
  REQUIRE(c8.feasible);
  REQUIRE(c4.feasible);
  REQUIRE(c2.feasible);
  CHECK(c8.cost.macs == c4.cost.macs);
  // 4096² weights dominate the traffic: latency halves with the weight bits (within the
  // few percent the activations and the prologue add).
  CHECK(static_cast<double>(c8.cost.cycles) / static_cast<double>(c4.cost.cycles) == Approx(2.0).epsilon(0.03));
  CHECK(static_cast<double>(c4.cost.cycles) / static_cast<double>(c2.cost.cycles) == Approx(2.0).epsilon(0.05));
  // Memory-bound: the layer takes as long as its DRAM traffic, and the array waits.
  CHECK(static_cast<double>(c8.cost.cycles) >=
        static_cast<double>(c8.cost.dram_read_bits + c8.cost.dram_write_bits) / 16.0);
  CHECK(c8.cost.memory_stall_cycles > 0);
}

TEST_CASE("the mapper reports infeasible mappings with a reason", "[costmodel]") {
  auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  acc.buffers[0].size_bits = 8;  // smaller than any tile
  const auto l = gemm(16, 16, 16);
  auto r = costmodel::map_layer(l, acc, {8, 8, 8}, unit_rate());
  CHECK_FALSE(r.feasible);
  CHECK_THAT(r.reason, Catch::Contains("fits the buffers"));
  // Pricing happens long after loading: the reason names where the size was set, when known.
  acc.buffers[0].size_at = SourceLocation{"hw.yaml", 12, 5, "buffers[0].size_bits"};
  r = costmodel::map_layer(l, acc, {8, 8, 8}, unit_rate());
  CHECK_THAT(r.reason, Catch::EndsWith("(size from hw.yaml:12:5: key 'buffers[0].size_bits')"));
  PeRate unsupported;
  unsupported.reason = "3-bit weights are not supported";
  r = costmodel::map_layer(l, array(4, 4, arch::Dataflow::kWeightStationary), {3, 8, 8}, unsupported);
  CHECK_FALSE(r.feasible);
  CHECK(r.reason == "3-bit weights are not supported");
}

TEST_CASE("energy is MACs plus buffer and DRAM bits at their prices", "[costmodel]") {
  const auto acc = array(8, 8, arch::Dataflow::kOutputStationary);
  const auto l = gemm(8, 8, 8);
  const auto c = costmodel::evaluate(whole(l, acc), acc);
  CHECK(c.energy.mac_pj == Approx(512.0));
  CHECK(c.energy.dram_pj == Approx(static_cast<double>(c.dram_read_bits + c.dram_write_bits) * 10.0));
  CHECK(c.energy_pj == Approx(c.energy.mac_pj + c.energy.dram_pj + c.energy.buffer_pj[0]));
  CHECK(c.utilization > 0);
  CHECK(c.utilization <= 1.0);
  CHECK(c.spatial_utilization == Approx(1.0));
}

// Bug: a double-buffered, DRAM-bound layer was priced max(compute, DRAM, buffers) + prologue
// + epilogue, counting the first tiles' load and the last tile's store twice (they are in the
// DRAM total). When DRAM is the slowest stage and slower than every port, the head and tail
// stream at DRAM speed, so the layer takes exactly its DRAM time.
TEST_CASE("DRAM-bound double-buffered layer: prologue and epilogue are not counted twice",
          "[costmodel]") {
  auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  acc.buffers[0].double_buffered = true;
  acc.buffers[0].read_bits_per_cycle = 1024;
  acc.buffers[0].write_bits_per_cycle = 1024;
  Mapping m = whole(gemm(256, 64, 128), acc);
  m.tile_m = 64;
  m.tile_k = 16;
  m.order = {TileDim::kK, TileDim::kC, TileDim::kM};
  for (const double dram : {1.0, 2.0, 8.0}) {
    acc.dram.bits_per_cycle = dram;
    const auto c = costmodel::evaluate(m, acc);
    const double dram_cycles = static_cast<double>(c.dram_read_bits + c.dram_write_bits) / dram;
    REQUIRE(dram_cycles > static_cast<double>(c.compute_cycles));
    CHECK(c.cycles == static_cast<std::int64_t>(std::ceil(dram_cycles - 1e-9)));
  }
  // Boundary: with DRAM unlimited the head and tail are the first tiles through the write
  // port and the last output tile (64 × 16 outputs of 8 bits) through the read port.
  acc.dram.bits_per_cycle = 1e12;
  const auto c = costmodel::evaluate(m, acc);
  const auto t = costmodel::tile_bits(m, acc);
  const double head = static_cast<double>(t.weight + t.input) / 1024;
  const double tail = 64.0 * 16 * 8 / 1024;
  CHECK(c.cycles == static_cast<std::int64_t>(
                        std::ceil(head + static_cast<double>(c.compute_cycles) + tail - 1e-9)));
}

// The simulator's report (docs/simulator.md): ResNet-18 layer1.0.conv1 at w4a4 on bitfusion
// with DRAM at 16 bits per cycle simulated at 136,260 cycles against 152,832 analytic, its
// DRAM channel busy 134,656 cycles. Both evaluators run the same mapping here (kPlain: no
// SystemC kernel, no DRAM latency, as the analytic model assumes): they must agree within 2 %.
TEST_CASE("ResNet-18 layer1.0.conv1 w4a4 on bitfusion: analytic agrees with the simulator",
          "[costmodel]") {
  const costmodel::CostModel model(arch::load_arch("bitfusion", {"dram.bits_per_cycle=16"}));
  const auto net = workloads::load_workload("resnet18");
  const auto a = workloads::PrecisionAssignment::uniform(net, {4, 4});
  sim::SimOptions opt;
  opt.kernel = sim::Kernel::kPlain;
  const auto r = sim::simulate(net, a, model, opt);
  bool found = false;
  for (const auto& l : r.layers) {
    if (l.name != "layer1.0.conv1") continue;
    found = true;
    INFO("simulated " << l.cycles << ", analytic " << l.analytic_cycles);
    CHECK(l.analytic_compute_cycles < l.analytic_cycles);  // memory-bound, the bug's premise
    CHECK(std::abs(static_cast<double>(l.cycles - l.analytic_cycles)) <=
          0.02 * static_cast<double>(l.cycles));
  }
  CHECK(found);
}

// Bug: reload_factor took an index loop of one trip as the operand's innermost index loop, so
// the loops inside it counted as reloads although the tile never changes (the simulator
// loads it once).
TEST_CASE("single-trip index loops do not cause reloads", "[costmodel]") {
  const auto l = gemm(256, 64, 128);
  const auto acc = array(16, 16, arch::Dataflow::kWeightStationary);
  Mapping m = whole(l, acc);
  const double weights = 64.0 * 128 * 8;
  const double inputs = 256.0 * 128 * 8;
  const double outputs = 256.0 * 64 * 8;
  // Order m, k, c with one C trip: inputs (m, c) stay while k sweeps, since c never changes.
  m.tile_m = 64;  // 4 M tiles
  m.tile_k = 16;  // 4 K tiles
  m.order = {TileDim::kM, TileDim::kK, TileDim::kC};
  auto c = costmodel::evaluate(m, acc);
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(4 * weights + inputs));
  // Boundary: two C tiles (64 + 64) make c a real index loop again, innermost: inputs reload
  // for each k tile, weights for each m tile, and outputs stay resident across c.
  m.tile_c = 64;
  c = costmodel::evaluate(m, acc);
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(4 * weights + 4 * inputs));
  CHECK(c.dram_write_bits == static_cast<std::int64_t>(outputs));
  // Order c, m, k with one M and one K trip: the single output tile stays across c, so no
  // partial sums spill (before: one spill per extra c trip).
  m.tile_m = 256;
  m.tile_k = 64;
  m.order = {TileDim::kC, TileDim::kM, TileDim::kK};
  c = costmodel::evaluate(m, acc);
  CHECK(c.dram_write_bits == static_cast<std::int64_t>(outputs));
  CHECK(c.dram_read_bits == static_cast<std::int64_t>(weights + inputs));
}

// A single-buffered buffer refills only after the tile that reads it is done, so each tile
// boundary exposes its transfers (docs/cost-model.md "Latency"). By hand: an 8 × 8 × 4 GEMM
// (M, Nf, Kr) on a 4 × 4 WS array, two filter tiles of 4, one buffer of 64-bit ports, DRAM
// unlimited. A tile computes 2·4 + 4 − 2 + 8 = 18 cycles and streams 384 bits out of the
// buffer (6 cycles) and 32 partial sums of 32 bits into it (16): 18. Head: the first weight
// tile (4·4·8 = 128 bits, 2 cycles), then the input tile (8·4·8 = 256 bits, 4) on the same
// write port: 6. Between the two tiles the output tile goes out (8·4·8 = 256 bits through
// the read port, 4) while the next weight tile comes in (2): 4. Tail: the last output tile
// out, 4. Single-buffered: 6 + 18 + 4 + 18 + 4 = 50. Double-buffered, the weight refill and
// the store hide behind the second tile: 6 + 36 + 4 = 46. The simulator runs both.
TEST_CASE("single buffering exposes each boundary's refill and store; double hides them",
          "[costmodel]") {
  auto acc = array(4, 4, arch::Dataflow::kWeightStationary);
  acc.buffers[0].read_bits_per_cycle = 64;
  acc.buffers[0].write_bits_per_cycle = 64;
  Mapping m = whole(gemm(8, 8, 4), acc);
  m.tile_k = 4;
  m.order = {TileDim::kK, TileDim::kC, TileDim::kM};
  for (const bool db : {false, true}) {
    acc.buffers[0].double_buffered = db;
    const auto c = costmodel::evaluate(m, acc);
    sim::Hardware hw(acc, {});
    sim::PlainFabric fabric(hw);
    const sim::LayerRun run = sim::Controller(fabric).run(m, 0.0);
    INFO("double-buffered " << db << ": simulated " << run.end);
    CHECK(c.compute_cycles == 36);
    CHECK(c.cycles == (db ? 46 : 50));
    CHECK(run.end == Approx(static_cast<double>(c.cycles)));
  }
  // Boundary: with ports so fast that transfers take a fraction of a cycle, both are the
  // compute alone plus that fraction (rounded up, to at most one cycle).
  acc.buffers[0].read_bits_per_cycle = acc.buffers[0].write_bits_per_cycle = 1e12;
  for (const bool db : {false, true}) {
    acc.buffers[0].double_buffered = db;
    const auto cycles = costmodel::evaluate(m, acc).cycles;
    CHECK(cycles >= 36);
    CHECK(cycles <= 37);
  }
}

// Bug: a double-buffered layer bound by a refill port was priced prologue + the port's whole
// traffic + epilogue, counting the first tile's refill twice and the last tile's compute not
// at all (loom fmnist_cnn/fc1: 491 analytic, 465 simulated). By hand: an 8 × 32 × 8 GEMM on
// an 8 × 8 WS array, four filter tiles of 8 whose weights (8·8·8 = 512 bits) refill through
// a 16-bit port in 32 cycles, while a tile computes 2·8 + 8 − 2 + 8 = 30 (inputs, outputs
// and the array's side through 1e12-bit ports). The refills run back to back: 4 · 32, then
// the last tile, 30, then its outputs out (64 bits, none: fast port): 158 (not 32 + 128).
TEST_CASE("refill-bound double-buffered layer: the head once, then the last tile",
          "[costmodel]") {
  auto acc = array(8, 8, arch::Dataflow::kWeightStationary);
  arch::BufferSpec weights = acc.buffers[0];
  weights.name = "weights";
  weights.holds = {true, false, false};
  weights.write_bits_per_cycle = 16;
  weights.double_buffered = true;
  acc.buffers[0].holds = {false, true, true};
  acc.buffers[0].double_buffered = true;
  acc.buffers.push_back(weights);
  Mapping m = whole(gemm(8, 32, 8), acc);
  m.tile_k = 8;
  m.order = {TileDim::kK, TileDim::kC, TileDim::kM};
  const auto c = costmodel::evaluate(m, acc);
  sim::Hardware hw(acc, {});
  sim::PlainFabric fabric(hw);
  const sim::LayerRun run = sim::Controller(fabric).run(m, 0.0);
  CHECK(c.compute_cycles == 4 * 30);
  CHECK(c.cycles == 4 * 32 + 30);
  CHECK(run.end == Approx(static_cast<double>(c.cycles)).margin(1.0));
}
