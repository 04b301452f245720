#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/workloads/loader.hpp"
#include "json_out.hpp"
#include "options.hpp"
#include "soc_eval.hpp"

namespace mixq::cli {
namespace {

using costmodel::NetworkCost;

nlohmann::json mapping_json(const costmodel::Mapping& m) {
  return {{"dataflow", arch::to_string(m.dataflow)},
          {"groups", m.gemm.groups},
          {"gemm", {{"m", m.gemm.m}, {"kr", m.gemm.kr}, {"nf", m.gemm.nf}}},
          {"w_bits", m.w_bits},
          {"a_bits", m.a_bits},
          {"out_bits", m.out_bits},
          {"spatial_factor", m.spatial_factor},
          {"temporal_factor", m.temporal_factor},
          {"tile", {{"m", m.tile_m}, {"c", m.tile_c}, {"k", m.tile_k}}},
          {"loop_order", costmodel::to_string(m.order)}};
}


}  // namespace

void add_eval_command(CLI::App& app, Action& action) {
  struct Args {
    std::string arch;
    std::string workload;
    PrecisionOptions precision;
    std::vector<std::string> overrides;
    std::string objective = "latency";
    bool json = false;
    bool show_mapping = false;
  };
  static Args args;
  static SocEvalOptions soc;
  auto* cmd = app.add_subcommand("eval", "Price a network (or one layer) on an accelerator or a "
                                         "multi-accelerator SoC with the analytic cost model");
  auto* arch_opt = cmd->add_option("--arch", args.arch, "Arch preset (see `mixq list`) or YAML file");
  auto* soc_opt = soc.add_to(cmd);
  arch_opt->excludes(soc_opt);
  cmd->add_option("--workload", args.workload, "Zoo network or workload YAML file")->required();
  args.precision.add_to(cmd);
  cmd->add_option("--set", args.overrides, "Override an arch key, e.g. --set array.rows=32");
  cmd->add_option("--objective", args.objective, "What the mapper minimizes")
      ->check(CLI::IsMember({"latency", "energy", "edp"}));
  cmd->add_flag("--json", args.json, "Print one JSON document");
  cmd->add_flag("--show-mapping", args.show_mapping, "Show each layer's mapping");
  cmd->callback([&action] {
    action = [] {
      if (args.arch.empty() && soc.soc.empty()) {
        throw InputError(InputError::Kind::kMissingKey, SourceLocation{"eval", 0, 0, "--arch"},
                         "give --arch PRESET|FILE or --soc PRESET|FILE");
      }
      if (!soc.soc.empty()) {
        return run_soc_eval(soc, args.workload, args.precision, args.overrides, args.objective, args.json);
      }
      arch::Accelerator acc = arch::load_arch(args.arch, args.overrides);
      const workloads::Network net = workloads::load_workload(args.workload);
      const workloads::PrecisionAssignment a = args.precision.resolve(net);
      const costmodel::CostModel model = checked_cost_model(std::move(acc), args.objective, args.workload, net, a);
      const NetworkCost cost = model.evaluate(net, a);
      const arch::Accelerator& hw = model.accelerator();
      if (args.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& lr : cost.layers) {
          nlohmann::json l{{"name", lr.name},
                           {"on_array", lr.on_array},
                           {"cycles", lr.cost.cycles},
                           {"compute_cycles", lr.cost.compute_cycles},
                           {"memory_stall_cycles", lr.cost.memory_stall_cycles},
                           {"latency_s", lr.cost.latency_s},
                           {"macs", lr.cost.macs},
                           {"energy_pj", lr.cost.energy_pj},
                           {"energy", energy_json(lr.cost.energy, hw)},
                           {"utilization", lr.cost.utilization},
                           {"spatial_utilization", lr.cost.spatial_utilization},
                           {"dram_read_bits", lr.cost.dram_read_bits},
                           {"dram_write_bits", lr.cost.dram_write_bits}};
          if (args.show_mapping) {
            nlohmann::json maps = nlohmann::json::array();
            for (const auto& g : lr.groups) maps.push_back(mapping_json(g.mapping));
            l["mappings"] = maps;
          }
          layers.push_back(l);
        }
        const nlohmann::json doc{
            {"arch", hw.name},
            {"workload", net.name()},
            {"precision", args.precision.describe()},
            {"objective", args.objective},
            {"layers", layers},
            {"total", {{"cycles", cost.cycles},
                       {"latency_s", cost.latency_s},
                       {"energy_pj", cost.energy_pj},
                       {"energy", energy_json(cost.energy, hw)},
                       {"macs", cost.macs},
                       {"dram_read_bits", cost.dram_read_bits},
                       {"dram_write_bits", cost.dram_write_bits}}}};
        std::cout << doc.dump(2) << '\n';
        return 0;
      }
      std::cout << net.name() << " on " << hw.name << " (" << hw.array.rows << "x" << hw.array.cols
                << " " << arch::to_string(hw.array.dataflow) << ", "
                << hw.frequency_hz / 1e6 << " MHz), precision " << args.precision.describe()
                << ", mapper objective " << args.objective << "\n\n";
      std::vector<std::string> headers{"<layer", "cycles", "latency", "stall", "util", "energy",
                                       "MAC", "buffers", "DRAM", "DRAM traffic"};
      if (args.show_mapping) headers.emplace_back("<mapping (tile m,c,k / order / f_s,f_t)");
      Table table(headers);
      for (const auto& lr : cost.layers) {
        double buffers = 0;
        for (const double e : lr.cost.energy.buffer_pj) buffers += e;
        std::vector<std::string> row{
            lr.name, human_count(static_cast<double>(lr.cost.cycles)), seconds(lr.cost.latency_s),
            percent(lr.cost.cycles > 0 ? static_cast<double>(lr.cost.memory_stall_cycles) / static_cast<double>(lr.cost.cycles) : 0),
            lr.on_array ? percent(lr.cost.utilization) : "-", energy(lr.cost.energy_pj),
            energy(lr.cost.energy.mac_pj), energy(buffers), energy(lr.cost.energy.dram_pj),
            human_bytes_from_bits(lr.cost.dram_read_bits + lr.cost.dram_write_bits)};
        if (args.show_mapping) {
          std::string m;
          for (const auto& g : lr.groups) {
            const auto& mp = g.mapping;
            if (!m.empty()) m += " | ";
            m += std::to_string(mp.tile_m) + "," + std::to_string(mp.tile_c) + "," +
                 std::to_string(mp.tile_k) + " / " + costmodel::to_string(mp.order) + " / " +
                 std::to_string(mp.spatial_factor) + "," + std::to_string(mp.temporal_factor).substr(0, 4);
          }
          row.push_back(m);
        }
        table.add(row);
      }
      table.add_rule();
      double buffers = 0;
      for (const double e : cost.energy.buffer_pj) buffers += e;
      table.add({"total", human_count(static_cast<double>(cost.cycles)), seconds(cost.latency_s), "",
                 "", energy(cost.energy_pj), energy(cost.energy.mac_pj), energy(buffers),
                 energy(cost.energy.dram_pj),
                 human_bytes_from_bits(cost.dram_read_bits + cost.dram_write_bits)});
      table.print(std::cout);
      return 0;
    };
  });
}

}  // namespace mixq::cli
