// SoC YAML: any bytes either load into a Soc or raise InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mixq/arch/soc.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Array engines name arch presets under configs/.
  setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)mixq::arch::parse_soc(mixq::yaml::load_string(text, "fuzz.yaml"));
  } catch (const mixq::InputError&) {
  }
  return 0;
}
