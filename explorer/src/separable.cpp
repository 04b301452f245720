#include "mixq/explorer/separable.hpp"

#include <limits>

namespace mixq::explorer {

SeparableCost parse_separable_cost(const yaml::Node& params) {
  const auto n = params.find("cost");
  if (!n) return SeparableCost::kBops;
  const auto text = n->as<std::string>();
  if (text == "bops") return SeparableCost::kBops;
  if (text == "weight_memory") return SeparableCost::kWeightMemory;
  if (text == "latency") return SeparableCost::kLatency;
  if (text == "energy") return SeparableCost::kEnergy;
  n->fail(InputError::Kind::kValue,
          "unknown cost '" + text + "' (expected bops, weight_memory, latency or energy)");
}

std::vector<std::vector<std::vector<double>>> separable_costs(const Space& space, std::size_t hw,
                                                              SeparableCost cost) {
  const auto& net = space.network();
  const auto& model = *space.hardware().at(hw).model;
  std::vector<std::vector<std::vector<double>>> table;
  for (const auto& f : space.free_layers()) {
    const auto& layer = net.layer(f.layer);
    auto& t = table.emplace_back(f.w_bits.size(), std::vector<double>(f.a_bits.size()));
    for (std::size_t wi = 0; wi < f.w_bits.size(); ++wi) {
      for (std::size_t ai = 0; ai < f.a_bits.size(); ++ai) {
        const int w = f.w_bits[wi];
        const int a = f.a_bits[ai];
        double c = 0;
        switch (cost) {
          case SeparableCost::kBops:
            c = static_cast<double>(layer.macs()) * w * a;
            break;
          case SeparableCost::kWeightMemory:
            c = static_cast<double>(layer.weight_count()) * w;
            break;
          case SeparableCost::kLatency:
          case SeparableCost::kEnergy: {
            const auto r = model.map(layer, costmodel::Precision{w, a, a});
            if (!r.feasible) {
              c = std::numeric_limits<double>::infinity();
            } else {
              c = cost == SeparableCost::kLatency ? static_cast<double>(r.cost.cycles)
                                                  : r.cost.energy_pj;
            }
            break;
          }
        }
        t[wi][ai] = c;
      }
    }
  }
  return table;
}

}  // namespace mixq::explorer
