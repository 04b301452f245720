// Network-level pricing: precision groups, layers off the array, the memo cache, the price
// table, thread safety.
#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "mixq/arch/pe_model.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/costmodel/price_table.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;

namespace {

arch::Accelerator small_bit_fusion() {
  arch::Accelerator acc;
  acc.name = "small";
  acc.frequency_hz = 5e8;
  acc.array = {8, 8, arch::Dataflow::kWeightStationary, false};
  acc.pe = arch::make_pe_model(
      yaml::load_string("{family: bit_fusion, max_bits: 8, energy_per_unit_cycle_pj: 0.459}", "pe"));
  const auto buffer = [](const char* name, int op, std::int64_t kib) {
    arch::BufferSpec b;
    b.name = name;
    b.size_bits = kib * 8192;
    b.holds[static_cast<std::size_t>(op)] = true;
    b.read_bits_per_cycle = 512;
    b.write_bits_per_cycle = 512;
    b.read_energy_pj_per_bit = 0.03;
    b.write_energy_pj_per_bit = 0.05;
    return b;
  };
  acc.buffers = {buffer("wbuf", 0, 16), buffer("ibuf", 1, 16), buffer("obuf", 2, 8)};
  acc.dram = {64, 15.0, ""};
  return acc;
}

const char* kCostNet = R"(
name: net
input: {channels: 8, height: 16, width: 16}
layers:
  - {name: c1, op: conv, k: 16, r: 3, pad: 1}
  - {name: dw, op: dwconv, r: 3, pad: 1}
  - {name: c2, op: conv, k: 16, r: 1}
  - {name: add, op: add, inputs: [c2, c1]}
  - {name: pool, op: avgpool, global: true}
  - {name: fc, op: fc, k: 10}
)";

}  // namespace

TEST_CASE("network cost is the sum of its layers, with weightless layers as data movement", "[costmodel]") {
  const auto net = workloads::load_network_string(kCostNet);
  const costmodel::CostModel model(small_bit_fusion());
  const auto a = workloads::PrecisionAssignment::uniform(net, {4, 4});
  REQUIRE(model.check(net, a).ok);
  const auto cost = model.evaluate(net, a);
  REQUIRE(cost.layers.size() == net.size());
  std::int64_t cycles = 0;
  double energy = 0;
  for (const auto& l : cost.layers) {
    cycles += l.cost.cycles;
    energy += l.cost.energy_pj;
  }
  CHECK(cost.cycles == cycles);
  CHECK(cost.energy_pj == Approx(energy));
  CHECK(cost.macs == net.total_macs());
  // The add reads two 16×16×16 tensors at 4 bits and writes one.
  const auto& add = cost.layers[3];
  CHECK_FALSE(add.on_array);
  CHECK(add.cost.dram_read_bits == 2 * 16 * 16 * 16 * 4);
  CHECK(add.cost.dram_write_bits == 16 * 16 * 16 * 4);
}

TEST_CASE("per-channel groups are priced group by group", "[costmodel]") {
  const auto net = workloads::load_network_string(kCostNet);
  const costmodel::CostModel model(small_bit_fusion());
  auto a = workloads::PrecisionAssignment::uniform(net, {8, 8});
  a[0] = {workloads::Granularity::kChannel, {{8, 2, 8}, {8, 8, 8}}};
  const auto mixed = model.evaluate(net, a).layers[0];
  REQUIRE(mixed.groups.size() == 2);
  CHECK(mixed.groups[0].mapping.w_bits == 2);
  CHECK(mixed.cost.cycles == mixed.groups[0].cost.cycles + mixed.groups[1].cost.cycles);
  // Each group equals the layer restricted to its 8 channels at its own bits.
  auto half = net.layer(0);
  half.k = 8;
  const auto g2 = model.map(half, {2, 8, 8});
  CHECK(mixed.groups[0].cost.cycles == g2.cost.cycles);
  CHECK(mixed.cost.energy_pj == Approx(mixed.groups[0].cost.energy_pj + mixed.groups[1].cost.energy_pj));
  // The 2-bit half costs less MAC energy than the 8-bit half; but each group streams the
  // whole input again, so the split is not free: its DRAM traffic exceeds the uniform layer's.
  CHECK(mixed.groups[0].cost.energy.mac_pj < mixed.groups[1].cost.energy.mac_pj);
  const auto uniform = model.evaluate(net, workloads::PrecisionAssignment::uniform(net, {8, 8})).layers[0];
  CHECK(mixed.cost.dram_read_bits > uniform.cost.dram_read_bits);
}

TEST_CASE("unsupported precisions are infeasible with a reason, never priced", "[costmodel]") {
  const auto net = workloads::load_network_string(kCostNet);
  const costmodel::CostModel model(small_bit_fusion());
  const auto a = workloads::PrecisionAssignment::uniform(net, {16, 8});
  const auto check = model.check(net, a);
  CHECK_FALSE(check.ok);
  CHECK(check.layer == "c1");
  CHECK_FALSE(check.reason.empty());
  CHECK_THROWS_AS(model.evaluate(net, a), costmodel::InfeasibleError);
}

TEST_CASE("the memo cache maps each (shape, bits) once", "[costmodel]") {
  const auto net = workloads::load_network_string(kCostNet);
  const costmodel::CostModel model(small_bit_fusion());
  const auto a = workloads::PrecisionAssignment::uniform(net, {4, 8});
  const auto first = model.evaluate(net, a);
  const auto size = model.cache_size();
  CHECK(size == 4);  // c1, dw, c2, fc
  const auto second = model.evaluate(net, a);
  CHECK(model.cache_size() == size);
  CHECK(first.cycles == second.cycles);
}

TEST_CASE("the price table equals evaluate() for random per-layer assignments", "[costmodel]") {
  for (const char* name : {"mobilenet_v2", "resnet18"}) {
    const auto net = workloads::load_workload(name);
    const costmodel::CostModel model(small_bit_fusion());
    const std::vector<int> choices{2, 4, 8};
    const costmodel::PriceTable table(model, net, choices, choices);
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> pick(0, 2);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<std::uint8_t> w(net.size()), a(net.size());
      auto assignment = workloads::PrecisionAssignment::uniform(net, {8, 8});
      for (std::size_t i = 0; i < net.size(); ++i) {
        w[i] = static_cast<std::uint8_t>(pick(rng));
        a[i] = static_cast<std::uint8_t>(pick(rng));
        assignment.set(net, i, {choices[w[i]], choices[a[i]]});
      }
      const auto fast = table.price(w, a);
      const auto full = model.evaluate(net, assignment);
      REQUIRE(fast.feasible);
      CHECK(fast.cycles == full.cycles);
      CHECK(fast.energy_pj == Approx(full.energy_pj).epsilon(1e-9));
    }
  }
}

TEST_CASE("evaluate() from several threads agrees with one thread", "[costmodel]") {
  const auto net = workloads::load_workload("resnet18");
  const costmodel::CostModel model(small_bit_fusion());
  const int bits[] = {2, 4, 8};
  std::vector<std::int64_t> serial(9), parallel(9);
  const auto run = [&](int k) {
    return model.evaluate(net, workloads::PrecisionAssignment::uniform(net, {bits[k / 3], bits[k % 3]})).cycles;
  };
  {
    std::vector<std::thread> threads;
    for (int k = 0; k < 9; ++k) threads.emplace_back([&, k] { parallel[static_cast<std::size_t>(k)] = run(k); });
    for (auto& t : threads) t.join();
  }
  for (int k = 0; k < 9; ++k) serial[static_cast<std::size_t>(k)] = run(k);
  CHECK(serial == parallel);
}
