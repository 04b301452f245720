// A multi-accelerator SoC: compute engines of different precision abilities around one L2,
// one bus, a DMA and DRAM (docs/soc-format.md). Immutable once loaded, like Accelerator.
//
// Engines come in three kinds, because that is how the literature describes them:
//   array    a full accelerator spec (a preset or an inline accelerator document), priced by
//            the cost model's mapper and analytic evaluator;
//   formula  a published per-core latency model, cycles as an integer expression over the
//            layer's dims (ODiMO's models of DIANA and DARKSIDE cores), energy = power × time;
//   cluster  a programmable cluster described by MACs per cycle per precision (a
//            mixed-precision RISC-V core, times its core count), energy = power × time.
// Each engine states which ops it runs and at which (w_bits, a_bits) modes; a layer runs on
// an engine at the narrowest mode that holds its bits, or not at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mixq/arch/accelerator.hpp"

namespace mixq::arch {

enum class EngineKind { kArray, kFormula, kCluster };
[[nodiscard]] const char* to_string(EngineKind k) noexcept;

// One precision mode of a formula or cluster engine: operands up to these widths.
struct PrecisionMode {
  int w_bits = 8;
  int a_bits = 8;
  double macs_per_cycle = 0;  // cluster engines: per core, at this mode
};

struct SocEngine {
  std::string name;
  EngineKind kind = EngineKind::kArray;
  std::string source;
  // Op names (workloads::to_string(OpKind): "conv", "dwconv", "fc", "gemm") it runs.
  std::vector<std::string> ops;
  // Optional condition on the layer's dims (an expression over the variables listed at
  // formula_variables()), e.g. "R == 3 && S == 3" for a 3×3 depthwise engine.
  std::string when;
  // kArray: the accelerator (its DRAM spec is its port to the SoC's memory).
  std::optional<Accelerator> array;
  // kFormula / kCluster: modes ordered from narrowest to widest.
  std::vector<PrecisionMode> modes;
  // kFormula: cycles per sample by op name, or under "default".
  std::map<std::string, std::string> cycles;
  // kCluster: cores and a fixed per-layer overhead (setup, tiling loop).
  std::int64_t cores = 1;
  std::int64_t overhead_cycles = 0;
  double active_power_mw = 0;  // kFormula / kCluster: energy = power × busy time
  double frequency_hz = 0;     // the engine's clock (array: the accelerator's; else the SoC's)
  // Weights stay in the engine between inferences (in-memory computing): no weight traffic.
  bool weights_resident = false;
};

// The shared L2 through which layers exchange activations (and engines load weights).
struct L2Spec {
  std::int64_t size_bits = 0;
  double read_energy_pj_per_bit = 0;
  double write_energy_pj_per_bit = 0;
  std::string source;
};

enum class Arbitration { kRoundRobin, kFixedPriority };
[[nodiscard]] const char* to_string(Arbitration a) noexcept;

// The shared bus between L2 and the engines, carried by the DMA.
struct BusSpec {
  double bits_per_cycle = 0;  // at the SoC clock
  Arbitration arbitration = Arbitration::kRoundRobin;
  std::int64_t dma_setup_cycles = 0;  // per transfer (one tensor to or from one engine)
  std::string source;
};

struct Soc {
  std::string name;
  std::string source;
  std::string note;  // which published model the preset follows
  std::string file;
  double frequency_hz = 0;
  std::vector<SocEngine> engines;
  L2Spec l2;
  BusSpec bus;
  DramSpec dram;

  // Index of an engine by name, or -1.
  [[nodiscard]] int engine_index(const std::string& engine_name) const noexcept;
};

// Names a formula or `when:` expression may use: N, K, C, R, S, P, Q, H, W, G (groups),
// SH, SW (strides) — the 7-D layer dims, per sample (N is the batch, for reference only).
[[nodiscard]] const std::vector<std::string>& formula_variables();

// Loads a SoC file (docs/soc-format.md) with `--set key.path=value` overrides applied before
// validation. Throws InputError naming file, line and key path.
[[nodiscard]] Soc load_soc_file(const std::filesystem::path& file,
                                const std::vector<std::string>& overrides = {});
// A preset name (configs/soc/NAME.yaml) or a file path.
[[nodiscard]] Soc load_soc(const std::string& name_or_file,
                           const std::vector<std::string>& overrides = {});
[[nodiscard]] Soc parse_soc(const yaml::Node& root);

}  // namespace mixq::arch
