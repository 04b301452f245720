// PE model families: throughput tables, energy per MAC, precision boundaries, registry and
// located YAML errors. Published figures: Bit Fusion (Sharma et al., ISCA 2018); scaling
// laws: Stripes (Judd et al., MICRO 2016), Loom (Sharify et al., DAC 2018).
#include <catch2/catch.hpp>

#include <climits>
#include <map>
#include <string>

#include "expect_error.hpp"
#include "mixq/arch/pe_model.hpp"
#include "mixq/arch/pe_registry.hpp"
#include "mixq/common/yaml.hpp"

using mixq::InputError;
using mixq::arch::make_pe_model;
using mixq::arch::PeModel;
using mixq::arch::PeRegistry;

namespace {

// `pe_map` is the flow map of the PE node, e.g. "{family: fixed, energy_per_mac_pj: 0.2}".
// It sits on line 2 of arch.yaml, under the key `pe`, so errors read "arch.yaml:2:...".
std::unique_ptr<PeModel> pe(const std::string& pe_map) {
  const auto doc = mixq::yaml::load_string("name: test\npe: " + pe_map + "\n", "arch.yaml");
  return make_pe_model(doc.at("pe"));
}

InputError pe_error(const std::string& pe_map) {
  return mixq::test::input_error_of([&] { return pe(pe_map); }, pe_map);
}

double macs(const PeModel& m, int w, int a) { return m.query(w, a).cost.macs_per_cycle; }

}  // namespace

TEST_CASE("every expected PE family is registered, with documented parameters", "[pe]") {
  const auto& registry = PeRegistry::builtin();
  CHECK(registry.names() ==
        std::vector<std::string>{"bit_fusion", "bit_serial", "bitblade", "fixed", "swp"});
  CHECK(&registry == &PeRegistry::builtin());

  // The smallest valid node of each family: its required parameters only.
  const std::map<std::string, std::string> minimal{
      {"fixed", "{family: fixed, energy_per_mac_pj: 0.203}"},
      {"bit_serial", "{family: bit_serial, energy_per_unit_cycle_pj: 1.0}"},
      {"bit_fusion", "{family: bit_fusion}"},
      {"swp", "{family: swp, variant: 2d, energy_per_unit_cycle_pj: 0.3}"},
      {"bitblade", "{family: bitblade}"},
  };
  for (const auto& name : registry.names()) {
    INFO(name);
    const auto* family = registry.find(name);
    REQUIRE(family != nullptr);
    CHECK_FALSE(family->summary.empty());
    CHECK_FALSE(family->reference.empty());
    REQUIRE_FALSE(family->params.empty());
    for (const auto& p : family->params) {
      CHECK_FALSE(p.description.empty());
      if (p.type == mixq::arch::ParamType::kChoice) CHECK_FALSE(p.choices.empty());
    }
    // Every default parses and lies in its declared range (they go through the same reader).
    REQUIRE(minimal.count(name) == 1);
    const auto model = pe(minimal.at(name));
    CHECK(model->family() == name);
    CHECK_FALSE(model->description().empty());
    CHECK(model->parameters().size() == family->params.size());
    CHECK(model->peak_macs_per_cycle() >= 1.0);
  }
  CHECK(registry.find("bitfusion") == nullptr);
}

TEST_CASE("a family registered twice is a programming error", "[pe]") {
  PeRegistry registry;
  mixq::arch::register_builtin_pe_models(registry);
  CHECK_THROWS_AS(registry.add(mixq::arch::fixed_pe_family()), std::logic_error);
  CHECK(registry.names().size() == 5);
}

