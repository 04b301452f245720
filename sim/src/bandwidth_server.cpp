#include "mixq/sim/bandwidth_server.hpp"

#include <algorithm>
#include <cmath>

#include "mixq/common/error.hpp"

namespace mixq::sim {

BandwidthServer::BandwidthServer(double bits_per_cycle, double latency_cycles)
    : bits_per_cycle_(bits_per_cycle), latency_(latency_cycles) {
  if (!(bits_per_cycle > 0) || !std::isfinite(bits_per_cycle)) {
    throw Error("a port needs a positive, finite bandwidth, got " + std::to_string(bits_per_cycle) +
                " bits per cycle");
  }
  if (!(latency_cycles >= 0) || !std::isfinite(latency_cycles)) {
    throw Error("a port's latency must be a finite number of cycles >= 0");
  }
}

Service BandwidthServer::serve(double ready, double bits) {
  Service s;
  s.start = std::max(ready, free_at_);
  s.wait = s.start - ready;
  const double occupancy = bits / bits_per_cycle_;
  free_at_ = s.start + occupancy;
  s.end = free_at_ + latency_;
  busy_ += occupancy;
  bits_ += bits;
  ++transfers_;
  return s;
}

}  // namespace mixq::sim
