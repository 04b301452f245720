// Strict, location-aware reading of YAML documents.
//
// Every loader in mixq reads through `yaml::Node`, so that every error names the file, the
// line and the key path, and every unknown key is an error (a typo must never be silently
// ignored: `strid: 2` would otherwise price a layer at stride 1).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mixq/common/error.hpp"

namespace mixq::yaml {

class Node {
 public:
  Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string key_path);

  [[nodiscard]] bool is_map() const { return node_.IsMap(); }
  [[nodiscard]] bool is_seq() const { return node_.IsSequence(); }
  [[nodiscard]] bool is_scalar() const { return node_.IsScalar(); }
  [[nodiscard]] bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& file() const { return *file_; }
  [[nodiscard]] SourceLocation where() const;
  [[nodiscard]] const YAML::Node& raw() const { return node_; }

  // Map access. A missing required key is an error located at this map.
  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] Node at(std::string_view key) const;
  [[nodiscard]] std::optional<Node> find(std::string_view key) const;

  template <class T>
  [[nodiscard]] T get(std::string_view key) const {
    return at(key).as<T>();
  }
  template <class T>
  [[nodiscard]] T get(std::string_view key, T fallback) const {
    auto child = find(key);
    return child ? child->as<T>() : fallback;
  }

  // Scalar conversion; a value of another type is an InputError of kind kType.
  template <class T>
  [[nodiscard]] T as() const;

  // Integers with a range check, the commonest validation of all.
  [[nodiscard]] std::int64_t as_int(std::int64_t min, std::int64_t max) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key, std::int64_t min,
                                     std::int64_t max) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key, std::int64_t min, std::int64_t max,
                                     std::int64_t fallback) const;

  // Sequence elements and map entries (in file order). Calling these on a node of another
  // kind is a type error.
  [[nodiscard]] std::vector<Node> elements() const;
  [[nodiscard]] std::vector<std::pair<std::string, Node>> entries() const;

  // Requires this node to be a map whose keys are all in `allowed`; otherwise names the
  // first unknown key (and the closest allowed one, when it looks like a typo).
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(const std::vector<std::string>& allowed) const;
  void require_map() const;
  void require_seq() const;

  [[noreturn]] void fail(InputError::Kind kind, const std::string& message) const;

 private:
  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

// Parses a file or a string. Syntax errors become InputError{kSyntax} with the line.
[[nodiscard]] Node load_file(const std::filesystem::path& path);
[[nodiscard]] Node load_string(const std::string& text, const std::string& name);

// Sets `dotted.key.path` (map keys only, as in `--set array.rows=32`) to `value` inside a
// parsed document before it is validated, creating missing maps. The value is parsed as YAML,
// so numbers, booleans and flow lists work. The error for a bad path names the override.
void apply_override(YAML::Node& root, const std::string& assignment);

// Levenshtein distance, used to suggest the key a typo meant.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace mixq::yaml
