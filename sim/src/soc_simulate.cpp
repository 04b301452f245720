#include "mixq/sim/soc_simulate.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>

#include <tlm_utils/simple_initiator_socket.h>

#include "mixq/common/error.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/sim/sc/shared_port.hpp"

namespace mixq::sim {
namespace {

using costmodel::Schedule;

// The transfers SocModel lists for each part (costmodel::Transfer): the simulator moves exactly
// those, so the two differ only in timing.
using costmodel::Transfer;

// One part of one layer: what its initiator does.
struct Work {
  int initiator = 0;
  std::vector<Transfer> loads;
  double compute_cycles = 0;
  std::vector<Transfer> stores;
};

// One part of one layer for one input.
struct Task {
  Work work;
  std::vector<std::size_t> deps;  // tasks that must end first
  bool done = false;
  double start = 0, end = 0;
};

// The bus occupancy of a transfer: DMA setup plus bits over the bus width, as in SocModel; the
// setup holds the bus (the analytic model serializes it with the data).
double bus_cycles(const arch::Soc& soc, const Transfer& t) {
  return static_cast<double>(soc.bus.dma_setup_cycles) + t.bits / soc.bus.bits_per_cycle;
}
double dram_cycles(const arch::Soc& soc, const Transfer& t) {
  return t.via_dram ? t.bits / soc.dram.bits_per_cycle : 0.0;
}

// An engine's DMA (or the SoC's DMA for layers without weights): walks its tasks in order.
class Initiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Initiator> bus;
  tlm_utils::simple_initiator_socket<Initiator> dram;

  Initiator(const sc_core::sc_module_name& name, const arch::Soc& soc, sc::SimClock clock,
            std::deque<Task>& tasks, std::vector<std::size_t> queue, sc_core::sc_event& progress)
      : sc_core::sc_module(name), bus("bus"), dram("dram"), soc_(soc), clock_(clock), tasks_(tasks),
        queue_(std::move(queue)), progress_(progress) {
    bus.register_nb_transport_bw(this, &Initiator::nb_transport_bw);
    dram.register_nb_transport_bw(this, &Initiator::nb_transport_bw);
    SC_HAS_PROCESS(Initiator);
    SC_THREAD(run);
  }

  double busy_cycles = 0;
  double transfer_cycles = 0;  // requests to completions, waiting included
  double bus_bits = 0;

 private:
  // Oldest ready part first: the first part in its queue (input-major) whose producers have
  // ended, so that an engine waiting for another's output of input n may go on with input n+1
  // (pipelining), and with one input this is the layer order.
  void run() {
    std::vector<bool> taken(queue_.size(), false);
    for (std::size_t remaining = queue_.size(); remaining > 0; --remaining) {
      std::size_t pick = queue_.size();
      while (pick == queue_.size()) {
        for (std::size_t q = 0; q < queue_.size() && pick == queue_.size(); ++q) {
          if (taken[q]) continue;
          const auto& deps = tasks_[queue_[q]].deps;
          if (std::all_of(deps.begin(), deps.end(), [&](std::size_t d) { return tasks_[d].done; })) pick = q;
        }
        if (pick == queue_.size()) wait(progress_);
      }
      taken[pick] = true;
      Task& t = tasks_[queue_[pick]];
      const Work& w = t.work;
      t.start = now();
      for (const auto& x : w.loads) {
        if (x.via_dram) burst(dram, x.bits);
        burst(bus, x.bits + static_cast<double>(soc_.bus.dma_setup_cycles) * soc_.bus.bits_per_cycle);
        bus_bits += x.bits;
      }
      if (w.compute_cycles > 0) {
        wait(clock_.at(w.compute_cycles));
        busy_cycles += w.compute_cycles;
      }
      for (const auto& x : w.stores) {
        burst(bus, x.bits + static_cast<double>(soc_.bus.dma_setup_cycles) * soc_.bus.bits_per_cycle);
        bus_bits += x.bits;
        if (x.via_dram) burst(dram, x.bits);
      }
      t.end = now();
      t.done = true;
      progress_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  // One burst of `bits` (rounded up to bytes) through a shared port, start to completion.
  void burst(tlm_utils::simple_initiator_socket<Initiator>& socket, double bits) {
    const auto bytes = static_cast<unsigned>(std::ceil(bits / 8.0 - 1e-9));
    if (bytes == 0) return;
    const double begin = now();
    gp_.set_command(tlm::TLM_READ_COMMAND);
    gp_.set_data_length(bytes);
    gp_.set_data_ptr(nullptr);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    (void)socket->nb_transport_fw(gp_, phase, delay);
    wait(done_);
    transfer_cycles += now() - begin;
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& /*gp*/, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    if (phase == tlm::END_REQ) return tlm::TLM_ACCEPTED;
    done_.notify(delay);
    return tlm::TLM_COMPLETED;
  }

  [[nodiscard]] double now() const { return clock_.cycles(sc_core::sc_time_stamp()); }

  const arch::Soc& soc_;
  sc::SimClock clock_;
  std::deque<Task>& tasks_;
  std::vector<std::size_t> queue_;
  sc_core::sc_event& progress_;  // notified whenever any part ends
  tlm::tlm_generic_payload gp_;
  sc_core::sc_event done_;
};

}  // namespace

SocSimResult simulate_soc(const costmodel::SocModel& model, const workloads::Network& net,
                          const workloads::PrecisionAssignment& a, const costmodel::Placement& placement,
                          const SocSimOptions& options) {
  if (options.inputs < 1) throw Error("a SoC simulation needs at least one input");
  const arch::Soc& soc = model.soc();
  // Priced first: an infeasible placement throws before the kernel is claimed.
  const costmodel::SocCost seq = model.evaluate(net, a, placement, Schedule::kSequential);
  const costmodel::SocCost analytic =
      options.schedule == Schedule::kSequential ? seq : model.evaluate(net, a, placement, options.schedule);
  static std::atomic<bool> used{false};
  if (used.exchange(true)) {
    throw Error("SystemC's kernel runs one simulation per process: simulate_soc was already called");
  }
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);

