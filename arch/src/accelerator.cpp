#include "mixq/arch/accelerator.hpp"

#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include "mixq/arch/pe_model.hpp"
#include "mixq/common/paths.hpp"
#include "parse.hpp"

namespace mixq::arch {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): the loaders' shared helpers

using Kind = InputError::Kind;

constexpr std::array<const char*, kOperands> kOperandNames = {"weights", "inputs", "outputs"};


// ---------------------------------------------------------------------------------------
// Technology tables (configs/tech/NAME.yaml): named figures, each with a unit and a source,
// that a file references as `tech.ENTRY` wherever it would write a number.

// The units a technology figure may carry. A key takes the unit its name ends with, after an
// underscore (`read_pj_per_bit` takes pj_per_bit, `energy_per_mac_pj` takes pj), so a figure
// can only be used where its unit is meant.
constexpr std::array<std::string_view, 6> kTechUnits = {
    "pj_per_access", "bits_per_cycle", "pj_per_bit", "gb_per_s", "mhz", "pj"};

std::optional<std::string_view> unit_of_key(std::string_view key) {
  for (const std::string_view unit : kTechUnits) {
    if (key == unit) return unit;
    if (key.size() > unit.size() && key.ends_with(unit) &&
        key[key.size() - unit.size() - 1] == '_') {
      return unit;
    }
  }
  return std::nullopt;
}

struct TechEntry {
  std::string text;  // the value as written, so that it is substituted exactly
  std::string unit;
};

struct TechTable {
  std::string name;
  std::map<std::string, TechEntry, std::less<>> entries;
};

TechTable read_tech_table(const yaml::Node& tech_key) {
  const auto name = tech_key.as<std::string>();
  std::filesystem::path file;
  try {
    file = resolve_preset("tech", name);
  } catch (const InputError& e) {
    tech_key.fail(Kind::kNotFound, e.message());
  }
  const yaml::Node doc = yaml::load_file(file);
  doc.check_keys({"name", "source", "entries"});
  TechTable table{name, {}};
  for (const auto& [key, entry] : doc.at("entries").entries()) {
    entry.check_keys({"value", "unit", "source"});
    const yaml::Node value = entry.at("value");
    const auto v = value.as<double>();
    if (!std::isfinite(v) || v < 0) value.fail(Kind::kValue, "must be a finite number >= 0");
    const yaml::Node unit = entry.at("unit");
    const auto unit_text = unit.as<std::string>();
    if (!unit_of_key(unit_text) || *unit_of_key(unit_text) != unit_text) {
      std::string known;
      for (const std::string_view u : kTechUnits)
        known += (known.empty() ? "" : ", ") + std::string(u);
      unit.fail(Kind::kValue, "unknown unit '" + unit_text + "' (" + known + ")");
    }
    // Every number says where it comes from.
    if (entry.get<std::string>("source").empty())
      entry.at("source").fail(Kind::kValue, "must not be empty");
    table.entries.emplace(key, TechEntry{value.raw().Scalar(), unit_text});
  }
  return table;
}

// Replaces one `tech.ENTRY` scalar by the entry's value, in place, so that the PE families,
// the array and the buffers read plain numbers and every key keeps its line for later errors
// (yaml-cpp keeps a node's mark when its scalar is reassigned). `key` names the unit wanted.
void resolve_tech_ref(const yaml::Node& node, const std::optional<TechTable>& tech,
                      std::string_view key) {
  if (!node.is_scalar()) return;
  const std::string& text = node.raw().Scalar();
  if (!text.starts_with("tech.")) return;
  const std::string name = text.substr(5);
  if (!tech) node.fail(Kind::kValue, "'" + text + "' needs a `tech:` table");
  const auto found = tech->entries.find(name);
  if (found == tech->entries.end()) {
    std::string message = "technology table '" + tech->name + "' has no entry '" + name + "'";
    for (const auto& [candidate, entry] : tech->entries) {
      if (yaml::edit_distance(name, candidate) <= 3) {
        message += " (did you mean 'tech." + candidate + "'?)";
        break;
      }
    }
    node.fail(Kind::kValue, message);
  }
  const auto wanted = unit_of_key(key);
  if (!wanted) {
    node.fail(Kind::kValue, "'" + std::string(key) +
                                "' does not take a technology figure (its name ends in no unit)");
  }
  if (*wanted != found->second.unit) {
    node.fail(Kind::kValue, "tech." + name + " is in " + found->second.unit + ", but '" +
                                std::string(key) + "' takes " + std::string(*wanted));
  }
  YAML::Node raw = node.raw();
  raw = found->second.text;
}

