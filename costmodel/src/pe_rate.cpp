#include "mixq/costmodel/pe_rate.hpp"

#include "mixq/arch/pe_model.hpp"

namespace mixq::costmodel {

PeRate rate_from_pe(const arch::PeModel& pe, int w_bits, int a_bits) {
  const arch::PeQuery& q = pe.query(w_bits, a_bits);
  PeRate r;
  if (!q.supported) {
    r.reason = q.reason;
    return r;
  }
  // The family states how its throughput is arranged: parallel_macs products per step
  // (summed along the reduction: fused bricks, sub-words, serial lanes), cycles_per_step
  // cycles per step. macs_per_cycle = spatial / temporal.
  r.supported = true;
  r.spatial_factor = q.parallel_macs;
  r.temporal_factor = static_cast<double>(q.cycles_per_step);
  r.energy_per_mac_pj = q.cost.energy_per_mac_pj;
  return r;
}

}  // namespace mixq::costmodel
