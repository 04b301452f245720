// Accelerator YAML: any bytes either load into an Accelerator or raise InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mixq/arch/accelerator.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Technology tables are looked up under configs/.
  setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)mixq::arch::parse_accelerator(mixq::yaml::load_string(text, "fuzz.yaml"));
  } catch (const mixq::InputError&) {
  }
  return 0;
}
