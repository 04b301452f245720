// An accelerator: a PE array, its on-chip buffers, DRAM and clock. Immutable once loaded
// (Timeloop's "specs" apart from the model that evaluates them).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mixq/common/yaml.hpp"

namespace mixq::arch {

class PeModel;  // mixq/arch/pe_model.hpp

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary };
[[nodiscard]] const char* to_string(Dataflow d) noexcept;  // "ws", "os", "is"

// The three operands of a MAC array, used as indices into per-operand arrays.
enum class Operand { kWeight = 0, kInput = 1, kOutput = 2 };
inline constexpr std::size_t kOperands = 3;

// A 2-D array of PE units (rows × cols). Loop dimensions per dataflow, in the GEMM view of
// a layer (M = N·P·Q output pixels, Kr = reduction, Nf = K filters):
//   ws: rows ← Kr, cols ← Nf, streamed M;   os: rows ← M, cols ← Nf, streamed Kr;
//   is: rows ← Kr, cols ← M,  streamed Nf.
// `rows_unroll_filter` says whether the spatial reduction is C·R·S (true: the im2col view of
// systolic simulators) or C alone (false: R and S are temporal loops, as in Bit Fusion).
struct ArraySpec {
  std::int64_t rows = 1;
  std::int64_t cols = 1;
  Dataflow dataflow = Dataflow::kWeightStationary;
  bool rows_unroll_filter = true;
  // How operands reach the PEs. A systolic array pays 2·rows + cols − 2 cycles of fill and
  // drain per fold; a broadcast array (operands broadcast on buses, partial sums reduced in
  // adder trees, as in DaDianNao-style tiles) pays a fixed pipeline depth instead.
  bool systolic = true;
  std::int64_t fold_overhead_cycles = 0;  // per fold, broadcast arrays only
};

// One on-chip buffer between DRAM and the array. Every operand is held by exactly one
// buffer (a unified buffer holds several).
struct BufferSpec {
  std::string name;
  std::int64_t size_bits = 0;  // capacity, all of it (both halves when double-buffered)
  std::array<bool, kOperands> holds{};
  std::int64_t word_bits = 64;
  double read_bits_per_cycle = 0;   // towards the array
  double write_bits_per_cycle = 0;  // from the array or DMA
  double read_energy_pj_per_bit = 0;
  double write_energy_pj_per_bit = 0;
  bool double_buffered = true;  // half the capacity is filled while the other half is used
  std::string source;
  // Where size_bits was set (file, line, key; `--set ...` when an override set it; empty when
  // built in code): a layer that cannot be tiled is found only when a network is priced, long
  // after loading, and the error still has to point at the size to change.
  SourceLocation size_at;
};

struct DramSpec {
  double bits_per_cycle = 0;  // at the accelerator's clock
  double energy_pj_per_bit = 0;
  std::string source;
};

struct Accelerator {
  std::string name;
  std::string source;   // where the preset's numbers come from
  std::string file;     // the file it was loaded from (empty when built in code)
  double frequency_hz = 0;
  ArraySpec array;
  std::shared_ptr<const PeModel> pe;
  std::vector<BufferSpec> buffers;
  DramSpec dram;
  int accumulator_bits = 32;  // precision of partial sums that leave the array

  // The buffer that holds an operand (validated at load time to exist and be unique).
  [[nodiscard]] const BufferSpec& buffer_for(Operand op) const;
  [[nodiscard]] std::size_t buffer_index(Operand op) const;
};

// Loads an accelerator file (docs/arch-format.md), applying `--set key.path=value` overrides
// to the parsed document before validation, so that overrides are checked like the file.
// Throws InputError naming file, line and key path.
[[nodiscard]] Accelerator load_accelerator(const std::filesystem::path& file,
                                           const std::vector<std::string>& overrides = {});
// A preset name (configs/arch/NAME.yaml) or a file path.
[[nodiscard]] Accelerator load_arch(const std::string& name_or_file,
                                    const std::vector<std::string>& overrides = {});
// Reads a parsed document. `tech.NAME` references are replaced by their values inside the
// document (a YAML::Node is a handle), which leaves it equivalent and parseable again.
[[nodiscard]] Accelerator parse_accelerator(const yaml::Node& root);

}  // namespace mixq::arch
