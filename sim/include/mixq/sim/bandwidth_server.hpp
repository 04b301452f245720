// A port that moves bits at a fixed rate, one transfer at a time, in the order the transfers
// are booked (first come, first served), after a fixed pipeline latency. DRAM channels and
// buffer ports are such servers. Plain C++: unit tests drive it without a SystemC kernel.
//
// Contract: serve(ready, bits) starts the transfer at max(ready, the end of the previous
// transfer's occupancy), occupies the port for bits / bits_per_cycle cycles and delivers the
// last bit `latency_cycles` later. Times are in cycles of the accelerator's clock, as
// doubles, because a transfer may take a fraction of a cycle at a wide port.
#pragma once

#include <cstdint>

namespace mixq::sim {

struct Service {
  double start = 0;  // when the port began the transfer
  double end = 0;    // when the last bit arrived
  double wait = 0;   // start − ready: time spent queued behind other transfers
};

class BandwidthServer {
 public:
  BandwidthServer() = default;
  // Throws mixq::Error unless bits_per_cycle > 0 and latency_cycles ≥ 0.
  BandwidthServer(double bits_per_cycle, double latency_cycles);

  Service serve(double ready, double bits);

  [[nodiscard]] double bits_per_cycle() const noexcept { return bits_per_cycle_; }
  [[nodiscard]] double free_at() const noexcept { return free_at_; }
  [[nodiscard]] double busy_cycles() const noexcept { return busy_; }
  [[nodiscard]] double bits() const noexcept { return bits_; }
  [[nodiscard]] std::int64_t transfers() const noexcept { return transfers_; }

 private:
  double bits_per_cycle_ = 1;
  double latency_ = 0;
  double free_at_ = 0;
  double busy_ = 0;
  double bits_ = 0;
  std::int64_t transfers_ = 0;
};

}  // namespace mixq::sim
