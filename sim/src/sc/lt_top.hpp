// Builds the loosely-timed SystemC top (controller, DMA, PE array around `hw`), runs `body`
// in the controller's thread with a TLM fabric, and returns when the kernel has no more
// events. Exceptions thrown by `body` come out of this call. Once per process (SystemC's
// kernel is global); a second call throws mixq::Error.
#pragma once

#include <functional>

#include "mixq/sim/hardware.hpp"

namespace mixq::sim::sc {

struct LtRun {
  double end_cycles = 0;  // sc_time_stamp() at the end, in accelerator cycles
  std::int64_t transactions = 0;
  std::int64_t syncs = 0;  // quantum-keeper synchronizations (context switches)
};

LtRun run_loosely_timed(Hardware& hw, double quantum_cycles,
                        const std::function<void(Fabric&)>& body);

}  // namespace mixq::sim::sc
