#include "mixq/arch/pe_model.hpp"

#include <algorithm>

namespace mixq::arch {

PeModel::PeModel(PeModelInfo info) : info_(std::move(info)) {}

void PeModel::build_table() {
  const std::string prefix = info_.family + ": ";
  for (int w = 0; w < kSide; ++w) {
    for (int a = 0; a < kSide; ++a) {
      PeQuery q;
      if (w == 0 || w == kSide - 1 || a == 0 || a == kSide - 1) {
        const bool w_out = w == 0 || w == kSide - 1;
        q.reason = prefix + (w_out ? "w_bits" : "a_bits") + " must be in " +
                   std::to_string(kPeMinBits) + ".." + std::to_string(kPeMaxBits);
      } else {
        q = rule(w, a);
        if (q.supported) {
          q.reason.clear();
          max_w_bits_ = std::max(max_w_bits_, w);
          max_a_bits_ = std::max(max_a_bits_, a);
          peak_macs_per_cycle_ = std::max(peak_macs_per_cycle_, q.cost.macs_per_cycle);
        } else {
          q.cost = {};
          q.parallel_macs = 0;
          q.cycles_per_step = 0;
          q.reason = prefix + (q.reason.empty() ? "unsupported precision" : q.reason);
        }
      }
      table_[static_cast<std::size_t>(w * kSide + a)] = std::move(q);
    }
  }
}

std::vector<std::pair<int, int>> PeModel::supported_precisions() const {
  std::vector<std::pair<int, int>> out;
  for (int w = kPeMinBits; w <= kPeMaxBits; ++w) {
    for (int a = kPeMinBits; a <= kPeMaxBits; ++a) {
      if (supports(w, a)) out.emplace_back(w, a);
    }
  }
  return out;
}

}  // namespace mixq::arch
