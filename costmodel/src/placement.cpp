// Placement files: which engine runs each weighted layer (docs/soc-format.md).
#include <optional>
#include <sstream>

#include "mixq/costmodel/soc_cost.hpp"

namespace mixq::costmodel {
namespace {

using Kind = InputError::Kind;

// The engine called `name`; an unknown name is an error located at `where`.
int engine_named(const std::string& name, const yaml::Node& where, const arch::Soc& soc) {
  const int e = soc.engine_index(name);
  if (e < 0) {
    std::string known;
    for (const auto& engine : soc.engines) known += (known.empty() ? "" : ", ") + engine.name;
    where.fail(Kind::kValue, "SoC '" + soc.name + "' has no engine '" + name + "' (" + known + ")");
  }
  return e;
}

}  // namespace

Placement parse_placement(const yaml::Node& root, const workloads::Network& net, const arch::Soc& soc) {
  root.check_keys({"default", "layers"});
  Placement p;
  p.layers.resize(net.size());
  std::vector<bool> given(net.size(), false);
  if (auto layers = root.find("layers")) {
    for (const auto& [name, entry] : layers->entries()) {
      const auto index = net.find(name);
      if (!index) {
        std::string message = "network '" + net.name() + "' has no layer '" + name + "'";
        for (const auto& l : net.layers()) {
          if (yaml::edit_distance(name, l.name) <= 2) {
            message += " (did you mean '" + l.name + "'?)";
            break;
          }
        }
        entry.fail(Kind::kUnknownKey, message);
      }
      const workloads::Layer& layer = net.layer(*index);
      if (!layer.has_weights()) {
        entry.fail(Kind::kValue, "layer '" + name + "' has no weights; it moves data and is not placed");
      }
      if (entry.is_map()) {
        entry.check_keys({"split"});
        std::int64_t sum = 0;
        for (const auto& [engine, channels] : entry.at("split").entries()) {
          const int e = engine_named(engine, channels, soc);
          for (const auto& part : p.layers[*index]) {
            if (part.engine == e) channels.fail(Kind::kValue, "engine '" + engine + "' is listed twice");
          }
          const std::int64_t c = channels.as_int(1, layer.k);
          p.layers[*index].push_back({e, c});
          sum += c;
        }
        if (sum != layer.k) {
          entry.at("split").fail(Kind::kValue, "the parts have " + std::to_string(sum) +
                                                   " output channels, the layer " + std::to_string(layer.k));
        }
      } else {
        p.layers[*index] = {{engine_named(entry.as<std::string>(), entry, soc), layer.k}};
      }
      given[*index] = true;
    }
  }
  std::optional<int> fallback;
  if (auto d = root.find("default")) fallback = engine_named(d->as<std::string>(), *d, soc);
  for (std::size_t i = 0; i < net.size(); ++i) {
    const workloads::Layer& layer = net.layer(i);
    if (!layer.has_weights() || given[i]) continue;
    if (!fallback) {
      root.fail(Kind::kMissingKey, "layer '" + layer.name + "' has no engine (give `default` or an entry)");
    }
    p.layers[i] = {{*fallback, layer.k}};
  }
  return p;
}

Placement load_placement(const std::filesystem::path& file, const workloads::Network& net,
                         const arch::Soc& soc) {
  return parse_placement(yaml::load_file(file), net, soc);
}

Placement load_checked_placement(const std::filesystem::path& file, const workloads::Network& net,
                                 const SocModel& model, const workloads::PrecisionAssignment& a) {
  const yaml::Node doc = yaml::load_file(file);
  Placement p = parse_placement(doc, net, model.soc());
  const Check check = model.check(net, a, p);
  if (!check.ok) {
    std::optional<yaml::Node> at;
    if (auto layers = doc.find("layers")) at = layers->find(check.layer);
    if (!at) at = doc.find("default");
    if (!at) at = doc;
    at->fail(Kind::kValue, "layer '" + check.layer + "': " + check.reason);
  }
  return p;
}

std::string placement_to_yaml(const Placement& p, const workloads::Network& net, const arch::Soc& soc) {
  std::ostringstream out;
  out << "# placement of " << net.name() << " on " << soc.name << "\nlayers:\n";
  for (std::size_t i = 0; i < net.size() && i < p.layers.size(); ++i) {
    const auto& parts = p.layers[i];
    if (parts.empty()) continue;
    out << "  " << net.layer(i).name << ": ";
    if (parts.size() == 1) {
      out << soc.engines[static_cast<std::size_t>(parts.front().engine)].name << '\n';
      continue;
    }
    out << "{split: {";
    for (std::size_t k = 0; k < parts.size(); ++k) {
      out << (k ? ", " : "") << soc.engines[static_cast<std::size_t>(parts[k].engine)].name << ": "
          << parts[k].channels;
    }
    out << "}}\n";
  }
  return out.str();
}

}  // namespace mixq::costmodel
