// Multi-accelerator SoCs: the loader, engine pricing, placements and their search.
#include <catch2/catch.hpp>

#include "mixq/arch/soc.hpp"
#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;
using costmodel::Placement;
using costmodel::Schedule;

namespace {

const char* kSoc = R"(
name: test_soc
source: "test"
frequency_mhz: 100
engines:
  big:
    kind: formula
    ops: [conv, fc]
    modes: [{w_bits: 8, a_bits: 8}]
    cycles: {default: "K * C * R * S * P * Q / 64"}
    active_power_mw: 10
    source: "test"
  tiny:
    kind: formula
    ops: [conv, fc]
    modes: [{w_bits: 2, a_bits: 4}]
    cycles: {conv: "K * C * R * S * P * Q / 256", fc: "K * C / 256 + 1"}
    active_power_mw: 5
    weights_resident: true
    source: "test"
  mpic:
    kind: cluster
    ops: [conv, dwconv, fc]
    modes: [{w_bits: 8, a_bits: 8, macs_per_cycle: 2.1}, {w_bits: 4, a_bits: 4, macs_per_cycle: 3.5},
            {w_bits: 2, a_bits: 2, macs_per_cycle: 6.5}]
    cores: 8
    overhead_cycles: 10
    active_power_mw: 20
    source: "MPIC (Ottavi et al.): MACs per cycle per core at a8w8 / a4w4 / a2w2"
l2: {size_kib: 256, read_pj_per_bit: 0.1, write_pj_per_bit: 0.2}
bus: {bits_per_cycle: 64, dma_setup_cycles: 10}
dram: {bits_per_cycle: 8, pj_per_bit: 20}
)";

arch::Soc test_soc() { return arch::parse_soc(yaml::load_string(kSoc, "soc.yaml")); }

const char* kSocNet = R"(
name: net
input: {channels: 16, height: 16, width: 16}
layers:
  - {name: c1, op: conv, k: 32, r: 3, pad: 1}
  - {name: pool, op: maxpool, r: 2, stride: 2}
  - {name: c2, op: conv, k: 64, r: 3, pad: 1}
  - {name: fc, op: fc, k: 10}
)";

std::string thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("SoC presets load with a source and a note for every engine", "[soc]") {
  for (const char* name : {"diana", "darkside"}) {
    const arch::Soc soc = arch::load_soc(name);
    CHECK(soc.name == name);
    CHECK_FALSE(soc.source.empty());
    CHECK_FALSE(soc.note.empty());
    CHECK(soc.engines.size() >= 2);
    for (const auto& e : soc.engines) CHECK_FALSE(e.source.empty());
  }
}