// Resolves the references among a map's own values (one section: the PE, the array, a
// buffer, the DRAM, the top level). Names and sources are text and never references.
void resolve_tech_refs(const yaml::Node& map, const std::optional<TechTable>& tech) {
  if (!map.is_map()) return;
  for (const auto& [key, value] : map.entries()) {
    if (key != "name" && key != "source") resolve_tech_ref(value, tech, key);
  }
}

// ---------------------------------------------------------------------------------------
// Sections of the accelerator file.

Dataflow parse_dataflow(const yaml::Node& node) {
  const auto text = node.as<std::string>();
  if (text == "ws") return Dataflow::kWeightStationary;
  if (text == "os") return Dataflow::kOutputStationary;
  if (text == "is") return Dataflow::kInputStationary;
  node.fail(Kind::kValue, "unsupported dataflow '" + text + "' (ws, os, is)");
}

ArraySpec parse_array(const yaml::Node& node, const std::optional<TechTable>& tech) {
  node.check_keys(
      {"rows", "cols", "dataflow", "rows_unroll", "interconnect", "fold_overhead_cycles"});
  resolve_tech_refs(node, tech);
  ArraySpec a;
  a.rows = node.get_int("rows", 1, 1 << 16);
  a.cols = node.get_int("cols", 1, 1 << 16);
  a.dataflow = parse_dataflow(node.at("dataflow"));
  if (auto unroll = node.find("rows_unroll")) {
    std::vector<std::string> dims;
    for (const auto& d : unroll->elements()) dims.push_back(d.as<std::string>());
    if (dims == std::vector<std::string>{"C"}) {
      a.rows_unroll_filter = false;
    } else if (dims == std::vector<std::string>{"C", "R", "S"}) {
      a.rows_unroll_filter = true;
    } else {
      unroll->fail(Kind::kValue, "rows unroll [C] or [C, R, S]");
    }
  }
  if (auto ic = node.find("interconnect")) {
    const auto text = ic->as<std::string>();
    if (text != "systolic" && text != "broadcast") {
      ic->fail(Kind::kValue, "unknown interconnect '" + text + "' (systolic, broadcast)");
    }
    a.systolic = text == "systolic";
  }
  if (auto overhead = node.find("fold_overhead_cycles")) {
    if (a.systolic)
      overhead->fail(Kind::kValue, "fold_overhead_cycles applies to broadcast arrays only");
    a.fold_overhead_cycles = overhead->as_int(0, 1 << 20);
  }
  return a;
}

std::int64_t parse_size_bits(const yaml::Node& buffer, SourceLocation& at) {
  // 2^50 bits (128 TiB) keeps every product of sizes and counts far from int64 overflow.
  constexpr std::int64_t kMaxBits = std::int64_t{1} << 50;
  const yaml::Node node = one_of(buffer, {"size_kib", "size_mib", "size_bits"});
  at = node.where();
  const std::string key = node.path().substr(node.path().rfind('.') + 1);
  if (key == "size_kib") return node.as_int(1, kMaxBits >> 13) << 13;
  if (key == "size_mib") return node.as_int(1, kMaxBits >> 23) << 23;
  return node.as_int(1, kMaxBits);
}