TEST_CASE("bit_fusion: MACs per fusion unit per cycle are the paper's ratios, exactly", "[pe]") {
  const auto m = pe("{family: bit_fusion}");
  // Sharma et al., ISCA 2018: 8x8 -> 1, 8x4 -> 2, 4x4 -> 4, 8x2 -> 4, 2x2 -> 16.
  CHECK(macs(*m, 8, 8) == 1.0);
  CHECK(macs(*m, 8, 4) == 2.0);
  CHECK(macs(*m, 4, 8) == 2.0);
  CHECK(macs(*m, 4, 4) == 4.0);
  CHECK(macs(*m, 8, 2) == 4.0);
  CHECK(macs(*m, 2, 8) == 4.0);
  CHECK(macs(*m, 2, 2) == 16.0);
  CHECK(macs(*m, 4, 2) == 8.0);
  // 1-bit operands use a 2-bit brick.
  CHECK(macs(*m, 1, 1) == 16.0);
  CHECK(macs(*m, 1, 8) == 4.0);
  CHECK(macs(*m, 1, 2) == 16.0);
  // Odd widths round up to the fused width: 3 -> 4, 5..8 -> 8.
  CHECK(macs(*m, 3, 3) == 4.0);
  CHECK(macs(*m, 3, 4) == 4.0);
  for (int bits = 5; bits <= 8; ++bits) {
    CHECK(macs(*m, bits, bits) == 1.0);
    CHECK(macs(*m, bits, 2) == 4.0);
  }
  CHECK(m->query(8, 2).parallel_macs == 4);
  CHECK(m->query(8, 2).cycles_per_step == 1);
  CHECK(m->peak_macs_per_cycle() == 16.0);
  CHECK(m->max_w_bits() == 8);
  CHECK(m->max_a_bits() == 8);
  CHECK(m->supported_precisions().size() == 64);
}

TEST_CASE("bit_fusion: energy per MAC at 8/4/2 bits matches the 45 nm synthesis within 5%",
          "[pe]") {
  // 0.459 pJ per fusion unit per cycle -> 0.459 / 0.115 / 0.0287 pJ per MAC (Sharma et al.).
  const auto m = pe("{family: bit_fusion, max_bits: 8, energy_per_unit_cycle_pj: 0.459}");
  CHECK(m->query(8, 8).cost.energy_per_mac_pj == Approx(0.459).epsilon(0.05));
  CHECK(m->query(4, 4).cost.energy_per_mac_pj == Approx(0.115).epsilon(0.05));
  CHECK(m->query(2, 2).cost.energy_per_mac_pj == Approx(0.0287).epsilon(0.05));
  // The default is the paper's figure.
  CHECK(pe("{family: bit_fusion}")->query(8, 8).cost.energy_per_mac_pj == 0.459);
}

TEST_CASE("bit_fusion: bits at native - 1, native, native + 1, 0 and 33", "[pe]") {
  const auto m = pe("{family: bit_fusion}");
  CHECK(m->supports(7, 8));
  CHECK(m->supports(8, 7));
  CHECK(m->supports(8, 8));
  const auto& w9 = m->query(9, 8);
  CHECK_FALSE(w9.supported);
  CHECK(w9.reason == "bit_fusion: w_bits 9 exceeds the unit's 8-bit fused width");
  CHECK(w9.cost.macs_per_cycle == 0.0);
  CHECK(w9.parallel_macs == 0);
  const auto& a9 = m->query(8, 9);
  CHECK_FALSE(a9.supported);
  CHECK_THAT(a9.reason, Catch::Contains("a_bits 9"));
  for (const auto& [w, a] :
       {std::pair{0, 8}, {8, 0}, {33, 8}, {8, 33}, {-1, 4}, {INT_MIN, INT_MAX}}) {
    INFO(w << "x" << a);
    const auto& q = m->query(w, a);
    CHECK_FALSE(q.supported);
    CHECK_THAT(q.reason, Catch::Contains("must be in 1..32"));
  }
  // A 16-bit unit holds 64 bricks and runs 16x16 at 1 MAC per cycle.
  const auto wide = pe("{family: bit_fusion, max_bits: 16}");
  CHECK(macs(*wide, 16, 16) == 1.0);
  CHECK(macs(*wide, 2, 2) == 64.0);
  CHECK(macs(*wide, 9, 4) == 4.0);
  CHECK_FALSE(wide->supports(17, 2));
}

