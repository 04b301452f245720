// SoC YAML: any bytes either load into a Soc or raise InputError.
#include "mixq/arch/soc.hpp"
#include "yaml_harness.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mixq::fuzz::use_source_configs();  // array engines name arch presets
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mixq::fuzz::yaml_input(data, size, [](const mixq::yaml::Node& doc) { (void)mixq::arch::parse_soc(doc); });
}
