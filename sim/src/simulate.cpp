#include "mixq/sim/simulate.hpp"

#include <algorithm>
#include <cmath>

#include "mixq/sim/controller.hpp"
#include "mixq/sim/hardware.hpp"
#include "mixq/sim/trace.hpp"
#include "mixq/workloads/metrics.hpp"
#include "sc/lt_top.hpp"

namespace mixq::sim {
namespace {

using workloads::Granularity;

// Cumulative counters of a Hardware, to take per-layer differences.
struct Counters {
  double dram_read = 0, dram_write = 0;
  std::vector<double> buf_read, buf_write;
  std::int64_t macs = 0;

  static Counters of(const Hardware& hw) {
    Counters c;
    c.dram_read = hw.dram().read_bits();
    c.dram_write = hw.dram().write_bits();
    for (const auto& b : hw.buffers()) {
      c.buf_read.push_back(b.read_bits());
      c.buf_write.push_back(b.write_bits());
    }
    c.macs = hw.macs();
    return c;
  }
};

std::int64_t whole(double v) { return static_cast<std::int64_t>(std::llround(v)); }

// Adds `scale` × (after − before) to the layer's traffic and energy.
void add_traffic(SimLayer& l, const arch::Accelerator& acc, const Counters& before,
                 const Counters& after, double scale) {
  const double dr = (after.dram_read - before.dram_read) * scale;
  const double dw = (after.dram_write - before.dram_write) * scale;
  l.dram_read_bits += whole(dr);
  l.dram_write_bits += whole(dw);
  l.energy.dram_pj += (dr + dw) * acc.dram.energy_pj_per_bit;
  for (std::size_t b = 0; b < acc.buffers.size(); ++b) {
    const double r = (after.buf_read[b] - before.buf_read[b]) * scale;
    const double w = (after.buf_write[b] - before.buf_write[b]) * scale;
    l.buffer_read_bits[b] += whole(r);
    l.buffer_write_bits[b] += whole(w);
    l.energy.buffer_pj[b] +=
        r * acc.buffers[b].read_energy_pj_per_bit + w * acc.buffers[b].write_energy_pj_per_bit;
  }
}

// Bits a layer off the array reads (every producer's output at its storage precision) and
// writes: costmodel's data-movement view (network_cost.cpp).
std::pair<double, double> movement_bits(const workloads::Network& net, std::size_t i,
                                        const std::vector<int>& out_bits, int in_bits) {
  double read = 0;
  for (const double b : workloads::read_tensor_bits(net, i, out_bits, in_bits)) read += b;
  const double write = workloads::written_tensor_bits(net, i, out_bits);
  return {read, write};
}

void add_into(SimLayer& total, const SimLayer& l) {
  total.cycles += l.cycles;
  total.analytic_cycles += l.analytic_cycles;
  total.analytic_compute_cycles += l.analytic_compute_cycles;
  total.analytic_dram_bits += l.analytic_dram_bits;
  total.compute_cycles += l.compute_cycles;
  total.memory_stall_cycles += l.memory_stall_cycles;
  total.contention_stall_cycles += l.contention_stall_cycles;
  total.fill_cycles += l.fill_cycles;
  total.drain_cycles += l.drain_cycles;
  total.latency_s += l.latency_s;
  total.macs += l.macs;
  total.tiles += l.tiles;
  total.energy.mac_pj += l.energy.mac_pj;
  total.energy.dram_pj += l.energy.dram_pj;
  total.energy.buffer_pj.resize(l.energy.buffer_pj.size(), 0.0);
  total.buffer_read_bits.resize(l.buffer_read_bits.size(), 0);
  total.buffer_write_bits.resize(l.buffer_write_bits.size(), 0);
  for (std::size_t b = 0; b < l.energy.buffer_pj.size(); ++b) {
    total.energy.buffer_pj[b] += l.energy.buffer_pj[b];
    total.buffer_read_bits[b] += l.buffer_read_bits[b];
    total.buffer_write_bits[b] += l.buffer_write_bits[b];
  }
  total.energy_pj = total.energy.total_pj();
  total.analytic_energy_pj += l.analytic_energy_pj;
  total.dram_read_bits += l.dram_read_bits;
  total.dram_write_bits += l.dram_write_bits;
}

// Runs one network through `fabric` from time `t`; returns its result and advances `t`.
SimResult run_network(Fabric& fabric, const workloads::Network& net,
                      const workloads::PrecisionAssignment& a, const costmodel::CostModel& model,
                      const SimOptions& opt, double& t) {
  Hardware& hw = fabric.hardware();
  const arch::Accelerator& acc = hw.accelerator();
  const costmodel::NetworkCost analytic =
      model.evaluate(net, a);  // the mappings, and the figures to compare
  const auto out_bits = workloads::output_tensor_bits(net, a);
  const int in_bits = workloads::input_tensor_bits(net, a);
  Trace* trace = hw.trace();
  SimResult result;
  result.total.name = net.name();
  result.total.energy.buffer_pj.assign(acc.buffers.size(), 0.0);
  result.total.buffer_read_bits.assign(acc.buffers.size(), 0);
  result.total.buffer_write_bits.assign(acc.buffers.size(), 0);
  result.total.start_cycles = t;
  for (std::size_t i = 0; i < net.size(); ++i) {
    const auto& lr = analytic.layers[i];
    SimLayer l;
    l.name = lr.name;
    l.on_array = lr.on_array;
    l.start_cycles = t;
    l.analytic_cycles = lr.cost.cycles;
    l.analytic_energy_pj = lr.cost.energy_pj;
    l.analytic_compute_cycles = lr.cost.compute_cycles;
    l.spatial_utilization = lr.cost.spatial_utilization;
    l.analytic_dram_bits = lr.cost.dram_read_bits + lr.cost.dram_write_bits;
    l.energy.buffer_pj.assign(acc.buffers.size(), 0.0);
    l.buffer_read_bits.assign(acc.buffers.size(), 0);
    l.buffer_write_bits.assign(acc.buffers.size(), 0);
    if (trace != nullptr) {
      trace->layers.push_back(net.name() + "/" + lr.name);
      trace->current_layer = static_cast<int>(trace->layers.size()) - 1;
    }
    double elapsed = 0, contention = 0;
    const Counters before = Counters::of(hw);
    if (!lr.on_array) {
      const auto [read, write] = movement_bits(net, i, out_bits, in_bits);
      const Service in = fabric.load(arch::Operand::kInput, t, read, "load layer inputs");
      const Service out = fabric.store(arch::Operand::kOutput, in.end, write, "store layer output");
      elapsed = out.end - t;
      contention = in.wait + out.wait;
    } else {
      Controller controller(fabric);
      const bool per_weight = a[i].granularity == Granularity::kWeight;
      const double weights = static_cast<double>(net.layer(i).weight_count());
      for (const auto& g : lr.groups) {
        const costmodel::Mapping& m = g.mapping;
        double share = 1.0;
        LayerRun run;
        if (!per_weight) {
          run = controller.run(m, t + elapsed);
        } else {
          // A histogram bucket is its share of the layer run at that precision: simulated on
          // a scratch copy of the hardware from time 0 and scaled, as the analytic model does.
          share = static_cast<double>(g.group.count) / weights;
          Hardware scratch(acc, {opt.dram_latency_cycles});
          PlainFabric pf(scratch);
          const Counters s0 = Counters::of(scratch);
          run = Controller(pf).run(m, 0.0);
          add_traffic(l, acc, s0, Counters::of(scratch), share);
          run.end = run.start + (run.end - run.start) * share;
        }
        elapsed += run.end - run.start;
        if (run.tiles > 0) {
          l.fill_cycles += (run.first_compute - run.start) * share;
          l.drain_cycles += (run.end - run.last_compute) * share;
        }
        contention += run.contention_stall_cycles * share;
        l.compute_cycles += whole(static_cast<double>(run.compute_cycles) * share);
        l.tiles += run.tiles;
        const auto macs =
            static_cast<double>(m.gemm.groups * m.gemm.m * m.gemm.kr * m.gemm.nf) * share;
        l.macs += whole(macs);
        l.energy.mac_pj += macs * m.energy_per_mac_pj;
      }
    }
    add_traffic(l, acc, before, Counters::of(hw), 1.0);
    t += elapsed;
    l.cycles = static_cast<std::int64_t>(std::ceil(elapsed - 1e-6));
    l.contention_stall_cycles = std::min(whole(contention), l.cycles - l.compute_cycles);
    l.memory_stall_cycles =
        std::max<std::int64_t>(0, l.cycles - l.compute_cycles - l.contention_stall_cycles);
    l.latency_s = static_cast<double>(l.cycles) / acc.frequency_hz;
    l.energy_pj = l.energy.total_pj();
    if (l.on_array && l.cycles > 0 && !lr.groups.empty()) {
      const auto& m = lr.groups.front().mapping;
      const double peak = static_cast<double>(acc.array.rows * acc.array.cols * m.spatial_factor) /
                          m.temporal_factor;
      l.utilization = static_cast<double>(l.macs) / (static_cast<double>(l.cycles) * peak);
    }
    add_into(result.total, l);
    result.layers.push_back(std::move(l));
  }
  result.total.energy_pj = result.total.energy.total_pj();
  if (trace != nullptr) trace->current_layer = -1;
  return result;
}

}  // namespace

std::vector<SimResult> simulate_all(const std::vector<SimJob>& jobs,
                                    const costmodel::CostModel& model, const SimOptions& opt) {
  // Check every job before the kernel starts: an infeasible layer is an input problem.
  for (const auto& job : jobs) {
    const auto check = model.check(*job.net, *job.assignment);
    if (!check.ok) throw costmodel::InfeasibleError(check.layer, check.reason);
  }
  Hardware hw(model.accelerator(), {opt.dram_latency_cycles});
  hw.set_trace(opt.trace);
  std::vector<SimResult> results;
  double t = 0;
  const auto body = [&](Fabric& fabric) {
    for (const auto& job : jobs)
      results.push_back(run_network(fabric, *job.net, *job.assignment, model, opt, t));
  };
  sc::LtRun run;
  if (opt.kernel == Kernel::kPlain) {
    PlainFabric fabric(hw);
    body(fabric);
    run.end_cycles = t;
  } else {
    run = sc::run_loosely_timed(hw, opt.quantum_cycles, body);
  }
  for (auto& r : results) {
    r.end_cycles = t;
    r.kernel_end_cycles = run.end_cycles;
    r.transactions = run.transactions;
    r.syncs = run.syncs;
  }
  return results;
}

SimResult simulate(const workloads::Network& net, const workloads::PrecisionAssignment& a,
                   const costmodel::CostModel& model, const SimOptions& opt) {
  auto results = simulate_all({{&net, &a}}, model, opt);
  return std::move(results.front());
}

}  // namespace mixq::sim
