// Off-chip DRAM seen by one accelerator: one channel of arch::DramSpec's bandwidth shared by
// reads and writes (a bus turns around; it does not carry both at once), a fixed access
// latency, and energy per bit moved (the same pJ/bit the analytic model charges).
#pragma once

#include "mixq/arch/accelerator.hpp"
#include "mixq/sim/bandwidth_server.hpp"

namespace mixq::sim {

class Dram {
 public:
  Dram(const arch::DramSpec& spec, double latency_cycles);

  Service read(double ready, double bits);
  Service write(double ready, double bits);

  [[nodiscard]] double read_bits() const noexcept { return read_bits_; }
  [[nodiscard]] double write_bits() const noexcept { return write_bits_; }
  [[nodiscard]] double energy_pj() const noexcept {
    return (read_bits_ + write_bits_) * pj_per_bit_;
  }
  [[nodiscard]] const BandwidthServer& channel() const noexcept { return channel_; }

 private:
  BandwidthServer channel_;
  double pj_per_bit_;
  double read_bits_ = 0;
  double write_bits_ = 0;
};

}  // namespace mixq::sim
