// Workload YAML: any bytes either load into a Network or raise InputError.
#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"
#include "yaml_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size, [](const mixq::yaml::Node& doc) {
    const auto net = mixq::workloads::parse_network(doc);
    // What loads must also be measurable.
    (void)mixq::workloads::compute_metrics(net, mixq::workloads::PrecisionAssignment::uniform(net, {4, 8}));
  });
}
