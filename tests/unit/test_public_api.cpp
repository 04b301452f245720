// The documented entry point compiles and works as its header comment shows.
#include <catch2/catch.hpp>

#include <mixq/costmodel.hpp>

TEST_CASE("the public API example runs", "[costmodel][api]") {
  auto acc = mixq::arch::load_arch("bitfusion", {"array.rows=32"});
  auto net = mixq::workloads::load_workload("mobilenet_v2");
  const mixq::costmodel::CostModel model(std::move(acc));
  auto a = mixq::workloads::PrecisionAssignment::uniform(net, {4, 4});
  REQUIRE(model.check(net, a).ok);
  const auto cost = model.evaluate(net, a);
  CHECK(model.accelerator().array.rows == 32);
  CHECK(cost.cycles > 0);
  CHECK(cost.latency_s == Approx(static_cast<double>(cost.cycles) / 500e6));
}
