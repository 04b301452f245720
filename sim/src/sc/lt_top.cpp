#include "sc/lt_top.hpp"

#include <atomic>
#include <cstdlib>
#include <exception>

#include "mixq/common/error.hpp"
#include "mixq/sim/sc/lt_modules.hpp"

// libsystemc references sc_main (its own main() calls it); mixq's programs have their own
// main and drive the kernel from library calls, so this definition only satisfies the link.
int sc_main(int /*argc*/, char* /*argv*/[]) { return 0; }

namespace mixq::sim::sc {

LtRun run_loosely_timed(Hardware& hw, double quantum_cycles,
                        const std::function<void(Fabric&)>& body) {
  static std::atomic<bool> used{false};
  if (used.exchange(true)) {
    throw Error(
        "SystemC's kernel is global: one SystemC simulation per process (use Kernel::kPlain "
        "for more, or simulate_all for several networks in one run)");
  }
  // The library never prints: silence SystemC's banner unless the user asked for it.
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  const SimClock clock{hw.accelerator().frequency_hz};
  tlm::tlm_global_quantum::instance().set(clock.at(quantum_cycles));
  std::exception_ptr error;
  const auto guarded = [&](Fabric& f) {
    try {
      body(f);
    } catch (...) {
      error = std::current_exception();
    }
  };
  ControllerModule controller("controller", hw, clock, guarded);
  DmaModule dma("dma", hw, clock);
  PeArrayModule array("pe_array", hw, clock);
  controller.dma_socket.bind(dma.socket);
  controller.array_socket.bind(array.socket);
  sc_core::sc_start();
  if (error) std::rethrow_exception(error);
  LtRun run;
  run.end_cycles = clock.cycles(sc_core::sc_time_stamp());
  run.transactions = controller.transactions();
  run.syncs = controller.syncs();
  return run;
}

}  // namespace mixq::sim::sc