TEST_CASE("fixed: no speed below native; energy falls by data gating; wider is unsupported",
          "[pe]") {
  const auto m = pe("{family: fixed, w_bits: 8, a_bits: 8, energy_per_mac_pj: 0.2, "
                    "gated_fraction: 0.5}");
  for (int w = 1; w <= 8; ++w) {
    for (int a = 1; a <= 8; ++a) {
      CHECK(macs(*m, w, a) == 1.0);
    }
  }
  // E = E_native · ((1 − f) + f · w·a / (W·A)).
  CHECK(m->query(8, 8).cost.energy_per_mac_pj == Approx(0.2));
  CHECK(m->query(4, 4).cost.energy_per_mac_pj == Approx(0.2 * (0.5 + 0.5 * 16.0 / 64.0)));
  CHECK(m->query(7, 8).cost.energy_per_mac_pj < m->query(8, 8).cost.energy_per_mac_pj);
  CHECK(m->query(1, 1).cost.energy_per_mac_pj == Approx(0.2 * (0.5 + 0.5 / 64.0)));
  CHECK_FALSE(m->supports(9, 8));
  CHECK_FALSE(m->supports(8, 9));
  CHECK(m->query(9, 8).reason == "fixed: w_bits 9 exceeds the native 8-bit weight datapath");
  CHECK(m->query(8, 9).reason ==
        "fixed: a_bits 9 exceeds the native 8-bit activation datapath");
  CHECK(m->supported_precisions().size() == 64);

  // A 16x8 unit: weights up to 16, activations up to 8; gating off keeps energy flat.
  const auto mixed = pe("{family: fixed, w_bits: 16, a_bits: 8, energy_per_mac_pj: 0.5, "
                        "gated_fraction: 0}");
  CHECK(mixed->supports(16, 8));
  CHECK_FALSE(mixed->supports(16, 9));
  CHECK(mixed->query(2, 2).cost.energy_per_mac_pj == 0.5);
  CHECK(mixed->max_w_bits() == 16);
  CHECK(mixed->max_a_bits() == 8);
}

TEST_CASE("bit_serial stripes: time ∝ activation bits, independent of weight bits", "[pe]") {
  const auto m = pe("{family: bit_serial, mode: stripes, energy_per_unit_cycle_pj: 1.6}");
  for (int w = 1; w <= 16; ++w) {
    for (int a = 1; a <= 16; ++a) {
      INFO(w << "x" << a);
      // One unit equals one 16x16 bit-parallel MAC at full precision (parity).
      CHECK(macs(*m, w, a) * a == Approx(16.0));
      CHECK(m->query(w, a).cycles_per_step == a);
      CHECK(m->query(w, a).parallel_macs == 16);
    }
  }
  CHECK(macs(*m, 16, 16) == 1.0);
  CHECK(macs(*m, 8, 8) == 2.0);
  CHECK(macs(*m, 2, 1) == 16.0);
  // Energy per unit-cycle is constant, so energy per MAC ∝ a_bits.
  CHECK(m->query(16, 16).cost.energy_per_mac_pj == Approx(1.6));
  CHECK(m->query(3, 4).cost.energy_per_mac_pj == Approx(0.4));
  CHECK_FALSE(m->supports(17, 4));
  CHECK_THAT(m->query(17, 4).reason, Catch::Contains("parallel weight lanes"));
  CHECK_FALSE(m->supports(4, 17));
  CHECK(m->supports(15, 15));
}

