// Property tests: random valid layers on random valid hardware, checked against invariants
// that must hold for any mapping the mapper returns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "mixq/arch/pe_model.hpp"
#include "mixq/costmodel/analytic.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/costmodel/pe_rate.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;

namespace {

struct Case {
  workloads::Layer layer;
  arch::Accelerator acc;
};

Case random_case(std::mt19937& rng) {
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int c = pick(1, 96);
  const int r = std::array{1, 3, 5}[static_cast<std::size_t>(pick(0, 2))];
  const int stride = pick(1, 2);
  const int h = pick(r, 40);
  const bool depthwise = pick(0, 4) == 0;
  std::string text = "layer: {op: " + std::string(depthwise ? "dwconv" : "conv") +
                     ", n: " + std::to_string(pick(1, 2)) + ", c: " + std::to_string(c) +
                     ", h: " + std::to_string(h) + ", w: " + std::to_string(pick(r, 40)) +
                     ", r: " + std::to_string(r) + ", stride: " + std::to_string(stride) +
                     ", pad: " + std::to_string(r / 2);
  if (!depthwise) text += ", k: " + std::to_string(pick(1, 128));
  text += "}";
  Case out{workloads::load_network_string(text).layer(0), {}};
  arch::Accelerator& acc = out.acc;
  acc.name = "random";
  acc.frequency_hz = 1e9;
  acc.array.rows = pick(1, 48);
  acc.array.cols = pick(1, 48);
  acc.array.dataflow = static_cast<arch::Dataflow>(pick(0, 2));
  acc.array.rows_unroll_filter = pick(0, 1) == 1;
  acc.pe = arch::make_pe_model(yaml::load_string(
      pick(0, 1) == 0 ? "{family: bit_fusion, max_bits: 8}"
                      : "{family: fixed, w_bits: 8, a_bits: 8, energy_per_mac_pj: 0.2}",
      "pe"));
  const bool unified = pick(0, 1) == 1;
  for (int op = 0; op < (unified ? 1 : 3); ++op) {
    arch::BufferSpec b;
    // Names from a table: `"b" + std::to_string(op)`, inlined here at -O3, trips a GCC 12
    // -Wstringop-overflow false positive (a memcpy bound above PTRDIFF_MAX in char_traits).
    b.name = std::array{"b0", "b1", "b2"}[static_cast<std::size_t>(op)];
    b.size_bits = std::int64_t{8192} * pick(4, 512);
    if (unified) {
      b.holds = {true, true, true};
    } else {
      b.holds[static_cast<std::size_t>(op)] = true;
    }
    b.read_bits_per_cycle = pick(64, 4096);
    b.write_bits_per_cycle = pick(64, 4096);
    b.read_energy_pj_per_bit = 0.01 * pick(1, 20);
    b.write_energy_pj_per_bit = 0.01 * pick(1, 20);
    b.double_buffered = pick(0, 3) != 0;
    acc.buffers.push_back(b);
  }
  acc.dram = {static_cast<double>(pick(8, 512)), 10.0, ""};
  return out;
}

// The streamed work of the array: Σ folds · ⌈T·f_t⌉, i.e. compute cycles without the
// pipeline's fill and drain.
double streaming_cycles(const costmodel::Mapping& m, arch::Accelerator acc) {
  acc.array.systolic = false;
  acc.array.fold_overhead_cycles = 0;
  return static_cast<double>(costmodel::compute_cycles(m, acc));
}

}  // namespace

TEST_CASE("invariants on random layers and hardware", "[costmodel][property]") {
  std::mt19937 rng(20261124);
  int priced = 0;
  for (int trial = 0; trial < 250; ++trial) {
    const Case t = random_case(rng);
    const int bits[] = {2, 4, 8};
    const int w = bits[trial % 3];
    const int a = bits[(trial / 3) % 3];
    const auto rate = costmodel::rate_from_pe(*t.acc.pe, w, a);
    const auto result = costmodel::map_layer(t.layer, t.acc, {w, a, a}, rate);
    if (!result.feasible) continue;
    ++priced;
    const auto& c = result.cost;
    INFO("trial " << trial << ": " << t.layer.c << "→" << t.layer.k << " r" << t.layer.r << " on "
                  << t.acc.array.rows << "x" << t.acc.array.cols << " "
                  << arch::to_string(t.acc.array.dataflow) << " w" << w << "a" << a);
    // Positive, finite, consistent.
    CHECK(c.cycles > 0);
    CHECK(c.cycles >= c.compute_cycles);
    CHECK(c.energy_pj > 0);
    CHECK(std::isfinite(c.energy_pj));
    CHECK(c.macs == t.layer.macs());
    CHECK(c.utilization > 0);
    CHECK(c.utilization <= 1.0 + 1e-9);
    CHECK(c.spatial_utilization <= 1.0 + 1e-9);
    // DRAM traffic covers at least every weight and input once and every output once.
    const auto& l = t.layer;
    // Input rows (columns) some output reads: p·stride − pad + r·dilation inside the map. A
    // 1×1 conv with stride 2 needs only every other row.
    const auto touched = [](std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride,
                            std::int64_t pad, std::int64_t dil) {
      std::vector<bool> hit(static_cast<std::size_t>(in), false);
      for (std::int64_t o = 0; o < out; ++o) {
        for (std::int64_t j = 0; j < k; ++j) {
          const std::int64_t x = o * stride - pad + j * dil;
          if (x >= 0 && x < in) hit[static_cast<std::size_t>(x)] = true;
        }
      }
      return static_cast<double>(std::count(hit.begin(), hit.end(), true));
    };
    const double pixels = touched(l.h, l.p, l.r, l.stride_h, l.pad_h, l.dilation_h) *
                          touched(l.w, l.q, l.s, l.stride_w, l.pad_w, l.dilation_w);
    const double compulsory_in = static_cast<double>(l.weight_count()) * w +
                                 static_cast<double>(l.n * l.c) * pixels * a;
    CHECK(static_cast<double>(c.dram_read_bits) >= compulsory_in - 1);
    CHECK(c.dram_write_bits >= l.n * l.k * l.p * l.q * a);
    // More bits on the same mapping never cost less time or energy.
    for (const int w2 : bits) {
      for (const int a2 : bits) {
        if (w2 < w || a2 < a) continue;
        auto m = result.mapping;
        const auto r2 = costmodel::rate_from_pe(*t.acc.pe, w2, a2);
        m.w_bits = w2;
        m.a_bits = a2;
        m.out_bits = a2;
        m.spatial_factor = r2.spatial_factor;
        m.temporal_factor = r2.temporal_factor;
        m.energy_per_mac_pj = r2.energy_per_mac_pj;
        const auto c2 = costmodel::evaluate(m, t.acc);
        CHECK(c2.cycles >= c.cycles);
        CHECK(c2.energy_pj >= c.energy_pj * (1 - 1e-12));
      }
    }
    // More PEs never add streamed work: doubling rows or columns can only lengthen the
    // systolic pipeline (fill and drain), never the stream through it.
    for (const bool rows : {true, false}) {
      arch::Accelerator bigger = t.acc;
      (rows ? bigger.array.rows : bigger.array.cols) *= 2;
      CHECK(streaming_cycles(result.mapping, bigger) <= streaming_cycles(result.mapping, t.acc));
    }
  }
  CHECK(priced > 150);
}
