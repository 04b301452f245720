// mixq simulate: run a network tile by tile on the SystemC model of an accelerator,
// executing the mappings the cost model chose, and compare with the analytic figures.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/arch/soc.hpp"
#include "mixq/sim/simulate.hpp"
#include "mixq/sim/soc_simulate.hpp"
#include "mixq/sim/trace.hpp"
#include "mixq/workloads/loader.hpp"
#include "json_out.hpp"
#include "options.hpp"
#include "soc_eval.hpp"

namespace mixq::cli {
namespace {

std::string fixed(double x, const char* fmt) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

// Simulated vs analytic, in percent of the analytic figure.
double difference(std::int64_t simulated, std::int64_t analytic) {
  return analytic > 0
             ? 100.0 * static_cast<double>(simulated - analytic) / static_cast<double>(analytic)
             : 0.0;
}

nlohmann::json layer_json(const sim::SimLayer& l, const arch::Accelerator& acc) {
  return {{"name", l.name},
          {"on_array", l.on_array},
          {"cycles", l.cycles},
          {"analytic_cycles", l.analytic_cycles},
          {"difference_percent", difference(l.cycles, l.analytic_cycles)},
          {"compute_cycles", l.compute_cycles},
          {"memory_stall_cycles", l.memory_stall_cycles},
          {"contention_stall_cycles", l.contention_stall_cycles},
          {"latency_s", l.latency_s},
          {"macs", l.macs},
          {"tiles", l.tiles},
          {"energy_pj", l.energy_pj},
          {"analytic_energy_pj", l.analytic_energy_pj},
          {"energy", energy_json(l.energy, acc)},
          {"utilization", l.utilization},
          {"spatial_utilization", l.spatial_utilization},
          {"dram_read_bits", l.dram_read_bits},
          {"dram_write_bits", l.dram_write_bits}};
}

// `mixq simulate --soc`: the SoC's engines around its shared bus, running a placement.
int run_soc_simulate(const SocEvalOptions& opts, const std::string& workload, const PrecisionOptions& precision,
                     const std::vector<std::string>& overrides, const std::string& objective_text, int inputs,
                     bool json) {
  costmodel::Objective objective{};
  (void)costmodel::parse_objective(objective_text, objective);
  sim::SocSimOptions options;
  (void)costmodel::parse_schedule(opts.schedule, options.schedule);
  options.inputs = inputs;
  const costmodel::SocModel model(arch::load_soc(opts.soc, overrides), objective);
  const arch::Soc& soc = model.soc();
  const workloads::Network net = workloads::load_workload(workload);
  const workloads::PrecisionAssignment a = precision.resolve(net);
  std::string placement_name;
  const costmodel::Placement placement =
      resolve_placement(opts, model, net, a, workload, options.schedule, placement_name);
  const sim::SocSimResult r = sim::simulate_soc(model, net, a, placement, options);
  const auto engines_text = [](const sim::SocSimLayer& l) {
    std::string text;
    for (const auto& e : l.engines) text += (text.empty() ? "" : " + ") + e;
    return text.empty() ? std::string("dma") : text;
  };
  const auto rounded = [](double x) { return static_cast<std::int64_t>(std::llround(x)); };
  if (json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : r.layers) {
      layers.push_back({{"name", l.name},
                        {"engines", l.engines.empty() ? nlohmann::json::array({"dma"}) : nlohmann::json(l.engines)},
                        {"start_cycles", l.start_cycles},
                        {"end_cycles", l.end_cycles},
                        {"cycles", l.end_cycles - l.start_cycles},
                        {"analytic_cycles", l.analytic_cycles},
                        {"contention_free_cycles", l.contention_free_cycles}});
    }
    nlohmann::json engines = nlohmann::json::array();
    for (const auto& e : r.engines) {
      engines.push_back({{"name", e.name},
                         {"parts", e.parts},
                         {"busy_cycles", e.busy_cycles},
                         {"memory_stall_cycles", e.memory_stall_cycles},
                         {"contention_stall_cycles", e.contention_stall_cycles},
                         {"bus_bits", e.bus_bits}});
    }
    const nlohmann::json doc{{"soc", soc.name},
                             {"workload", net.name()},
                             {"precision", precision.describe()},
                             {"placement", placement_name},
                             {"schedule", costmodel::to_string(r.schedule)},
                             {"inputs", r.inputs},
                             {"layers", layers},
                             {"engines", engines},
                             {"total",
                              {{"latency_cycles", r.latency_cycles},
                               {"period_cycles", r.period_cycles},
                               {"makespan_cycles", r.makespan_cycles},
                               {"bus_busy_cycles", r.bus_busy_cycles},
                               {"analytic_latency_cycles", r.analytic_latency_cycles},
                               {"analytic_period_cycles", r.analytic_period_cycles},
                               {"contention_free_latency_cycles", r.contention_free_latency_cycles},
                               {"latency_s", r.latency_cycles / r.frequency_hz}}}};
    std::cout << doc.dump(2) << '\n';
    return 0;
  }
  std::cout << net.name() << " on " << soc.name << " (" << soc.engines.size() << " engines, "
            << soc.frequency_hz / 1e6 << " MHz), precision " << precision.describe() << ", placement "
            << placement_name << ", schedule " << costmodel::to_string(r.schedule) << ", simulated (SystemC)";
  if (r.inputs > 1) std::cout << ", " << r.inputs << " inputs";
  std::cout << "\n\n";
  Table table({"<layer", "<engine", "start", "cycles", "analytic", "no contention"});
  for (const auto& l : r.layers) {
    table.add({l.name, engines_text(l), human_count(l.start_cycles), human_count(l.end_cycles - l.start_cycles),
               human_count(static_cast<double>(l.analytic_cycles)),
               human_count(static_cast<double>(l.contention_free_cycles))});
  }
  table.print(std::cout);
  std::cout << '\n';
  Table per_engine({"<engine", "parts", "busy", "mem stall", "contention"});
  for (const auto& e : r.engines) {
    per_engine.add({e.name, std::to_string(e.parts), human_count(static_cast<double>(rounded(e.busy_cycles))),
                    human_count(static_cast<double>(rounded(e.memory_stall_cycles))),
                    human_count(static_cast<double>(rounded(e.contention_stall_cycles)))});
  }
  per_engine.print(std::cout);
  std::cout << "\nlatency " << human_count(static_cast<double>(rounded(r.latency_cycles)))
            << " cycles simulated vs " << human_count(static_cast<double>(r.analytic_latency_cycles))
            << " analytic, " << human_count(static_cast<double>(r.contention_free_latency_cycles))
            << " without contention; bus busy " << human_count(static_cast<double>(rounded(r.bus_busy_cycles)))
            << " cycles\n";
  if (r.schedule == costmodel::Schedule::kPipelined) {
    std::cout << "period " << human_count(static_cast<double>(rounded(r.period_cycles))) << " cycles simulated vs "
              << human_count(static_cast<double>(r.analytic_period_cycles)) << " analytic\n";
  }
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, Action& action) {
  struct Args {
    std::string arch;
    std::string workload;
    PrecisionOptions precision;
    std::vector<std::string> overrides;
    std::string objective = "latency";
    std::string trace;
    std::string kernel = "systemc";
    double dram_latency_cycles = 0;
    int inputs = 8;
    bool json = false;
  };
  static Args args;
  static SocEvalOptions soc;
  auto* cmd = app.add_subcommand("simulate",
                                 "Simulate a network tile by tile (SystemC/TLM) executing the "
                                 "cost model's mappings, beside the analytic figures");
  auto* arch_opt = cmd->add_option("--arch", args.arch, "Arch preset (see `mixq list`) or YAML file");
  auto* soc_opt = soc.add_to(cmd);
  arch_opt->excludes(soc_opt);
  cmd->add_option("--inputs", args.inputs, "With --soc --schedule pipelined: inputs in the stream (default 8)")
      ->check(CLI::Range(2, 100000))
      ->needs(soc_opt);
  cmd->add_option("--workload", args.workload, "Zoo network or workload YAML file")->required();
  args.precision.add_to(cmd);
  cmd->add_option("--set", args.overrides,
                  "Override an arch key, e.g. --set dram.bits_per_cycle=64");
  cmd->add_option("--objective", args.objective, "What the mapper minimizes")
      ->check(CLI::IsMember({"latency", "energy", "edp"}));
  cmd->add_option("--dram-latency", args.dram_latency_cycles,
                  "DRAM latency per burst, in cycles (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--kernel", args.kernel,
                  "systemc (TLM-2.0, loosely timed) or plain (same policies, no kernel)")
      ->check(CLI::IsMember({"systemc", "plain"}));
  cmd->add_option("--trace", args.trace,
                  "Write a Chrome/Perfetto trace-event JSON timeline to FILE");
  cmd->add_flag("--json", args.json, "Print one JSON document");
  cmd->callback([&action] {
    action = [] {
      if (args.arch.empty() && soc.soc.empty()) {
        throw InputError(InputError::Kind::kMissingKey, SourceLocation{"simulate", 0, 0, "--arch"},
                         "give --arch PRESET|FILE or --soc PRESET|FILE");
      }
      if (!soc.soc.empty()) {
        return run_soc_simulate(soc, args.workload, args.precision, args.overrides, args.objective, args.inputs,
                                args.json);
      }
      arch::Accelerator acc = arch::load_arch(args.arch, args.overrides);
      const workloads::Network net = workloads::load_workload(args.workload);
      const workloads::PrecisionAssignment a = args.precision.resolve(net);
      const costmodel::CostModel model = checked_cost_model(std::move(acc), args.objective, args.workload, net, a);
      sim::Trace trace;
      sim::SimOptions opt;
      opt.kernel = args.kernel == "plain" ? sim::Kernel::kPlain : sim::Kernel::kSystemC;
      opt.dram_latency_cycles = args.dram_latency_cycles;
      if (!args.trace.empty()) opt.trace = &trace;
      const sim::SimResult r = sim::simulate(net, a, model, opt);
      const arch::Accelerator& hw = model.accelerator();
      if (!args.trace.empty()) {
        std::ofstream out(args.trace);
        if (!out) throw Error("cannot write the trace to '" + args.trace + "'");
        sim::write_chrome_trace(trace, out);
      }
      if (args.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& l : r.layers) layers.push_back(layer_json(l, hw));
        const auto& t = r.total;
        const nlohmann::json doc{{"arch", hw.name},
                                 {"workload", net.name()},
                                 {"precision", args.precision.describe()},
                                 {"objective", args.objective},
                                 {"kernel", args.kernel},
                                 {"layers", layers},
                                 {"total",
                                  {{"cycles", t.cycles},
                                   {"analytic_cycles", t.analytic_cycles},
                                   {"difference_percent", difference(t.cycles, t.analytic_cycles)},
                                   {"compute_cycles", t.compute_cycles},
                                   {"memory_stall_cycles", t.memory_stall_cycles},
                                   {"contention_stall_cycles", t.contention_stall_cycles},
                                   {"latency_s", t.latency_s},
                                   {"energy_pj", t.energy_pj},
                                   {"analytic_energy_pj", t.analytic_energy_pj},
                                   {"energy", energy_json(t.energy, hw)},
                                   {"macs", t.macs},
                                   {"tiles", t.tiles},
                                   {"dram_read_bits", t.dram_read_bits},
                                   {"dram_write_bits", t.dram_write_bits}}}};
        std::cout << doc.dump(2) << '\n';
        return 0;
      }
      std::cout << net.name() << " on " << hw.name << " (" << hw.array.rows << "x" << hw.array.cols
                << " " << arch::to_string(hw.array.dataflow) << ", " << hw.frequency_hz / 1e6
                << " MHz), precision " << args.precision.describe() << ", simulated tile by tile ("
                << args.kernel << ")\n\n";
      Table table({"<layer", "cycles", "analytic", "diff", "compute", "mem stall", "contention",
                   "energy", "MAC", "buffers", "DRAM", "tiles"});
      const auto row = [&](const sim::SimLayer& l) {
        double buffers = 0;
        for (const double e : l.energy.buffer_pj) buffers += e;
        table.add({l.name, human_count(static_cast<double>(l.cycles)),
                   human_count(static_cast<double>(l.analytic_cycles)),
                   fixed(difference(l.cycles, l.analytic_cycles), "%+.1f%%"),
                   human_count(static_cast<double>(l.compute_cycles)),
                   human_count(static_cast<double>(l.memory_stall_cycles)),
                   human_count(static_cast<double>(l.contention_stall_cycles)),
                   energy(l.energy_pj), energy(l.energy.mac_pj), energy(buffers),
                   energy(l.energy.dram_pj), human_count(static_cast<double>(l.tiles))});
      };
      for (const auto& l : r.layers) row(l);
      table.add_rule();
      sim::SimLayer total = r.total;
      total.name = "total";
      row(total);
      table.print(std::cout);
      std::cout << "\nlatency " << fixed(r.total.latency_s * 1e3, "%.4g") << " ms simulated vs "
                << fixed(static_cast<double>(r.total.analytic_cycles) / hw.frequency_hz * 1e3,
                         "%.4g")
                << " ms analytic\n";
      if (!args.trace.empty())
        std::cout << "trace: " << args.trace << " (open in ui.perfetto.dev)\n";
      return 0;
    };
  });
}

}  // namespace mixq::cli
