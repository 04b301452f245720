// Accelerator YAML: any bytes either load into an Accelerator or raise InputError.
#include "mixq/arch/accelerator.hpp"
#include "yaml_harness.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mixq::fuzz::use_source_configs();  // technology tables
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size, [](const mixq::yaml::Node& doc) {
    (void)mixq::arch::parse_accelerator(doc);
  });
}
