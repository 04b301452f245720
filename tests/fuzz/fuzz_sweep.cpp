// Sweep YAML: any bytes either parse into a SweepSpec or raise InputError.
#include "mixq/explorer/sweep.hpp"
#include "yaml_harness.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mixq::fuzz::use_source_configs();  // sweeps name workload and arch presets
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size,
                                [](const mixq::yaml::Node& doc) { (void)mixq::explorer::parse_sweep(doc); });
}
