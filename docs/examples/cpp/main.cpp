// Prices MobileNetV2 on the Bit Fusion preset at three uniform precisions, then re-prices
// random per-layer assignments through a PriceTable, as a search loop would.
#include <cstdio>
#include <random>

#include <mixq/costmodel.hpp>

int main() {
  try {
    const auto net = mixq::workloads::load_workload("mobilenet_v2");
    const mixq::costmodel::CostModel model(mixq::arch::load_arch("bitfusion"));
    for (const int bits : {8, 4, 2}) {
      const auto cost = model.evaluate(net, mixq::workloads::PrecisionAssignment::uniform(net, {bits, bits}));
      std::printf("w%da%d: %lld cycles, %.3f ms, %.3f mJ\n", bits, bits,
                  static_cast<long long>(cost.cycles), cost.latency_s * 1e3, cost.energy_pj * 1e-9);
    }
    const mixq::costmodel::PriceTable table(model, net, {2, 4, 8}, {2, 4, 8});
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> pick(0, 2);
    std::vector<std::uint8_t> w(net.size()), a(net.size());
    for (std::size_t i = 0; i < net.size(); ++i) {
      w[i] = static_cast<std::uint8_t>(pick(rng));
      a[i] = static_cast<std::uint8_t>(pick(rng));
    }
    const auto p = table.price(w, a);
    std::printf("random per-layer assignment: %lld cycles\n", static_cast<long long>(p.cycles));
    return p.feasible ? 0 : 1;
  } catch (const mixq::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
