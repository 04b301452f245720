#include "mixq/arch/accelerator.hpp"

#include <cmath>
#include <optional>

#include "mixq/arch/pe_model.hpp"
#include "mixq/common/paths.hpp"

namespace mixq::arch {
namespace {

using Kind = InputError::Kind;

// A technology table (configs/tech/NAME.yaml): named energy figures, each with a source, that
// presets reference as "tech.NAME" instead of repeating numbers.
struct TechTable {
  std::string name;
  yaml::Node entries;
};

std::optional<TechTable> load_tech(const yaml::Node& root) {
  auto tech = root.find("tech");
  if (!tech) return std::nullopt;
  const auto name = tech->as<std::string>();
  std::filesystem::path file;
  try {
    file = resolve_preset("tech", name);
  } catch (const InputError& e) {
    tech->fail(Kind::kNotFound, e.message());
  }
  const yaml::Node doc = yaml::load_file(file);
  doc.check_keys({"name", "source", "entries"});
  const yaml::Node entries = doc.at("entries");
  for (const auto& [key, entry] : entries.entries()) {
    entry.check_keys({"value", "unit", "source"});
    (void)entry.get<double>("value");
    (void)entry.get<std::string>("unit");
    (void)entry.get<std::string>("source");  // every number says where it comes from
  }
  return TechTable{name, entries};
}

// A non-negative number, or "tech.ENTRY" from the technology table.
double number(const yaml::Node& node, const std::optional<TechTable>& tech, double min) {
  double value = 0;
  if (node.is_scalar() && node.raw().Scalar().rfind("tech.", 0) == 0) {
    const std::string entry = node.raw().Scalar().substr(5);
    if (!tech) node.fail(Kind::kValue, "'" + node.raw().Scalar() + "' needs a `tech:` table");
    auto found = tech->entries.find(entry);
    if (!found) {
      node.fail(Kind::kValue, "technology table '" + tech->name + "' has no entry '" + entry + "'");
    }
    value = found->get<double>("value");
  } else {
    value = node.as<double>();
  }
  if (!std::isfinite(value) || value < min) {
    node.fail(Kind::kValue, "must be a number >= " + std::to_string(min) + ", found " +
                                std::to_string(value));
  }
  return value;
}

double positive(const yaml::Node& node, const std::optional<TechTable>& tech) {
  const double v = number(node, tech, 0.0);
  if (v <= 0) node.fail(Kind::kValue, "must be greater than zero");
  return v;
}

Dataflow parse_dataflow(const yaml::Node& node) {
  const auto text = node.as<std::string>();
  if (text == "ws") return Dataflow::kWeightStationary;
  if (text == "os") return Dataflow::kOutputStationary;
  if (text == "is") return Dataflow::kInputStationary;
  node.fail(Kind::kValue, "unsupported dataflow '" + text + "' (ws, os, is)");
}

ArraySpec parse_array(const yaml::Node& node) {
  node.check_keys({"rows", "cols", "dataflow", "rows_unroll", "interconnect", "fold_overhead_cycles"});
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
    if (a.systolic) overhead->fail(Kind::kValue, "fold_overhead_cycles applies to broadcast arrays only");
    a.fold_overhead_cycles = overhead->as_int(0, 1 << 20);
  }
  return a;
}

std::int64_t size_bits(const yaml::Node& node) {
  int given = 0;
  std::int64_t bits = 0;
  constexpr std::int64_t kMax = std::int64_t{1} << 50;
  if (auto b = node.find("size_bits")) {
    bits = b->as_int(1, kMax);
    ++given;
  }
  if (auto k = node.find("size_kib")) {
    bits = k->as_int(1, kMax >> 13) * 8192;
    ++given;
  }
  if (auto m = node.find("size_mib")) {
    bits = m->as_int(1, kMax >> 23) * 8 * 1024 * 1024;
    ++given;
  }
  if (given != 1) node.fail(Kind::kValue, "give the size once: size_bits, size_kib or size_mib (> 0)");
  return bits;
}

BufferSpec parse_buffer(const yaml::Node& node, const std::optional<TechTable>& tech) {
  node.check_keys({"name", "holds", "size_bits", "size_kib", "size_mib", "word_bits",
                   "read_bits_per_cycle", "write_bits_per_cycle", "read_pj_per_bit",
                   "write_pj_per_bit", "double_buffered", "source"});
  BufferSpec b;
  b.name = node.get<std::string>("name");
  for (const auto& item : node.at("holds").elements()) {
    const auto op = item.as<std::string>();
    std::size_t index = 0;
    if (op == "weights") {
      index = 0;
    } else if (op == "inputs") {
      index = 1;
    } else if (op == "outputs") {
      index = 2;
    } else {
      item.fail(Kind::kValue, "unknown operand '" + op + "' (weights, inputs, outputs)");
    }
    b.holds[index] = true;
  }
  b.size_bits = size_bits(node);
  b.word_bits = node.get_int("word_bits", 1, 1 << 16, 64);
  b.read_bits_per_cycle = positive(node.at("read_bits_per_cycle"), tech);
  b.write_bits_per_cycle = positive(node.at("write_bits_per_cycle"), tech);
  b.read_energy_pj_per_bit = number(node.at("read_pj_per_bit"), tech, 0.0);
  b.write_energy_pj_per_bit = number(node.at("write_pj_per_bit"), tech, 0.0);
  b.double_buffered = node.get<bool>("double_buffered", true);
  b.source = node.get<std::string>("source", "");
  return b;
}

}  // namespace

