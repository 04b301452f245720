#include "mixq/sim/sc/shared_port.hpp"

#include <cmath>

#include "mixq/common/error.hpp"

namespace mixq::sim::sc {

SharedPort::SharedPort(const sc_core::sc_module_name& name, double bits_per_cycle,
                       double latency_cycles, SimClock clock, Policy policy)
    : sc_core::sc_module(name),
      socket("socket"),
      bits_per_cycle_(bits_per_cycle),
      latency_cycles_(latency_cycles),
      policy_(policy),
      clock_(clock),
      arrivals_("arrivals") {
  if (!(bits_per_cycle > 0) || !std::isfinite(bits_per_cycle) || !(latency_cycles >= 0)) {
    throw Error("shared port '" + std::string(basename()) +
                "': needs bits_per_cycle > 0 and latency >= 0");
  }
  socket.register_nb_transport_fw(this, &SharedPort::nb_transport_fw);
  SC_HAS_PROCESS(SharedPort);
  SC_METHOD(step);
  sensitive << arrivals_.get_event() << burst_done_;
  dont_initialize();
}

tlm::tlm_sync_enum SharedPort::nb_transport_fw(int id, tlm::tlm_generic_payload& gp,
                                               tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    initiator_of_[&gp] = id;
    if (static_cast<std::size_t>(id) >= stats_.size())
      stats_.resize(static_cast<std::size_t>(id) + 1);
    arrivals_.notify(gp, delay);  // arrives at now + delay
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::END_RESP) return tlm::TLM_COMPLETED;
  SC_REPORT_ERROR("mixq/sim/shared_port", "unexpected phase on the forward path");
  return tlm::TLM_COMPLETED;
}

void SharedPort::step() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (tlm::tlm_generic_payload* gp = arrivals_.get_next_transaction()) {
    waiting_.push_back({initiator_of_.at(gp), gp, now});
  }
  if (busy_ && now >= current_end_) {
    // The burst has crossed the port: respond after the access latency.
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time delay = clock_.at(latency_cycles_);
    current_.gp->set_response_status(tlm::TLM_OK_RESPONSE);
    initiator_of_.erase(current_.gp);
    (void)socket[current_.id]->nb_transport_bw(*current_.gp, phase, delay);
    busy_ = false;
  }
  if (busy_ || waiting_.empty()) return;  // woken again by the burst's end or an arrival
  const int n = static_cast<int>(socket.size());
  auto best = waiting_.begin();
  // Distance after the last initiator served: the round-robin order.
  const auto rank = [&](const Request& r) { return (r.id - last_served_ - 1 + 2 * n) % n; };
  const auto before = [&](const Request& a, const Request& b) {
    switch (policy_) {
      case Policy::kRoundRobin:
        return rank(a) < rank(b) || (rank(a) == rank(b) && a.arrival < b.arrival);
      case Policy::kFixedPriority:
        return a.id < b.id || (a.id == b.id && a.arrival < b.arrival);
      case Policy::kFirstComeFirstServed:
        break;
    }
    return a.arrival < b.arrival || (a.arrival == b.arrival && rank(a) < rank(b));
  };
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (before(*it, *best)) best = it;
  }
  current_ = *best;
  waiting_.erase(best);
  last_served_ = current_.id;
  const double bits = 8.0 * static_cast<double>(current_.gp->get_data_length());
  const double occupancy = bits / bits_per_cycle_;
  auto& s = stats_[static_cast<std::size_t>(current_.id)];
  ++s.requests;
  s.bits += bits;
  s.wait_cycles += clock_.cycles(now - current_.arrival);
  busy_cycles_ += occupancy;
  busy_ = true;
  current_end_ = now + clock_.at(occupancy);
  tlm::tlm_phase phase = tlm::END_REQ;
  sc_core::sc_time zero = sc_core::SC_ZERO_TIME;
  (void)socket[current_.id]->nb_transport_bw(*current_.gp, phase, zero);
  burst_done_.notify(clock_.at(occupancy));
}

}  // namespace mixq::sim::sc
