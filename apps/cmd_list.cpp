#include <iostream>

#include "commands.hpp"
#include "mixq/arch/pe_registry.hpp"
#include "mixq/common/paths.hpp"
#include "mixq/workloads/layer.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::cli {

void add_list_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("list", "List the registered components and presets");
  cmd->callback([&action] {
    action = [] {
      std::cout << "workloads (configs/workloads):";
      for (const auto& name : list_presets("workloads")) std::cout << ' ' << name;
      std::cout << "\nlayer ops:";
      for (const auto op : {workloads::OpKind::kConv, workloads::OpKind::kDepthwiseConv,
                            workloads::OpKind::kFullyConnected, workloads::OpKind::kGemm,
                            workloads::OpKind::kMaxPool, workloads::OpKind::kAvgPool,
                            workloads::OpKind::kAdd, workloads::OpKind::kConcat}) {
        std::cout << ' ' << workloads::to_string(op);
      }
      std::cout << "\nprecision granularities:";
      for (const auto g : {workloads::Granularity::kLayer, workloads::Granularity::kChannelGroup,
                           workloads::Granularity::kChannel, workloads::Granularity::kWeight}) {
        std::cout << ' ' << workloads::to_string(g);
      }
      std::cout << "\nactivation memory definitions: peak sum max_tensor\n";
      std::cout << "arch presets (configs/arch):";
      for (const auto& name : list_presets("arch")) std::cout << ' ' << name;
      std::cout << "\ndataflows: ws os is\nmapper objectives: latency energy edp\n";
      std::cout << "SoC presets (configs/soc):";
      for (const auto& name : list_presets("soc")) std::cout << ' ' << name;
      std::cout << "\nSoC engine kinds: array formula cluster\nSoC schedules: sequential pipelined\n";
      std::cout << "PE families (pe: {family: NAME, ...}):\n";
      const auto& registry = arch::PeRegistry::builtin();
      for (const auto& name : registry.names()) {
        const arch::PeFamily* family = registry.find(name);
        std::cout << "  " << name << ": " << family->summary << "\n";
        for (const auto& p : family->params) {
          std::cout << "      " << p.name << " (" << arch::to_string(p.type)
                    << (p.default_value ? ", default " + *p.default_value : std::string(", required"))
                    << "): " << p.description << "\n";
        }
      }
      std::cout << "config folder: " << config_dir().string() << '\n';
      return 0;
    };
  });
}

}  // namespace mixq::cli