const char* to_string(Dataflow d) noexcept {
  switch (d) {
    case Dataflow::kWeightStationary: return "ws";
    case Dataflow::kOutputStationary: return "os";
    case Dataflow::kInputStationary: return "is";
  }
  return "?";
}

std::size_t Accelerator::buffer_index(Operand op) const {
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    if (buffers[i].holds[static_cast<std::size_t>(op)]) return i;
  }
  throw Error("accelerator '" + name + "' has no buffer for an operand");
}

const BufferSpec& Accelerator::buffer_for(Operand op) const { return buffers[buffer_index(op)]; }

Accelerator parse_accelerator(const yaml::Node& root) {
  root.check_keys({"name", "source", "tech", "frequency_mhz", "pe", "array", "buffers", "dram",
                   "accumulator_bits"});
  const auto tech = load_tech(root);
  Accelerator acc;
  acc.name = root.get<std::string>("name");
  acc.source = root.get<std::string>("source");
  acc.file = root.file();
  acc.frequency_hz = positive(root.at("frequency_mhz"), tech) * 1e6;
  acc.pe = std::shared_ptr<const PeModel>(make_pe_model(root.at("pe")));
  acc.array = parse_array(root.at("array"));
  acc.accumulator_bits = static_cast<int>(root.get_int("accumulator_bits", 8, 64, 32));
  const yaml::Node buffers = root.at("buffers");
  for (const auto& b : buffers.elements()) acc.buffers.push_back(parse_buffer(b, tech));
  if (acc.buffers.empty()) buffers.fail(Kind::kValue, "at least one buffer is needed");
  const char* operand_names[] = {"weights", "inputs", "outputs"};
  for (std::size_t op = 0; op < kOperands; ++op) {
    int holders = 0;
    for (const auto& b : acc.buffers) holders += b.holds[op] ? 1 : 0;
    if (holders != 1) {
      buffers.fail(Kind::kValue, std::string(operand_names[op]) + " must be held by exactly one buffer (found " +
                                     std::to_string(holders) + ")");
    }
  }
  const yaml::Node dram = root.at("dram");
  dram.check_keys({"bits_per_cycle", "gb_per_s", "pj_per_bit", "source"});
  if (dram.has("bits_per_cycle") == dram.has("gb_per_s")) {
    dram.fail(Kind::kValue, "give the bandwidth once: bits_per_cycle or gb_per_s");
  }
  acc.dram.bits_per_cycle = dram.has("bits_per_cycle")
                                ? positive(dram.at("bits_per_cycle"), tech)
                                : positive(dram.at("gb_per_s"), tech) * 8e9 / acc.frequency_hz;
  acc.dram.energy_pj_per_bit = number(dram.at("pj_per_bit"), tech, 0.0);
  acc.dram.source = dram.get<std::string>("source", "");
  return acc;
}

Accelerator load_accelerator(const std::filesystem::path& file,
                             const std::vector<std::string>& overrides) {
  yaml::Node doc = yaml::load_file(file);
  if (overrides.empty()) return parse_accelerator(doc);
  // YAML::Node is a handle: overriding through a copy edits the parsed document in place,
  // so every key not overridden keeps its line for error messages.
  YAML::Node raw = doc.raw();
  for (const auto& o : overrides) yaml::apply_override(raw, o);
  return parse_accelerator(yaml::Node(raw, std::make_shared<const std::string>(file.string()), ""));
}

Accelerator load_arch(const std::string& name_or_file, const std::vector<std::string>& overrides) {
  return load_accelerator(resolve_preset("arch", name_or_file), overrides);
}

}  // namespace mixq::arch
