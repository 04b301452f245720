// The approximately-timed shared port: arbitration among several initiators, in order, with
// the waiting each one suffered. One sc_start per test case (SystemC's kernel is global).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "mixq/sim/sc/shared_port.hpp"

using namespace mixq::sim::sc;

namespace {

// An AT initiator that sends bursts at given times, one outstanding at a time, and records
// when each was granted (END_REQ) and completed (BEGIN_RESP plus its annotated latency).
struct Burst {
  double at_cycles = 0;
  unsigned bytes = 0;
  double granted = -1;
  double done = -1;
};

class Generator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Generator> socket;
  std::vector<Burst> bursts;

  Generator(const sc_core::sc_module_name& name, SimClock clock, std::vector<Burst> b)
      : sc_core::sc_module(name), socket("socket"), bursts(std::move(b)), clock_(clock) {
    socket.register_nb_transport_bw(this, &Generator::nb_transport_bw);
    SC_HAS_PROCESS(Generator);
    SC_THREAD(run);
  }

 private:
  void run() {
    for (std::size_t i = 0; i < bursts.size(); ++i) {
      const auto at = clock_.at(bursts[i].at_cycles);
      if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
      current_ = i;
      gp_.set_command(tlm::TLM_READ_COMMAND);
      gp_.set_data_length(bursts[i].bytes);
      gp_.set_data_ptr(nullptr);
      gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      (void)socket->nb_transport_fw(gp_, phase, delay);
      wait(done_);
    }
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& /*gp*/, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    if (phase == tlm::END_REQ) {
      bursts[current_].granted = clock_.cycles(sc_core::sc_time_stamp());
      return tlm::TLM_ACCEPTED;
    }
    bursts[current_].done = clock_.cycles(sc_core::sc_time_stamp() + delay);
    done_.notify(delay);
    return tlm::TLM_COMPLETED;
  }

  SimClock clock_;
  tlm::tlm_generic_payload gp_;
  std::size_t current_ = 0;
  sc_core::sc_event done_;
};

}  // namespace

TEST_CASE("shared port: contention resolved in order, earliest first and round-robin on ties",
          "[sim][at]") {
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  const SimClock clock{1e9};
  // 64 bits per cycle, 10 cycles of latency: a 128-byte burst holds the port 16 cycles.
  SharedPort port("port", 64, 10, clock);
  // Three initiators ask at 0 (a tie); at 100 initiator 2 asks one cycle before initiator 0.
  Generator g0("g0", clock, {{0, 128}, {101, 128}});
  Generator g1("g1", clock, {{0, 128}});
  Generator g2("g2", clock, {{0, 128}, {100, 64}});
  g0.socket.bind(port.socket);
  g1.socket.bind(port.socket);
  g2.socket.bind(port.socket);
  sc_core::sc_start();

  // Ties at 0: round-robin from initiator 0; each waits for the bursts granted before it.
  CHECK(g0.bursts[0].granted == Approx(0));
  CHECK(g1.bursts[0].granted == Approx(16));
  CHECK(g2.bursts[0].granted == Approx(32));
  CHECK(g0.bursts[0].done == Approx(16 + 10));
  CHECK(g1.bursts[0].done == Approx(32 + 10));
  CHECK(g2.bursts[0].done == Approx(48 + 10));
  // At 100 the port is idle: initiator 2 (arrived first) is served at once, then 0.
  CHECK(g2.bursts[1].granted == Approx(100));
  CHECK(g2.bursts[1].done == Approx(100 + 8 + 10));
  CHECK(g0.bursts[1].granted == Approx(108));
  CHECK(g0.bursts[1].done == Approx(108 + 16 + 10));
  // What each initiator lost to the others.
  const auto& s = port.stats();
  REQUIRE(s.size() == 3);
  CHECK(s[0].requests == 2);
  CHECK(s[0].wait_cycles == Approx(7));
  CHECK(s[1].wait_cycles == Approx(16));
  CHECK(s[2].wait_cycles == Approx(32));
  CHECK(s[2].bits == Approx(8 * (128 + 64)));
  CHECK(port.busy_cycles() == Approx(16 * 4 + 8));
  // The kernel stopped when the last response was due: no idle ticking after it.
  CHECK(clock.cycles(sc_core::sc_time_stamp()) == Approx(108 + 16 + 10));
}

namespace {

// g1 asks at 0, g0 at 1, g2 at 2, 128 bytes each (16 cycles): who goes second decides the policy.
struct ThreeWay {
  Generator g0, g1, g2;
  explicit ThreeWay(SharedPort& port, const SimClock& clock)
      : g0("g0", clock, {{1, 128}}), g1("g1", clock, {{0, 128}}), g2("g2", clock, {{2, 128}}) {
    g0.socket.bind(port.socket);
    g1.socket.bind(port.socket);
    g2.socket.bind(port.socket);
  }
};

}  // namespace

TEST_CASE("shared port: strict round-robin serves the next initiator after the last, not the earliest", "[sim][at]") {
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  const SimClock clock{1e9};
  SharedPort port("port", 64, 0, clock, SharedPort::Policy::kRoundRobin);
  ThreeWay g(port, clock);
  sc_core::sc_start();
  CHECK(g.g1.bursts[0].granted == Approx(0));
  CHECK(g.g2.bursts[0].granted == Approx(16));  // after 1 comes 2, though 0 asked earlier
  CHECK(g.g0.bursts[0].granted == Approx(32));
}

TEST_CASE("shared port: fixed priority serves the lowest socket index first", "[sim][at]") {
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  const SimClock clock{1e9};
  SharedPort port("port", 64, 0, clock, SharedPort::Policy::kFixedPriority);
  // g2 asks first but 0 and 1 wait behind it only while its burst is on the port.
  Generator g0("g0", clock, {{2, 128}});
  Generator g1("g1", clock, {{1, 128}});
  Generator g2("g2", clock, {{0, 128}, {3, 128}});
  g0.socket.bind(port.socket);
  g1.socket.bind(port.socket);
  g2.socket.bind(port.socket);
  sc_core::sc_start();
  CHECK(g2.bursts[0].granted == Approx(0));
  CHECK(g0.bursts[0].granted == Approx(16));
  CHECK(g1.bursts[0].granted == Approx(32));
  CHECK(g2.bursts[1].granted == Approx(48));  // asked at 3, lowest priority
}