  const int inputs = options.schedule == Schedule::kSequential ? 1 : options.inputs;
  const int dma = static_cast<int>(soc.engines.size());  // the initiator of weightless layers

  SocSimResult r;
  r.schedule = options.schedule;
  r.inputs = inputs;
  r.frequency_hz = soc.frequency_hz;
  r.analytic_latency_cycles = analytic.latency_cycles;
  r.analytic_period_cycles = analytic.period_cycles;

  // The tasks of one input (templates), per layer, with SocModel's transfers and compute.
  std::vector<std::vector<Work>> layer_tasks(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    const workloads::Layer& layer = net.layer(i);
    const costmodel::SocLayerCost& lc = seq.layers[i];
    SocSimLayer sl;
    sl.name = layer.name;
    sl.analytic_cycles = lc.cycles;
    const auto task_alone = [&](const Work& t) {
      double c = t.compute_cycles;
      for (const auto& x : t.loads) c += bus_cycles(soc, x) + dram_cycles(soc, x);
      for (const auto& x : t.stores) c += bus_cycles(soc, x) + dram_cycles(soc, x);
      return c;
    };
    double alone = 0;
    if (lc.parts.empty()) {
      Work t;
      t.initiator = dma;
      t.loads = lc.dma_loads;
      t.stores = lc.dma_stores;
      alone = task_alone(t);
      layer_tasks[i].push_back(std::move(t));
    } else {
      for (const auto& part : lc.parts) {
        Work t;
        t.initiator = part.engine;
        t.loads = part.loads;
        t.compute_cycles = static_cast<double>(part.price.cycles);
        t.stores = part.stores;
        alone = std::max(alone, task_alone(t));
        sl.engines.push_back(soc.engines[static_cast<std::size_t>(part.engine)].name);
        layer_tasks[i].push_back(std::move(t));
      }
    }
    sl.contention_free_cycles = static_cast<std::int64_t>(std::ceil(alone - 1e-9));
    r.contention_free_latency_cycles += sl.contention_free_cycles;
    r.layers.push_back(std::move(sl));
  }

