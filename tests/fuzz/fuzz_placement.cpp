// Placement YAML for fmnist_cnn on DIANA: any bytes either load into a Placement (which then
// prices or is refused with a reason) or raise InputError.
#include <memory>

#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/loader.hpp"
#include "yaml_harness.hpp"

namespace {

struct Fixture {
  mixq::workloads::Network net = mixq::workloads::load_workload("fmnist_cnn");
  mixq::costmodel::SocModel model{mixq::arch::load_soc("diana")};
  mixq::workloads::PrecisionAssignment a = mixq::workloads::PrecisionAssignment::uniform(net, {2, 7});
};
std::unique_ptr<Fixture> fixture;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mixq::fuzz::use_source_configs();
  fixture = std::make_unique<Fixture>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size, [](const mixq::yaml::Node& doc) {
    const auto p = mixq::costmodel::parse_placement(doc, fixture->net, fixture->model.soc());
    if (fixture->model.check(fixture->net, fixture->a, p).ok) {
      (void)fixture->model.evaluate(fixture->net, fixture->a, p);
    }
  });
}
