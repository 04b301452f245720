#include "mixq/common/yaml.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace mixq::yaml {
namespace {

using Kind = InputError::Kind;

std::string join_path(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return base + "." + std::string(key);
}

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "something else";
}

template <class T>
const char* type_name();
template <>
const char* type_name<std::int64_t>() { return "an integer"; }
template <>
const char* type_name<int>() { return "an integer"; }
template <>
const char* type_name<double>() { return "a number"; }
template <>
const char* type_name<bool>() { return "a boolean (true/false)"; }
template <>
const char* type_name<std::string>() { return "a string"; }

}  // namespace

Node::Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string key_path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(key_path)) {}

SourceLocation Node::where() const {
  SourceLocation loc{*file_, 0, 0, path_};
  if (node_.IsDefined()) {
    const YAML::Mark mark = node_.Mark();
    if (!mark.is_null()) {
      loc.line = mark.line + 1;
      loc.column = mark.column + 1;
    }
  }
  return loc;
}

void Node::fail(Kind kind, const std::string& message) const {
  throw InputError(kind, where(), message);
}

void Node::require_map() const {
  if (!node_.IsMap()) fail(Kind::kType, std::string("expected a map, found ") + kind_name(node_));
}

void Node::require_seq() const {
  if (!node_.IsSequence())
    fail(Kind::kType, std::string("expected a list, found ") + kind_name(node_));
}

bool Node::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined();
}

std::optional<Node> Node::find(std::string_view key) const {
  require_map();
  YAML::Node child = node_[std::string(key)];
  if (!child.IsDefined()) return std::nullopt;
  return Node(child, file_, join_path(path_, key));
}

Node Node::at(std::string_view key) const {
  auto child = find(key);
  if (!child) {
    SourceLocation loc = where();
    loc.key_path = join_path(path_, key);
    throw InputError(Kind::kMissingKey, loc, "required key '" + std::string(key) + "' is missing");
  }
  return *child;
}

template <class T>
T Node::as() const {
  if (!node_.IsScalar()) {
    fail(Kind::kType, std::string("expected ") + type_name<T>() + ", found " + kind_name(node_));
  }
  if constexpr (std::is_same_v<T, std::string>) {
    return node_.Scalar();
  } else {
    // yaml-cpp accepts "0x10" and the like; a trailing ".0" on an integer is rejected, which
    // is what we want for dimensions.
    try {
      return node_.as<T>();
    } catch (const YAML::Exception&) {
      fail(Kind::kType,
           std::string("expected ") + type_name<T>() + ", found '" + node_.Scalar() + "'");
    }
  }
}

template std::int64_t Node::as<std::int64_t>() const;
template int Node::as<int>() const;
template double Node::as<double>() const;
template bool Node::as<bool>() const;
template std::string Node::as<std::string>() const;

std::int64_t Node::as_int(std::int64_t min, std::int64_t max) const {
  const auto value = as<std::int64_t>();
  if (value < min || value > max) {
    std::ostringstream msg;
    msg << "value " << value << " is out of range [" << min << ", ";
    if (max == std::numeric_limits<std::int64_t>::max()) {
      msg << "inf)";
    } else {
      msg << max << "]";
    }
    fail(Kind::kValue, msg.str());
  }
  return value;
}

std::int64_t Node::get_int(std::string_view key, std::int64_t min, std::int64_t max) const {
  return at(key).as_int(min, max);
}

std::int64_t Node::get_int(std::string_view key, std::int64_t min, std::int64_t max,
                           std::int64_t fallback) const {
  auto child = find(key);
  return child ? child->as_int(min, max) : fallback;
}

std::vector<Node> Node::elements() const {
  require_seq();
  std::vector<Node> out;
  out.reserve(node_.size());
  std::size_t i = 0;
  for (const auto& element : node_) {
    out.emplace_back(element, file_, path_ + "[" + std::to_string(i++) + "]");
  }
  return out;
}

std::vector<std::pair<std::string, Node>> Node::entries() const {
  require_map();
  std::vector<std::pair<std::string, Node>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      Node(kv.first, file_, path_).fail(Kind::kType, "map keys must be plain strings");
    }
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, Node(kv.second, file_, join_path(path_, key)));
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

template <class Range>
void check_keys_impl(const Node& node, const YAML::Node& raw,
                     const std::shared_ptr<const std::string>& file, const Range& allowed) {
  node.require_map();
  for (const auto& kv : raw) {
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown key '" + key + "'";
    std::string best;
    std::size_t best_distance = 3;  // suggest only near misses
    for (const auto& candidate : allowed) {
      const std::size_t d = edit_distance(key, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = std::string(candidate);
      }
    }
    if (!best.empty()) {
      message += " (did you mean '" + best + "'?)";
    } else {
      message += "; allowed keys:";
      for (const auto& candidate : allowed) message += " " + std::string(candidate);
    }
    const std::string path = node.path().empty() ? key : node.path() + "." + key;
    Node(kv.first, file, path).fail(InputError::Kind::kUnknownKey, message);
  }
}

}  // namespace

void Node::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys_impl(*this, node_, file_, allowed);
}

void Node::check_keys(const std::vector<std::string>& allowed) const {
  check_keys_impl(*this, node_, file_, allowed);
}

namespace {

Node parse(const std::string& text, const std::string& name) {
  auto file = std::make_shared<const std::string>(name);
  try {
    return Node(YAML::Load(text), file, "");
  } catch (const YAML::ParserException& e) {
    SourceLocation loc{name, e.mark.is_null() ? 0 : e.mark.line + 1,
                       e.mark.is_null() ? 0 : e.mark.column + 1, ""};
    throw InputError(Kind::kSyntax, loc, "malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw InputError(Kind::kSyntax, SourceLocation{name, 0, 0, ""},
                     std::string("malformed YAML: ") + e.what());
  }
}

}  // namespace

Node load_string(const std::string& text, const std::string& name) { return parse(text, name); }

Node load_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(Kind::kNotFound, SourceLocation{path.string(), 0, 0, ""},
                     "cannot open file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

void apply_override(YAML::Node& root, const std::string& assignment) {
  const SourceLocation where{"--set " + assignment, 0, 0, ""};
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(Kind::kSyntax, where, "an override must look like key.path=value");
  }
  const std::string path = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw InputError(Kind::kSyntax, where, std::string("malformed value: ") + e.what());
  }
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    keys.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  // YAML::Node is a handle: walking with operator[] and assigning writes into `root`.
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) throw InputError(Kind::kSyntax, where, "empty key in path '" + path + "'");
    YAML::Node& parent = chain.back();
    if (!parent.IsMap()) {
      throw InputError(Kind::kType, SourceLocation{where.file, 0, 0, path},
                       "'" + keys[i] + "' is inside a value that is not a map");
    }
    if (i + 1 == keys.size()) {
      parent[keys[i]] = value;
    } else {
      YAML::Node next = parent[keys[i]];
      if (!next.IsDefined() || next.IsNull()) {
        parent[keys[i]] = YAML::Node(YAML::NodeType::Map);
        next = parent[keys[i]];
      }
      chain.push_back(next);
    }
  }
}

}  // namespace mixq::yaml
