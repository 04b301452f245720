// Helpers the arch loaders (accelerators, SoCs) share: number checks, one-of keys, and the
// `--set` overrides applied to a parsed document with errors that name the override.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/common/yaml.hpp"

namespace mixq::arch::detail {

[[nodiscard]] std::string format_number(double value);
// A finite number ≥ min / > 0; otherwise an InputError{kValue} at the node.
[[nodiscard]] double number_at_least(const yaml::Node& node, double min);
[[nodiscard]] double positive(const yaml::Node& node);
// A required key that may be written in one of several forms (`size_kib` or `size_bits`):
// exactly one must be present.
[[nodiscard]] yaml::Node one_of(const yaml::Node& map, std::initializer_list<std::string_view> keys);

// Rewrites an error raised while parsing an overridden document so that it names the
// override (an overridden value has no line in the file). Returns normally when `e` does not
// come from an override; the caller then rethrows it.
void rethrow_with_override(const InputError& e, const std::string& file,
                           const std::vector<std::string>& overrides);

// After a load with overrides: the buffer sizes of `acc` (parsed from `file`) that an override
// set name the override, not the line 1 that yaml-cpp gives the override's own text.
void name_size_overrides(Accelerator& acc, const std::string& file,
                         const std::vector<std::string>& overrides);

// Loads `file`, applies `key.path=value` overrides to the parsed document before `parse`
// validates it (so overrides are checked like the file), and names the override in errors.
template <class Parse>
auto parse_with_overrides(const std::filesystem::path& file,
                          const std::vector<std::string>& overrides, Parse&& parse) {
  yaml::Node doc = yaml::load_file(file);
  if (overrides.empty()) return parse(doc);
  // YAML::Node is a handle: overriding through a copy edits the parsed document in place,
  // so every key not overridden keeps its line for error messages.
  YAML::Node raw = doc.raw();
  for (const auto& o : overrides) yaml::apply_override(raw, o);
  try {
    return parse(yaml::Node(raw, std::make_shared<const std::string>(doc.file()), ""));
  } catch (const InputError& e) {
    rethrow_with_override(e, doc.file(), overrides);
    throw;
  }
}

}  // namespace mixq::arch::detail
