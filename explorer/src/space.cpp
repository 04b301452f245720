#include "mixq/explorer/space.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "mixq/arch/accelerator.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::explorer {
namespace {

using Kind = InputError::Kind;

std::uint8_t index_of(const std::vector<int>& choices, int bits) {
  const auto it = std::find(choices.begin(), choices.end(), bits);
  if (it == choices.end()) throw Error("internal: bits not among the choices");
  return static_cast<std::uint8_t>(it - choices.begin());
}

// Every combination of a hardware entry's `vary` lists, last key fastest.
std::vector<std::vector<std::string>> combinations(const HardwareSpec& h) {
  std::vector<std::vector<std::string>> out{{}};
  for (const auto& [key, values] : h.vary) {
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : out) {
      for (const auto& v : values) {
        auto c = prefix;
        c.push_back(key + "=" + v);
        next.push_back(std::move(c));
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

Space::~Space() = default;

Space::Space(const SweepSpec& spec) : net_([&] {
  try {
    return workloads::load_workload(spec.workload);
  } catch (const InputError& e) {
    if (e.kind() != Kind::kNotFound) throw;
    throw InputError(Kind::kNotFound, SourceLocation{spec.file, 0, 0, "workload"}, e.message());
  }
}()) {
  // Hardware variants, each loaded and checked like `mixq eval --arch X --set k=v`.
  for (const auto& h : spec.hardware) {
    for (const auto& combo : combinations(h)) {
      HardwareVariant v;
      v.overrides = h.set;
      v.overrides.insert(v.overrides.end(), combo.begin(), combo.end());
      arch::Accelerator acc;
      try {
        acc = arch::load_arch(h.arch, v.overrides);
      } catch (const InputError& e) {
        if (e.kind() != Kind::kNotFound) throw;
        throw InputError(Kind::kNotFound, h.where, e.message());
      }
      v.label = h.arch;
      if (!combo.empty()) {
        v.label += "[";
        for (std::size_t i = 0; i < combo.size(); ++i) v.label += (i ? "," : "") + combo[i];
        v.label += "]";
      }
      v.model = std::make_unique<costmodel::CostModel>(std::move(acc), spec.mapper_objective);
      hw_.push_back(std::move(v));
    }
  }
  // A gene is one character of the journal (0-9a-zA-Z).
  if (hw_.size() > 62) {
    throw InputError(Kind::kValue, SourceLocation{spec.file, 0, 0, "hardware"},
                     std::to_string(hw_.size()) + " hardware variants: at most 62 per sweep");
  }

  // Per weighted layer: allowed bits (defaults, first/last, overrides).
  const auto weighted = net_.weighted_layers();
  std::vector<std::vector<int>> w_allowed(net_.size()), a_allowed(net_.size());
  for (const std::size_t l : weighted) {
    w_allowed[l] = spec.precision.w_bits;
    a_allowed[l] = spec.precision.a_bits;
  }
  if (spec.precision.first_last_bits && !weighted.empty()) {
    const int b = *spec.precision.first_last_bits;
    for (const std::size_t l : {weighted.front(), weighted.back()}) {
      w_allowed[l] = {b};
      a_allowed[l] = {b};
    }
  }
  for (const auto& o : spec.precision.layers) {
    const auto l = net_.find(o.layer);
    if (!l) {
      throw InputError(Kind::kValue, o.where,
                       "no layer '" + o.layer + "' in workload '" + net_.name() + "'");
    }
    if (!net_.layer(*l).has_weights()) {
      throw InputError(Kind::kValue, o.where,
                       "layer '" + o.layer + "' has no weights: its precision follows its readers");
    }
    if (!o.w_bits.empty()) w_allowed[*l] = o.w_bits;
    if (!o.a_bits.empty()) a_allowed[*l] = o.a_bits;
  }
  std::set<int> ws, as;
  for (const std::size_t l : weighted) {
    ws.insert(w_allowed[l].begin(), w_allowed[l].end());
    as.insert(a_allowed[l].begin(), a_allowed[l].end());
  }
  if (ws.empty()) ws.insert(8);
  if (as.empty()) as.insert(8);
  w_choices_.assign(ws.begin(), ws.end());
  a_choices_.assign(as.begin(), as.end());

  granularity_ = spec.precision.granularity == workloads::Granularity::kChannel && spec.precision.channel_group > 1
                     ? workloads::Granularity::kChannelGroup
                     : spec.precision.granularity;
  fixed_.w.assign(net_.size(), 0);
  fixed_.a.assign(net_.size(), 0);
  free_slot_.assign(net_.size(), -1);
  cardinality_.push_back(static_cast<int>(hw_.size()));
  for (const std::size_t l : weighted) {
    if (w_allowed[l].size() == 1 && a_allowed[l].size() == 1) {
      fixed_.w[l] = index_of(w_choices_, w_allowed[l][0]);
      fixed_.a[l] = index_of(a_choices_, a_allowed[l][0]);
      continue;
    }
    free_slot_[l] = static_cast<int>(free_.size());
    std::vector<std::int64_t> groups;
    const std::int64_t k = net_.layer(l).k;
    const std::int64_t g = granularity_ == workloads::Granularity::kLayer ? k : spec.precision.channel_group;
    for (std::int64_t c = 0; c < k; c += g) groups.push_back(std::min(g, k - c));
    free_.push_back({l, w_allowed[l], a_allowed[l], std::move(groups)});
    std::vector<std::uint8_t> wm, am;
    for (const int b : w_allowed[l]) wm.push_back(index_of(w_choices_, b));
    for (const int b : a_allowed[l]) am.push_back(index_of(a_choices_, b));
    w_map_.push_back(std::move(wm));
    a_map_.push_back(std::move(am));
    cardinality_.push_back(static_cast<int>(w_allowed[l].size()));
    cardinality_.push_back(static_cast<int>(a_allowed[l].size()));
  }
  // Channel spaces: the weight genes of groups 1, 2, ... after all per-layer genes.
  for (std::size_t j = 0; j < free_.size(); ++j) {
    extra_offset_.push_back(cardinality_.size());
    for (std::size_t g = 1; g < free_[j].group_channels.size(); ++g) {
      cardinality_.push_back(static_cast<int>(free_[j].w_bits.size()));
    }
  }
  // A gene is one character of the journal; the journal's lines stay readable below this.
  if (cardinality_.size() > 100000) {
    throw InputError(Kind::kValue, spec.precision.granularity_where,
                     std::to_string(cardinality_.size()) + " genes: raise channel_group");
  }
  for (std::size_t l = net_.size(); l-- > 0;) {
    if (!net_.layer(l).has_weights()) weightless_reverse_.push_back(l);
  }

  for (auto& v : hw_) {
    v.prices = std::make_unique<costmodel::PriceTable>(*v.model, net_, w_choices_, a_choices_);
  }
}

double Space::size() const noexcept {
  double s = 1;
  for (const int c : cardinality_) s *= c;
  return s;
}

void Space::check(std::span<const std::uint8_t> genome) const {
  if (genome.size() != cardinality_.size()) {
    throw Error("genome of " + std::to_string(genome.size()) + " genes, the space has " +
                std::to_string(cardinality_.size()));
  }
  for (std::size_t g = 0; g < genome.size(); ++g) {
    if (genome[g] >= cardinality_[g]) {
      throw Error("gene " + std::to_string(g) + " = " + std::to_string(genome[g]) +
                  " out of range [0, " + std::to_string(cardinality_[g]) + ")");
    }
  }
}

void Space::decode(std::span<const std::uint8_t> genome, ChoiceIndices& out) const {
  out.w = fixed_.w;
  out.a = fixed_.a;
  for (std::size_t j = 0; j < free_.size(); ++j) {
    const std::size_t l = free_[j].layer;
    out.w[l] = w_map_[j][genome[1 + 2 * j]];
    out.a[l] = a_map_[j][genome[2 + 2 * j]];
  }
  if (per_channel()) {
    out.w_group.resize(net_.size());
    for (auto& v : out.w_group) v.clear();
    for (std::size_t j = 0; j < free_.size(); ++j) {
      const std::size_t l = free_[j].layer;
      auto& wg = out.w_group[l];
      for (std::size_t g = 0; g < free_[j].group_channels.size(); ++g) {
        wg.push_back(w_map_[j][genome[w_gene(j, g)]]);
        out.w[l] = std::max(out.w[l], wg.back());
      }
    }
  } else {
    out.w_group.clear();
  }
  // Weightless layers (reverse topological order, so chains of them resolve): the largest
  // a-bits among their readers; the largest choice for a network output.
  const auto top = static_cast<std::uint8_t>(a_choices_.size() - 1);
  for (const std::size_t l : weightless_reverse_) {
    const auto& readers = net_.consumers_of(l);
    std::uint8_t a = readers.empty() ? top : 0;
    for (const std::size_t r : readers) a = std::max(a, out.a[r]);
    out.a[l] = a;
    out.w[l] = 0;
  }
}

workloads::PrecisionAssignment Space::assignment(std::span<const std::uint8_t> genome) const {
  check(genome);
  ChoiceIndices idx;
  decode(genome, idx);
  return assignment(idx);
}

workloads::PrecisionAssignment Space::assignment(const ChoiceIndices& idx) const {
  auto a = workloads::PrecisionAssignment::uniform(net_, {8, 8});
  for (std::size_t l = 0; l < net_.size(); ++l) {
    a.set(net_, l, {w_choices_[idx.w[l]], a_choices_[idx.a[l]]});
  }
  for (std::size_t j = 0; j < free_.size() && !idx.w_group.empty(); ++j) {
    const std::size_t l = free_[j].layer;
    if (idx.w_group[l].empty()) continue;
    workloads::LayerPrecision lp;
    lp.granularity = granularity_;
    const int a_bits = a_choices_[idx.a[l]];
    for (std::size_t g = 0; g < idx.w_group[l].size(); ++g) {
      const int w_bits = w_choices_[idx.w_group[l][g]];
      if (!lp.groups.empty() && lp.groups.back().w_bits == w_bits) {
        lp.groups.back().count += free_[j].group_channels[g];  // a run runs as one sub-layer
      } else {
        lp.groups.push_back({free_[j].group_channels[g], w_bits, a_bits});
      }
    }
    a[l] = std::move(lp);
  }
  return a;
}

}  // namespace mixq::explorer
