// Where presets live, and how a command-line argument (a preset name or a file) becomes a
// file to load.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mixq {

// The configs/ folder: $MIXQ_CONFIG_DIR when set, else the source tree's configs/ (a build
// tree), else the install prefix's share/mixq/configs, else share/mixq/configs beside the
// running program's bin/ (a relocated install).
[[nodiscard]] std::filesystem::path config_dir();

// Names of the presets of one kind ("workloads", "arch", ...), sorted: the files
// configs/<kind>/*.yaml without their extension.
[[nodiscard]] std::vector<std::string> list_presets(const std::string& kind);

// `name_or_file` is a path when it names an existing file or looks like one (has a '/' or a
// .yaml/.yml ending); otherwise a preset name under configs/<kind>/. Throws
// InputError{kNotFound} naming the available presets.
[[nodiscard]] std::filesystem::path resolve_preset(const std::string& kind,
                                                   const std::string& name_or_file);

}  // namespace mixq
