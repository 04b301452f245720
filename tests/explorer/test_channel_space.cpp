// Channel granularity in sweeps (docs/sweep-format.md, "Channel granularity"): the genome
// layout, the per-group assignment, objectives counted per group, strategies that refuse a
// channel space, and journal/resume on one.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "mixq/common/error.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/results.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::slurp;

namespace {

std::string channel_sweep(const std::string& strategy, std::int64_t budget, int channel_group,
                          const std::string& precision_extra = "") {
  return "name: chan\n"
         "workload: fmnist_cnn\n"
         "hardware: [bitfusion]\n"
         "precision: {granularity: channel, channel_group: " + std::to_string(channel_group) +
         ", w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none" + precision_extra + "}\n"
         "accuracy: {source: proxy, base_accuracy: 0.91, drop_at_4bit: 0.05}\n"
         "objectives: [latency, energy, weight_memory, bops, accuracy]\n"
         "strategy: {name: " + strategy + ", budget: " + std::to_string(budget) + "}\n"
         "seed: 3\n";
}

std::string layer_sweep() {
  return "name: lay\n"
         "workload: fmnist_cnn\n"
         "hardware: [bitfusion]\n"
         "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
         "accuracy: {source: proxy, base_accuracy: 0.91, drop_at_4bit: 0.05}\n"
         "objectives: [latency, energy, weight_memory, bops, accuracy]\n"
         "strategy: {name: random, budget: 10}\n"
         "seed: 3\n";
}

Evaluation score(const Space& space, const SweepSpec& spec, const Genome& g) {
  ProxyAccuracy proxy(space, spec.accuracy.proxy);
  Evaluator ev(space, spec.objectives, &proxy);
  Evaluation e{g, false, {}};
  ev.evaluate(std::span<Evaluation>(&e, 1), 1);
  return e;
}

}  // namespace

TEST_CASE("channel granularity: parsing and refusals are located") {
  const auto spec = load_sweep_string(channel_sweep("random", 10, 4), "c.yaml");
  CHECK(spec.precision.granularity == workloads::Granularity::kChannel);
  CHECK(spec.precision.channel_group == 4);

  // channel_group without channel granularity.
  try {
    (void)load_sweep_string(
        "name: x\nworkload: fmnist_cnn\nhardware: [bitfusion]\n"
        "precision: {channel_group: 4}\nobjectives: [latency]\nstrategy: {name: random, budget: 5}\n",
        "x.yaml");
    FAIL("accepted channel_group without granularity: channel");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "precision.channel_group");
  }
  // Strategies that plan per-layer bits refuse a channel space, pointing at the strategy.
  for (const char* s : {"greedy", "ilp"}) {
    INFO(s);
    try {
      (void)load_sweep_string(channel_sweep(s, 10, 4), "c.yaml");
      FAIL("accepted a per-layer strategy on a channel space");
    } catch (const InputError& e) {
      CHECK(e.where().key_path == "strategy.name");
      CHECK(e.where().line == 7);
    }
  }
  // Exhaustive refuses the (huge) channel space through its budget check.
  CHECK_THROWS_AS(run_sweep(load_sweep_string(channel_sweep("exhaustive", 1000, 1), "c.yaml"), {}), InputError);
}

TEST_CASE("channel granularity: genome layout and per-group assignment") {
  const auto spec = load_sweep_string(channel_sweep("random", 10, 8), "c.yaml");
  const Space space(spec);
  REQUIRE(space.free_layers().size() == 4);  // conv1 16, conv2 32, fc1 64, fc2 10 channels
  CHECK(space.free_layers()[0].group_channels == std::vector<std::int64_t>{8, 8});
  CHECK(space.free_layers()[3].group_channels == std::vector<std::int64_t>{8, 2});
  // 1 hardware gene, 2 per layer, then the groups beyond the first: 1 + 3 + 7 + 1.
  CHECK(space.genes() == 1 + 8 + 12);
  CHECK(space.w_gene(0, 0) == 1);
  CHECK(space.a_gene(0) == 2);
  CHECK(space.w_gene(0, 1) == 9);
  CHECK(space.w_gene(1, 1) == 10);
  CHECK(space.w_gene(3, 1) == 20);

  // Group 5 of fc1 at 2 bits, group 6 at 4, everything else at 8: runs of equal bits merge,
  // in channel order.
  Genome g(space.genes(), 2);
  g[0] = 0;
  g[space.w_gene(2, 5)] = 0;
  g[space.w_gene(2, 6)] = 1;
  const auto a = space.assignment(g);
  a.validate(space.network());
  const auto fc1 = space.free_layers()[2].layer;
  CHECK(a[fc1].granularity == workloads::Granularity::kChannelGroup);
  const std::vector<workloads::PrecisionGroup> expect{{40, 8, 8}, {8, 2, 8}, {8, 4, 8}, {8, 8, 8}};
  CHECK(a[fc1].groups == expect);
  CHECK(a[space.free_layers()[0].layer].groups == std::vector<workloads::PrecisionGroup>{{16, 8, 8}});
  ChoiceIndices idx;
  space.decode(g, idx);
  CHECK(space.w_choices()[idx.w[fc1]] == 8);  // w[l]: the largest group

  // channel_group 1: one gene per kernel, LayerPrecision granularity channel.
  const Space per_kernel(load_sweep_string(channel_sweep("random", 10, 1), "c.yaml"));
  CHECK(per_kernel.genes() == 1 + 2 * 4 + (15 + 31 + 63 + 9));
  Genome ones(per_kernel.genes(), 1);
  ones[0] = 0;
  ones[per_kernel.w_gene(1, 3)] = 2;
  const auto b = per_kernel.assignment(ones);
  CHECK(b[per_kernel.free_layers()[1].layer].granularity == workloads::Granularity::kChannel);
  CHECK(b[per_kernel.free_layers()[1].layer].groups ==
        std::vector<workloads::PrecisionGroup>{{3, 4, 4}, {1, 8, 4}, {28, 4, 4}});
}

