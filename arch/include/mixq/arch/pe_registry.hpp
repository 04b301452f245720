// The registry of PE families: names, declared parameters, and the factories that build a
// PeModel from a YAML node. Link-safe by construction: the built-in registry is filled on
// first use by register_builtin_pe_models(), an explicit list in pe_registry.cpp, never by
// static initializers (which a static library's linker silently drops).
//
// Each parameter is declared once, in its family's file, with type, range, description and
// default (Ramulator 2's param<T>().desc().default_val()); PeParamReader reads a node only
// through those declarations, so `mixq list` prints exactly what the loader accepts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mixq/arch/pe_model.hpp"
#include "mixq/common/yaml.hpp"

namespace mixq::arch {

enum class ParamType { kInt, kNumber, kChoice };
[[nodiscard]] const char* to_string(ParamType type) noexcept;  // "int", "number", "choice"

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kNumber;
  std::string description;  // meaning, unit, and the source of the default
  // As it would be written in YAML; nullopt: the parameter is required. Defaults are parsed
  // and range-checked exactly like values from a file.
  std::optional<std::string> default_value;
  double min = 0;  // inclusive range of kInt and kNumber values
  double max = 0;
  std::vector<std::string> choices;  // the allowed values of a kChoice
};

class PeParamReader;

struct PeFamily {
  std::string name;
  std::string summary;     // one line: what the family models
  std::string reference;   // the papers its formulas come from
  std::vector<ParamSpec> params;
  // Reads every parameter through the reader and builds the model.
  std::unique_ptr<PeModel> (*create)(PeParamReader& params) = nullptr;
};

// Typed, located access to one PE node's parameters, for family factories. The registry
// has already checked the node's keys against the family's declarations.
class PeParamReader {
 public:
  PeParamReader(const yaml::Node& pe_node, const PeFamily& family);

  [[nodiscard]] std::int64_t integer(std::string_view name);
  [[nodiscard]] double number(std::string_view name);
  [[nodiscard]] std::string choice(std::string_view name);

  // For checks across parameters: an InputError{kValue} located at the parameter's value,
  // or at the PE node (with the parameter's key path) when it took its default.
  [[noreturn]] void fail(std::string_view name, const std::string& message) const;

  // Completes the PeModelInfo with the family name, the node's `source:` and every value
  // read so far (in declaration order).
  [[nodiscard]] PeModelInfo finish(std::string description) const;

 private:
  [[nodiscard]] const ParamSpec& spec(std::string_view name) const;
  // The user's value, or the declared default parsed as YAML; records what was used.
  [[nodiscard]] yaml::Node value_node(const ParamSpec& spec);

  yaml::Node node_;
  const PeFamily* family_;
  std::string source_;
  std::vector<ParamValue> values_;
};

class PeRegistry {
 public:
  // Every family shipped with mixq. Built on first use, thread-safe, never modified after.
  [[nodiscard]] static const PeRegistry& builtin();

  // Throws std::logic_error on an empty name, a missing factory or a duplicate name.
  void add(PeFamily family);

  [[nodiscard]] std::vector<std::string> names() const;  // sorted
  [[nodiscard]] const PeFamily* find(std::string_view name) const noexcept;

  // See make_pe_model() (pe_model.hpp) for the node's form and the errors.
  [[nodiscard]] std::unique_ptr<PeModel> create(const yaml::Node& pe_node) const;

 private:
  std::vector<PeFamily> families_;
};

// Adds the built-in families to `registry`: fixed, bit_serial, bit_fusion, swp, bitblade.
void register_builtin_pe_models(PeRegistry& registry);

// The built-in families, one per file (arch/src/pe_<family>.cpp).
[[nodiscard]] PeFamily fixed_pe_family();
[[nodiscard]] PeFamily bit_serial_pe_family();
[[nodiscard]] PeFamily bit_fusion_pe_family();
[[nodiscard]] PeFamily swp_pe_family();
[[nodiscard]] PeFamily bitblade_pe_family();

// Bit Fusion's rule, shared with BitBlade (same 2-bit-brick throughput): each operand runs
// at the smallest power-of-two brick multiple >= its bits (1 bit runs as 2), and the unit
// completes (max_bits / w') · (max_bits / a') MACs per cycle at energy_per_unit_cycle_pj per
// cycle. Bits above max_bits are unsupported.
[[nodiscard]] PeQuery fused_brick_rule(int w_bits, int a_bits, int max_bits,
                                       double energy_per_unit_cycle_pj);

}  // namespace mixq::arch
