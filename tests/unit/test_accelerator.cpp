// Accelerator descriptions: presets, overrides, technology tables, located errors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "expect_error.hpp"
#include "mixq/arch/accelerator.hpp"
#include "mixq/arch/pe_model.hpp"
#include "mixq/common/paths.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/workloads/loader.hpp"

using namespace mixq;

namespace {

// A valid one-buffer accelerator; tests replace one line to break it. Line numbers matter:
// name 1, source 2, frequency 3, pe 4, array 5, buffers 6, buffer 7, dram 8.
const std::string kBase =
    "name: t\n"
    "source: test\n"
    "frequency_mhz: 100\n"
    "pe: {family: fixed, w_bits: 8, a_bits: 8, energy_per_mac_pj: 0.2}\n"
    "array: {rows: 4, cols: 4, dataflow: ws}\n"
    "buffers:\n"
    "  - {name: g, holds: [weights, inputs, outputs], size_kib: 64, word_bits: 64, "
    "read_bits_per_cycle: 256, "
    "write_bits_per_cycle: 256, read_pj_per_bit: 0.1, write_pj_per_bit: 0.2}\n"
    "dram: {bits_per_cycle: 64, pj_per_bit: 10}\n";

std::string replace_line(std::string text, int line, const std::string& with) {
  std::size_t begin = 0;
  for (int i = 1; i < line; ++i) begin = text.find('\n', begin) + 1;
  const std::size_t end = text.find('\n', begin);
  return text.replace(begin, end - begin, with);
}

arch::Accelerator parse(const std::string& text) {
  return arch::parse_accelerator(yaml::load_string(text, "t.yaml"));
}

InputError arch_error(const std::string& text) {
  return test::input_error_of([&] { return parse(text); }, text);
}

struct Expected {
  std::string message;
  int line;
  std::string key_path;
};

void check_error(const std::string& text, const Expected& expected) {
  const InputError e = arch_error(text);
  INFO(e.what());
  CHECK_THAT(e.message(), Catch::Contains(expected.message));
  CHECK(e.where().file == "t.yaml");
  CHECK(e.where().line == expected.line);
  CHECK(e.where().key_path == expected.key_path);
}

// A technology table written to a temporary file, referenced by path from `tech:`.
std::filesystem::path write_tech(const std::string& entries) {
  const auto file = std::filesystem::temp_directory_path() / "mixq_test_accelerator_tech.yaml";
  std::ofstream(file) << "name: test\nentries:\n" << entries;
  return file;
}

}  // namespace

TEST_CASE("the base document of these tests is valid", "[arch]") {
  const auto acc = parse(kBase);
  CHECK(acc.name == "t");
  CHECK(acc.frequency_hz == 100e6);
  CHECK(acc.buffers.size() == 1);
  CHECK(acc.buffer_index(arch::Operand::kOutput) == 0);
  CHECK(acc.buffers[0].read_energy_pj_per_bit == 0.1);
  CHECK(acc.buffers[0].write_energy_pj_per_bit == 0.2);
  CHECK(acc.buffers[0].double_buffered);
  CHECK(acc.accumulator_bits == 32);
  CHECK(acc.array.rows_unroll_filter);
  CHECK(acc.array.systolic);
}

TEST_CASE("every arch preset loads with a source and a consistent PE", "[arch]") {
  const auto presets = list_presets("arch");
  for (const char* expected : {"bitfusion", "stripes", "loom", "tpu_v1", "eyeriss", "systolic"}) {
    CHECK(std::find(presets.begin(), presets.end(), expected) != presets.end());
  }
  for (const auto& name : presets) {
    INFO(name);
    const auto acc = arch::load_arch(name);
    CHECK(acc.name == name);
    CHECK_FALSE(acc.source.empty());
    CHECK_FALSE(acc.dram.source.empty());
    REQUIRE(acc.pe != nullptr);
    CHECK(acc.frequency_hz > 0);
    for (const auto op : {arch::Operand::kWeight, arch::Operand::kInput, arch::Operand::kOutput}) {
      CHECK(acc.buffer_for(op).size_bits > 0);
    }
  }
}

