// Workload YAML: any bytes either load into a Network or raise InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto net = mixq::workloads::load_network_string(text, "fuzz.yaml");
    // What loads must also be measurable.
    (void)mixq::workloads::compute_metrics(net, mixq::workloads::PrecisionAssignment::uniform(net, {4, 8}));
  } catch (const mixq::InputError&) {
  }
  return 0;
}