TEST_CASE("bit_serial loom: time ∝ w_bits · a_bits / bits per cycle", "[pe]") {
  const auto m = pe("{family: bit_serial, mode: loom, energy_per_unit_cycle_pj: 2.0}");
  for (int w = 1; w <= 16; ++w) {
    for (int a = 1; a <= 16; ++a) {
      INFO(w << "x" << a);
      CHECK(macs(*m, w, a) * w * a == Approx(256.0));
    }
  }
  CHECK(macs(*m, 16, 16) == 1.0);
  CHECK(macs(*m, 8, 8) == 4.0);
  CHECK(macs(*m, 4, 2) == 32.0);
  CHECK(m->query(8, 8).cost.energy_per_mac_pj == Approx(0.5));

  // Two activation bits per cycle: parity holds at 16x16, odd a rounds up to whole passes.
  const auto two = pe("{family: bit_serial, mode: loom, bits_per_cycle: 2, "
                      "energy_per_unit_cycle_pj: 2.0}");
  CHECK(macs(*two, 16, 16) == 1.0);
  CHECK(two->query(4, 3).cycles_per_step == 4 * 2);
  CHECK(two->query(4, 4).cycles_per_step == 4 * 2);
  CHECK(macs(*two, 4, 3) == Approx(128.0 / 8.0));

  // An 8-bit Loom: parity with an 8x8 MAC; 9 bits unsupported.
  const auto small = pe("{family: bit_serial, mode: loom, w_bits_max: 8, a_bits_max: 8, "
                        "energy_per_unit_cycle_pj: 1}");
  CHECK(macs(*small, 8, 8) == 1.0);
  CHECK(macs(*small, 7, 8) == Approx(8.0 / 7.0));
  CHECK(macs(*small, 2, 2) == 16.0);
  CHECK_FALSE(small->supports(9, 8));
  CHECK_FALSE(small->supports(8, 9));
}

TEST_CASE("swp: 1-D and 2-D sub-word parallel throughput, widths rounded up to a mode",
          "[pe]") {
  const std::string tail = ", native_bits: 8, energy_per_unit_cycle_pj: 0.32}";
  const auto w1 = pe("{family: swp, variant: 1d_weight" + tail);
  CHECK(macs(*w1, 8, 8) == 1.0);
  CHECK(macs(*w1, 4, 8) == 2.0);
  CHECK(macs(*w1, 2, 8) == 4.0);
  CHECK(macs(*w1, 1, 8) == 4.0);  // below min_bits 2: runs in the 2-bit mode
  CHECK(macs(*w1, 3, 8) == 2.0);  // 3 -> 4
  CHECK(macs(*w1, 5, 1) == 1.0);  // 5 -> 8; activations do not split
  CHECK(macs(*w1, 2, 2) == 4.0);
  CHECK(w1->query(2, 8).cost.energy_per_mac_pj == Approx(0.08));

  const auto a1 = pe("{family: swp, variant: 1d_activation" + tail);
  CHECK(macs(*a1, 8, 2) == 4.0);
  CHECK(macs(*a1, 2, 8) == 1.0);

  const auto sym = pe("{family: swp, variant: 1d_symmetric" + tail);
  CHECK(macs(*sym, 4, 4) == 2.0);
  CHECK(macs(*sym, 2, 8) == 1.0);
  CHECK(macs(*sym, 2, 2) == 4.0);

  const auto two = pe("{family: swp, variant: 2d" + tail);
  CHECK(macs(*two, 8, 8) == 1.0);
  CHECK(macs(*two, 4, 4) == 4.0);
  CHECK(macs(*two, 8, 2) == 4.0);
  CHECK(macs(*two, 2, 2) == 16.0);
  CHECK(macs(*two, 7, 3) == 2.0);

  for (const auto* m : {w1.get(), a1.get(), sym.get(), two.get()}) {
    CHECK(m->supports(7, 7));
    CHECK(m->supports(8, 8));
    CHECK_FALSE(m->supports(9, 8));
    CHECK_FALSE(m->supports(8, 9));
    CHECK_THAT(m->query(9, 8).reason, Catch::Contains("8-bit sub-word parallel multiplier"));
  }

  // A 16-bit unit with modes 16 / 8 / 4: 2 bits run in the 4-bit mode.
  const auto wide = pe("{family: swp, variant: 2d, native_bits: 16, min_bits: 4, "
                       "energy_per_unit_cycle_pj: 1}");
  CHECK(macs(*wide, 2, 2) == 16.0);
  CHECK(macs(*wide, 16, 5) == 2.0);
  CHECK(macs(*wide, 9, 16) == 1.0);
  CHECK_FALSE(wide->supports(17, 1));
  // A width that does not halve evenly: 12 -> modes 12, 6, 3.
  const auto twelve = pe("{family: swp, variant: 1d_weight, native_bits: 12, min_bits: 2, "
                         "energy_per_unit_cycle_pj: 1}");
  CHECK(macs(*twelve, 2, 12) == 4.0);
  CHECK(macs(*twelve, 4, 1) == 2.0);
  CHECK(macs(*twelve, 7, 1) == 1.0);
}

