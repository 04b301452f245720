#include "mixq/workloads/precision.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>

namespace mixq::workloads {
namespace {

using Kind = InputError::Kind;

// The quantity a layer's groups must add up to.
std::int64_t group_total(const Layer& layer, Granularity g) {
  return g == Granularity::kWeight ? layer.weight_count() : layer.k;
}

bool parse_int(std::string_view text, int& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

int check_bits(const yaml::Node& node) {
  return static_cast<int>(node.as_int(kMinBits, kMaxBits));
}

Bits read_bits(const yaml::Node& node) {
  if (node.is_scalar()) return parse_bits(node.as<std::string>(), node.where());
  node.check_keys({"w", "a"});
  return {check_bits(node.at("w")), check_bits(node.at("a"))};
}

LayerPrecision read_layer(const yaml::Node& node, const Layer& layer) {
  if (node.is_scalar()) return LayerPrecision::uniform(layer, read_bits(node));
  node.require_map();
  if (!node.has("granularity")) {
    node.check_keys({"w", "a", "granularity"});
    return LayerPrecision::uniform(layer, read_bits(node));
  }
  const auto g_text = node.get<std::string>("granularity");
  LayerPrecision lp;
  if (g_text == "layer") {
    node.check_keys({"granularity", "w", "a"});
    return LayerPrecision::uniform(layer, {check_bits(node.at("w")), check_bits(node.at("a"))});
  }
  if (g_text == "channel_group") {
    lp.granularity = Granularity::kChannelGroup;
  } else if (g_text == "channel") {
    lp.granularity = Granularity::kChannel;
  } else if (g_text == "weight") {
    lp.granularity = Granularity::kWeight;
  } else {
    node.at("granularity").fail(Kind::kValue, "unknown granularity '" + g_text +
                                                  "' (layer, channel_group, channel, weight)");
  }
  if (!layer.has_weights()) {
    node.at("granularity").fail(Kind::kValue, "layer '" + layer.name + "' (" +
                                                  std::string(to_string(layer.op)) +
                                                  ") has no weights to split");
  }
  const char* count_key = lp.granularity == Granularity::kWeight ? "weights" : "channels";
  if (node.has("groups")) {
    node.check_keys({"granularity", "groups"});
    for (const auto& item : node.at("groups").elements()) {
      item.check_keys({count_key, "w", "a"});
      lp.groups.push_back({item.get_int(count_key, 1, std::int64_t{1} << 40),
                           check_bits(item.at("w")), check_bits(item.at("a"))});
    }
  } else if (lp.granularity == Granularity::kChannel) {
    // One weight precision per output channel, run-length encoded as it is read.
    node.check_keys({"granularity", "w", "a"});
    const int a = check_bits(node.at("a"));
    const auto ws = node.at("w").elements();
    if (static_cast<std::int64_t>(ws.size()) != layer.k) {
      node.at("w").fail(Kind::kValue, "expected one bit width per output channel (" +
                                          std::to_string(layer.k) + "), found " +
                                          std::to_string(ws.size()));
    }
    for (const auto& item : ws) {
      const int w = check_bits(item);
      if (!lp.groups.empty() && lp.groups.back().w_bits == w) {
        ++lp.groups.back().count;
      } else {
        lp.groups.push_back({1, w, a});
      }
    }
  } else {
    (void)node.at("groups");
  }
  if (lp.groups.empty()) node.fail(Kind::kValue, "at least one group is needed");
  std::int64_t total = 0;
  for (const auto& g : lp.groups) total += g.count;
  if (total != group_total(layer, lp.granularity)) {
    node.fail(Kind::kValue, std::string("the groups' ") + count_key + " add up to " +
                                std::to_string(total) + ", but layer '" + layer.name + "' has " +
                                std::to_string(group_total(layer, lp.granularity)));
  }
  return lp;
}

// Layers a rule selects.
std::vector<bool> select(const yaml::Node& rule, const Network& net) {
  std::vector<bool> chosen(net.size(), true);
  const auto weighted = net.weighted_layers();
  if (auto which = rule.find("layers")) {
    const auto text = which->as<std::string>();
    std::fill(chosen.begin(), chosen.end(), false);
    if (text == "first" || text == "last" || text == "first_last") {
      if (weighted.empty()) which->fail(Kind::kValue, "the network has no layer with weights");
      if (text != "last") chosen[weighted.front()] = true;
      if (text != "first") chosen[weighted.back()] = true;
    } else if (text == "all") {
      std::fill(chosen.begin(), chosen.end(), true);
    } else {
      bool any = false;
      for (std::size_t i = 0; i < net.size(); ++i) {
        chosen[i] = fnmatch(text.c_str(), net.layer(i).name.c_str(), 0) == 0;
        any = any || chosen[i];
      }
      if (!any) which->fail(Kind::kValue, "the pattern '" + text + "' matches no layer");
    }
  }
  if (auto op_node = rule.find("op")) {
    OpKind op{};
    const auto text = op_node->as<std::string>();
    if (!parse_op(text, op)) op_node->fail(Kind::kValue, "unknown op '" + text + "'");
    for (std::size_t i = 0; i < net.size(); ++i) chosen[i] = chosen[i] && net.layer(i).op == op;
  }
  return chosen;
}

}  // namespace

std::string_view to_string(Granularity g) noexcept {
  switch (g) {
    case Granularity::kLayer: return "layer";
    case Granularity::kChannelGroup: return "channel_group";
    case Granularity::kChannel: return "channel";
    case Granularity::kWeight: return "weight";
  }
  return "?";
}

Bits parse_bits(std::string_view text, const SourceLocation& where) {
  const auto a_pos = text.find('a');
  Bits bits{};
  const bool ok = text.size() >= 4 && text.front() == 'w' && a_pos != std::string_view::npos &&
                  parse_int(text.substr(1, a_pos - 1), bits.w) &&
                  parse_int(text.substr(a_pos + 1), bits.a);
  if (!ok) {
    throw InputError(Kind::kValue, where,
                     "bits must look like w4a8 (weight bits, activation bits), found '" +
                         std::string(text) + "'");
  }
  for (const int b : {bits.w, bits.a}) {
    if (b < kMinBits || b > kMaxBits) {
      throw InputError(Kind::kValue, where,
                       "bit widths must be within [1, 32], found '" + std::string(text) + "'");
    }
  }
  return bits;
}

std::string to_string(Bits bits) {
  return "w" + std::to_string(bits.w) + "a" + std::to_string(bits.a);
}

LayerPrecision LayerPrecision::uniform(const Layer& layer, Bits bits) {
  return {Granularity::kLayer, {{layer.k, bits.w, bits.a}}};
}

int LayerPrecision::max_w_bits() const noexcept {
  int m = 0;
  for (const auto& g : groups) m = std::max(m, g.w_bits);
  return m;
}

int LayerPrecision::max_a_bits() const noexcept {
  int m = 0;
  for (const auto& g : groups) m = std::max(m, g.a_bits);
  return m;
}

bool LayerPrecision::is_uniform() const noexcept {
  return std::all_of(groups.begin(), groups.end(), [&](const PrecisionGroup& g) {
    return g.w_bits == groups.front().w_bits && g.a_bits == groups.front().a_bits;
  });
}

PrecisionAssignment PrecisionAssignment::uniform(const Network& net, Bits bits) {
  std::vector<LayerPrecision> layers;
  layers.reserve(net.size());
  for (const auto& layer : net.layers()) layers.push_back(LayerPrecision::uniform(layer, bits));
  return PrecisionAssignment(std::move(layers));
}

void PrecisionAssignment::set(const Network& net, std::size_t layer, Bits bits) {
  layers_.at(layer) = LayerPrecision::uniform(net.layer(layer), bits);
}

void PrecisionAssignment::validate(const Network& net) const {
  const SourceLocation where{net.name(), 0, 0, ""};
  if (layers_.size() != net.size()) {
    throw InputError(Kind::kValue, where,
                     "the assignment has " + std::to_string(layers_.size()) +
                         " layers, the network " + std::to_string(net.size()));
  }
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = net.layer(i);
    const LayerPrecision& lp = layers_[i];
    SourceLocation at = where;
    at.key_path = "layers." + layer.name;
    if (lp.groups.empty()) throw InputError(Kind::kValue, at, "no precision groups");
    std::int64_t total = 0;
    for (const auto& g : lp.groups) {
      if (g.count <= 0 || g.w_bits < kMinBits || g.w_bits > kMaxBits || g.a_bits < kMinBits ||
          g.a_bits > kMaxBits) {
        throw InputError(Kind::kValue, at, "a group has a non-positive count or bits outside [1, 32]");
      }
      total += g.count;
    }
    if (total != group_total(layer, lp.granularity)) {
      throw InputError(Kind::kValue, at, "group counts add up to " + std::to_string(total) +
                                             ", expected " +
                                             std::to_string(group_total(layer, lp.granularity)));
    }
  }
}

PrecisionAssignment parse_assignment(const yaml::Node& root, const Network& net) {
  root.check_keys({"network", "default", "rules", "layers"});
  if (auto name = root.find("network"); name && name->as<std::string>() != net.name()) {
    name->fail(Kind::kValue, "this assignment is for network '" + name->as<std::string>() +
                                 "', not '" + net.name() + "'");
  }
  std::vector<std::optional<LayerPrecision>> chosen(net.size());
  if (auto def = root.find("default")) {
    const Bits bits = read_bits(*def);
    for (std::size_t i = 0; i < net.size(); ++i) chosen[i] = LayerPrecision::uniform(net.layer(i), bits);
  }
  if (auto rules = root.find("rules")) {
    for (const auto& rule : rules->elements()) {
      rule.check_keys({"layers", "op", "bits"});
      const Bits bits = read_bits(rule.at("bits"));
      const auto selected = select(rule, net);
      for (std::size_t i = 0; i < net.size(); ++i) {
        if (selected[i]) chosen[i] = LayerPrecision::uniform(net.layer(i), bits);
      }
    }
  }
  if (auto layers = root.find("layers")) {
    for (const auto& [name, value] : layers->entries()) {
      const auto index = net.find(name);
      if (!index) value.fail(Kind::kUnknownKey, "network '" + net.name() + "' has no layer '" + name + "'");
      chosen[*index] = read_layer(value, net.layer(*index));
    }
  }
  std::vector<LayerPrecision> out;
  out.reserve(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (!chosen[i]) {
      root.fail(Kind::kMissingKey, "layer '" + net.layer(i).name +
                                       "' has no precision: give a 'default' or list it");
    }
    out.push_back(std::move(*chosen[i]));
  }
  return PrecisionAssignment(std::move(out));
}

PrecisionAssignment load_assignment(const std::filesystem::path& file, const Network& net) {
  return parse_assignment(yaml::load_file(file), net);
}

std::string assignment_to_yaml(const PrecisionAssignment& a, const Network& net) {
  a.validate(net);
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "network" << YAML::Value << net.name();
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginMap;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const LayerPrecision& lp = a[i];
    out << YAML::Key << net.layer(i).name << YAML::Value;
    if (lp.granularity == Granularity::kLayer) {
      out << to_string(Bits{lp.groups.front().w_bits, lp.groups.front().a_bits});
      continue;
    }
    const char* count_key = lp.granularity == Granularity::kWeight ? "weights" : "channels";
    out << YAML::BeginMap << YAML::Key << "granularity" << YAML::Value
        << std::string(to_string(lp.granularity)) << YAML::Key << "groups" << YAML::Value
        << YAML::BeginSeq;
    for (const auto& g : lp.groups) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << count_key << YAML::Value << g.count
          << YAML::Key << "w" << YAML::Value << g.w_bits << YAML::Key << "a" << YAML::Value
          << g.a_bits << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void save_assignment(const PrecisionAssignment& a, const Network& net,
                     const std::filesystem::path& file) {
  const std::string text = assignment_to_yaml(a, net);
  std::ofstream os(file, std::ios::binary | std::ios::trunc);
  if (!(os << text)) {
    throw Error("cannot write assignment file " + file.string());
  }
}

}  // namespace mixq::workloads
