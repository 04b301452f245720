#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"

namespace mixq::cli {
namespace {

std::string operands(const arch::BufferSpec& b) {
  std::string out;
  const char* names[] = {"weights", "inputs", "outputs"};
  for (std::size_t i = 0; i < arch::kOperands; ++i) {
    if (b.holds[i]) out += (out.empty() ? "" : ",") + std::string(names[i]);
  }
  return out;
}

}  // namespace

void add_arch_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("arch", "Inspect accelerator descriptions");
  group->require_subcommand(1);
  struct Args {
    std::string arch;
    std::vector<std::string> overrides;
    bool json = false;
  };
  static Args args;
  auto* show = group->add_subcommand("show", "An accelerator: array, PE throughput per precision, "
                                             "buffers, DRAM");
  show->add_option("arch", args.arch, "Arch preset (see `mixq list`) or YAML file")->required();
  show->add_option("--set", args.overrides, "Override a key, e.g. --set array.rows=32");
  show->add_flag("--json", args.json, "Print one JSON document");
  show->callback([&action] {
    action = [] {
      const costmodel::CostModel model(arch::load_arch(args.arch, args.overrides));
      const arch::Accelerator& acc = model.accelerator();
      // Throughput table over the usual bit widths: whatever the PE family answers.
      const int bits[] = {1, 2, 3, 4, 5, 6, 7, 8, 16};
      if (args.json) {
        nlohmann::json rates = nlohmann::json::array();
        for (const int w : bits) {
          for (const int a : bits) {
            const auto r = model.rate(w, a);
            nlohmann::json j{{"w_bits", w}, {"a_bits", a}, {"supported", r.supported}};
            if (r.supported) {
              j["macs_per_cycle"] = static_cast<double>(acc.array.rows * acc.array.cols * r.spatial_factor) / r.temporal_factor;
              j["energy_per_mac_pj"] = r.energy_per_mac_pj;
            } else {
              j["reason"] = r.reason;
            }
            rates.push_back(j);
          }
        }
        nlohmann::json buffers = nlohmann::json::array();
        for (const auto& b : acc.buffers) {
          buffers.push_back({{"name", b.name}, {"holds", operands(b)}, {"size_bits", b.size_bits},
                             {"read_bits_per_cycle", b.read_bits_per_cycle},
                             {"write_bits_per_cycle", b.write_bits_per_cycle},
                             {"read_energy_pj_per_bit", b.read_energy_pj_per_bit},
                             {"write_energy_pj_per_bit", b.write_energy_pj_per_bit},
                             {"double_buffered", b.double_buffered}});
        }
        const nlohmann::json doc{
            {"name", acc.name}, {"source", acc.source}, {"frequency_hz", acc.frequency_hz},
            {"array", {{"rows", acc.array.rows}, {"cols", acc.array.cols},
                       {"dataflow", arch::to_string(acc.array.dataflow)},
                       {"rows_unroll_filter", acc.array.rows_unroll_filter}}},
            {"buffers", buffers},
            {"dram", {{"bits_per_cycle", acc.dram.bits_per_cycle},
                      {"energy_pj_per_bit", acc.dram.energy_pj_per_bit}}},
            {"accumulator_bits", acc.accumulator_bits},
            {"precisions", rates}};
        std::cout << doc.dump(2) << '\n';
        return 0;
      }
      std::cout << acc.name << ": " << acc.array.rows << "x" << acc.array.cols << " "
                << arch::to_string(acc.array.dataflow) << " array at " << acc.frequency_hz / 1e6
                << " MHz\nsource: " << acc.source << "\n\n";
      std::cout << "peak MACs per cycle (w_bits down, a_bits across; - = unsupported)\n";
      std::vector<std::string> headers{"<w\\a"};
      for (const int a : bits) headers.push_back(std::to_string(a));
      Table rates(headers);
      for (const int w : bits) {
        std::vector<std::string> row{std::to_string(w)};
        for (const int a : bits) {
          const auto r = model.rate(w, a);
          row.push_back(r.supported ? human_count(static_cast<double>(acc.array.rows * acc.array.cols *
                                                                      r.spatial_factor) / r.temporal_factor)
                                    : "-");
        }
        rates.add(row);
      }
      rates.print(std::cout);
      std::cout << '\n';
      Table buffers({"<buffer", "<holds", "size", "read b/cyc", "write b/cyc", "pJ/bit rd",
                     "pJ/bit wr", "<double"});
      for (const auto& b : acc.buffers) {
        buffers.add({b.name, operands(b), human_bytes_from_bits(b.size_bits),
                     human_count(b.read_bits_per_cycle), human_count(b.write_bits_per_cycle),
                     std::to_string(b.read_energy_pj_per_bit).substr(0, 6),
                     std::to_string(b.write_energy_pj_per_bit).substr(0, 6),
                     b.double_buffered ? "yes" : "no"});
      }
      buffers.add({"DRAM", "all", "-", human_count(acc.dram.bits_per_cycle),
                   human_count(acc.dram.bits_per_cycle),
                   std::to_string(acc.dram.energy_pj_per_bit).substr(0, 6),
                   std::to_string(acc.dram.energy_pj_per_bit).substr(0, 6), "-"});
      buffers.print(std::cout);
      return 0;
    };
  });
}

}  // namespace mixq::cli
