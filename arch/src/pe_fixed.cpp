// `fixed`: one bit-parallel MAC of a native precision W × A (a TPU or Eyeriss MAC).
//
// Throughput: 1 MAC per cycle for every w <= W and a <= A; narrower operands never run
// faster, because the datapath has no way to pack them. Wider operands are unsupported.
//
// Energy, data-gating model: with the unused operand bits held at zero (data gating), the
// multiplier's switching activity falls with the number of active partial-product bits,
// w·a out of W·A, while the accumulator, pipeline registers and control keep toggling:
//   E(w, a) = E_native · ((1 − f) + f · (w·a) / (W·A)),
// f = gated_fraction, the multiplier's share of the MAC's energy. Data-gated MACs are the
// baseline of Camus et al., "Review and benchmarking of precision-scalable multiply-
// accumulate unit architectures", IEEE JETCAS 2019; the quadratic term is the first-order
// activity model of an array multiplier. Default f = 0.667 = 0.2 / (0.2 + 0.1): an 8-bit
// multiply (0.2 pJ) against a 32-bit accumulate (0.1 pJ) at 45 nm (Horowitz, ISSCC 2014).
#include <sstream>

#include "mixq/arch/pe_registry.hpp"

namespace mixq::arch {
namespace {

struct FixedParams {
  int w_bits = 8;
  int a_bits = 8;
  double energy_per_mac_pj = 0;
  double gated_fraction = 0;
};

class FixedPe final : public PeModel {
 public:
  FixedPe(const FixedParams& p, PeModelInfo info) : PeModel(std::move(info)), p_(p) {
    build_table();
  }

 private:
  [[nodiscard]] PeQuery rule(int w_bits, int a_bits) const override {
    PeQuery q;
    if (w_bits > p_.w_bits || a_bits > p_.a_bits) {
      const bool w_wide = w_bits > p_.w_bits;
      q.reason = std::string(w_wide ? "w_bits " : "a_bits ") +
                 std::to_string(w_wide ? w_bits : a_bits) + " exceeds the native " +
                 std::to_string(w_wide ? p_.w_bits : p_.a_bits) + "-bit " +
                 (w_wide ? "weight" : "activation") + " datapath";
      return q;
    }
    const double active = static_cast<double>(w_bits * a_bits) / (p_.w_bits * p_.a_bits);
    q.supported = true;
    q.parallel_macs = 1;
    q.cycles_per_step = 1;
    q.cost.macs_per_cycle = 1.0;
    q.cost.energy_per_mac_pj =
        p_.energy_per_mac_pj * ((1.0 - p_.gated_fraction) + p_.gated_fraction * active);
    return q;
  }

  FixedParams p_;
};

std::unique_ptr<PeModel> create(PeParamReader& in) {
  FixedParams p;
  p.w_bits = static_cast<int>(in.integer("w_bits"));
  p.a_bits = static_cast<int>(in.integer("a_bits"));
  p.energy_per_mac_pj = in.number("energy_per_mac_pj");
  p.gated_fraction = in.number("gated_fraction");
  std::ostringstream d;
  d << p.w_bits << "x" << p.a_bits << " fixed-precision MAC, " << p.energy_per_mac_pj
    << " pJ per MAC at native precision, of which " << p.gated_fraction
    << " scales with (w*a)/(W*A) under data gating";
  return std::make_unique<FixedPe>(p, in.finish(d.str()));
}

}  // namespace

PeFamily fixed_pe_family() {
  return PeFamily{
      "fixed",
      "one bit-parallel MAC of a native precision; narrower operands save energy by data "
      "gating, never time",
      "data-gated MAC baseline: Camus et al., IEEE JETCAS 2019; energy split: Horowitz, "
      "ISSCC 2014",
      {
          {"w_bits", ParamType::kInt, "native weight precision W, bits", "8", 1, kPeMaxBits, {}},
          {"a_bits", ParamType::kInt, "native activation precision A, bits", "8", 1,
           kPeMaxBits, {}},
          {"energy_per_mac_pj", ParamType::kNumber,
           "energy of one MAC at native precision, pJ (technology-specific: e.g. 0.203 pJ "
           "for 8x8 at 45 nm, Sharma et al. ISCA 2018); required",
           std::nullopt, 0, 1e6, {}},
          {"gated_fraction", ParamType::kNumber,
           "share f of the native MAC energy that scales with active bits (w*a)/(W*A); "
           "default 0.2/(0.2+0.1): 8-bit multiply vs 32-bit add at 45 nm (Horowitz, ISSCC "
           "2014)",
           "0.667", 0, 1, {}},
      },
      &create,
  };
}

}  // namespace mixq::arch
