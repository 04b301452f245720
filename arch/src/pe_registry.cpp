#include "mixq/arch/pe_registry.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mixq::arch {
namespace {

using Kind = InputError::Kind;

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

const char* to_string(ParamType type) noexcept {
  switch (type) {
    case ParamType::kInt: return "int";
    case ParamType::kNumber: return "number";
    case ParamType::kChoice: return "choice";
  }
  return "?";
}

// ---- PeParamReader ---------------------------------------------------------------------

PeParamReader::PeParamReader(const yaml::Node& pe_node, const PeFamily& family)
    : node_(pe_node), family_(&family) {
  if (auto source = node_.find("source")) source_ = source->as<std::string>();
}

const ParamSpec& PeParamReader::spec(std::string_view name) const {
  for (const auto& s : family_->params) {
    if (s.name == name) return s;
  }
  // A family reading a parameter it did not declare is a bug in mixq, not bad input.
  throw std::logic_error("PE family '" + family_->name + "' reads undeclared parameter '" +
                         std::string(name) + "'");
}

yaml::Node PeParamReader::value_node(const ParamSpec& s) {
  ParamValue used{s.name, "", false};
  std::optional<yaml::Node> node = node_.find(s.name);
  if (node) {
    used.value = node->is_scalar() ? node->raw().Scalar() : std::string("<not a scalar>");
  } else if (s.default_value) {
    // Parsed like a file's value, so a bad default fails the family's unit test the same way
    // a bad file would fail for a user.
    auto file = std::make_shared<const std::string>("<default of " + family_->name + "." +
                                                    s.name + ">");
    node = yaml::Node(YAML::Load(*s.default_value), file, join_path(node_.path(), s.name));
    used.value = *s.default_value;
    used.from_default = true;
  } else {
    (void)node_.at(s.name);  // throws kMissingKey, located at the PE node
  }
  auto it = std::find_if(values_.begin(), values_.end(),
                         [&](const ParamValue& v) { return v.name == s.name; });
  if (it == values_.end()) {
    values_.push_back(std::move(used));
  } else {
    *it = std::move(used);
  }
  return *node;
}

std::int64_t PeParamReader::integer(std::string_view name) {
  const ParamSpec& s = spec(name);
  if (s.type != ParamType::kInt) {
    throw std::logic_error("PE parameter '" + s.name + "' is not declared as int");
  }
  return value_node(s).as_int(static_cast<std::int64_t>(s.min), static_cast<std::int64_t>(s.max));
}

double PeParamReader::number(std::string_view name) {
  const ParamSpec& s = spec(name);
  if (s.type != ParamType::kNumber) {
    throw std::logic_error("PE parameter '" + s.name + "' is not declared as number");
  }
  const yaml::Node node = value_node(s);
  const double value = node.as<double>();
  if (!std::isfinite(value) || value < s.min || value > s.max) {
    node.fail(Kind::kValue, "value " + format_number(value) + " is out of range [" +
                                format_number(s.min) + ", " + format_number(s.max) + "]");
  }
  return value;
}

std::string PeParamReader::choice(std::string_view name) {
  const ParamSpec& s = spec(name);
  if (s.type != ParamType::kChoice) {
    throw std::logic_error("PE parameter '" + s.name + "' is not declared as choice");
  }
  const yaml::Node node = value_node(s);
  std::string value = node.as<std::string>();
  if (std::find(s.choices.begin(), s.choices.end(), value) == s.choices.end()) {
    std::string message = "'" + value + "' is not one of:";
    for (const auto& c : s.choices) message += " " + c;
    node.fail(Kind::kValue, message);
  }
  return value;
}

void PeParamReader::fail(std::string_view name, const std::string& message) const {
  if (auto node = node_.find(name)) node->fail(Kind::kValue, message);
  SourceLocation where = node_.where();
  where.key_path = join_path(node_.path(), name);
  throw InputError(Kind::kValue, where, message + " (with the default value)");
}

PeModelInfo PeParamReader::finish(std::string description) const {
  PeModelInfo info{family_->name, std::move(description), source_, {}};
  for (const auto& s : family_->params) {
    for (const auto& v : values_) {
      if (v.name == s.name) info.parameters.push_back(v);
    }
  }
  return info;
}

// ---- PeRegistry ------------------------------------------------------------------------

void PeRegistry::add(PeFamily family) {
  if (family.name.empty() || family.create == nullptr) {
    throw std::logic_error("a PE family needs a name and a factory");
  }
  if (find(family.name) != nullptr) {
    throw std::logic_error("PE family '" + family.name + "' is registered twice");
  }
  families_.push_back(std::move(family));
}

std::vector<std::string> PeRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(families_.size());
  for (const auto& f : families_) out.push_back(f.name);
  std::sort(out.begin(), out.end());
  return out;
}

const PeFamily* PeRegistry::find(std::string_view name) const noexcept {
  for (const auto& f : families_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::unique_ptr<PeModel> PeRegistry::create(const yaml::Node& pe_node) const {
  pe_node.require_map();
  const yaml::Node family_node = pe_node.at("family");
  const auto name = family_node.as<std::string>();
  const PeFamily* family = find(name);
  if (family == nullptr) {
    std::string message = "unknown PE family '" + name + "'";
    std::string best;
    std::size_t best_distance = 3;  // suggest near misses only, as Node::check_keys does
    for (const auto& known : names()) {
      const std::size_t d = yaml::edit_distance(name, known);
      if (d < best_distance) {
        best_distance = d;
        best = known;
      }
    }
    if (!best.empty()) message += " (did you mean '" + best + "'?)";
    message += "; known families:";
    for (const auto& known : names()) message += " " + known;
    family_node.fail(Kind::kValue, message);
  }
  std::vector<std::string> allowed{"family", "source"};
  for (const auto& p : family->params) allowed.push_back(p.name);
  pe_node.check_keys(allowed);
  PeParamReader reader(pe_node, *family);
  return family->create(reader);
}

void register_builtin_pe_models(PeRegistry& registry) {
  registry.add(fixed_pe_family());
  registry.add(bit_serial_pe_family());
  registry.add(bit_fusion_pe_family());
  registry.add(swp_pe_family());
  registry.add(bitblade_pe_family());
}

const PeRegistry& PeRegistry::builtin() {
  static const PeRegistry registry = [] {
    PeRegistry r;
    register_builtin_pe_models(r);
    return r;
  }();
  return registry;
}

std::unique_ptr<PeModel> make_pe_model(const yaml::Node& pe_node) {
  return PeRegistry::builtin().create(pe_node);
}

}  // namespace mixq::arch
