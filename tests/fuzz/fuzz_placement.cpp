// Placement YAML for fmnist_cnn on DIANA: any bytes either load into a Placement (which then
// prices or is refused with a reason) or raise InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "mixq/costmodel/soc_cost.hpp"
#include "mixq/workloads/loader.hpp"

namespace {

struct Fixture {
  mixq::workloads::Network net = mixq::workloads::load_workload("fmnist_cnn");
  mixq::costmodel::SocModel model{mixq::arch::load_soc("diana")};
  mixq::workloads::PrecisionAssignment a = mixq::workloads::PrecisionAssignment::uniform(net, {2, 7});
};
std::unique_ptr<Fixture> fixture;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0);
  fixture = std::make_unique<Fixture>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto p = mixq::costmodel::parse_placement(mixq::yaml::load_string(text, "fuzz.yaml"),
                                                    fixture->net, fixture->model.soc());
    if (fixture->model.check(fixture->net, fixture->a, p).ok) {
      (void)fixture->model.evaluate(fixture->net, fixture->a, p);
    }
  } catch (const mixq::InputError&) {
  }
  return 0;
}
