// Thin SystemC/TLM-2.0 wrappers (loosely timed) around the simulator's policies
// (hardware.hpp): the controller is an SC_THREAD initiator; the DMA engine and the PE array
// are targets that call their policy, add the time the policy computed to the annotated
// delay and never wait (SystemC's LT examples); the initiator keeps its local time in a
// tlm_utils::tlm_quantumkeeper and yields to the kernel once per global quantum. One
// transaction is one tile (a load, a store, or a tile's compute), carried by TileCommand.
//
// Time: the policies keep time in accelerator cycles; SimClock converts to and from sc_time.
// The policies' numbers are the authority, so both kernels report the same cycles; SystemC
// time follows them (the tests check that it does).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <functional>
#include <systemc>
#include <tlm>

#include "mixq/sim/hardware.hpp"

namespace mixq::sim::sc {

struct SimClock {
  double frequency_hz = 1e9;
  [[nodiscard]] sc_core::sc_time at(double cycles) const {
    return sc_core::sc_time(cycles / frequency_hz, sc_core::SC_SEC);
  }
  [[nodiscard]] double cycles(const sc_core::sc_time& t) const {
    return t.to_seconds() * frequency_hz;
  }
};

// What one tile-granularity transaction asks, and what the target answers.
struct TileCommand : tlm::tlm_extension<TileCommand> {
  enum class Kind { kLoad, kStore, kCompute };
  Kind kind = Kind::kCompute;
  arch::Operand op = arch::Operand::kWeight;
  double ready = 0;  // cycles: when the request may start (its dependencies are met)
  double bits = 0;
  const char* what = "";
  const TileWork* work = nullptr;
  Service result;  // filled by the target

  [[nodiscard]] tlm::tlm_extension_base* clone() const override { return new TileCommand(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TileCommand&>(other);
  }
};

// Loosely-timed target around the DMA policy (DRAM and buffer ports behind it).
class DmaModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<DmaModule> socket;
  DmaModule(const sc_core::sc_module_name& name, Hardware& hw, SimClock clock);

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  Hardware* hw_;
  SimClock clock_;
};

// Loosely-timed target around the PE array's use of the buffers (Hardware::compute).
class PeArrayModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PeArrayModule> socket;
  PeArrayModule(const sc_core::sc_module_name& name, Hardware& hw, SimClock clock);

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  Hardware* hw_;
  SimClock clock_;
};

// The controller: one SC_THREAD runs `body` with a Fabric whose calls are b_transport
// transactions to the DMA and PE array modules, then synchronizes the quantum keeper so that
// sc_time_stamp() is the end of the last transaction.
class ControllerModule : public sc_core::sc_module, private Fabric {
 public:
  tlm_utils::simple_initiator_socket<ControllerModule> dma_socket;
  tlm_utils::simple_initiator_socket<ControllerModule> array_socket;

  ControllerModule(const sc_core::sc_module_name& name, Hardware& hw, SimClock clock,
                   std::function<void(Fabric&)> body);
  [[nodiscard]] std::int64_t transactions() const noexcept { return transactions_; }
  [[nodiscard]] std::int64_t syncs() const noexcept { return syncs_; }

 private:
  void thread();
  Service load(arch::Operand op, double ready, double bits, const char* what) override;
  Service store(arch::Operand op, double ready, double bits, const char* what) override;
  Service compute(const TileWork& w, double ready) override;
  Hardware& hardware() override { return *hw_; }
  Service transport(tlm_utils::simple_initiator_socket<ControllerModule>& socket, TileCommand& cmd);

  Hardware* hw_;
  SimClock clock_;
  std::function<void(Fabric&)> body_;
  tlm_utils::tlm_quantumkeeper qk_;
  std::int64_t transactions_ = 0;
  std::int64_t syncs_ = 0;
};

}  // namespace mixq::sim::sc
