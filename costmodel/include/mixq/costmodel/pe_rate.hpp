// From a PE family's answer for (w_bits, a_bits) to how the mapper arranges it.
#pragma once

#include "mixq/costmodel/mapper.hpp"

namespace mixq::arch {
class PeModel;
}

namespace mixq::costmodel {

// A PE unit that computes `parallel_macs` products per step, summed along the reduction
// (spatial_factor: Bit Fusion's fused BitBricks, sub-word lanes), in `cycles_per_step`
// cycles (temporal_factor: bit-serial passes), i.e. m = spatial / temporal MACs per cycle.
[[nodiscard]] PeRate rate_from_pe(const arch::PeModel& pe, int w_bits, int a_bits);

}  // namespace mixq::costmodel