TEST_CASE("every technology table entry has a unit and a source", "[arch]") {
  for (const auto& name : list_presets("tech")) {
    INFO(name);
    const auto doc = yaml::load_file(resolve_preset("tech", name));
    CHECK_FALSE(doc.get<std::string>("source").empty());
    for (const auto& [key, entry] : doc.at("entries").entries()) {
      INFO(key);
      CHECK(entry.get<double>("value") >= 0);
      CHECK_FALSE(entry.get<std::string>("unit").empty());
      CHECK_FALSE(entry.get<std::string>("source").empty());
    }
  }
}

TEST_CASE("preset figures from their papers", "[arch]") {
  // Sharma et al., ISCA 2018: 16 × 32 fusion units at 500 MHz; WBUF/IBUF/OBUF 64/32/16 KB,
  // double-buffered; 192 DRAM bits per cycle at 15 pJ/bit; CACTI buffer energies per bit;
  // 0.459 pJ per fusion unit per cycle → 0.459 pJ per 8-bit MAC.
  const auto bf = arch::load_arch("bitfusion");
  CHECK(bf.array.rows == 16);
  CHECK(bf.array.cols == 32);
  CHECK(bf.frequency_hz == 500e6);
  CHECK(bf.array.dataflow == arch::Dataflow::kWeightStationary);
  CHECK_FALSE(bf.array.rows_unroll_filter);
  CHECK(bf.buffer_for(arch::Operand::kWeight).size_bits == 64 * 8192);
  CHECK(bf.buffer_for(arch::Operand::kInput).size_bits == 32 * 8192);
  CHECK(bf.buffer_for(arch::Operand::kOutput).size_bits == 16 * 8192);
  for (const auto& b : bf.buffers) CHECK(b.double_buffered);
  CHECK(bf.dram.bits_per_cycle == 192);
  CHECK(bf.dram.energy_pj_per_bit == 15.0);
  CHECK(bf.buffer_for(arch::Operand::kWeight).read_energy_pj_per_bit == 0.021);
  CHECK(bf.buffer_for(arch::Operand::kWeight).write_energy_pj_per_bit == 0.029);
  CHECK(bf.buffer_for(arch::Operand::kInput).read_energy_pj_per_bit == 0.059);
  CHECK(bf.buffer_for(arch::Operand::kInput).write_energy_pj_per_bit == 0.114);
  CHECK(bf.buffer_for(arch::Operand::kOutput).read_energy_pj_per_bit == 0.033);
  CHECK(bf.buffer_for(arch::Operand::kOutput).write_energy_pj_per_bit == 0.073);
  CHECK(bf.pe->family() == "bit_fusion");
  CHECK(bf.pe->max_w_bits() == 8);
  CHECK(bf.pe->query(8, 8).cost.energy_per_mac_pj == Approx(0.459));

  // Jouppi et al., ISCA 2017: 256 × 256 int8 at 700 MHz (65,536 MACs, 91.75 TOPS),
  // 24 MiB unified buffer, 4 MiB accumulators, weights from DDR3 at 34 GB/s.
  const auto tpu = arch::load_arch("tpu_v1");
  CHECK(tpu.array.rows * tpu.array.cols == 65536);
  CHECK(tpu.frequency_hz == 700e6);
  // Two operations (multiply, add) per MAC: 65,536 · 700 MHz · 2 = 91.75 TOPS.
  CHECK(2.0 * static_cast<double>(tpu.array.rows * tpu.array.cols) * tpu.frequency_hz ==
        Approx(91.75e12));
  CHECK(tpu.array.dataflow == arch::Dataflow::kWeightStationary);
  CHECK(tpu.pe->supports(8, 8));
  CHECK_FALSE(tpu.pe->supports(16, 8));
  CHECK(tpu.buffer_for(arch::Operand::kInput).size_bits == 24LL * 8 * 1024 * 1024);
  CHECK(tpu.buffer_for(arch::Operand::kOutput).size_bits == 4LL * 8 * 1024 * 1024);
  CHECK(tpu.dram.bits_per_cycle * tpu.frequency_hz / 8 == Approx(34e9));

  // Chen et al., ISCA 2016: 12 × 14 PEs at 200 MHz, 16-bit, 108 KB global buffer; energies
  // per 16-bit access relative to a MAC: RF 1, global buffer 6, DRAM 200.
  const auto ey = arch::load_arch("eyeriss");
  CHECK(ey.array.rows * ey.array.cols == 168);
  CHECK(ey.frequency_hz == 200e6);
  CHECK(ey.pe->supports(16, 16));
  CHECK_FALSE(ey.pe->supports(17, 16));
  CHECK(ey.buffer_for(arch::Operand::kInput).size_bits == 108 * 8192);
  CHECK(ey.buffer_for(arch::Operand::kInput).read_energy_pj_per_bit * 16 == Approx(6.0));
  CHECK(ey.buffer_for(arch::Operand::kWeight).read_energy_pj_per_bit * 16 == Approx(1.0));
  CHECK(ey.dram.energy_pj_per_bit * 16 == Approx(200.0));

  const auto sys = arch::load_arch("systolic");
  CHECK(sys.array.rows == 32);
  CHECK(sys.array.cols == 32);
  CHECK(sys.buffers.size() == 1);
}

