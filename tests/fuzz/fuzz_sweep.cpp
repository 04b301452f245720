// Sweep YAML: any bytes either parse into a SweepSpec or raise InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mixq/explorer/sweep.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Sweeps name workload and arch presets under configs/.
  setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)mixq::explorer::parse_sweep(mixq::yaml::load_string(text, "fuzz.yaml"));
  } catch (const mixq::InputError&) {
  }
  return 0;
}
