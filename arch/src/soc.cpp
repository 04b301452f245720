#include "mixq/arch/soc.hpp"

#include <algorithm>
#include <cmath>

#include "mixq/common/expr.hpp"
#include "mixq/common/paths.hpp"
#include "parse.hpp"

namespace mixq::arch {
namespace {

using Kind = InputError::Kind;
using namespace detail;  // NOLINT(google-build-using-namespace): the loaders' shared helpers

// The ops an engine may name: the weighted ones (the others move data, priced on the bus).
constexpr std::array<std::string_view, 4> kEngineOps = {"conv", "dwconv", "fc", "gemm"};

expr::Variables formula_names() {
  expr::Variables names;
  for (const auto& v : formula_variables()) names.emplace(v, 1);
  return names;
}

// An expression is checked when the file is read (syntax, names), not when first used.
std::string checked_expression(const yaml::Node& node) {
  const auto text = node.as<std::string>();
  try {
    expr::check(text, formula_names());
  } catch (const expr::ExprError& e) {
    std::string names;
    for (const auto& v : formula_variables()) names += (names.empty() ? "" : ", ") + v;
    node.fail(Kind::kValue, std::string(e.what()) + " (names: " + names + ")");
  }
  return text;
}

std::vector<std::string> parse_ops(const yaml::Node& node) {
  std::vector<std::string> ops;
  for (const auto& item : node.elements()) {
    const auto op = item.as<std::string>();
    if (std::find(kEngineOps.begin(), kEngineOps.end(), op) == kEngineOps.end()) {
      item.fail(Kind::kValue, "unknown op '" + op + "' (conv, dwconv, fc, gemm)");
    }
    if (std::find(ops.begin(), ops.end(), op) != ops.end()) {
      item.fail(Kind::kValue, "'" + op + "' is listed twice");
    }
    ops.push_back(op);
  }
  if (ops.empty()) node.fail(Kind::kValue, "an engine must run at least one op");
  return ops;
}

std::vector<PrecisionMode> parse_modes(const yaml::Node& node, bool with_rate) {
  std::vector<PrecisionMode> modes;
  for (const auto& item : node.elements()) {
    if (with_rate) {
      item.check_keys({"w_bits", "a_bits", "macs_per_cycle"});
    } else {
      item.check_keys({"w_bits", "a_bits"});
    }
    PrecisionMode m;
    m.w_bits = static_cast<int>(item.get_int("w_bits", 1, 32));
    m.a_bits = static_cast<int>(item.get_int("a_bits", 1, 32));
    if (with_rate) m.macs_per_cycle = positive(item.at("macs_per_cycle"));
    for (const auto& other : modes) {
      if (other.w_bits == m.w_bits && other.a_bits == m.a_bits) {
        item.fail(Kind::kValue, "mode w" + std::to_string(m.w_bits) + "a" +
                                    std::to_string(m.a_bits) + " is listed twice");
      }
    }
    modes.push_back(m);
  }
  if (modes.empty()) node.fail(Kind::kValue, "at least one precision mode is needed");
  // Narrowest first, so that a layer takes the first mode that holds its bits.
  std::stable_sort(modes.begin(), modes.end(), [](const PrecisionMode& a, const PrecisionMode& b) {
    return a.w_bits * a.a_bits < b.w_bits * b.a_bits;
  });
  return modes;
}

double power_mw(const yaml::Node& engine) {
  const yaml::Node node = engine.at("active_power_mw");
  return number_at_least(node, 0.0);
}

SocEngine parse_engine(const std::string& name, const yaml::Node& node, double soc_frequency_hz) {
  node.require_map();
  const yaml::Node kind_node = node.at("kind");
  const auto kind = kind_node.as<std::string>();
  SocEngine e;
  e.name = name;
  if (kind == "array") {
    node.check_keys({"kind", "arch", "set", "spec", "ops", "when", "weights_resident",
                     "source"});
    e.kind = EngineKind::kArray;
    const yaml::Node chosen = one_of(node, {"arch", "spec"});
    if (chosen.path().ends_with(".spec")) {
      if (node.has("set")) node.at("set").fail(Kind::kValue, "`set` goes with `arch`, not `spec`");
      e.array = parse_accelerator(chosen);
    } else {
      std::vector<std::string> overrides;
      if (auto set = node.find("set")) {
        for (const auto& [key, value] : set->entries()) {
          if (!value.is_scalar()) value.fail(Kind::kType, "an override takes a scalar value");
          overrides.push_back(key + "=" + value.raw().Scalar());
        }
      }
      std::filesystem::path file;
      try {
        file = resolve_preset("arch", chosen.as<std::string>());
      } catch (const InputError& err) {
        chosen.fail(Kind::kNotFound, "'" + chosen.as<std::string>() + "': " + err.message());
      }
      e.array = load_accelerator(file, overrides);
    }
    e.frequency_hz = e.array->frequency_hz;
  } else if (kind == "formula" || kind == "cluster") {
    const bool cluster = kind == "cluster";
    if (cluster) {
      node.check_keys({"kind", "ops", "when", "modes", "cores", "overhead_cycles",
                       "active_power_mw", "frequency_mhz", "weights_resident", "source"});
      e.kind = EngineKind::kCluster;
      e.cores = node.get_int("cores", 1, 1 << 16, 1);
      e.overhead_cycles = node.get_int("overhead_cycles", 0, std::int64_t{1} << 32, 0);
    } else {
      node.check_keys({"kind", "ops", "when", "modes", "cycles", "active_power_mw",
                       "frequency_mhz", "weights_resident", "source"});
      e.kind = EngineKind::kFormula;
      const yaml::Node cycles = node.at("cycles");
      for (const auto& [op, text] : cycles.entries()) {
        if (op != "default" &&
            std::find(kEngineOps.begin(), kEngineOps.end(), op) == kEngineOps.end()) {
          text.fail(Kind::kUnknownKey, "unknown op '" + op + "' (conv, dwconv, fc, gemm, default)");
        }
        e.cycles.emplace(op, checked_expression(text));
      }
    }
    e.modes = parse_modes(node.at("modes"), cluster);
    e.active_power_mw = power_mw(node);
    e.frequency_hz = soc_frequency_hz;
    if (auto f = node.find("frequency_mhz")) e.frequency_hz = positive(*f) * 1e6;
  } else {
    kind_node.fail(Kind::kValue, "unknown engine kind '" + kind + "' (array, formula, cluster)");
  }
  e.ops = parse_ops(node.at("ops"));
  if (e.kind == EngineKind::kFormula) {
    // Every op the engine runs needs a latency model.
    for (const auto& op : e.ops) {
      if (!e.cycles.contains(op) && !e.cycles.contains("default")) {
        node.at("cycles").fail(Kind::kMissingKey,
                               "no cycles for op '" + op + "' (give it, or a `default`)");
      }
    }
  }
  if (auto when = node.find("when")) e.when = checked_expression(*when);
  e.weights_resident = node.get<bool>("weights_resident", false);
  e.source = node.get<std::string>("source", "");
  if (e.kind != EngineKind::kArray && e.source.empty()) {
    node.fail(Kind::kMissingKey, "a formula or cluster engine must give its `source`");
  }
  return e;
}

L2Spec parse_l2(const yaml::Node& node) {
  node.check_keys({"size_kib", "size_bits", "read_pj_per_bit", "write_pj_per_bit", "source"});
  L2Spec l2;
  const yaml::Node size = one_of(node, {"size_kib", "size_bits"});
  constexpr std::int64_t kMaxBits = std::int64_t{1} << 50;
  l2.size_bits = size.path().ends_with("size_kib") ? size.as_int(1, kMaxBits >> 13) << 13
                                                   : size.as_int(1, kMaxBits);
  l2.read_energy_pj_per_bit = number_at_least(node.at("read_pj_per_bit"), 0.0);
  l2.write_energy_pj_per_bit = number_at_least(node.at("write_pj_per_bit"), 0.0);
  l2.source = node.get<std::string>("source", "");
  return l2;
}

BusSpec parse_bus(const yaml::Node& node) {
  node.check_keys({"bits_per_cycle", "arbitration", "dma_setup_cycles", "source"});
  BusSpec bus;
  bus.bits_per_cycle = positive(node.at("bits_per_cycle"));
  const auto arbitration = node.get<std::string>("arbitration", "round_robin");
  if (arbitration == "round_robin") {
    bus.arbitration = Arbitration::kRoundRobin;
  } else if (arbitration == "fixed_priority") {
    bus.arbitration = Arbitration::kFixedPriority;
  } else {
    node.at("arbitration")
        .fail(Kind::kValue, "unknown arbitration '" + arbitration + "' (round_robin, fixed_priority)");
  }
  bus.dma_setup_cycles = node.get_int("dma_setup_cycles", 0, 1 << 20, 0);
  bus.source = node.get<std::string>("source", "");
  return bus;
}

DramSpec parse_soc_dram(const yaml::Node& node, double frequency_hz) {
  node.check_keys({"bits_per_cycle", "gb_per_s", "pj_per_bit", "source"});
  DramSpec d;
  const yaml::Node bandwidth = one_of(node, {"bits_per_cycle", "gb_per_s"});
  d.bits_per_cycle = bandwidth.path().ends_with("gb_per_s")
                         ? positive(bandwidth) * 8e9 / frequency_hz  // GB/s = 10^9 bytes/s
                         : positive(bandwidth);
  d.energy_pj_per_bit = number_at_least(node.at("pj_per_bit"), 0.0);
  d.source = node.get<std::string>("source", "");
  return d;
}

}  // namespace

const char* to_string(EngineKind k) noexcept {
  switch (k) {
    case EngineKind::kArray:
      return "array";
    case EngineKind::kFormula:
      return "formula";
    case EngineKind::kCluster:
      return "cluster";
  }
  return "?";
}

const char* to_string(Arbitration a) noexcept {
  return a == Arbitration::kRoundRobin ? "round_robin" : "fixed_priority";
}

int Soc::engine_index(const std::string& engine_name) const noexcept {
  for (std::size_t i = 0; i < engines.size(); ++i) {
    if (engines[i].name == engine_name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<std::string>& formula_variables() {
  static const std::vector<std::string> names = {"N", "K", "C", "R", "S", "P", "Q",
                                                 "H", "W", "G", "SH", "SW"};
  return names;
}

Soc parse_soc(const yaml::Node& root) {
  root.check_keys({"name", "source", "note", "frequency_mhz", "engines", "l2", "bus", "dram"});
  Soc soc;
  soc.name = root.get<std::string>("name");
  if (soc.name.empty()) root.at("name").fail(Kind::kValue, "must not be empty");
  soc.source = root.get<std::string>("source");
  if (soc.source.empty()) root.at("source").fail(Kind::kValue, "must say where the numbers come from");
  soc.note = root.get<std::string>("note", "");
  soc.file = root.file();
  const yaml::Node frequency = root.at("frequency_mhz");
  soc.frequency_hz = positive(frequency) * 1e6;
  if (soc.frequency_hz > 1e12) frequency.fail(Kind::kValue, "must be at most 1e6 (1 THz)");
  const yaml::Node engines = root.at("engines");
  // A map keyed by engine name (file order kept), so that `--set engines.NAME.key=value`
  // reaches every engine parameter.
  for (const auto& [name, node] : engines.entries()) {
    soc.engines.push_back(parse_engine(name, node, soc.frequency_hz));
  }
  if (soc.engines.empty()) engines.fail(Kind::kValue, "a SoC needs at least one engine");
  soc.l2 = parse_l2(root.at("l2"));
  soc.bus = parse_bus(root.at("bus"));
  soc.dram = parse_soc_dram(root.at("dram"), soc.frequency_hz);
  return soc;
}

Soc load_soc_file(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  Soc soc = parse_with_overrides(file, overrides, parse_soc);
  for (auto& engine : soc.engines) {
    if (engine.array) detail::name_size_overrides(*engine.array, soc.file, overrides);
  }
  return soc;
}

Soc load_soc(const std::string& name_or_file, const std::vector<std::string>& overrides) {
  return load_soc_file(resolve_preset("soc", name_or_file), overrides);
}

}  // namespace mixq::arch
