// Accelerator descriptions: presets, overrides, technology tables, located errors.
#include <catch2/catch.hpp>

#include "mixq/arch/accelerator.hpp"
#include "mixq/arch/pe_model.hpp"
#include "mixq/common/paths.hpp"

using namespace mixq;

TEST_CASE("every arch preset loads with a source and a consistent PE", "[arch]") {
  const auto presets = list_presets("arch");
  for (const char* expected : {"bitfusion", "stripes", "loom", "tpu_v1", "eyeriss", "systolic"}) {
    CHECK(std::find(presets.begin(), presets.end(), expected) != presets.end());
  }
  for (const auto& name : presets) {
    INFO(name);
    const auto acc = arch::load_arch(name);
    CHECK(acc.name == name);
    CHECK_FALSE(acc.source.empty());
    REQUIRE(acc.pe != nullptr);
    CHECK(acc.frequency_hz > 0);
    for (const auto op : {arch::Operand::kWeight, arch::Operand::kInput, arch::Operand::kOutput}) {
      CHECK(acc.buffer_for(op).size_bits > 0);
    }
  }
}

TEST_CASE("preset figures from their papers", "[arch]") {
  // Sharma et al., ISCA 2018: 16 × 32 fusion units at 500 MHz; WBUF/IBUF/OBUF 64/32/16 KB;
  // 192 DRAM bits per cycle at 15 pJ/bit; CACTI weight-buffer read 0.021 pJ/bit.
  const auto bf = arch::load_arch("bitfusion");
  CHECK(bf.array.rows * bf.array.cols == 512);
  CHECK(bf.frequency_hz == 500e6);
  CHECK(bf.buffer_for(arch::Operand::kWeight).size_bits == 64 * 8192);
  CHECK(bf.buffer_for(arch::Operand::kInput).size_bits == 32 * 8192);
  CHECK(bf.buffer_for(arch::Operand::kOutput).size_bits == 16 * 8192);
  CHECK(bf.dram.bits_per_cycle == 192);
  CHECK(bf.dram.energy_pj_per_bit == 15.0);
  CHECK(bf.buffer_for(arch::Operand::kWeight).read_energy_pj_per_bit == 0.021);
  CHECK_FALSE(bf.array.rows_unroll_filter);
  // Jouppi et al., ISCA 2017: 256 × 256 at 700 MHz, 24 MiB unified buffer, 34 GB/s.
  const auto tpu = arch::load_arch("tpu_v1");
  CHECK(tpu.array.rows * tpu.array.cols == 65536);
  CHECK(tpu.frequency_hz == 700e6);
  CHECK(tpu.buffer_for(arch::Operand::kInput).size_bits == 24LL * 8 * 1024 * 1024);
  CHECK(tpu.dram.bits_per_cycle * tpu.frequency_hz / 8 == Approx(34e9));
  // Chen et al., ISCA 2016: 12 × 14 PEs at 200 MHz, 16-bit.
  const auto ey = arch::load_arch("eyeriss");
  CHECK(ey.array.rows * ey.array.cols == 168);
  CHECK(ey.pe->supports(16, 16));
  CHECK_FALSE(ey.pe->supports(17, 16));
}

TEST_CASE("overrides given with --set change values and are validated like the file", "[arch]") {
  const auto acc = arch::load_arch("systolic", {"array.rows=8", "array.dataflow=os", "dram.bits_per_cycle=32"});
  CHECK(acc.array.rows == 8);
  CHECK(acc.array.dataflow == arch::Dataflow::kOutputStationary);
  CHECK(acc.dram.bits_per_cycle == 32);
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rowz=8"}), Catch::Contains("unknown key 'rowz'"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows=0"}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows"}), Catch::Contains("key.path=value"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"name.x=1"}), Catch::Contains("not a map"));
  // Keys not overridden keep their line numbers for errors.
  try {
    (void)arch::load_arch("systolic", {"array.dataflow=zz"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "array.dataflow");
  }
}

TEST_CASE("broadcast arrays and the rows_unroll choice", "[arch]") {
  const auto s = arch::load_arch("stripes");
  CHECK_FALSE(s.array.systolic);
  CHECK(s.array.fold_overhead_cycles == 8);
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.fold_overhead_cycles=4"}),
                    Catch::Contains("broadcast arrays only"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows_unroll=[R]"}),
                    Catch::Contains("[C] or [C, R, S]"));
  CHECK_THROWS_WITH(arch::load_arch("no_such_arch"), Catch::Contains("no arch preset"));
}