  // Instantiate them per input, input-major: each initiator's queue is in that order, and
  // every dependency points to an earlier task, so some ready part always exists (no deadlock).
  std::deque<Task> tasks;
  std::vector<std::vector<std::vector<std::size_t>>> ids(static_cast<std::size_t>(inputs),
                                                         std::vector<std::vector<std::size_t>>(net.size()));
  std::vector<std::vector<std::size_t>> queues(soc.engines.size() + 1);
  for (int n = 0; n < inputs; ++n) {
    auto& of = ids[static_cast<std::size_t>(n)];
    for (std::size_t i = 0; i < net.size(); ++i) {
      std::vector<std::size_t> deps;
      if (options.schedule == Schedule::kSequential) {
        // As in the analytic model: a layer starts when every part of the previous one ended.
        if (i > 0) deps = of[i - 1];
      } else {
        for (const auto producer : net.inputs_of(i)) {
          if (producer != workloads::kNetworkInput) deps.insert(deps.end(), of[producer].begin(), of[producer].end());
        }
      }
      for (const Work& work : layer_tasks[i]) {
        Task& t = tasks.emplace_back();
        t.work = work;
        t.deps = deps;
        const std::size_t id = tasks.size() - 1;
        of[i].push_back(id);
        queues[static_cast<std::size_t>(work.initiator)].push_back(id);
      }
    }
  }

  const sc::SimClock clock{soc.frequency_hz};
  // The bus arbitrates as the SoC file says; the engines' DMAs are its initiators in file order.
  sc::SharedPort bus("soc_bus", soc.bus.bits_per_cycle, 0, clock,
                     soc.bus.arbitration == arch::Arbitration::kFixedPriority
                         ? sc::SharedPort::Policy::kFixedPriority
                         : sc::SharedPort::Policy::kRoundRobin);
  sc::SharedPort dram("soc_dram", soc.dram.bits_per_cycle, 0, clock);
  sc_core::sc_event progress;
  std::vector<std::unique_ptr<Initiator>> initiators;
  for (std::size_t e = 0; e <= soc.engines.size(); ++e) {
    const std::string name = e < soc.engines.size() ? soc.engines[e].name : std::string("dma");
    initiators.push_back(std::make_unique<Initiator>(("soc_" + name).c_str(), soc, clock, tasks, queues[e], progress));
    initiators.back()->bus.bind(bus.socket);
    initiators.back()->dram.bind(dram.socket);
  }
  sc_core::sc_start();

  std::vector<double> end_of(static_cast<std::size_t>(inputs), 0);
  for (int n = 0; n < inputs; ++n) {
    for (std::size_t i = 0; i < net.size(); ++i) {
      for (const std::size_t id : ids[static_cast<std::size_t>(n)][i]) {
        if (!tasks[id].done) throw Error("SoC simulation: a layer part never ran (a dependency cycle)");
        end_of[static_cast<std::size_t>(n)] = std::max(end_of[static_cast<std::size_t>(n)], tasks[id].end);
      }
    }
  }
  for (std::size_t i = 0; i < net.size(); ++i) {
    const auto& of = ids[0][i];
    double start = -1, end = 0;
    for (const std::size_t id : of) {
      start = start < 0 ? tasks[id].start : std::min(start, tasks[id].start);
      end = std::max(end, tasks[id].end);
    }
    r.layers[i].start_cycles = std::max(start, 0.0);
    r.layers[i].end_cycles = end;
  }
  r.latency_cycles = end_of.front();
  r.makespan_cycles = *std::max_element(end_of.begin(), end_of.end());
  r.period_cycles = inputs > 1 ? (end_of.back() - end_of.front()) / (inputs - 1) : r.latency_cycles;
  r.bus_busy_cycles = bus.busy_cycles();
  for (std::size_t e = 0; e <= soc.engines.size(); ++e) {
    const Initiator& in = *initiators[e];
    SocSimEngine s;
    s.name = e < soc.engines.size() ? soc.engines[e].name : std::string("dma");
    s.parts = static_cast<std::int64_t>(queues[e].size());
    s.busy_cycles = in.busy_cycles;
    // A port sizes its statistics as initiators first ask: one that never did waited 0.
    const auto waited = [e](const sc::SharedPort& port) {
      return e < port.stats().size() ? port.stats()[e].wait_cycles : 0.0;
    };
    s.contention_stall_cycles = waited(bus) + waited(dram);
    s.memory_stall_cycles = in.transfer_cycles - s.contention_stall_cycles;
    s.bus_bits = in.bus_bits;
    r.engines.push_back(s);
  }
  return r;
}

}  // namespace mixq::sim
