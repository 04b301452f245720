#include "mixq/sim/sc/lt_modules.hpp"

#include <algorithm>

namespace mixq::sim::sc {
namespace {

// LT targets never wait: they move the initiator's annotated time forward to when the
// policy says the transaction ends.
void annotate(sc_core::sc_time& delay, const SimClock& clock, double end_cycles) {
  const sc_core::sc_time end = clock.at(end_cycles);
  const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
  if (end > now) delay += end - now;
}

}  // namespace

DmaModule::DmaModule(const sc_core::sc_module_name& name, Hardware& hw, SimClock clock)
    : sc_core::sc_module(name), socket("socket"), hw_(&hw), clock_(clock) {
  socket.register_b_transport(this, &DmaModule::b_transport);
}

void DmaModule::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  auto* cmd = gp.get_extension<TileCommand>();
  if (cmd == nullptr || cmd->kind == TileCommand::Kind::kCompute) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  cmd->result = cmd->kind == TileCommand::Kind::kLoad
                    ? hw_->dma().load(cmd->op, cmd->ready, cmd->bits, cmd->what)
                    : hw_->dma().store(cmd->op, cmd->ready, cmd->bits, cmd->what);
  annotate(delay, clock_, cmd->result.end);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

PeArrayModule::PeArrayModule(const sc_core::sc_module_name& name, Hardware& hw, SimClock clock)
    : sc_core::sc_module(name), socket("socket"), hw_(&hw), clock_(clock) {
  socket.register_b_transport(this, &PeArrayModule::b_transport);
}

void PeArrayModule::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  auto* cmd = gp.get_extension<TileCommand>();
  if (cmd == nullptr || cmd->kind != TileCommand::Kind::kCompute || cmd->work == nullptr) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  cmd->result = hw_->compute(*cmd->work, cmd->ready);
  annotate(delay, clock_, cmd->result.end);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

ControllerModule::ControllerModule(const sc_core::sc_module_name& name, Hardware& hw,
                                   SimClock clock, std::function<void(Fabric&)> body)
    : sc_core::sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      hw_(&hw),
      clock_(clock),
      body_(std::move(body)) {
  SC_HAS_PROCESS(ControllerModule);
  SC_THREAD(thread);
  qk_.reset();
}

void ControllerModule::thread() {
  body_(*this);
  qk_.sync();
  ++syncs_;
}

Service ControllerModule::transport(tlm_utils::simple_initiator_socket<ControllerModule>& socket,
                                    TileCommand& cmd) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_IGNORE_COMMAND);
  gp.set_address(0);
  gp.set_data_ptr(nullptr);
  gp.set_data_length(0);
  gp.set_streaming_width(0);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp.set_extension(&cmd);
  sc_core::sc_time delay = qk_.get_local_time();
  socket->b_transport(gp, delay);
  gp.clear_extension(&cmd);  // ours, on the stack: the payload must not free it
  ++transactions_;
  if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
    throw Error(std::string("TLM transaction '") + cmd.what +
                "' failed: " + gp.get_response_string());
  }
  qk_.set(delay);
  if (qk_.need_sync()) {
    qk_.sync();
    ++syncs_;
  }
  return cmd.result;
}

Service ControllerModule::load(arch::Operand op, double ready, double bits, const char* what) {
  TileCommand cmd;
  cmd.kind = TileCommand::Kind::kLoad;
  cmd.op = op;
  cmd.ready = ready;
  cmd.bits = bits;
  cmd.what = what;
  return transport(dma_socket, cmd);
}

Service ControllerModule::store(arch::Operand op, double ready, double bits, const char* what) {
  TileCommand cmd;
  cmd.kind = TileCommand::Kind::kStore;
  cmd.op = op;
  cmd.ready = ready;
  cmd.bits = bits;
  cmd.what = what;
  return transport(dma_socket, cmd);
}

Service ControllerModule::compute(const TileWork& w, double ready) {
  TileCommand cmd;
  cmd.kind = TileCommand::Kind::kCompute;
  cmd.ready = ready;
  cmd.work = &w;
  cmd.what = "tile";
  return transport(array_socket, cmd);
}

}  // namespace mixq::sim::sc
