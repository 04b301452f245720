// The design space of a sweep, built once from a SweepSpec: the network, every hardware
// variant (loaded through arch::load_arch with override strings, exactly as `--set` does)
// with its CostModel and PriceTable, and the per-layer precision choices.
//
// A point is a Genome: gene 0 picks the hardware variant; then every free weighted layer j
// (one whose bits are not fixed by first/last or an override with a single choice) owns two
// genes, 1 + 2j (weight bits) and 2 + 2j (activation bits), each an index into that layer's
// allowed list. Layers without weights take, as activation bits, the largest of their readers'
// (so a pooling layer runs at the precision the next layer wants).
//
// Channel granularity (`granularity: channel`, `channel_group: G`): free layer j's output
// channels are cut into ceil(K / G) groups in channel order (the last one may be shorter);
// gene 1 + 2j holds the weight bits of its group 0, and the weight genes of its groups 1, 2, ...
// follow all the per-layer genes (w_gene(j, g)), so that every per-layer reader of a genome
// (reports, journal tables) keeps working and sees group 0. assignment() merges equal
// neighbours into one LayerPrecision group: the cost model runs every group as a sub-layer, and
// a run of channels at one precision is one sub-layer (so equal bits everywhere cost exactly
// what the layer costs); ptq quantizes each run with one step.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mixq/costmodel/network_cost.hpp"
#include "mixq/costmodel/price_table.hpp"
#include "mixq/explorer/sweep.hpp"
#include "mixq/workloads/network.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::explorer {

using Genome = std::vector<std::uint8_t>;

struct HardwareVariant {
  std::string label;                   // "bitfusion" or "bitfusion[array.rows=32]"
  std::vector<std::string> overrides;  // fixed `set` then this variant's `vary` values
  std::unique_ptr<costmodel::CostModel> model;
  std::unique_ptr<costmodel::PriceTable> prices;
};

// One free weighted layer: its network index and its allowed bits (ascending).
struct FreeLayer {
  std::size_t layer = 0;
  std::vector<int> w_bits;
  std::vector<int> a_bits;
  // Output channels of each weight gene, in channel order: {K} for layer granularity.
  std::vector<std::int64_t> group_channels;
};

// Per-layer indices into Space::w_choices() / a_choices(), for every layer of the network.
// In a channel space, w[l] of a free layer is its largest group choice (what hardware that
// cannot exploit per-channel precision runs at) and w_group[l] holds every group's choice;
// w_group[l] is empty for the other layers and in layer spaces.
struct ChoiceIndices {
  std::vector<std::uint8_t> w;
  std::vector<std::uint8_t> a;
  std::vector<std::vector<std::uint8_t>> w_group;
};

class Space {
 public:
  // Loads the workload and every hardware variant and prices the tables (the slow part:
  // about 0.2 s per variant for MobileNetV2). Throws InputError for a bad preset, override or
  // layer name, naming the sweep file's location.
  explicit Space(const SweepSpec& spec);
  ~Space();
  Space(const Space&) = delete;
  Space& operator=(const Space&) = delete;

  [[nodiscard]] const workloads::Network& network() const noexcept { return net_; }
  [[nodiscard]] const std::vector<HardwareVariant>& hardware() const noexcept { return hw_; }
  [[nodiscard]] const std::vector<FreeLayer>& free_layers() const noexcept { return free_; }
  [[nodiscard]] const std::vector<int>& w_choices() const noexcept { return w_choices_; }
  [[nodiscard]] const std::vector<int>& a_choices() const noexcept { return a_choices_; }

  // Genome layout.
  [[nodiscard]] workloads::Granularity granularity() const noexcept { return granularity_; }
  [[nodiscard]] bool per_channel() const noexcept { return granularity_ != workloads::Granularity::kLayer; }
  // The gene of free layer j's weight group g (g < free_layers()[j].group_channels.size()),
  // and of its activation bits.
  [[nodiscard]] std::size_t w_gene(std::size_t j, std::size_t g) const noexcept {
    return g == 0 ? 1 + 2 * j : extra_offset_[j] + g - 1;
  }
  [[nodiscard]] std::size_t a_gene(std::size_t j) const noexcept { return 2 + 2 * j; }
  [[nodiscard]] std::size_t genes() const noexcept { return cardinality_.size(); }
  [[nodiscard]] const std::vector<int>& cardinalities() const noexcept { return cardinality_; }
  // Number of points (a double: MobileNetV2's space has ~10^60).
  [[nodiscard]] double size() const noexcept;
  // Throws mixq::Error when a gene is out of range or the length is wrong.
  void check(std::span<const std::uint8_t> genome) const;

  // Genome → per-layer choice indices (all layers). `out` is reused to avoid allocation.
  void decode(std::span<const std::uint8_t> genome, ChoiceIndices& out) const;
  // Genome → the PrecisionAssignment the cost model and training read.
  [[nodiscard]] workloads::PrecisionAssignment assignment(std::span<const std::uint8_t> genome) const;
  [[nodiscard]] workloads::PrecisionAssignment assignment(const ChoiceIndices& idx) const;
  // Bits of every weighted layer (network order), for reports.
  [[nodiscard]] std::vector<std::size_t> weighted_layers() const { return net_.weighted_layers(); }

 private:
  workloads::Network net_;
  std::vector<HardwareVariant> hw_;
  std::vector<FreeLayer> free_;
  std::vector<int> w_choices_;
  std::vector<int> a_choices_;
  std::vector<int> cardinality_;
  // Per layer: fixed indices (weighted layers not in the genome), or the free slot.
  std::vector<int> free_slot_;  // -1: fixed or weightless
  ChoiceIndices fixed_;
  // Per free layer and gene value → global choice index.
  std::vector<std::vector<std::uint8_t>> w_map_;
  std::vector<std::vector<std::uint8_t>> a_map_;
  workloads::Granularity granularity_ = workloads::Granularity::kLayer;
  std::vector<std::size_t> extra_offset_;  // per free layer: gene of its weight group 1
  // Weightless layers in reverse topological order, with their readers, for a-bit inheritance.
  std::vector<std::size_t> weightless_reverse_;
};

}  // namespace mixq::explorer
