// SoC engines against their published per-core models.
#include <catch2/catch.hpp>

#include "mixq/arch/soc.hpp"
#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;

namespace {

workloads::Network one_conv(int k, int c, int pq, int r) {
  return workloads::load_network_string(
      "{name: l, input: {channels: " + std::to_string(c) + ", height: " + std::to_string(pq) +
          ", width: " + std::to_string(pq) + "}, layers: [{name: conv, op: conv, k: " +
          std::to_string(k) + ", r: " + std::to_string(r) + ", pad: " + std::to_string(r / 2) + "}]}",
      "one_conv");
}

}  // namespace

TEST_CASE("DIANA digital core: 16x16x3x3 conv on a 32x32 map takes 11,520 cycles (44.3 us)", "[soc][validation]") {
  // Source: ODiMO (Risso et al., ISLPED 2023), DIANA digital-core model at 260 MHz:
  //   cycles = ⌈C_out/16⌉·⌈o_y/16⌉·C_in·o_x·f_x·f_y + C_in·C_out·f_x·f_y
  //          = 1·2·16·32·9 + 16·16·9 = 9,216 + 2,304 = 11,520 → 44.3 µs at 260 MHz.
  // Tolerance: exact in cycles (the model is closed form).
  const costmodel::SocModel model(arch::load_soc("diana"));
  const auto net = one_conv(16, 16, 32, 3);
  const int digital = model.soc().engine_index("digital");
  REQUIRE(digital >= 0);
  const auto price = model.price(net.layer(0), {8, 8, 8}, digital, 16);
  REQUIRE(price.feasible);
  CHECK(price.cycles == 11'520);
  CHECK(static_cast<double>(price.cycles) / model.soc().frequency_hz == Approx(44.3e-6).epsilon(0.001));
  // Active power 24.96 mW over 44.3 µs = 1.106 µJ.
  CHECK(price.energy_pj == Approx(24.96e-3 * 11'520 / 260e6 * 1e12).epsilon(1e-9));
}

TEST_CASE("DIANA analog core: one pass of the 1152x512 array per output pixel", "[soc][validation]") {
  // Source: ODiMO (Risso et al., ISLPED 2023), DIANA analog-core model:
  //   cycles = ⌈C_in·f_x·f_y/1152⌉·⌈C_out/512⌉·o_x·o_y + 2·4·C_in·⌈C_out/512⌉.
  // 64→64 3×3 on 16×16: ⌈576/1152⌉·1·256 + 8·64 = 256 + 512 = 768. Exact.
  const costmodel::SocModel model(arch::load_soc("diana"));
  const auto net = one_conv(64, 64, 16, 3);
  const auto price = model.price(net.layer(0), {2, 7, 8}, model.soc().engine_index("analog"), 64);
  REQUIRE(price.feasible);
  CHECK(price.cycles == 768);
  CHECK(price.mode_w_bits == 2);
  CHECK(price.mode_a_bits == 7);
}

TEST_CASE("DARKSIDE depthwise engine: about 30 MACs per cycle on 3x3 depthwise", "[soc][validation]") {
  // Source: ODiMO (Risso et al., ISLPED 2023) model of the DARKSIDE depthwise engine,
  //   cycles = ⌈C/16⌉·(o_x·o_y·4 + o_x·9 + 9); the chip paper (Garofalo et al. 2022) quotes
  //   "up to 30 MACs per cycle". 64 channels on 56×56: 4·(12,544 + 504 + 9) = 52,228 cycles
  //   for 1,806,336 MACs = 34.6 MACs/cycle. Tolerance: exact cycles; MACs/cycle within 30 ± 5.
  const costmodel::SocModel model(arch::load_soc("darkside"));
  const auto net = workloads::load_network_string(
      "{name: l, input: {channels: 64, height: 56, width: 56}, layers: [{name: dw, op: dwconv, r: 3, pad: 1}]}",
      "dw");
  const auto price = model.price(net.layer(0), {8, 8, 8}, model.soc().engine_index("dwe"), 64);
  REQUIRE(price.feasible);
  CHECK(price.cycles == 52'228);
  const double macs_per_cycle = static_cast<double>(net.layer(0).macs()) / static_cast<double>(price.cycles);
  CHECK(macs_per_cycle == Approx(30).margin(5));
}