TEST_CASE("overrides given with --set change values and are validated like the file", "[arch]") {
  const auto acc =
      arch::load_arch("systolic", {"array.rows=8", "array.dataflow=os", "dram.bits_per_cycle=32"});
  CHECK(acc.array.rows == 8);
  CHECK(acc.array.dataflow == arch::Dataflow::kOutputStationary);
  CHECK(acc.dram.bits_per_cycle == 32);
  CHECK(arch::load_arch("bitfusion", {"array.rows=32"}).array.rows == 32);
  // The last override of a key wins.
  CHECK(arch::load_arch("systolic", {"array.rows=8", "array.rows=16"}).array.rows == 16);
  // A technology reference may be given on the command line too.
  CHECK(arch::load_arch("systolic", {"dram.pj_per_bit=tech.bitfusion_wbuf_read_pj_per_bit"})
            .dram.energy_pj_per_bit == 0.021);

  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rowz=8"}),
                    Catch::Contains("unknown key 'rowz'"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows=0"}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows=many"}),
                    Catch::Contains("expected an integer"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"array.rows"}), Catch::Contains("key.path=value"));
  CHECK_THROWS_WITH(arch::load_arch("systolic", {"name.x=1"}), Catch::Contains("not a map"));
  CHECK_THROWS_AS(arch::load_arch("systolic", {"frequency_mhz=0"}), InputError);
}

TEST_CASE("a buffer remembers where its size was set, from the file or from --set", "[arch]") {
  // Read from configs/arch/systolic.yaml, line 17: `- {name: sram, ..., size_kib: 512, ...}`.
  const auto acc = arch::load_arch("systolic");
  const SourceLocation& at = acc.buffers[0].size_at;
  CHECK(at.file.ends_with("systolic.yaml"));
  CHECK(at.line == 17);
  CHECK(at.column > 1);
  CHECK(at.key_path == "buffers[0].size_kib");
  // Overrides of other keys leave it in the file.
  CHECK(arch::load_arch("systolic", {"array.rows=8"}).buffers[0].size_at.line == 17);
  const std::string list =
      "buffers=[{name: s, holds: [weights, inputs, outputs], size_bits: 64, "
      "read_bits_per_cycle: 64, write_bits_per_cycle: 64, read_pj_per_bit: 1, "
      "write_pj_per_bit: 1}]";
  const auto small = arch::load_arch("systolic", {list});
  CHECK(small.buffers[0].size_at.file == "--set " + list);
  CHECK(small.buffers[0].size_at.line == 0);
  CHECK(small.buffers[0].size_at.key_path == "buffers[0].size_bits");
}

