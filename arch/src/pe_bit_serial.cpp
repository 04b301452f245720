// `bit_serial`: PEs that process operand bits one group per cycle, so time, not area,
// scales with precision.
//   stripes (Judd et al., "Stripes: Bit-serial deep neural network computing", MICRO 2016):
//     weights bit-parallel (up to w_bits_max), activations serial, bits_per_cycle at a time:
//     a step takes ceil(a / b) cycles, so time ∝ a_bits.
//   loom (Sharify et al., "Loom: Exploiting weight and activation precisions to accelerate
//     convolutional neural networks", DAC 2018): both serial; a step takes w · ceil(a / b)
//     cycles, so time ∝ w_bits · a_bits / bits_per_cycle. Loom's 2- and 4-bit variants take
//     several bits per cycle; we apply the group to activations.
//
// The unit. Both papers size a bit-serial engine to match a bit-parallel 16b × 16b baseline
// at full precision (Loom: "the equivalent of 128 16b × 16b MACs per cycle"). One
// bit_serial PE unit is therefore the serial lanes equivalent to ONE W × A bit-parallel MAC
// (W = w_bits_max, A = a_bits_max): A / b lanes for stripes, W · A / b for loom. At W × A
// it completes exactly 1 MAC per cycle, so a fixed and a bit-serial array with the same
// rows × cols have the same peak at full precision, and precision gains appear as ratios:
//   stripes: macs_per_cycle = (A / b) / ceil(a / b)
//   loom:    macs_per_cycle = (W · A / b) / (w · ceil(a / b))
// Energy: the lanes switch every cycle whatever the precision, so
//   energy_per_mac = energy_per_unit_cycle_pj / macs_per_cycle.
#include <sstream>

#include "mixq/arch/pe_registry.hpp"

namespace mixq::arch {
namespace {

enum class Mode { kStripes, kLoom };

struct BitSerialParams {
  Mode mode = Mode::kStripes;
  int w_bits_max = 16;
  int a_bits_max = 16;
  int bits_per_cycle = 1;
  double energy_per_unit_cycle_pj = 0;
};

class BitSerialPe final : public PeModel {
 public:
  BitSerialPe(const BitSerialParams& p, PeModelInfo info) : PeModel(std::move(info)), p_(p) {
    build_table();
  }

 private:
  [[nodiscard]] PeQuery rule(int w_bits, int a_bits) const override {
    PeQuery q;
    if (w_bits > p_.w_bits_max) {
      q.reason = "w_bits " + std::to_string(w_bits) + " exceeds the " +
                 std::to_string(p_.w_bits_max) +
                 (p_.mode == Mode::kStripes ? "-bit parallel weight lanes"
                                            : " serial weight bits the unit is sized for");
      return q;
    }
    if (a_bits > p_.a_bits_max) {
      q.reason = "a_bits " + std::to_string(a_bits) + " exceeds the " +
                 std::to_string(p_.a_bits_max) + " serial activation bits the unit is sized for";
      return q;
    }
    const int b = p_.bits_per_cycle;
    const int a_passes = (a_bits + b - 1) / b;
    if (p_.mode == Mode::kStripes) {
      q.parallel_macs = p_.a_bits_max / b;
      q.cycles_per_step = a_passes;
    } else {
      q.parallel_macs = p_.w_bits_max * p_.a_bits_max / b;
      q.cycles_per_step = w_bits * a_passes;
    }
    q.supported = true;
    q.cost.macs_per_cycle = static_cast<double>(q.parallel_macs) / q.cycles_per_step;
    q.cost.energy_per_mac_pj = p_.energy_per_unit_cycle_pj / q.cost.macs_per_cycle;
    return q;
  }

  BitSerialParams p_;
};

std::unique_ptr<PeModel> create(PeParamReader& in) {
  BitSerialParams p;
  const std::string mode = in.choice("mode");
  p.mode = mode == "loom" ? Mode::kLoom : Mode::kStripes;
  p.w_bits_max = static_cast<int>(in.integer("w_bits_max"));
  p.a_bits_max = static_cast<int>(in.integer("a_bits_max"));
  p.bits_per_cycle = static_cast<int>(in.integer("bits_per_cycle"));
  p.energy_per_unit_cycle_pj = in.number("energy_per_unit_cycle_pj");
  // Parity with the W × A baseline needs whole lanes: b must divide A.
  if (p.a_bits_max % p.bits_per_cycle != 0) {
    in.fail("bits_per_cycle", "bits_per_cycle " + std::to_string(p.bits_per_cycle) +
                                  " must divide a_bits_max " + std::to_string(p.a_bits_max));
  }
  std::ostringstream d;
  d << (p.mode == Mode::kLoom ? "Loom" : "Stripes") << " bit-serial unit equivalent to one "
    << p.w_bits_max << "x" << p.a_bits_max << " MAC, " << p.bits_per_cycle
    << " activation bit(s) per cycle, " << p.energy_per_unit_cycle_pj
    << " pJ per unit per cycle";
  return std::make_unique<BitSerialPe>(p, in.finish(d.str()));
}

}  // namespace

PeFamily bit_serial_pe_family() {
  return PeFamily{
      "bit_serial",
      "bit-serial lanes: Stripes (activations serial, time ∝ a_bits) or Loom (both serial, "
      "time ∝ w_bits·a_bits); one unit matches one w_bits_max x a_bits_max MAC at full "
      "precision",
      "Judd et al., Stripes, MICRO 2016; Sharify et al., Loom, DAC 2018",
      {
          {"mode", ParamType::kChoice,
           "stripes: weights parallel, activations serial; loom: both serial", "stripes", 0,
           0, {"stripes", "loom"}},
          {"w_bits_max", ParamType::kInt,
           "widest weight, bits (stripes: parallel weight lanes; loom: serial bits); default "
           "16 as the 16-bit DaDianNao baseline of both papers",
           "16", 1, kPeMaxBits, {}},
          {"a_bits_max", ParamType::kInt,
           "widest activation, bits; default 16 as the 16-bit DaDianNao baseline of both "
           "papers",
           "16", 1, kPeMaxBits, {}},
          {"bits_per_cycle", ParamType::kInt,
           "activation bits processed per cycle (1 in Stripes and Loom; 2 or 4 in Loom's "
           "multi-bit variants); must divide a_bits_max",
           "1", 1, kPeMaxBits, {}},
          {"energy_per_unit_cycle_pj", ParamType::kNumber,
           "energy of one unit (all its lanes) per cycle, pJ; required: both papers report "
           "energy only relative to their bit-parallel baseline",
           std::nullopt, 0, 1e6, {}},
      },
      &create,
  };
}

}  // namespace mixq::arch
