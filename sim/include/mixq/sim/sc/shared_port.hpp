// A memory port (a DRAM channel, a shared bus, an L2 port) shared by several initiators,
// approximately timed (TLM-2.0 base protocol with nb_transport): where contention must be
// resolved in order, who waited for whom is the result. Reusable by any number of
// initiators bound to its multi-socket (the multi-accelerator SoC binds one per DMA).
//
// Protocol: the initiator sends BEGIN_REQ with the payload's data length as the burst size;
// the port answers END_REQ when it grants the request (the request is then on the port) and
// BEGIN_RESP once the burst has crossed it (occupancy bits / bits_per_cycle, plus
// latency_cycles annotated on the response); the initiator completes with END_RESP or by
// returning TLM_COMPLETED. One burst at a time; among waiting requests the policy picks: the
// earliest arrival (ties round-robin from the last initiator served; the default), strict
// round-robin from the last initiator served, or fixed priority (the lowest socket index).
//
// DRAMSys style: one SC_METHOD, woken only by an arrival (payload event queue) or by the end
// of the burst on the port; it computes when the next event can happen and sleeps until then.
// No clock ticks while the port is idle.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/peq_with_get.h>
#include <systemc>
#include <tlm>

#include "mixq/sim/sc/lt_modules.hpp"

namespace mixq::sim::sc {

class SharedPort : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<SharedPort> socket;

  enum class Policy { kFirstComeFirstServed, kRoundRobin, kFixedPriority };

  // Throws mixq::Error unless bits_per_cycle > 0 and latency_cycles >= 0.
  SharedPort(const sc_core::sc_module_name& name, double bits_per_cycle, double latency_cycles,
             SimClock clock, Policy policy = Policy::kFirstComeFirstServed);

  struct InitiatorStats {
    std::int64_t requests = 0;
    double bits = 0;
    double wait_cycles = 0;  // arrival to grant: time lost to other initiators' bursts
  };
  // Indexed by the initiator's position on the multi-socket.
  [[nodiscard]] const std::vector<InitiatorStats>& stats() const noexcept { return stats_; }
  [[nodiscard]] double busy_cycles() const noexcept { return busy_cycles_; }

 private:
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  void step();  // the SC_METHOD

  struct Request {
    int id = 0;
    tlm::tlm_generic_payload* gp = nullptr;
    sc_core::sc_time arrival;
  };

  double bits_per_cycle_;
  double latency_cycles_;
  Policy policy_;
  SimClock clock_;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> arrivals_;
  std::map<tlm::tlm_generic_payload*, int> initiator_of_;
  std::deque<Request> waiting_;
  bool busy_ = false;
  Request current_;
  sc_core::sc_time current_end_;
  sc_core::sc_event burst_done_;
  int last_served_ = -1;
  std::vector<InitiatorStats> stats_;
  double busy_cycles_ = 0;
};

}  // namespace mixq::sim::sc