TEST_CASE("an error in an overridden value names the override, not a line of the file", "[arch]") {
  try {
    (void)arch::load_arch("systolic", {"array.cols=4", "array.dataflow=rs"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "array.dataflow");
    CHECK(e.where().line == 0);
    CHECK(e.where().file.ends_with("systolic.yaml"));
    CHECK_THAT(e.message(), Catch::Contains("unsupported dataflow 'rs'") &&
                                Catch::Contains("(from --set array.dataflow=rs)"));
  }
  try {
    (void)arch::load_arch("systolic", {"array.colz=4"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.kind() == InputError::Kind::kUnknownKey);
    CHECK(e.where().key_path == "array.colz");
    CHECK_THAT(e.message(), Catch::Contains("(from --set array.colz=4)"));
  }
  try {
    (void)arch::load_arch("systolic", {"dram.gb_per_s=34"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "dram.gb_per_s");
    CHECK_THAT(e.message(), Catch::Contains("give only one of bits_per_cycle, gb_per_s") &&
                                Catch::Contains("(from --set dram.gb_per_s=34)"));
  }
  // An error the override caused elsewhere in its section keeps the file's line and says
  // which override came before it.
  try {
    (void)arch::load_arch("stripes", {"array.interconnect=systolic"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().key_path == "array.fold_overhead_cycles");
    CHECK(e.where().line > 0);
    CHECK_THAT(e.message(),
               Catch::Contains("broadcast arrays only (after --set array.interconnect=systolic)"));
  }
  // Errors elsewhere are not blamed on an override.
  const auto bad = std::filesystem::temp_directory_path() / "mixq_test_accelerator_bad.yaml";
  std::ofstream(bad) << replace_line(kBase, 5,
                                     "array: {rows: 4, cols: 4, dataflow: ws, colour: red}");
  try {
    (void)arch::load_accelerator(bad, {"dram.bits_per_cycle=8"});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.where().line == 5);
    CHECK_THAT(e.message(), !Catch::Contains("--set"));
  }
}

TEST_CASE("bad accelerator documents name file, line and key path", "[arch]") {
  // The kinds of mistake issue 3 lists, then the rest of the validation.
  check_error(replace_line(kBase, 4, "pe: {family: bit_fussion}"),
              {"unknown PE family 'bit_fussion'", 4, "pe.family"});
  check_error(
      replace_line(
          kBase, 7,
          "  - {name: g, holds: [weights, inputs, outputs], size_kib: 0, read_bits_per_cycle: 1, "
          "write_bits_per_cycle: 1, read_pj_per_bit: 0, write_pj_per_bit: 0}"),
      {"value 0 is out of range", 7, "buffers[0].size_kib"});
  check_error(replace_line(kBase, 5, "array: {rows: 4, cols: 4, dataflow: rs}"),
              {"unsupported dataflow 'rs' (ws, os, is)", 5, "array.dataflow"});
  check_error(replace_line(kBase, 5, "array: {rows: 4, colums: 4, dataflow: ws}"),
              {"unknown key 'colums' (did you mean 'cols'?)", 5, "array.colums"});
  check_error(replace_line(kBase, 1, "nme: t"), {"unknown key 'nme'", 1, "nme"});
  check_error(replace_line(kBase, 3, "frequency_mhz: 0"),
              {"must be greater than zero", 3, "frequency_mhz"});
  check_error(replace_line(kBase, 3, "frequency_mhz: -5"),
              {"must be greater than zero", 3, "frequency_mhz"});
  CHECK(parse(replace_line(kBase, 3, "frequency_mhz: 1e6")).frequency_hz == 1e12);
  check_error(replace_line(kBase, 3, "frequency_mhz: 1.000001e6"),
              {"at most 1e6", 3, "frequency_mhz"});
  check_error(replace_line(kBase, 3, "frequency_mhz: .nan"),
              {"must be greater than zero", 3, "frequency_mhz"});
  check_error(replace_line(kBase, 2, "source: ''"),
              {"must say where the numbers come from", 2, "source"});
  check_error(replace_line(kBase, 5, "array: {rows: 4, cols: 0, dataflow: ws}"),
              {"value 0 is out of range", 5, "array.cols"});
  check_error(replace_line(kBase, 5, "array: {rows: 4, cols: 4}"),
              {"required key 'dataflow'", 5, "array.dataflow"});
  check_error(replace_line(kBase, 8, "dram: {bits_per_cycle: 0, pj_per_bit: 10}"),
              {"must be greater than zero", 8, "dram.bits_per_cycle"});
  check_error(replace_line(kBase, 8, "dram: {pj_per_bit: 10}"),
              {"one of bits_per_cycle, gb_per_s", 8, "dram.bits_per_cycle"});
  check_error(replace_line(kBase, 8, "dram: {bits_per_cycle: 8, pj_per_bit: -1}"),
              {"must be a number >= 0, found -1", 8, "dram.pj_per_bit"});
}

TEST_CASE("every operand is held by exactly one buffer", "[arch]") {
  auto buffer = [](const std::string& name, const std::string& holds) {
    return "  - {name: " + name + ", holds: [" + holds +
           "], size_kib: 1, read_bits_per_cycle: 1, write_bits_per_cycle: 1, read_pj_per_bit: 0, "
           "write_pj_per_bit: 0}";
  };
  const auto two = [&](const std::string& a, const std::string& b) {
    return replace_line(kBase, 7, buffer("a", a) + "\n" + buffer("b", b));
  };
  // The second holder is blamed, at its `holds`.
  check_error(
      two("weights, inputs", "weights, outputs"),
      {"weights must be held by exactly one buffer (found 2: a, b)", 8, "buffers[1].holds"});
  check_error(two("weights", "inputs"),
              {"outputs must be held by exactly one buffer (found 0)", 7, "buffers"});
  const auto split = parse(two("weights", "inputs, outputs"));
  CHECK(split.buffer_index(arch::Operand::kWeight) == 0);
  CHECK(split.buffer_index(arch::Operand::kInput) == 1);
  CHECK(split.buffer_for(arch::Operand::kOutput).name == "b");
  check_error(two("weights", "inputs, inputs, outputs"),
              {"'inputs' is listed twice", 8, "buffers[1].holds[1]"});
  check_error(two("weights", ""), {"at least one operand", 8, "buffers[1].holds"});
  check_error(two("weights", "psums"), {"unknown operand 'psums'", 8, "buffers[1].holds[0]"});
  check_error(
      replace_line(kBase, 7, buffer("a", "weights") + "\n" + buffer("a", "inputs, outputs")),
      {"buffer name 'a' is used twice", 8, "buffers[1].name"});
  check_error(replace_line(replace_line(kBase, 7, ""), 6, "buffers: []"),
              {"at least one buffer", 6, "buffers"});
}

TEST_CASE("buffer sizes and energies: one form each, converted to bits", "[arch]") {
  const auto with = [](const std::string& fields) {
    return replace_line(kBase, 7,
                        "  - {name: g, holds: [weights, inputs, outputs], read_bits_per_cycle: 8, "
                        "write_bits_per_cycle: 8, " +
                            fields + "}");
  };
  CHECK(parse(with("size_bits: 1, read_pj_per_bit: 0, write_pj_per_bit: 0")).buffers[0].size_bits ==
        1);
  CHECK(parse(with("size_kib: 3, read_pj_per_bit: 0, write_pj_per_bit: 0")).buffers[0].size_bits ==
        3 * 8192);
  CHECK(parse(with("size_mib: 2, read_pj_per_bit: 0, write_pj_per_bit: 0")).buffers[0].size_bits ==
        2 * 8388608);
  check_error(with("size_bits: 0, read_pj_per_bit: 0, write_pj_per_bit: 0"),
              {"value 0 is out of range", 7, "buffers[0].size_bits"});
  check_error(with("size_bits: 8, size_kib: 1, read_pj_per_bit: 0, write_pj_per_bit: 0"),
              {"give only one of size_kib, size_mib, size_bits", 7, "buffers[0].size_bits"});
  check_error(with("read_pj_per_bit: 0, write_pj_per_bit: 0"),
              {"one of size_kib, size_mib, size_bits", 7, "buffers[0].size_kib"});
  // Above 2^50 bits (128 TiB) sizes are rejected before any product can overflow.
  check_error(with("size_mib: 134217729, read_pj_per_bit: 0, write_pj_per_bit: 0"),
              {"out of range", 7, "buffers[0].size_mib"});

  // Per access of word_bits, as CACTI reports it: 8 pJ per 64-bit access = 0.125 pJ/bit.
  const auto per_access =
      parse(with("size_kib: 1, word_bits: 64, read_pj_per_access: 8, write_pj_per_access: 16"));
  CHECK(per_access.buffers[0].read_energy_pj_per_bit == 0.125);
  CHECK(per_access.buffers[0].write_energy_pj_per_bit == 0.25);
  const auto narrow =
      parse(with("size_kib: 1, word_bits: 16, read_pj_per_access: 8, write_pj_per_bit: 1"));
  CHECK(narrow.buffers[0].read_energy_pj_per_bit == 0.5);
  CHECK(narrow.buffers[0].write_energy_pj_per_bit == 1.0);
  check_error(
      with("size_kib: 1, read_pj_per_bit: 1, read_pj_per_access: 64, write_pj_per_bit: 1"),
      {"give only one of read_pj_per_bit, read_pj_per_access", 7, "buffers[0].read_pj_per_access"});
  check_error(with("size_kib: 1, read_pj_per_bit: 1"),
              {"one of write_pj_per_bit, write_pj_per_access", 7, "buffers[0].write_pj_per_bit"});
  check_error(with("size_kib: 1, word_bits: 0, read_pj_per_bit: 1, write_pj_per_bit: 1"),
              {"out of range", 7, "buffers[0].word_bits"});
}

TEST_CASE("array boundaries and options", "[arch]") {
  const auto array = [](const std::string& fields) {
    return replace_line(kBase, 5, "array: {" + fields + "}");
  };
  CHECK(parse(array("rows: 1, cols: 1, dataflow: is")).array.rows == 1);
  CHECK(parse(array("rows: 65536, cols: 65536, dataflow: os")).array.cols == 65536);
  check_error(array("rows: 65537, cols: 1, dataflow: ws"), {"out of range", 5, "array.rows"});
  check_error(array("rows: 2.5, cols: 1, dataflow: ws"), {"expected an integer", 5, "array.rows"});
  CHECK_FALSE(
      parse(array("rows: 4, cols: 4, dataflow: ws, rows_unroll: [C]")).array.rows_unroll_filter);
  CHECK(parse(array("rows: 4, cols: 4, dataflow: ws, rows_unroll: [C, R, S]"))
            .array.rows_unroll_filter);
  check_error(array("rows: 4, cols: 4, dataflow: ws, rows_unroll: [R]"),
              {"[C] or [C, R, S]", 5, "array.rows_unroll"});
  const auto broadcast = parse(
      array("rows: 4, cols: 4, dataflow: ws, interconnect: broadcast, fold_overhead_cycles: 3"));
  CHECK_FALSE(broadcast.array.systolic);
  CHECK(broadcast.array.fold_overhead_cycles == 3);
  check_error(array("rows: 4, cols: 4, dataflow: ws, fold_overhead_cycles: 3"),
              {"broadcast arrays only", 5, "array.fold_overhead_cycles"});
  check_error(array("rows: 4, cols: 4, dataflow: ws, interconnect: mesh"),
              {"unknown interconnect 'mesh'", 5, "array.interconnect"});
  CHECK(arch::load_arch("stripes").array.fold_overhead_cycles == 8);
  CHECK_THROWS_WITH(arch::load_arch("no_such_arch"), Catch::Contains("no arch preset"));
}

TEST_CASE("DRAM bandwidth in GB/s is converted with the clock", "[arch]") {
  // 34 GB/s at 100 MHz: 34e9 · 8 / 100e6 = 2720 bits per cycle.
  const auto acc = parse(replace_line(kBase, 8, "dram: {gb_per_s: 34, pj_per_bit: 10}"));
  CHECK(acc.dram.bits_per_cycle == Approx(2720));
  check_error(replace_line(kBase, 8, "dram: {gb_per_s: 34, bits_per_cycle: 8, pj_per_bit: 10}"),
              {"give only one of bits_per_cycle, gb_per_s", 8, "dram.gb_per_s"});
}

TEST_CASE("technology references resolve by name and unit", "[arch]") {
  const std::string tech45 = "tech: 45nm\n" + kBase;  // every line moves down by one
  const auto acc = parse(replace_line(
      replace_line(tech45, 9, "dram: {bits_per_cycle: 64, pj_per_bit: tech.dram_pj_per_bit}"), 5,
      "pe: {family: fixed, w_bits: 8, a_bits: 8, energy_per_mac_pj: tech.int8_mac_pj}"));
  CHECK(acc.dram.energy_pj_per_bit == 15.0);
  CHECK(acc.pe->query(8, 8).cost.energy_per_mac_pj == Approx(0.23));
  // 10 pJ per 64-bit access, converted with the buffer's word width.
  const auto per_access =
      parse(replace_line(tech45, 8,
                         "  - {name: g, holds: [weights, inputs, outputs], size_kib: 1, word_bits: "
                         "64, read_bits_per_cycle: 8, "
                         "write_bits_per_cycle: 8, read_pj_per_access: "
                         "tech.sram_8kb_read_64b_pj_per_access, write_pj_per_bit: 0}"));
  CHECK(per_access.buffers[0].read_energy_pj_per_bit == Approx(10.0 / 64));

  check_error(
      replace_line(kBase, 8, "dram: {bits_per_cycle: 64, pj_per_bit: tech.dram_pj_per_bit}"),
      {"'tech.dram_pj_per_bit' needs a `tech:` table", 8, "dram.pj_per_bit"});
  check_error(
      replace_line(tech45, 9, "dram: {bits_per_cycle: 64, pj_per_bit: tech.dram_pj_per_bt}"),
      {"technology table '45nm' has no entry 'dram_pj_per_bt' (did you mean "
       "'tech.dram_pj_per_bit'?)",
       9, "dram.pj_per_bit"});
  check_error(
      replace_line(tech45, 9, "dram: {bits_per_cycle: 64, pj_per_bit: tech.int8_mac_pj}"),
      {"tech.int8_mac_pj is in pj, but 'pj_per_bit' takes pj_per_bit", 9, "dram.pj_per_bit"});
  check_error(replace_line(tech45, 6, "array: {rows: tech.int8_mac_pj, cols: 4, dataflow: ws}"),
              {"'rows' does not take a technology figure", 6, "array.rows"});
  check_error("tech: 7nm\n" + kBase, {"no tech preset", 1, "tech"});
}

TEST_CASE("a value taken from a technology table keeps the line of the key using it", "[arch]") {
  const auto tech = write_tech(
      "  zero_bw: {value: 0, unit: bits_per_cycle, source: test}\n"
      "  eight_bw: {value: 8, unit: bits_per_cycle, source: test}\n");
  const std::string doc = "tech: " + tech.string() + "\n" + kBase;
  CHECK(parse(replace_line(doc, 9, "dram: {bits_per_cycle: tech.eight_bw, pj_per_bit: 1}"))
            .dram.bits_per_cycle == 8);
  check_error(replace_line(doc, 9, "dram: {bits_per_cycle: tech.zero_bw, pj_per_bit: 1}"),
              {"must be greater than zero", 9, "dram.bits_per_cycle"});
}

TEST_CASE("a technology table must give every number a unit and a source", "[arch]") {
  const auto load_with = [](const std::string& entries) {
    const auto tech = write_tech(entries);
    try {
      (void)parse("tech: " + tech.string() + "\n" + kBase);
    } catch (const InputError& e) {
      CHECK(e.where().file == tech.string());
      return e.message();
    }
    return std::string("no error");
  };
  CHECK_THAT(load_with("  a: {value: 1, unit: pj}\n"), Catch::Contains("required key 'source'"));
  CHECK_THAT(load_with("  a: {value: 1, unit: pj, source: ''}\n"),
             Catch::Contains("must not be empty"));
  CHECK_THAT(load_with("  a: {value: 1, unit: joules, source: x}\n"),
             Catch::Contains("unknown unit 'joules'"));
  CHECK_THAT(load_with("  a: {value: -1, unit: pj, source: x}\n"),
             Catch::Contains("finite number >= 0"));
  CHECK_THAT(load_with("  a: {value: 1, unit: pj, source: x, note: y}\n"),
             Catch::Contains("unknown key 'note'"));
}

namespace {

// The "# key: value" header of a corpus file.
std::map<std::string, std::string> corpus_header(const std::filesystem::path& file) {
  std::map<std::string, std::string> header;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line) && line.rfind("# ", 0) == 0) {
    const auto colon = line.find(": ");
    if (colon != std::string::npos) header[line.substr(2, colon - 2)] = line.substr(colon + 2);
  }
  return header;
}

}  // namespace

// The same corpus the CLI test runs through `mixq eval`, checked here at the library. A file
// with a `workload` header loads: its error comes when that network is priced on it.
TEST_CASE("the invalid arch corpus fails with the stated message, line and key path",
          "[arch][corpus]") {
  const std::filesystem::path root = std::filesystem::path(MIXQ_TEST_DATA_DIR) / "invalid/arch";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().filename().string());
    const auto header = corpus_header(entry.path());
    REQUIRE(header.count("expect") == 1);
    REQUIRE(header.count("at") == 1);
    const std::string at = header.at("at");
    const auto space = at.find(' ');
    ++cases;
    if (header.count("workload") == 1) {
      const auto net = workloads::load_workload(header.at("workload"));
      const costmodel::CostModel model(arch::load_accelerator(entry.path()));
      const auto check = model.check(net, workloads::PrecisionAssignment::uniform(net, {8, 8}));
      CHECK_FALSE(check.ok);
      CHECK_THAT(check.reason, Catch::Contains(header.at("expect")));
      CHECK_THAT(check.reason,
                 Catch::Contains(entry.path().string() + ":" + at.substr(0, space) + ":"));
      if (space != std::string::npos) {
        CHECK_THAT(check.reason, Catch::Contains("key '" + at.substr(space + 1) + "'"));
      }
      continue;
    }
    try {
      (void)arch::load_accelerator(entry.path());
      FAIL("no error");
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK_THAT(e.message(), Catch::Contains(header.at("expect")));
      CHECK(e.where().file == entry.path().string());
      CHECK(std::to_string(e.where().line) == at.substr(0, space));
      if (space != std::string::npos) CHECK(e.where().key_path == at.substr(space + 1));
    }
  }
  CHECK(cases >= 8);
}
