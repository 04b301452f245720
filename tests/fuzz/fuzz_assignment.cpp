// Precision-assignment YAML against a fixed network: loads, or raises InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"

namespace {
const mixq::workloads::Network* network = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0);
  network = new mixq::workloads::Network(mixq::workloads::load_workload("fmnist_cnn"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto a = mixq::workloads::parse_assignment(mixq::yaml::load_string(text, "fuzz.yaml"), *network);
    (void)mixq::workloads::compute_metrics(*network, a);
    (void)mixq::workloads::assignment_to_yaml(a, *network);
  } catch (const mixq::InputError&) {
  }
  return 0;
}