// Energy per bit from `DIR_pj_per_bit`, or from `DIR_pj_per_access` (one access moves
// word_bits bits, as CACTI reports it).
double energy_per_bit(const yaml::Node& buffer, const std::string& dir, std::int64_t word_bits) {
  const yaml::Node node = one_of(buffer, {dir + "_pj_per_bit", dir + "_pj_per_access"});
  const double value = number_at_least(node, 0.0);
  return node.path().ends_with("_pj_per_access") ? value / static_cast<double>(word_bits) : value;
}

BufferSpec parse_buffer(const yaml::Node& node, const std::optional<TechTable>& tech) {
  node.check_keys({"name", "holds", "size_bits", "size_kib", "size_mib", "word_bits",
                   "read_bits_per_cycle", "write_bits_per_cycle", "read_pj_per_bit",
                   "write_pj_per_bit", "read_pj_per_access", "write_pj_per_access",
                   "double_buffered", "source"});
  resolve_tech_refs(node, tech);
  BufferSpec b;
  b.name = node.get<std::string>("name");
  if (b.name.empty()) node.at("name").fail(Kind::kValue, "must not be empty");
  const yaml::Node holds = node.at("holds");
  const auto operands = holds.elements();
  if (operands.empty()) holds.fail(Kind::kValue, "a buffer must hold at least one operand");
  for (const auto& item : operands) {
    const auto op = item.as<std::string>();
    std::size_t index = kOperands;
    for (std::size_t i = 0; i < kOperands; ++i) {
      if (op == kOperandNames[i]) index = i;
    }
    if (index == kOperands)
      item.fail(Kind::kValue, "unknown operand '" + op + "' (weights, inputs, outputs)");
    if (b.holds[index]) item.fail(Kind::kValue, "'" + op + "' is listed twice");
    b.holds[index] = true;
  }
  b.size_bits = parse_size_bits(node, b.size_at);
  b.word_bits = node.get_int("word_bits", 1, 1 << 16, 64);
  b.read_bits_per_cycle = positive(node.at("read_bits_per_cycle"));
  b.write_bits_per_cycle = positive(node.at("write_bits_per_cycle"));
  b.read_energy_pj_per_bit = energy_per_bit(node, "read", b.word_bits);
  b.write_energy_pj_per_bit = energy_per_bit(node, "write", b.word_bits);
  b.double_buffered = node.get<bool>("double_buffered", true);
  b.source = node.get<std::string>("source", "");
  return b;
}

std::vector<BufferSpec> parse_buffers(const yaml::Node& list,
                                      const std::optional<TechTable>& tech) {
  const auto nodes = list.elements();
  if (nodes.empty()) list.fail(Kind::kValue, "at least one buffer is needed");
  std::vector<BufferSpec> buffers;
  for (const auto& node : nodes) {
    buffers.push_back(parse_buffer(node, tech));
    for (std::size_t i = 0; i + 1 < buffers.size(); ++i) {
      if (buffers[i].name == buffers.back().name) {
        node.at("name").fail(Kind::kValue, "buffer name '" + buffers[i].name + "' is used twice");
      }
    }
  }
  // The cost model moves each operand through one buffer: a second holder would be ambiguous,
  // none would leave the operand nowhere to go.
  for (std::size_t op = 0; op < kOperands; ++op) {
    std::vector<std::size_t> holders;
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      if (buffers[i].holds[op]) holders.push_back(i);
    }
    if (holders.empty()) {
      list.fail(Kind::kValue,
                std::string(kOperandNames[op]) + " must be held by exactly one buffer (found 0)");
    }
    if (holders.size() > 1) {
      std::string names;
      for (const std::size_t i : holders) names += (names.empty() ? "" : ", ") + buffers[i].name;
      nodes[holders[1]].at("holds").fail(Kind::kValue,
                                         std::string(kOperandNames[op]) +
                                             " must be held by exactly one buffer (found " +
                                             std::to_string(holders.size()) + ": " + names + ")");
    }
  }
  return buffers;
}

