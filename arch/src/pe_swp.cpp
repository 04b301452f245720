// `swp`: a sub-word parallel (SWP) multiplier of native width N that splits into narrower
// multipliers. Modes are N, N/2, N/4, ... down to min_bits (halving while N stays
// divisible); an operand of b bits runs in the smallest mode m(b) >= b (3 bits run as 4 on
// an 8-bit unit, 5..7 as 8). Variants, by which operand the datapath splits:
//   1d_weight:     weights split, activations full width:  N / m(w) MACs per cycle
//   1d_activation: activations split, weights full width:  N / m(a)
//   1d_symmetric:  both shrink together (Envision's DVAFS multiplier, Moons et al.,
//                  ISSCC 2017):                             N / m(max(w, a))
//   2d:            both split independently:               (N / m(w)) · (N / m(a))
// Spatial sub-word parallel MACs of these kinds are reviewed and benchmarked, 2 to 8 bits in
// 28 nm, by Camus, Mei, Enz, Verhelst, "Review and benchmarking of precision-scalable
// multiply-accumulate unit architectures for embedded neural-network processing", IEEE
// JETCAS 2019. The whole multiplier switches in every mode, so
//   energy_per_mac = energy_per_unit_cycle_pj / macs_per_cycle
// (no extra gating below a mode's width).
#include <algorithm>
#include <array>
#include <sstream>

#include "mixq/arch/pe_registry.hpp"

namespace mixq::arch {
namespace {

enum class Variant { kWeight, kActivation, kSymmetric, kTwoD };

struct SwpParams {
  Variant variant = Variant::kTwoD;
  std::string variant_name;
  int native_bits = 8;
  int min_bits = 2;
  double energy_per_unit_cycle_pj = 0;
};

class SwpPe final : public PeModel {
 public:
  SwpPe(const SwpParams& p, PeModelInfo info) : PeModel(std::move(info)), p_(p) {
    // The mode each width runs in (index = bits; 0 = wider than the unit).
    int mode = p_.native_bits;
    while (mode % 2 == 0 && mode / 2 >= p_.min_bits) mode /= 2;
    for (int bits = 1; bits <= p_.native_bits; ++bits) {
      while (mode < bits) mode *= 2;
      mode_[static_cast<std::size_t>(bits)] = mode;
    }
    build_table();
  }

 private:
  [[nodiscard]] int lanes(int bits) const {
    return p_.native_bits / mode_[static_cast<std::size_t>(bits)];
  }

  [[nodiscard]] PeQuery rule(int w_bits, int a_bits) const override {
    PeQuery q;
    if (w_bits > p_.native_bits || a_bits > p_.native_bits) {
      const bool w_wide = w_bits > p_.native_bits;
      q.reason = std::string(w_wide ? "w_bits " : "a_bits ") +
                 std::to_string(w_wide ? w_bits : a_bits) + " exceeds the " +
                 std::to_string(p_.native_bits) + "-bit sub-word parallel multiplier";
      return q;
    }
    switch (p_.variant) {
      case Variant::kWeight: q.parallel_macs = lanes(w_bits); break;
      case Variant::kActivation: q.parallel_macs = lanes(a_bits); break;
      case Variant::kSymmetric: q.parallel_macs = lanes(std::max(w_bits, a_bits)); break;
      case Variant::kTwoD: q.parallel_macs = lanes(w_bits) * lanes(a_bits); break;
    }
    q.supported = true;
    q.cycles_per_step = 1;
    q.cost.macs_per_cycle = q.parallel_macs;
    q.cost.energy_per_mac_pj = p_.energy_per_unit_cycle_pj / q.parallel_macs;
    return q;
  }

  SwpParams p_;
  std::array<int, kPeMaxBits + 1> mode_{};
};

std::unique_ptr<PeModel> create(PeParamReader& in) {
  SwpParams p;
  p.variant_name = in.choice("variant");
  p.variant = p.variant_name == "1d_weight"       ? Variant::kWeight
              : p.variant_name == "1d_activation" ? Variant::kActivation
              : p.variant_name == "1d_symmetric"  ? Variant::kSymmetric
                                                  : Variant::kTwoD;
  p.native_bits = static_cast<int>(in.integer("native_bits"));
  p.min_bits = static_cast<int>(in.integer("min_bits"));
  p.energy_per_unit_cycle_pj = in.number("energy_per_unit_cycle_pj");
  if (p.min_bits > p.native_bits) {
    in.fail("min_bits", "min_bits " + std::to_string(p.min_bits) + " exceeds native_bits " +
                            std::to_string(p.native_bits));
  }
  std::ostringstream d;
  d << p.variant_name << " sub-word parallel " << p.native_bits << "-bit multiplier, modes down to "
    << p.min_bits << " bits, " << p.energy_per_unit_cycle_pj << " pJ per unit per cycle";
  return std::make_unique<SwpPe>(p, in.finish(d.str()));
}

}  // namespace

PeFamily swp_pe_family() {
  return PeFamily{
      "swp",
      "sub-word parallel multiplier of native width: 1-D (one operand split, or both "
      "together) or 2-D (both split independently); widths round up to the next mode",
      "Camus et al., IEEE JETCAS 2019; Moons et al., Envision, ISSCC 2017",
      {
          {"variant", ParamType::kChoice,
           "which operand splits: 1d_weight, 1d_activation, 1d_symmetric (both together), 2d "
           "(both independently); required",
           std::nullopt, 0, 0, {"1d_weight", "1d_activation", "1d_symmetric", "2d"}},
          {"native_bits", ParamType::kInt,
           "width N of the unsplit multiplier, bits (both operands); default 8, the widest "
           "precision benchmarked by Camus et al.",
           "8", 2, kPeMaxBits, {}},
          {"min_bits", ParamType::kInt,
           "narrowest mode, bits: modes are N, N/2, ... while >= min_bits; default 2, the "
           "narrowest precision benchmarked by Camus et al.",
           "2", 1, kPeMaxBits, {}},
          {"energy_per_unit_cycle_pj", ParamType::kNumber,
           "energy of the whole multiplier-accumulator per cycle, pJ; required (technology "
           "and variant specific)",
           std::nullopt, 0, 1e6, {}},
      },
      &create,
  };
}

}  // namespace mixq::arch
