// The ptq and qat accuracy sources on mixq::train: Fashion-MNIST from Debian's
// dataset-fashion-mnist, small subsets so that each case takes seconds.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace mixq;
using namespace mixq::explorer;

namespace {

std::string sweep(const std::string& accuracy, const std::string& strategy) {
  return "workload: fmnist_cnn\nhardware: bitfusion\n"
         "precision: {w_bits: [2, 8], a_bits: [8], first_last: none}\n"
         "accuracy: " + accuracy + "\n"
         "objectives: [bops, accuracy]\n"
         "strategy: " + strategy + "\nseed: 3\n";
}

}  // namespace

TEST_CASE("ptq: a float model evaluated under every assignment; 2-bit weights everywhere cost accuracy") {
  const auto text = sweep("{source: ptq, float_epochs: 1, train_subset: 3000, eval_subset: 1000}",
                          "{name: exhaustive, budget: 16}");
  RunOptions opt;
  opt.threads = 2;
  const auto r = run_sweep(load_sweep_string(text, "ptq.yaml"), opt);
  REQUIRE(r.points.size() == 16);
  // Exhaustive order: gene 0 (hardware) then (w, a) per layer, last fastest; w index 1 = 8 bits.
  const auto& all8 = r.points[15];  // every weight gene at 1
  const auto& all2 = r.points[0];
  REQUIRE(genome_to_string(all8.genome) == "010101010");
  const double acc8 = all8.values[1];
  const double acc2 = all2.values[1];
  INFO("w8a8 " << acc8 << ", w2a8 " << acc2);
  CHECK(acc8 > 0.6);  // one epoch on 3,000 images: far above chance (0.1)
  CHECK(acc2 < acc8);
  // The front trades BOPs for accuracy: its cheapest point is all-2-bit, its best all-8-bit.
  CHECK(r.points[r.front.front()].values[0] == Approx(all2.values[0]));
  // Deterministic whatever the thread count.
  opt.threads = 1;
  const auto again = run_sweep(load_sweep_string(text, "ptq.yaml"), opt);
  for (std::size_t i = 0; i < r.points.size(); ++i) CHECK(again.points[i].values == r.points[i].values);
}

TEST_CASE("qat: each assignment fine-tuned at its bits, then evaluated; deterministic") {
  const auto text = sweep("{source: qat, float_epochs: 1, qat_epochs: 1, train_subset: 1000, eval_subset: 500}",
                          "{name: random, budget: 2}");
  RunOptions opt;
  opt.threads = 2;
  const auto a = run_sweep(load_sweep_string(text, "qat.yaml"), opt);
  opt.threads = 1;
  const auto b = run_sweep(load_sweep_string(text, "qat.yaml"), opt);
  REQUIRE(a.points.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(a.points[i].values[1] > 0.3);
    CHECK(a.points[i].values[1] <= 1.0);
    CHECK(a.points[i].values == b.points[i].values);
  }
}

TEST_CASE("training keys are rejected for the proxy, and a missing model file is located") {
  auto e = [](const std::string& acc) {
    try {
      (void)load_sweep_string(sweep(acc, "{name: random, budget: 2}"), "t.yaml");
    } catch (const InputError& err) {
      return err;
    }
    FAIL("accepted: " << acc);
    throw std::logic_error("unreachable");
  };
  CHECK(e("{source: proxy, float_epochs: 2}").where().key_path == "accuracy.float_epochs");
  CHECK(e("{source: ptq, qat_epochs: 2}").where().key_path == "accuracy.qat_epochs");
  const auto missing = e("{source: ptq, model: /nonexistent/model.bin}");
  CHECK(missing.where().key_path == "accuracy.model");
  CHECK(missing.kind() == InputError::Kind::kNotFound);
}
