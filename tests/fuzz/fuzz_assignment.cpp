// Precision-assignment YAML against a fixed network: loads, or raises InputError.
#include <memory>

#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"
#include "yaml_harness.hpp"

namespace {
std::unique_ptr<mixq::workloads::Network> network;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mixq::fuzz::use_source_configs();
  network = std::make_unique<mixq::workloads::Network>(mixq::workloads::load_workload("fmnist_cnn"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size, [](const mixq::yaml::Node& doc) {
    const auto a = mixq::workloads::parse_assignment(doc, *network);
    (void)mixq::workloads::compute_metrics(*network, a);
    (void)mixq::workloads::assignment_to_yaml(a, *network);
  });
}