TEST_CASE("a cluster engine runs MACs at its per-core rate for the narrowest mode that holds the bits", "[soc]") {
  const costmodel::SocModel model(test_soc());
  const auto net = workloads::load_network_string(kSocNet, "net");
  const int mpic = model.soc().engine_index("mpic");
  const auto& c1 = net.layer(0);  // 32·16·9·256 = 1,179,648 MACs
  const auto at = [&](int w, int a) { return model.price(c1, {w, a, 8}, mpic, 32); };
  CHECK(at(8, 8).cycles == static_cast<std::int64_t>(std::ceil(1'179'648 / (8 * 2.1))) + 10);
  CHECK(at(4, 4).cycles == static_cast<std::int64_t>(std::ceil(1'179'648 / (8 * 3.5))) + 10);
  CHECK(at(2, 2).cycles == static_cast<std::int64_t>(std::ceil(1'179'648 / (8 * 6.5))) + 10);
  // w2a4 needs the a4w4 mode; w3a2 too.
  CHECK(at(2, 4).mode_w_bits == 4);
  CHECK(at(3, 2).cycles == at(4, 4).cycles);
  // Half the channels, half the MACs.
  CHECK(model.price(c1, {8, 8, 8}, mpic, 16).cycles == static_cast<std::int64_t>(std::ceil(589'824 / (8 * 2.1))) + 10);
}

TEST_CASE("an engine refuses ops, conditions and precisions it does not support, with the reason", "[soc]") {
  const costmodel::SocModel darkside(arch::load_soc("darkside"));
  const auto dw5 = workloads::load_network_string(
      "{name: l, input: {channels: 32, height: 8, width: 8}, layers: [{name: dw, op: dwconv, r: 5, pad: 2}]}", "dw5");
  const auto p = darkside.price(dw5.layer(0), {8, 8, 8}, darkside.soc().engine_index("dwe"), 32);
  CHECK_FALSE(p.feasible);
  CHECK_THAT(p.reason, Catch::Contains("R == 3 && S == 3"));

  const costmodel::SocModel diana(arch::load_soc("diana"));
  const auto net = workloads::load_network_string(kSocNet, "net");
  const int analog = diana.soc().engine_index("analog");
  const auto wide = diana.price(net.layer(0), {8, 8, 8}, analog, 32);
  CHECK_FALSE(wide.feasible);
  CHECK_THAT(wide.reason, Catch::Contains("w2a7 at most") && Catch::Contains("needs w8a8"));
  CHECK(diana.price(net.layer(0), {2, 7, 8}, analog, 32).feasible);
  const auto pool = diana.price(net.layer(1), {8, 8, 8}, diana.soc().engine_index("digital"), 1);
  CHECK_FALSE(pool.feasible);
  CHECK_THAT(pool.reason, Catch::Contains("does not run maxpool"));
}

TEST_CASE("a placement that forces a layer onto an engine that cannot run it is rejected", "[soc]") {
  const costmodel::SocModel model(test_soc());
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto a = workloads::PrecisionAssignment::uniform(net, {8, 8});
  const Placement on_tiny = costmodel::uniform_placement(net, model.soc().engine_index("tiny"));
  const auto check = model.check(net, a, on_tiny);
  CHECK_FALSE(check.ok);
  CHECK(check.layer == "c1");
  CHECK_THAT(check.reason, Catch::Contains("tiny"));
  CHECK_THROWS_AS(model.evaluate(net, a, on_tiny), costmodel::InfeasibleError);
  // The same placement at bits the tiny engine holds is fine.
  CHECK(model.check(net, workloads::PrecisionAssignment::uniform(net, {2, 4}), on_tiny).ok);
}

TEST_CASE("placement files: default, per-layer engines, splits, and located errors", "[soc]") {
  const arch::Soc soc = test_soc();
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto parse = [&](const std::string& text) {
    return costmodel::parse_placement(yaml::load_string(text, "place.yaml"), net, soc);
  };
  const Placement p = parse("{default: big, layers: {c2: {split: {big: 48, mpic: 16}}, fc: tiny}}");
  REQUIRE(p.layers.size() == net.size());
  CHECK(p.layers[0] == std::vector<costmodel::PlacementPart>{{0, 32}});
  CHECK(p.layers[1].empty());
  CHECK(p.layers[2] == std::vector<costmodel::PlacementPart>{{0, 48}, {2, 16}});
  CHECK(p.layers[3] == std::vector<costmodel::PlacementPart>{{1, 10}});
  // Round trip through YAML (the default is written out per layer).
  CHECK(parse(costmodel::placement_to_yaml(p, net, soc)) == p);

  CHECK_THAT(thrown([&] { (void)parse("{layers: {c3: big}}"); }),
             Catch::Contains("place.yaml:1") && Catch::Contains("layers.c3") && Catch::Contains("did you mean 'c1'"));
  CHECK_THAT(thrown([&] { (void)parse("{default: huge}"); }),
             Catch::Contains("default") && Catch::Contains("no engine 'huge'"));
  CHECK_THAT(thrown([&] { (void)parse("{default: big, layers: {c2: {split: {big: 40, mpic: 16}}}}"); }),
             Catch::Contains("layers.c2.split") && Catch::Contains("56 output channels, the layer 64"));
  CHECK_THAT(thrown([&] { (void)parse("{default: big, layers: {pool: big}}"); }),
             Catch::Contains("no weights"));
  CHECK_THAT(thrown([&] { (void)parse("{layers: {c1: big}}"); }), Catch::Contains("layer 'c2' has no engine"));
}

TEST_CASE("sequential cost: parts run concurrently, transfers cross the bus", "[soc]") {
  const costmodel::SocModel model(test_soc());
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto a = workloads::PrecisionAssignment::uniform(net, {8, 8});
  const Placement whole = costmodel::uniform_placement(net, 0);
  const auto cost = model.evaluate(net, a, whole);
  REQUIRE(cost.layers.size() == 4);
  std::int64_t sum = 0;
  for (const auto& l : cost.layers) {
    CHECK(l.cycles == l.compute_cycles + l.transfer_cycles);
    sum += l.cycles;
  }
  CHECK(cost.latency_cycles == sum);
  CHECK(cost.period_cycles == cost.latency_cycles);
  // c1 on big: 32·16·9·256/64 = 18,432 cycles; transfers: input 16·16·16·8 bits, output
  // 32·16·16·8, weights 32·16·9·8, three DMA setups of 10 cycles, 64 bits per cycle.
  const auto& c1 = cost.layers[0];
  CHECK(c1.compute_cycles == 18'432);
  const double bits = 16.0 * 256 * 8 + 32.0 * 256 * 8 + 32.0 * 16 * 9 * 8;
  CHECK(c1.bus_bits == static_cast<std::int64_t>(bits));
  CHECK(c1.transfer_cycles == 30 + static_cast<std::int64_t>(std::ceil(bits / 64)));
  // Splitting c2 between big and mpic runs the parts side by side.
  Placement split = whole;
  split.layers[2] = {{0, 48}, {2, 16}};
  const auto cs = model.evaluate(net, a, split);
  const auto& c2 = cs.layers[2];
  REQUIRE(c2.parts.size() == 2);
  CHECK(c2.compute_cycles == std::max(c2.parts[0].price.cycles, c2.parts[1].price.cycles));
  CHECK(c2.compute_cycles < cost.layers[2].compute_cycles);
}

TEST_CASE("pipelined schedule: the period is the busiest engine or the bus", "[soc]") {
  const costmodel::SocModel model(test_soc());
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto a = workloads::PrecisionAssignment::uniform(net, {2, 2});
  Placement p = costmodel::uniform_placement(net, 0);
  p.layers[2] = {{2, 64}};
  const auto seq = model.evaluate(net, a, p, Schedule::kSequential);
  const auto pipe = model.evaluate(net, a, p, Schedule::kPipelined);
  CHECK(pipe.latency_cycles == seq.latency_cycles);
  std::int64_t period = pipe.bus_busy_cycles;
  for (const auto b : pipe.engine_busy_cycles) period = std::max(period, b);
  CHECK(pipe.period_cycles == period);
  CHECK(pipe.period_cycles < seq.period_cycles);
  CHECK(pipe.throughput_per_s == Approx(100e6 / static_cast<double>(period)));
}

TEST_CASE("placement search on mobilenet_v2 over diana beats all-digital and all-analog-where-possible", "[soc]") {
  const costmodel::SocModel model(arch::load_soc("diana"));
  const auto net = workloads::load_workload("mobilenet_v2");
  // Ternary weights and 7-bit activations wherever the analog core could take them.
  const auto a = workloads::PrecisionAssignment::uniform(net, {2, 7});
  const int digital = model.soc().engine_index("digital");
  const int analog = model.soc().engine_index("analog");
  const Placement all_digital = costmodel::uniform_placement(net, digital);
  Placement analog_where_possible = all_digital;
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (!net.layer(i).has_weights()) continue;
    if (model.price(net.layer(i), {2, 7, 7}, analog, net.layer(i).k).feasible) {
      analog_where_possible.layers[i] = {{analog, net.layer(i).k}};
    }
  }
  const auto digital_cost = model.evaluate(net, a, all_digital);
  const auto analog_cost = model.evaluate(net, a, analog_where_possible);
  for (const Schedule s : {Schedule::kSequential, Schedule::kPipelined}) {
    costmodel::PlacementSearch options;
    options.schedule = s;
    options.split_step = 16;
    const auto found = costmodel::search_placement(model, net, a, options);
    REQUIRE(model.check(net, a, found.placement).ok);
    const auto base_d = model.evaluate(net, a, all_digital, s);
    const auto base_a = model.evaluate(net, a, analog_where_possible, s);
    CHECK(found.cost.period_cycles <= base_d.period_cycles);
    CHECK(found.cost.period_cycles <= base_a.period_cycles);
    if (s == Schedule::kSequential) CHECK(found.cost.latency_cycles < digital_cost.latency_cycles);
  }
  (void)analog_cost;
}

TEST_CASE("exhaustive placement search on a small network is optimal for the pipelined period", "[soc]") {
  const costmodel::SocModel model(test_soc());
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto a = workloads::PrecisionAssignment::uniform(net, {2, 2});
  costmodel::PlacementSearch options;
  options.schedule = Schedule::kPipelined;
  const auto found = costmodel::search_placement(model, net, a, options);
  CHECK(found.exhaustive);
  // Brute force over the 3 engines of the 3 weighted layers agrees.
  std::int64_t best = -1;
  for (int x = 0; x < 3; ++x) {
    for (int y = 0; y < 3; ++y) {
      for (int z = 0; z < 3; ++z) {
        Placement p = costmodel::uniform_placement(net, 0);
        p.layers[0] = {{x, 32}};
        p.layers[2] = {{y, 64}};
        p.layers[3] = {{z, 10}};
        if (!model.check(net, a, p).ok) continue;
        const auto c = model.evaluate(net, a, p, Schedule::kPipelined);
        if (best < 0 || c.period_cycles < best) best = c.period_cycles;
      }
    }
  }
  CHECK(found.cost.period_cycles == best);
}

TEST_CASE("bad SoC documents name file, line and key path", "[soc]") {
  const auto load = [](const std::string& text) { return arch::parse_soc(yaml::load_string(text, "bad.yaml")); };
  const std::string base = kSoc;
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  CHECK_THAT(thrown([&] { (void)load(with("kind: cluster", "kind: gpu")); }),
             Catch::Contains("engines.mpic.kind") && Catch::Contains("unknown engine kind 'gpu'"));
  CHECK_THAT(thrown([&] { (void)load(with("ops: [conv, fc]\n    modes: [{w_bits: 8", "ops: [conv, lstm]\n    modes: [{w_bits: 8")); }),
             Catch::Contains("engines.big.ops[1]") && Catch::Contains("unknown op 'lstm'"));
  CHECK_THAT(thrown([&] { (void)load(with("K * C * R * S * P * Q / 64", "K * C * X / 64")); }),
             Catch::Contains("engines.big.cycles.default") && Catch::Contains("unknown name 'X'"));
  CHECK_THAT(thrown([&] { (void)load(with("K * C * R * S * P * Q / 64", "ceil_div(K) * 2")); }),
             Catch::Contains("takes 2 arguments"));
  CHECK_THAT(thrown([&] { (void)load(with("cores: 8", "cores: 0")); }), Catch::Contains("engines.mpic.cores"));
  CHECK_THAT(thrown([&] { (void)load(with("active_power_mw: 10", "active_power_mw: 10\n    speed: 3")); }),
             Catch::Contains("engines.big.speed"));
  CHECK_THAT(thrown([&] { (void)load(with("{conv: \"K * C * R * S * P * Q / 256\", fc: \"K * C / 256 + 1\"}", "{conv: \"K\"}")); }),
             Catch::Contains("no cycles for op 'fc'"));
  CHECK_THAT(thrown([&] { (void)load(with("bits_per_cycle: 64,", "bits_per_cycle: 0,")); }),
             Catch::Contains("bus.bits_per_cycle") && Catch::Contains("greater than zero"));
  // --set reaches every engine parameter, and is validated like the file.
  const arch::Soc soc = arch::load_soc("diana", {"engines.digital.active_power_mw=30", "bus.bits_per_cycle=128"});
  CHECK(soc.engines[static_cast<std::size_t>(soc.engine_index("digital"))].active_power_mw == 30);
  CHECK(soc.bus.bits_per_cycle == 128);
  CHECK_THAT(thrown([&] { (void)arch::load_soc("diana", {"engines.analog.kind=tpu"}); }),
             Catch::Contains("from --set engines.analog.kind=tpu"));
}

TEST_CASE("an array engine is priced by the cost model, in the SoC's clock", "[soc]") {
  const arch::Soc soc = arch::parse_soc(yaml::load_string(R"(
name: with_array
source: "test"
frequency_mhz: 250
engines:
  npu: {kind: array, arch: bitfusion, set: {array.rows: 8}, ops: [conv, fc]}
l2: {size_kib: 256, read_pj_per_bit: 0.1, write_pj_per_bit: 0.2}
bus: {bits_per_cycle: 64}
dram: {bits_per_cycle: 8, pj_per_bit: 20}
)", "soc.yaml"));
  REQUIRE(soc.engines.front().array);
  CHECK(soc.engines.front().array->array.rows == 8);
  const costmodel::SocModel model(soc);
  const costmodel::CostModel direct(*soc.engines.front().array);
  const auto net = workloads::load_network_string(kSocNet, "net");
  const auto m = direct.map(net.layer(2), {4, 4, 8});
  REQUIRE(m.feasible);
  const auto p = model.price(net.layer(2), {4, 4, 8}, 0, 64);
  REQUIRE(p.feasible);
  // 500 MHz engine cycles at a 250 MHz SoC clock: half as many, rounded up.
  CHECK(p.cycles == (m.cost.cycles + 1) / 2);
  CHECK(p.energy_pj == Approx(m.cost.energy_pj));
  // The PE model's refusal is the engine's.
  CHECK_FALSE(model.price(net.layer(2), {16, 8, 8}, 0, 64).feasible);
  CHECK_THAT(thrown([] {
               (void)arch::parse_soc(yaml::load_string(
                   "{name: s, source: t, frequency_mhz: 1, engines: {npu: {kind: array, arch: nosuch, ops: [conv]}},"
                   " l2: {size_kib: 1, read_pj_per_bit: 0, write_pj_per_bit: 0}, bus: {bits_per_cycle: 1},"
                   " dram: {bits_per_cycle: 1, pj_per_bit: 0}}",
                   "s.yaml"));
             }),
             Catch::Contains("engines.npu.arch") && Catch::Contains("nosuch"));
}
