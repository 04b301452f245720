// The contract of every YAML fuzz target: any bytes either go through `use` (load, and
// whatever the target does with the result) or raise mixq::InputError; anything else — a
// crash, a sanitizer report, another exception, a time-out — is what libFuzzer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mixq/common/error.hpp"
#include "mixq/common/yaml.hpp"

namespace mixq::fuzz {

// Presets (workloads, arch, tech tables) are looked up in the source tree's configs/.
inline void use_source_configs() { setenv("MIXQ_CONFIG_DIR", MIXQ_CONFIG_DIR_FOR_FUZZ, 0); }

template <class Use>
int yaml_input(const std::uint8_t* data, std::size_t size, Use&& use) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    use(yaml::load_string(text, "fuzz.yaml"));
  } catch (const InputError&) {
  }
  return 0;
}

}  // namespace mixq::fuzz
