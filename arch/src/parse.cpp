#include "parse.hpp"

#include <cmath>
#include <optional>
#include <sstream>

namespace mixq::arch::detail {
namespace {

using Kind = InputError::Kind;

// The override (key.path=value) an error at `key_path` comes from: the same key or one inside
// the overridden value. The last override of a key wins, as in apply_override.
const std::string* override_at(const std::string& key_path,
                               const std::vector<std::string>& overrides) {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
    const std::string path = it->substr(0, it->find('='));
    if (key_path == path || (key_path.starts_with(path) &&
                             (key_path[path.size()] == '.' || key_path[path.size()] == '['))) {
      return &*it;
    }
  }
  return nullptr;
}

// The top-level section of a key path: "array" for "array.rows", "buffers" for "buffers[1].name".
std::string_view section_of(std::string_view key_path) {
  return key_path.substr(0, key_path.find_first_of(".["));
}

// An override in the same section as an error it did not set directly but may have caused
// (`--set array.interconnect=systolic` on a broadcast array with fold_overhead_cycles).
const std::string* override_in_section(const std::string& key_path,
                                       const std::vector<std::string>& overrides) {
  const std::string_view section = section_of(key_path);
  if (section.empty()) return nullptr;
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
    if (section_of(*it) == section) return &*it;
  }
  return nullptr;
}

}  // namespace

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

double number_at_least(const yaml::Node& node, double min) {
  const auto value = node.as<double>();
  if (!std::isfinite(value) || value < min) {
    node.fail(Kind::kValue,
              "must be a number >= " + format_number(min) + ", found " + node.raw().Scalar());
  }
  return value;
}

double positive(const yaml::Node& node) {
  const auto value = node.as<double>();
  if (!std::isfinite(value) || value <= 0) {
    node.fail(Kind::kValue, "must be greater than zero, found " + node.raw().Scalar());
  }
  return value;
}

yaml::Node one_of(const yaml::Node& map, std::initializer_list<std::string_view> keys) {
  std::string names;
  for (const std::string_view key : keys) names += (names.empty() ? "" : ", ") + std::string(key);
  std::optional<yaml::Node> chosen;
  for (const std::string_view key : keys) {
    if (auto found = map.find(key)) {
      if (chosen) found->fail(Kind::kValue, "give only one of " + names);
      chosen = found;
    }
  }
  if (!chosen) {
    SourceLocation where = map.where();
    where.key_path = (map.path().empty() ? "" : map.path() + ".") + std::string(*keys.begin());
    throw InputError(Kind::kMissingKey, where, "required key missing: one of " + names);
  }
  return *chosen;
}

void rethrow_with_override(const InputError& e, const std::string& file,
                           const std::vector<std::string>& overrides) {
  if (e.where().file != file) return;
  SourceLocation where = e.where();
  if (const std::string* o = override_at(where.key_path, overrides)) {
    // An overridden value has no line in the file (yaml-cpp would report line 1 of the
    // value's own text): name the override instead.
    where.line = 0;
    where.column = 0;
    throw InputError(e.kind(), where, e.message() + " (from --set " + *o + ")");
  }
  if (const std::string* o = override_in_section(where.key_path, overrides)) {
    throw InputError(e.kind(), where, e.message() + " (after --set " + *o + ")");
  }
}

void name_size_overrides(Accelerator& acc, const std::string& file,
                         const std::vector<std::string>& overrides) {
  for (auto& buffer : acc.buffers) {
    SourceLocation& at = buffer.size_at;
    if (at.file != file) continue;
    if (const std::string* o = override_at(at.key_path, overrides)) {
      at.file = "--set " + *o;
      at.line = 0;
      at.column = 0;
    }
  }
}

}  // namespace mixq::arch::detail
