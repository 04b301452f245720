// Mixed-precision assignments: weight and activation bits per layer, at the granularity of a
// layer, a channel group (tensor slice), a channel (kernel) or single weights.
//
// A layer's precision is a list of groups {count, w_bits, a_bits}. `count` is output
// channels for the layer, channel-group and channel granularities (in channel order), and
// weights for the weight granularity (a histogram: order carries no meaning). This is what
// lets per-channel and per-weight precision be priced by the hardware models as bit
// histograms. `a_bits` is the precision of the activations the layer multiplies (its input
// operands); for layers without weights `w_bits` is carried but means nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mixq/common/yaml.hpp"
#include "mixq/workloads/network.hpp"

namespace mixq::workloads {

inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 32;

enum class Granularity { kLayer, kChannelGroup, kChannel, kWeight };
[[nodiscard]] std::string_view to_string(Granularity g) noexcept;

struct Bits {
  int w = 8;
  int a = 8;
  friend bool operator==(const Bits&, const Bits&) = default;
};
// "w4a8" → {4, 8}. Throws InputError{kValue} (located at `where`) otherwise.
[[nodiscard]] Bits parse_bits(std::string_view text, const SourceLocation& where = {});
[[nodiscard]] std::string to_string(Bits bits);

struct PrecisionGroup {
  std::int64_t count = 0;
  int w_bits = 8;
  int a_bits = 8;
  friend bool operator==(const PrecisionGroup&, const PrecisionGroup&) = default;
};

struct LayerPrecision {
  Granularity granularity = Granularity::kLayer;
  std::vector<PrecisionGroup> groups;

  [[nodiscard]] static LayerPrecision uniform(const Layer& layer, Bits bits);
  [[nodiscard]] int max_w_bits() const noexcept;
  [[nodiscard]] int max_a_bits() const noexcept;
  [[nodiscard]] bool is_uniform() const noexcept;
  friend bool operator==(const LayerPrecision&, const LayerPrecision&) = default;
};

class PrecisionAssignment {
 public:
  PrecisionAssignment() = default;
  explicit PrecisionAssignment(std::vector<LayerPrecision> layers) : layers_(std::move(layers)) {}

  [[nodiscard]] static PrecisionAssignment uniform(const Network& net, Bits bits);

  [[nodiscard]] std::size_t size() const noexcept { return layers_.size(); }
  [[nodiscard]] const LayerPrecision& operator[](std::size_t i) const { return layers_[i]; }
  [[nodiscard]] LayerPrecision& operator[](std::size_t i) { return layers_[i]; }
  [[nodiscard]] const std::vector<LayerPrecision>& layers() const noexcept { return layers_; }

  // Sets one layer to uniform bits.
  void set(const Network& net, std::size_t layer, Bits bits);

  // Throws InputError{kValue} when the assignment does not fit `net`: a layer count that
  // differs, group counts that do not add up to the layer's channels (or weights), bits
  // outside [1, 32].
  void validate(const Network& net) const;

  friend bool operator==(const PrecisionAssignment&, const PrecisionAssignment&) = default;

 private:
  std::vector<LayerPrecision> layers_;
};

// Assignment files (docs/assignment-format.md). Errors name file, line and key path.
[[nodiscard]] PrecisionAssignment parse_assignment(const yaml::Node& root, const Network& net);
[[nodiscard]] PrecisionAssignment load_assignment(const std::filesystem::path& file,
                                                  const Network& net);
// Writes every layer explicitly, so that load(save(x)) == x.
[[nodiscard]] std::string assignment_to_yaml(const PrecisionAssignment& a, const Network& net);
void save_assignment(const PrecisionAssignment& a, const Network& net,
                     const std::filesystem::path& file);

}  // namespace mixq::workloads
