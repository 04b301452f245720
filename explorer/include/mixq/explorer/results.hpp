// What a sweep produces: every evaluated point, the front, its hypervolume and knee, and the
// details reports need (per-layer bits and energy breakdown of front points). Saved to and
// loaded from a results folder (results.json + points.csv), so that `mixq plot` can redraw
// a finished sweep without re-running it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mixq/explorer/objective.hpp"
#include "mixq/explorer/space.hpp"

namespace mixq::explorer {

struct PointRecord {
  std::uint64_t id = 0;     // evaluation order, from 0
  std::uint32_t batch = 0;  // the strategy batch it came from
  Genome genome;
  bool feasible = false;
  std::vector<double> values;  // natural units, one per objective
};

// A front point's details.
struct FrontDetail {
  std::vector<int> w_bits;  // per weighted layer (SweepResult::layers)
  std::vector<int> a_bits;
  std::vector<std::pair<std::string, double>> energy_pj;  // mac, each buffer, dram
};

struct SweepResult {
  std::string name;
  std::string config_text;
  std::string workload;
  std::string strategy;
  std::uint64_t seed = 0;
  std::vector<std::string> hardware;  // variant labels; genome[0] indexes them
  std::vector<std::string> layers;    // weighted layers, network order
  // How a genome reads as bits, so that reports decode any point without the Space: per
  // weighted layer the gene of its weight (activation) bits, or -1 with the fixed bits.
  std::vector<std::vector<int>> gene_bits;  // per gene: bits of each value (gene 0: empty)
  std::vector<int> layer_w_gene, layer_a_gene;
  std::vector<int> layer_w_fixed, layer_a_fixed;
  std::vector<ObjectiveKind> objectives;
  std::vector<PointRecord> points;
  std::vector<std::size_t> front;     // indices into points, sorted by the first objective
  std::vector<FrontDetail> front_details;  // parallel to front
  std::vector<double> reference;      // natural units
  double hypervolume = 0;             // in the minimized view, against `reference`
  std::optional<std::size_t> knee;    // index into front
  double space_size = 0;
  std::int64_t resumed_points = 0;    // read back from the journal
  double seconds = 0;
};

// Bits of every weighted layer (SweepResult::layers) for a genome.
struct LayerBits {
  std::vector<int> w;
  std::vector<int> a;
};
[[nodiscard]] LayerBits decode_bits(const SweepResult& r, const Genome& g);

// Per hardware variant: the indices (into points) of that variant's own non-dominated set,
// for the "front over hardware variants" picture.
[[nodiscard]] std::vector<std::vector<std::size_t>> fronts_per_hardware(const SweepResult& r);

void save_results(const SweepResult& r, const std::filesystem::path& dir);
// Throws InputError when the folder holds no readable results.
[[nodiscard]] SweepResult load_results(const std::filesystem::path& dir);

// Genome ↔ text (one character per gene: 0-9 then a-z), the journal's and CSV's encoding.
[[nodiscard]] std::string genome_to_string(const Genome& g);
[[nodiscard]] Genome genome_from_string(const std::string& s);

}  // namespace mixq::explorer
