#include "soc_eval.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "format.hpp"
#include "mixq/arch/soc.hpp"
#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::cli {

CLI::Option* SocEvalOptions::add_to(CLI::App* cmd) {
  auto* soc_opt = cmd->add_option("--soc", soc, "SoC preset (configs/soc) or YAML file");
  cmd->add_option("--placement", placement,
                  "Placement YAML file, or `auto` to search one (default auto)")
      ->needs(soc_opt);
  cmd->add_option("--schedule", schedule, "SoC schedule: sequential (one input) or pipelined (a stream)")
      ->check(CLI::IsMember({"sequential", "pipelined"}))
      ->needs(soc_opt);
  cmd->add_option("--save-placement", save_placement, "Write the placement used to this YAML file")
      ->needs(soc_opt);
  cmd->add_flag("--no-split", no_split, "With --placement auto: never split a layer across engines")
      ->needs(soc_opt);
  return soc_opt;
}

costmodel::Placement resolve_placement(const SocEvalOptions& opts, const costmodel::SocModel& model,
                                       const workloads::Network& net, const workloads::PrecisionAssignment& a,
                                       const std::string& workload, costmodel::Schedule schedule,
                                       std::string& placement_name) {
  const arch::Soc& soc = model.soc();
  costmodel::Placement placement;
  placement_name = opts.placement;
  if (opts.placement == "auto") {
    costmodel::PlacementSearch search;
    search.schedule = schedule;
    search.allow_split = !opts.no_split;
    try {
      placement = costmodel::search_placement(model, net, a, search).placement;
    } catch (const costmodel::InfeasibleError& e) {
      throw InputError(InputError::Kind::kValue, SourceLocation{workload, 0, 0, e.layer()},
                       "cannot run on '" + soc.name + "': " + e.reason());
    }
    placement_name = search.allow_split ? "auto (greedy with splits" : "auto (greedy";
    placement_name += schedule == costmodel::Schedule::kPipelined ? " or exhaustive)" : ")";
  } else {
    // A placement that asks an engine for what it cannot run is rejected with the reason.
    placement = costmodel::load_checked_placement(opts.placement, net, model, a);
  }
  if (!opts.save_placement.empty()) {
    std::ofstream out(opts.save_placement);
    out << costmodel::placement_to_yaml(placement, net, soc);
    if (!out) throw Error("cannot write " + opts.save_placement);
  }
  return placement;
}

int run_soc_eval(const SocEvalOptions& opts, const std::string& workload, const PrecisionOptions& precision,
                 const std::vector<std::string>& overrides, const std::string& objective_text, bool json) {
  costmodel::Objective objective{};
  (void)costmodel::parse_objective(objective_text, objective);
  costmodel::Schedule schedule{};
  (void)costmodel::parse_schedule(opts.schedule, schedule);
  const costmodel::SocModel model(arch::load_soc(opts.soc, overrides), objective);
  const arch::Soc& soc = model.soc();
  const workloads::Network net = workloads::load_workload(workload);
  const workloads::PrecisionAssignment a = precision.resolve(net);

  std::string placement_name;
  const costmodel::Placement placement =
      resolve_placement(opts, model, net, a, workload, schedule, placement_name);
  const costmodel::SocCost cost = model.evaluate(net, a, placement, schedule);
  const auto engine_name = [&](int e) { return soc.engines[static_cast<std::size_t>(e)].name; };

  if (json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : cost.layers) {
      nlohmann::json parts = nlohmann::json::array();
      for (const auto& p : l.parts) {
        parts.push_back({{"engine", engine_name(p.engine)},
                         {"channels", p.channels},
                         {"w_bits", p.w_bits},
                         {"a_bits", p.a_bits},
                         {"mode", workloads::to_string(workloads::Bits{p.price.mode_w_bits, p.price.mode_a_bits})},
                         {"cycles", p.price.cycles},
                         {"energy_pj", p.price.energy_pj}});
      }
      layers.push_back({{"name", l.name},
                        {"parts", parts},
                        {"cycles", l.cycles},
                        {"compute_cycles", l.compute_cycles},
                        {"transfer_cycles", l.transfer_cycles},
                        {"energy_pj", l.energy_pj},
                        {"compute_energy_pj", l.compute_energy_pj},
                        {"transfer_energy_pj", l.transfer_energy_pj},
                        {"bus_bits", l.bus_bits},
                        {"dram_bits", l.dram_bits}});
    }
    nlohmann::json busy = nlohmann::json::object();
    for (std::size_t e = 0; e < soc.engines.size(); ++e) busy[soc.engines[e].name] = cost.engine_busy_cycles[e];
    const nlohmann::json doc{{"soc", soc.name},
                             {"workload", net.name()},
                             {"precision", precision.describe()},
                             {"placement", placement_name},
                             {"schedule", costmodel::to_string(schedule)},
                             {"layers", layers},
                             {"total", {{"cycles", cost.latency_cycles},
                                        {"latency_s", cost.latency_s},
                                        {"energy_pj", cost.energy_pj},
                                        {"period_cycles", cost.period_cycles},
                                        {"throughput_per_s", cost.throughput_per_s},
                                        {"engine_busy_cycles", busy},
                                        {"bus_busy_cycles", cost.bus_busy_cycles}}}};
    std::cout << doc.dump(2) << '\n';
    return 0;
  }
  std::cout << net.name() << " on " << soc.name << " (" << soc.engines.size() << " engines, "
            << soc.frequency_hz / 1e6 << " MHz), precision " << precision.describe() << ", placement "
            << placement_name << ", schedule " << costmodel::to_string(schedule) << "\n\n";
  Table table({"<layer", "<engine (channels, mode)", "cycles", "compute", "transfers", "latency", "energy"});
  for (const auto& l : cost.layers) {
    std::string engines;
    for (const auto& p : l.parts) {
      if (!engines.empty()) engines += " + ";
      engines += engine_name(p.engine) + " (" + std::to_string(p.channels) + ", " +
                 workloads::to_string(workloads::Bits{p.price.mode_w_bits, p.price.mode_a_bits}) + ")";
    }
    table.add({l.name, engines.empty() ? "dma" : engines, human_count(static_cast<double>(l.cycles)),
               human_count(static_cast<double>(l.compute_cycles)), human_count(static_cast<double>(l.transfer_cycles)),
               seconds(static_cast<double>(l.cycles) / soc.frequency_hz), energy(l.energy_pj)});
  }
  table.add_rule();
  table.add({"total", "", human_count(static_cast<double>(cost.latency_cycles)), "", "",
             seconds(cost.latency_s), energy(cost.energy_pj)});
  table.print(std::cout);
  std::cout << "\nbusy per inference:";
  for (std::size_t e = 0; e < soc.engines.size(); ++e) {
    std::cout << ' ' << soc.engines[e].name << ' ' << human_count(static_cast<double>(cost.engine_busy_cycles[e]));
  }
  std::cout << ", bus " << human_count(static_cast<double>(cost.bus_busy_cycles)) << " cycles\n";
  if (schedule == costmodel::Schedule::kPipelined) {
    std::cout << "pipelined: one input every " << human_count(static_cast<double>(cost.period_cycles))
              << " cycles, " << cost.throughput_per_s << " inferences/s\n";
  }
  return 0;
}

}  // namespace mixq::cli
