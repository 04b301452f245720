#include "mixq/train/config.hpp"

namespace mixq::train {

std::string_view to_string(PhaseKind k) noexcept {
  switch (k) {
    case PhaseKind::kFloat: return "float";
    case PhaseKind::kFixedBits: return "fixed";
    case PhaseKind::kLearnBits: return "learn";
    case PhaseKind::kFrozen: return "frozen";
  }
  return "?";
}

std::string_view to_string(CostKind k) noexcept {
  switch (k) {
    case CostKind::kNone: return "none";
    case CostKind::kMemory: return "memory";
    case CostKind::kBops: return "bops";
    case CostKind::kEbops: return "ebops";
    case CostKind::kLatency: return "latency";
    case CostKind::kEnergy: return "energy";
  }
  return "?";
}

bool parse_cost_kind(std::string_view text, CostKind& out) noexcept {
  for (CostKind k : {CostKind::kNone, CostKind::kMemory, CostKind::kBops, CostKind::kEbops,
                     CostKind::kLatency, CostKind::kEnergy}) {
    if (text == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

}  // namespace mixq::train