TEST_CASE("channel granularity: objectives count every group at its own bits") {
  const auto cspec = load_sweep_string(channel_sweep("random", 10, 8), "c.yaml");
  const auto lspec = load_sweep_string(layer_sweep(), "l.yaml");
  const Space cs(cspec);
  const Space ls(lspec);
  // All groups equal: memory, BOPs and proxy accuracy equal the layer space's at the same bits.
  for (std::uint8_t v = 0; v < 3; ++v) {
    Genome cg(cs.genes(), v), lg(ls.genes(), v);
    cg[0] = lg[0] = 0;
    const auto ce = score(cs, cspec, cg);
    const auto le = score(ls, lspec, lg);
    REQUIRE(ce.feasible);
    REQUIRE(le.feasible);
    CHECK(ce.values[2] == Approx(le.values[2]));  // weight memory
    CHECK(ce.values[3] == Approx(le.values[3]));  // BOPs
    CHECK(ce.values[4] == Approx(le.values[4]));  // proxy accuracy
    // Equal groups merge into the layer: the cost model's price is the layer table's.
    CHECK(ce.values[0] == Approx(le.values[0]).epsilon(1e-12));
    CHECK(ce.values[1] == Approx(le.values[1]).epsilon(1e-12));
  }
  // One fc1 group (8 kernels of 1568 weights) from 8 to 2 bits.
  Genome hi(cs.genes(), 2);
  hi[0] = 0;
  Genome lo = hi;
  lo[cs.w_gene(2, 3)] = 0;
  const auto eh = score(cs, cspec, hi);
  const auto el = score(cs, cspec, lo);
  const auto& fc1 = cs.network().layer(cs.free_layers()[2].layer);
  CHECK(eh.values[2] - el.values[2] == Approx(8.0 * 1568 * 6));
  CHECK(eh.values[3] - el.values[3] ==
        Approx(static_cast<double>(fc1.macs()) / 8 * (8 * 8 - 2 * 8)));
  CHECK(el.values[4] < eh.values[4]);  // more noise, lower proxy accuracy
  // Mixed groups are priced by the cost model on the per-group assignment.
  const auto cost = cs.hardware()[0].model->evaluate(cs.network(), cs.assignment(lo));
  CHECK(el.values[0] == cost.latency_s);
  CHECK(el.values[1] == cost.energy_pj);
  CHECK(el.values[4] > score(cs, cspec, [&] {
                         Genome all = hi;
                         for (std::size_t g = 0; g < 8; ++g) all[cs.w_gene(2, g)] = 0;
                         return all;
                       }()).values[4]);
}

TEST_CASE("channel granularity: nsga2 and random run, reports decode, resume replays") {
  for (const char* s : {"random", "nsga2"}) {
    INFO(s);
    RunOptions opt;
    opt.threads = 2;
    const auto r = run_sweep(load_sweep_string(channel_sweep(s, 120, 16), "c.yaml"), opt);
    REQUIRE(r.points.size() == 120);
    CHECK(!r.front.empty());
    REQUIRE(r.front_details.size() == r.front.size());
    CHECK(r.front_details[0].w_bits.size() == 4);
    for (const auto& p : r.points) CHECK(p.feasible);
  }
  // A journal cut after its first batch resumes to the uninterrupted run.
  const auto dir = test::temp_dir("channel_resume");
  const auto text = channel_sweep("nsga2", 200, 16);
  RunOptions a;
  a.threads = 2;
  a.out_dir = dir / "a";
  const auto full = run_sweep(load_sweep_string(text, "c.yaml"), a);
  const std::string journal = slurp(dir / "a" / "journal.txt");
  const auto second = journal.find("\nB ", journal.find("\nB ") + 1);
  REQUIRE(second != std::string::npos);
  std::filesystem::create_directories(dir / "b");
  {
    std::ofstream out(dir / "b" / "journal.txt", std::ios::binary);
    out << journal.substr(0, second + 1);
  }
  RunOptions b;
  b.threads = 1;
  b.out_dir = dir / "b";
  b.resume = true;
  const auto resumed = run_sweep(load_sweep_string(text, "c.yaml"), b);
  CHECK(resumed.resumed_points > 0);
  REQUIRE(resumed.points.size() == full.points.size());
  for (std::size_t i = 0; i < full.points.size(); ++i) {
    REQUIRE(genome_to_string(resumed.points[i].genome) == genome_to_string(full.points[i].genome));
    REQUIRE(resumed.points[i].values == full.points[i].values);
  }
  CHECK(resumed.front == full.front);
  std::filesystem::remove_all(dir);
}
