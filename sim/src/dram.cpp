#include "mixq/sim/dram.hpp"

namespace mixq::sim {

Dram::Dram(const arch::DramSpec& spec, double latency_cycles)
    : channel_(spec.bits_per_cycle, latency_cycles), pj_per_bit_(spec.energy_pj_per_bit) {}

Service Dram::read(double ready, double bits) {
  read_bits_ += bits;
  return channel_.serve(ready, bits);
}

Service Dram::write(double ready, double bits) {
  write_bits_ += bits;
  return channel_.serve(ready, bits);
}

}  // namespace mixq::sim
