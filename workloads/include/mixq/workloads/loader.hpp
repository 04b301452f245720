// Reading workloads from YAML (docs/workload-format.md).
#pragma once

#include <filesystem>
#include <string>

#include "mixq/common/yaml.hpp"
#include "mixq/workloads/network.hpp"

namespace mixq::workloads {

// A network or single-layer file. Throws InputError naming file, line and key path.
[[nodiscard]] Network load_network(const std::filesystem::path& file);
// A zoo name (configs/workloads/NAME.yaml) or a file path.
[[nodiscard]] Network load_workload(const std::string& name_or_file);
[[nodiscard]] Network load_network_string(const std::string& yaml_text,
                                          const std::string& name = "<string>");
[[nodiscard]] Network parse_network(const yaml::Node& root);

}  // namespace mixq::workloads
