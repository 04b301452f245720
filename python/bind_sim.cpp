// The simulator from Python: `simulate` returns a dict shaped like `mixq simulate --json`
// (per-layer and total cycles, analytic_cycles, stalls, energy).
//
// SystemC's kernel is global: elaboration and sc_start happen once per process, so one
// kernel="systemc" simulation per Python process. A second one raises mixq.Error before
// touching the kernel (never an abort); kernel="plain" runs the same controller and policies
// without the kernel, any number of times, with identical numbers (tests/sim), and
// `simulate_many` runs several networks in the one SystemC run.
#include <pybind11/stl.h>

#include <atomic>
#include <fstream>
#include <map>
#include <optional>

#include "bindings.hpp"
#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/sim/simulate.hpp"
#include "mixq/sim/trace.hpp"

namespace py = pybind11;

namespace mixq::python {
namespace {

// Set when a kernel="systemc" call gets past its checks: the library's own guard would
// refuse the next one too, but its message names C++ enumerators.
std::atomic<bool> systemc_used{false};

double difference_percent(std::int64_t simulated, std::int64_t analytic) {
  return analytic > 0 ? 100.0 * static_cast<double>(simulated - analytic) / static_cast<double>(analytic) : 0.0;
}

py::dict energy_dict(const costmodel::EnergyBreakdown& e, const arch::Accelerator& acc) {
  py::dict d;
  d["mac_pj"] = e.mac_pj;
  d["dram_pj"] = e.dram_pj;
  for (std::size_t b = 0; b < e.buffer_pj.size(); ++b) d[py::str(acc.buffers[b].name + "_pj")] = e.buffer_pj[b];
  return d;
}

// The keys of `mixq simulate --json` (apps/cmd_simulate.cpp), layers and total alike.
py::dict sim_layer_dict(const sim::SimLayer& l, const arch::Accelerator& acc, bool total) {
  py::dict d;
  if (!total) {
    d["name"] = l.name;
    d["on_array"] = l.on_array;
  }
  d["cycles"] = l.cycles;
  d["analytic_cycles"] = l.analytic_cycles;
  d["difference_percent"] = difference_percent(l.cycles, l.analytic_cycles);
  d["compute_cycles"] = l.compute_cycles;
  d["memory_stall_cycles"] = l.memory_stall_cycles;
  d["contention_stall_cycles"] = l.contention_stall_cycles;
  d["latency_s"] = l.latency_s;
  d["macs"] = l.macs;
  d["tiles"] = l.tiles;
  d["energy_pj"] = l.energy_pj;
  d["analytic_energy_pj"] = l.analytic_energy_pj;
  d["energy"] = energy_dict(l.energy, acc);
  if (!total) {
    d["utilization"] = l.utilization;
    d["spatial_utilization"] = l.spatial_utilization;
  }
  d["dram_read_bits"] = l.dram_read_bits;
  d["dram_write_bits"] = l.dram_write_bits;
  return d;
}

py::dict result_dict(const sim::SimResult& r, const workloads::Network& net, const arch::Accelerator& acc,
                     const std::string& kernel) {
  py::list layers;
  for (const auto& l : r.layers) layers.append(sim_layer_dict(l, acc, false));
  py::dict d;
  d["arch"] = acc.name;
  d["workload"] = net.name();
  d["kernel"] = kernel;
  d["layers"] = layers;
  d["total"] = sim_layer_dict(r.total, acc, true);
  d["end_cycles"] = r.end_cycles;
  d["kernel_end_cycles"] = r.kernel_end_cycles;
  d["transactions"] = r.transactions;
  d["syncs"] = r.syncs;
  return d;
}

// A CostModel given, or one built from an Accelerator or a preset / file name with `set`
// overrides; `owned` keeps a built one alive.
const costmodel::CostModel& model_of(const py::object& model_or_arch, const std::map<std::string, py::object>& set,
                                     const std::string& objective, std::unique_ptr<costmodel::CostModel>& owned) {
  if (py::isinstance<costmodel::CostModel>(model_or_arch)) {
    if (!set.empty()) throw py::value_error("set= applies to an arch name, not to a CostModel");
    return model_or_arch.cast<const costmodel::CostModel&>();
  }
  costmodel::Objective o{};
  if (!costmodel::parse_objective(objective, o)) throw py::value_error("objective must be latency, energy or edp");
  if (py::isinstance<arch::Accelerator>(model_or_arch)) {
    if (!set.empty()) throw py::value_error("set= applies to an arch name, not to an Accelerator");
    owned = std::make_unique<costmodel::CostModel>(model_or_arch.cast<arch::Accelerator>(), o);
  } else if (py::isinstance<py::str>(model_or_arch)) {
    std::vector<std::string> overrides;
    for (const auto& [k, v] : set) overrides.push_back(k + "=" + py::str(v).cast<std::string>());
    owned = std::make_unique<costmodel::CostModel>(arch::load_arch(model_or_arch.cast<std::string>(), overrides), o);
  } else {
    throw py::type_error("model_or_arch must be a CostModel, an Accelerator or an arch preset / file name");
  }
  return *owned;
}

sim::SimOptions options_of(const std::string& kernel, double dram_latency_cycles, double quantum_cycles) {
  sim::SimOptions opt;
  if (kernel == "systemc") {
    opt.kernel = sim::Kernel::kSystemC;
  } else if (kernel == "plain") {
    opt.kernel = sim::Kernel::kPlain;
  } else {
    throw py::value_error("kernel must be systemc or plain");
  }
  if (!(dram_latency_cycles >= 0)) throw py::value_error("dram_latency_cycles must be >= 0");
  if (!(quantum_cycles > 0)) throw py::value_error("quantum_cycles must be > 0");
  opt.dram_latency_cycles = dram_latency_cycles;
  opt.quantum_cycles = quantum_cycles;
  return opt;
}

// Claims the process's one SystemC run, after every other check has passed.
void claim_systemc(const sim::SimOptions& opt) {
  if (opt.kernel != sim::Kernel::kSystemC) return;
  if (systemc_used.exchange(true)) {
    throw Error(
        "SystemC's kernel is global: one kernel='systemc' simulation per process; use "
        "kernel='plain' (the same policies without the kernel, identical numbers) or "
        "simulate_many() for several networks in one SystemC run");
  }
}

void check_runs(const costmodel::CostModel& model, const workloads::Network& net,
                const workloads::PrecisionAssignment& a) {
  if (a.size() != net.size()) {
    throw py::value_error("the assignment has " + std::to_string(a.size()) + " layers, network '" + net.name() +
                          "' " + std::to_string(net.size()));
  }
  const auto check = model.check(net, a);
  if (!check.ok) throw costmodel::InfeasibleError(check.layer, check.reason);
}

}  // namespace

void bind_sim(py::module_& module) {
  module.def(
      "simulate",
      [](const py::object& model_or_arch, const workloads::Network& net, const workloads::PrecisionAssignment& a,
         const std::string& kernel, double dram_latency_cycles, double quantum_cycles,
         const std::map<std::string, py::object>& set, const std::string& objective,
         const std::optional<std::string>& trace_file) {
        std::unique_ptr<costmodel::CostModel> owned;
        const costmodel::CostModel& model = model_of(model_or_arch, set, objective, owned);
        auto opt = options_of(kernel, dram_latency_cycles, quantum_cycles);
        check_runs(model, net, a);
        // The trace file is opened first: a bad path must not spend the process's SystemC run.
        sim::Trace trace;
        std::ofstream trace_out;
        if (trace_file) {
          trace_out.open(*trace_file);
          if (!trace_out) throw Error("cannot write the trace to '" + *trace_file + "'");
          opt.trace = &trace;
        }
        claim_systemc(opt);
        sim::SimResult r;
        {
          py::gil_scoped_release release;
          r = sim::simulate(net, a, model, opt);
          if (trace_file) sim::write_chrome_trace(trace, trace_out);
        }
        return result_dict(r, net, model.accelerator(), kernel);
      },
      py::arg("model_or_arch"), py::arg("network"), py::arg("assignment"), py::arg("kernel") = "systemc",
      py::arg("dram_latency_cycles") = 0.0, py::arg("quantum_cycles") = 100000.0,
      py::arg("set") = std::map<std::string, py::object>{}, py::arg("objective") = "latency",
      py::arg("trace") = py::none(),
      "Simulates the network tile by tile executing the cost model's mappings; returns a dict "
      "shaped like `mixq simulate --json` (layers, total with cycles, analytic_cycles, stalls, "
      "energy). trace=FILE writes a Chrome/Perfetto timeline as `--trace`. model_or_arch: a CostModel, an Accelerator or an arch preset / file (with `set` "
      "overrides and the mapper `objective`). SystemC's kernel is global: one kernel='systemc' "
      "call per process (a second raises mixq.Error); kernel='plain' runs any number of times "
      "with identical numbers. The GIL is released while it runs.");

  module.def(
      "simulate_many",
      [](const py::object& model_or_arch, const std::vector<py::tuple>& jobs, const std::string& kernel,
         double dram_latency_cycles, double quantum_cycles, const std::map<std::string, py::object>& set,
         const std::string& objective) {
        std::unique_ptr<costmodel::CostModel> owned;
        const costmodel::CostModel& model = model_of(model_or_arch, set, objective, owned);
        const auto opt = options_of(kernel, dram_latency_cycles, quantum_cycles);
        // Python owns the networks and assignments; the tuples keep them alive for the call.
        std::vector<sim::SimJob> sim_jobs;
        for (const auto& job : jobs) {
          if (job.size() != 2 || !py::isinstance<workloads::Network>(job[0]) ||
              !py::isinstance<workloads::PrecisionAssignment>(job[1])) {
            throw py::type_error("each job is a (Network, Assignment) pair");
          }
          const auto& net = job[0].cast<const workloads::Network&>();
          const auto& a = job[1].cast<const workloads::PrecisionAssignment&>();
          check_runs(model, net, a);
          sim_jobs.push_back({&net, &a});
        }
        if (sim_jobs.empty()) return py::list();
        claim_systemc(opt);
        std::vector<sim::SimResult> results;
        {
          py::gil_scoped_release release;
          results = sim::simulate_all(sim_jobs, model, opt);
        }
        py::list out;
        for (std::size_t i = 0; i < results.size(); ++i) {
          out.append(result_dict(results[i], *sim_jobs[i].net, model.accelerator(), kernel));
        }
        return out;
      },
      py::arg("model_or_arch"), py::arg("jobs"), py::arg("kernel") = "systemc", py::arg("dram_latency_cycles") = 0.0,
      py::arg("quantum_cycles") = 100000.0, py::arg("set") = std::map<std::string, py::object>{},
      py::arg("objective") = "latency",
      "Simulates several (network, assignment) jobs one after another in one run (one SystemC "
      "kernel run under kernel='systemc'); returns one `simulate` dict per job.");
}

}  // namespace mixq::python