DramSpec parse_dram(const yaml::Node& node, double frequency_hz,
                    const std::optional<TechTable>& tech) {
  node.check_keys({"bits_per_cycle", "gb_per_s", "pj_per_bit", "source"});
  resolve_tech_refs(node, tech);
  DramSpec d;
  const yaml::Node bandwidth = one_of(node, {"bits_per_cycle", "gb_per_s"});
  d.bits_per_cycle = bandwidth.path().ends_with("gb_per_s")
                         ? positive(bandwidth) * 8e9 / frequency_hz  // GB/s = 10^9 bytes/s
                         : positive(bandwidth);
  if (!std::isfinite(d.bits_per_cycle) || d.bits_per_cycle <= 0) {
    bandwidth.fail(Kind::kValue,
                   "gives " + format_number(d.bits_per_cycle) + " bits per cycle at this clock");
  }
  d.energy_pj_per_bit = number_at_least(node.at("pj_per_bit"), 0.0);
  d.source = node.get<std::string>("source", "");
  return d;
}

}  // namespace

const char* to_string(Dataflow d) noexcept {
  switch (d) {
    case Dataflow::kWeightStationary:
      return "ws";
    case Dataflow::kOutputStationary:
      return "os";
    case Dataflow::kInputStationary:
      return "is";
  }
  return "?";
}

std::size_t Accelerator::buffer_index(Operand op) const {
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    if (buffers[i].holds[static_cast<std::size_t>(op)]) return i;
  }
  throw Error("accelerator '" + name + "' has no buffer for " +
              kOperandNames[static_cast<std::size_t>(op)]);
}

const BufferSpec& Accelerator::buffer_for(Operand op) const { return buffers[buffer_index(op)]; }

Accelerator parse_accelerator(const yaml::Node& root) {
  root.check_keys({"name", "source", "tech", "frequency_mhz", "pe", "array", "accumulator_bits",
                   "buffers", "dram"});
  std::optional<TechTable> tech;
  if (auto key = root.find("tech")) tech = read_tech_table(*key);
  resolve_tech_refs(root, tech);

  Accelerator acc;
  acc.name = root.get<std::string>("name");
  if (acc.name.empty()) root.at("name").fail(Kind::kValue, "must not be empty");
  acc.source = root.get<std::string>("source");
  if (acc.source.empty())
    root.at("source").fail(Kind::kValue, "must say where the numbers come from");
  acc.file = root.file();
  const yaml::Node frequency = root.at("frequency_mhz");
  // 1 THz bounds the clock so that conversions with it (GB/s to bits per cycle) stay finite.
  acc.frequency_hz = positive(frequency) * 1e6;
  if (acc.frequency_hz > 1e12) frequency.fail(Kind::kValue, "must be at most 1e6 (1 THz)");
  const yaml::Node pe = root.at("pe");
  resolve_tech_refs(pe, tech);
  acc.pe = std::shared_ptr<const PeModel>(make_pe_model(pe));
  acc.array = parse_array(root.at("array"), tech);
  acc.accumulator_bits = static_cast<int>(root.get_int("accumulator_bits", 8, 64, 32));
  acc.buffers = parse_buffers(root.at("buffers"), tech);
  acc.dram = parse_dram(root.at("dram"), acc.frequency_hz, tech);
  return acc;
}

Accelerator load_accelerator(const std::filesystem::path& file,
                             const std::vector<std::string>& overrides) {
  Accelerator acc = parse_with_overrides(file, overrides, parse_accelerator);
  detail::name_size_overrides(acc, acc.file, overrides);
  return acc;
}

Accelerator load_arch(const std::string& name_or_file, const std::vector<std::string>& overrides) {
  return load_accelerator(resolve_preset("arch", name_or_file), overrides);
}

}  // namespace mixq::arch