TEST_CASE("bitblade: Bit Fusion's throughput at lower energy per unit", "[pe]") {
  const auto blade = pe("{family: bitblade}");
  const auto fusion = pe("{family: bit_fusion}");
  for (int w = 0; w <= 33; ++w) {
    for (int a = 0; a <= 33; ++a) {
      INFO(w << "x" << a);
      REQUIRE(blade->supports(w, a) == fusion->supports(w, a));
      CHECK(macs(*blade, w, a) == macs(*fusion, w, a));
    }
  }
  // Default: 41 % less energy than Bit Fusion's 0.459 pJ (Ryu et al., DAC 2019, 36-46 %).
  CHECK(blade->query(8, 8).cost.energy_per_mac_pj == Approx(0.459 * 0.59).epsilon(0.01));
  CHECK(blade->query(2, 2).cost.energy_per_mac_pj == Approx(0.271 / 16));
  CHECK(pe("{family: bitblade, energy_per_unit_cycle_pj: 0.3}")->query(4, 4)
            .cost.energy_per_mac_pj == Approx(0.075));
}

TEST_CASE("every family's table keeps its invariants over all 34 x 34 entries", "[pe]") {
  for (const char* node :
       {"{family: fixed, energy_per_mac_pj: 0.2}", "{family: bit_serial, mode: loom, "
        "energy_per_unit_cycle_pj: 1}", "{family: bit_serial, energy_per_unit_cycle_pj: 1}",
        "{family: bit_fusion}", "{family: bitblade}",
        "{family: swp, variant: 1d_symmetric, energy_per_unit_cycle_pj: 1}"}) {
    const auto m = pe(node);
    INFO(node);
    std::size_t supported = 0;
    for (int w = -1; w <= 34; ++w) {
      for (int a = -1; a <= 34; ++a) {
        const auto& q = m->query(w, a);
        if (q.supported) {
          ++supported;
          CHECK(q.reason.empty());
          CHECK(q.parallel_macs >= 1);
          CHECK(q.cycles_per_step >= 1);
          CHECK(q.cost.macs_per_cycle ==
                Approx(static_cast<double>(q.parallel_macs) / q.cycles_per_step));
          CHECK(q.cost.energy_per_mac_pj > 0);
        } else {
          CHECK(q.reason.rfind(m->family() + ": ", 0) == 0);
          CHECK(q.cost.macs_per_cycle == 0.0);
        }
      }
    }
    CHECK(supported == m->supported_precisions().size());
  }
}

TEST_CASE("parameters and source are recorded as the model was built", "[pe]") {
  const auto m = pe("{family: bit_fusion, max_bits: 8, source: \"Sharma et al., ISCA 2018\"}");
  CHECK(m->source() == "Sharma et al., ISCA 2018");
  REQUIRE(m->parameters().size() == 2);
  CHECK(m->parameters()[0].name == "max_bits");
  CHECK(m->parameters()[0].value == "8");
  CHECK_FALSE(m->parameters()[0].from_default);
  CHECK(m->parameters()[1].name == "energy_per_unit_cycle_pj");
  CHECK(m->parameters()[1].value == "0.459");
  CHECK(m->parameters()[1].from_default);
}

TEST_CASE("an unknown PE family names file, line, key path and the known families", "[pe]") {
  const auto e = pe_error("{family: bitfusion, max_bits: 8}");
  CHECK(e.kind() == InputError::Kind::kValue);
  CHECK(e.where().file == "arch.yaml");
  CHECK(e.where().line == 2);
  CHECK(e.where().key_path == "pe.family");
  CHECK_THAT(e.message(), Catch::Contains("unknown PE family 'bitfusion'"));
  CHECK_THAT(e.message(), Catch::Contains("did you mean 'bit_fusion'"));
  CHECK_THAT(e.message(),
             Catch::Contains("known families: bit_fusion bit_serial bitblade fixed swp"));
  CHECK_THAT(std::string(e.what()), Catch::StartsWith("arch.yaml:2:"));

  const auto missing = pe_error("{max_bits: 8}");
  CHECK(missing.kind() == InputError::Kind::kMissingKey);
  CHECK(missing.where().key_path == "pe.family");
  CHECK(missing.where().line == 2);
}

TEST_CASE("unknown keys and bad values name file, line and key path", "[pe]") {
  const auto typo = pe_error("{family: bit_fusion, max_bit: 8}");
  CHECK(typo.kind() == InputError::Kind::kUnknownKey);
  CHECK(typo.where().file == "arch.yaml");
  CHECK(typo.where().line == 2);
  CHECK(typo.where().key_path == "pe.max_bit");
  CHECK_THAT(typo.message(), Catch::Contains("did you mean 'max_bits'"));

  // A key of another family is unknown here.
  CHECK(pe_error("{family: fixed, energy_per_mac_pj: 1, max_bits: 8}").kind() ==
        InputError::Kind::kUnknownKey);

  const auto not_pow2 = pe_error("{family: bit_fusion, max_bits: 6}");
  CHECK(not_pow2.kind() == InputError::Kind::kValue);
  CHECK(not_pow2.where().key_path == "pe.max_bits");
  CHECK(not_pow2.where().line == 2);
  CHECK_THAT(not_pow2.message(), Catch::Contains("power of two"));

  const auto range = pe_error("{family: bit_fusion, max_bits: 64}");
  CHECK(range.kind() == InputError::Kind::kValue);
  CHECK(range.where().key_path == "pe.max_bits");

  const auto negative = pe_error("{family: bit_fusion, energy_per_unit_cycle_pj: -1}");
  CHECK(negative.kind() == InputError::Kind::kValue);
  CHECK(negative.where().key_path == "pe.energy_per_unit_cycle_pj");

  const auto type = pe_error("{family: fixed, w_bits: eight, energy_per_mac_pj: 1}");
  CHECK(type.kind() == InputError::Kind::kType);
  CHECK(type.where().key_path == "pe.w_bits");

  const auto required = pe_error("{family: fixed}");
  CHECK(required.kind() == InputError::Kind::kMissingKey);
  CHECK(required.where().key_path == "pe.energy_per_mac_pj");
  CHECK(required.where().line == 2);

  const auto variant = pe_error("{family: swp, variant: 3d, energy_per_unit_cycle_pj: 1}");
  CHECK(variant.kind() == InputError::Kind::kValue);
  CHECK(variant.where().key_path == "pe.variant");
  CHECK_THAT(variant.message(), Catch::Contains("1d_weight"));

  const auto mode = pe_error(
      "{family: bit_serial, mode: loom, bits_per_cycle: 3, "
      "energy_per_unit_cycle_pj: 1}");
  CHECK(mode.kind() == InputError::Kind::kValue);
  CHECK(mode.where().key_path == "pe.bits_per_cycle");
  CHECK_THAT(mode.message(), Catch::Contains("must divide a_bits_max 16"));

  const auto min_bits = pe_error(
      "{family: swp, variant: 2d, native_bits: 4, min_bits: 8, "
      "energy_per_unit_cycle_pj: 1}");
  CHECK(min_bits.where().key_path == "pe.min_bits");

  const auto not_map = pe_error("bit_fusion");
  CHECK(not_map.kind() == InputError::Kind::kType);
  CHECK(not_map.where().key_path == "pe");
}
