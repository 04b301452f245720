#include "mixq/train/hw_cost.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/costmodel/price_table.hpp"

namespace mixq::train {

namespace {

int ceil_bits(double b, int lo, int hi) {
  return std::clamp(static_cast<int>(std::ceil(b - 1e-6)), lo, hi);
}

double mean_w(const LayerBits& lb) {
  double num = 0;
  double den = 0;
  for (std::size_t g = 0; g < lb.w.size(); ++g) {
    num += lb.w[g] * static_cast<double>(lb.count[g]);
    den += static_cast<double>(lb.count[g]);
  }
  return den > 0 ? num / den : 8.0;
}

// Slope at `b` of the line through the right ends of the steps of `levels` (levels[i] is the
// cost at bits lo + i); see hw_cost.hpp.
double knot_slope(const std::vector<double>& levels, int lo, double b) {
  std::vector<int> knots;
  const int n = static_cast<int>(levels.size());
  for (int i = 0; i < n; ++i) {
    if (i == n - 1 || levels[static_cast<std::size_t>(i + 1)] != levels[static_cast<std::size_t>(i)]) knots.push_back(i);
  }
  const double x = b - lo;
  if (knots.empty() || x <= knots.front() + 1e-9) return 0.0;
  for (std::size_t k = 1; k < knots.size(); ++k) {
    if (x <= knots[k] + 1e-9) {
      const double dx = knots[k] - knots[k - 1];
      return (levels[static_cast<std::size_t>(knots[k])] - levels[static_cast<std::size_t>(knots[k - 1])]) / dx;
    }
  }
  return 0.0;
}

}  // namespace

struct HardwareCost::Impl {
  workloads::Network net;
  CostConfig cfg;
  int lo = 2;
  int hi = 8;
  // For each layer, the weighted layer whose activation bits it carries (itself when
  // weighted; a pooling layer carries those of the weighted layer that reads its output).
  std::vector<std::size_t> a_owner;
  double ref = 1;
  std::optional<costmodel::CostModel> model;
  std::optional<costmodel::PriceTable> table;

  explicit Impl(const workloads::Network& n) : net(n) {}

  [[nodiscard]] double price(const std::vector<std::uint8_t>& wi, const std::vector<std::uint8_t>& ai) const {
    const auto p = table->price(wi, ai);
    if (!p.feasible) return -1;
    return cfg.kind == CostKind::kLatency ? static_cast<double>(p.cycles) : p.energy_pj;
  }

  // Costs at lo..hi for one operand; infeasible levels take the next feasible higher level's
  // cost (the hardware would run them at that precision).
  template <typename Set>
  std::vector<double> levels(std::vector<std::uint8_t> wi, std::vector<std::uint8_t> ai, Set&& set) const {
    std::vector<double> out(static_cast<std::size_t>(hi - lo + 1));
    for (int b = lo; b <= hi; ++b) {
      set(wi, ai, static_cast<std::uint8_t>(b - lo));
      out[static_cast<std::size_t>(b - lo)] = price(wi, ai);
    }
    double next = -1;
    for (std::size_t i = out.size(); i-- > 0;) {
      if (out[i] < 0) {
        out[i] = next;
      } else {
        next = out[i];
      }
    }
    if (out.back() < 0) {
      throw Error("hardware cost: no precision in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "] runs on '" + model->accelerator().name + "'");
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i] < 0) out[i] = out.back();
    }
    return out;
  }

  [[nodiscard]] double analytic(const std::vector<LayerBits>& bits, std::vector<LayerBits>* grad) const {
    double total = 0;
    for (std::size_t l = 0; l < net.size(); ++l) {
      const workloads::Layer& layer = net.layer(l);
      if (!layer.has_weights()) continue;
      const LayerBits& lb = bits[l];
      LayerBits* gb = grad != nullptr ? &(*grad)[l] : nullptr;
      const auto macs = static_cast<double>(layer.macs_per_sample());
      const auto kernel = static_cast<double>(layer.weights_per_kernel());
      const auto k = static_cast<double>(layer.k);
      switch (cfg.kind) {
        case CostKind::kMemory: {
          const auto in_elems = static_cast<double>(layer.input_shape().elements());
          total += in_elems * lb.a;
          if (gb != nullptr) gb->a += in_elems;
          for (std::size_t g = 0; g < lb.w.size(); ++g) {
            const double wts = static_cast<double>(lb.count[g]) * kernel;
            total += wts * lb.w[g];
            if (gb != nullptr) gb->w[g] += wts;
          }
          break;
        }
        case CostKind::kBops: {
          std::size_t arg = 0;
          for (std::size_t g = 1; g < lb.w.size(); ++g) {
            if (lb.w[g] > lb.w[arg]) arg = g;
          }
          const double wmax = lb.w.empty() ? 8.0 : lb.w[arg];
          total += macs * wmax * lb.a;
          if (gb != nullptr) {
            gb->a += macs * wmax;
            if (!lb.w.empty()) gb->w[arg] += macs * lb.a;
          }
          break;
        }
        case CostKind::kEbops:
          for (std::size_t g = 0; g < lb.w.size(); ++g) {
            const double share = macs * static_cast<double>(lb.count[g]) / k;
            total += share * lb.w[g] * lb.a;
            if (gb != nullptr) {
              gb->w[g] += share * lb.a;
              gb->a += share * lb.w[g];
            }
          }
          break;
        default: break;
      }
    }
    return total;
  }

  [[nodiscard]] std::vector<LayerBits> uniform_bits(double b) const {
    std::vector<LayerBits> out(net.size());
    for (std::size_t l = 0; l < net.size(); ++l) {
      out[l].a = b;
      if (net.layer(l).has_weights()) {
        out[l].w = {b};
        out[l].count = {net.layer(l).k};
      }
    }
    return out;
  }

  [[nodiscard]] double tabled(const std::vector<LayerBits>& bits, std::vector<LayerBits>* grad) const {
    const std::size_t n = net.size();
    std::vector<std::uint8_t> wi(n), ai(n);
    for (std::size_t l = 0; l < n; ++l) {
      const LayerBits& own = bits[a_owner[l]];
      ai[l] = static_cast<std::uint8_t>(ceil_bits(own.a, lo, hi) - lo);
      wi[l] = net.layer(l).has_weights() ? static_cast<std::uint8_t>(ceil_bits(mean_w(bits[l]), lo, hi) - lo)
                                         : ai[l];
    }
    double value = price(wi, ai);
    if (grad == nullptr && value >= 0) return value;
    for (std::size_t l = 0; l < n; ++l) {
      if (!net.layer(l).has_weights()) continue;
      const auto wl = levels(wi, ai, [l](auto& w, auto&, std::uint8_t v) { w[l] = v; });
      if (value < 0) value = wl[wi[l]];
      if (grad == nullptr) break;
      const double sw = knot_slope(wl, lo, mean_w(bits[l]));
      double total_count = 0;
      for (auto c : bits[l].count) total_count += static_cast<double>(c);
      for (std::size_t g = 0; g < bits[l].w.size(); ++g) {
        (*grad)[l].w[g] += sw * static_cast<double>(bits[l].count[g]) / total_count;
      }
      const auto al = levels(wi, ai, [this, l](auto&, auto& a, std::uint8_t v) {
        for (std::size_t j = 0; j < a.size(); ++j) {
          if (a_owner[j] == l) a[j] = v;
        }
      });
      (*grad)[l].a += knot_slope(al, lo, bits[l].a);
    }
    return value;
  }

  [[nodiscard]] double raw(const std::vector<LayerBits>& bits, std::vector<LayerBits>* grad) const {
    if (cfg.kind == CostKind::kLatency || cfg.kind == CostKind::kEnergy) return tabled(bits, grad);
    return analytic(bits, grad);
  }
};

HardwareCost::HardwareCost(const workloads::Network& net, const CostConfig& config, int min_bits,
                           int max_bits)
    : impl_(std::make_unique<Impl>(net)) {
  Impl& m = *impl_;
  m.cfg = config;
  m.lo = min_bits;
  m.hi = max_bits;
  m.a_owner.resize(net.size());
  for (std::size_t l = 0; l < net.size(); ++l) {
    std::size_t j = l;
    while (!net.layer(j).has_weights() && !net.consumers_of(j).empty()) j = net.consumers_of(j).front();
    m.a_owner[l] = net.layer(j).has_weights() ? j : l;
  }
  if (config.kind == CostKind::kLatency || config.kind == CostKind::kEnergy) {
    if (config.arch.empty()) {
      throw InputError(InputError::Kind::kMissingKey, SourceLocation{"", 0, 0, "cost.arch"},
                       "the " + std::string(to_string(config.kind)) +
                           " cost needs an accelerator (--arch)");
    }
    m.model.emplace(arch::load_arch(config.arch, config.arch_overrides),
                    config.kind == CostKind::kLatency ? costmodel::Objective::kLatency
                                                      : costmodel::Objective::kEnergy);
    std::vector<int> choices;
    for (int b = min_bits; b <= max_bits; ++b) choices.push_back(b);
    m.table.emplace(*m.model, net, choices, choices);
  }
  if (config.kind != CostKind::kNone) {
    const double ref_bits = std::clamp(8, min_bits, max_bits);
    m.ref = m.raw(m.uniform_bits(ref_bits), nullptr);
    if (!(m.ref > 0)) m.ref = 1;
  }
}

HardwareCost::~HardwareCost() = default;
HardwareCost::HardwareCost(HardwareCost&&) noexcept = default;
HardwareCost& HardwareCost::operator=(HardwareCost&&) noexcept = default;

CostValue HardwareCost::evaluate(const std::vector<LayerBits>& bits) const {
  CostValue out;
  out.grad.resize(bits.size());
  for (std::size_t l = 0; l < bits.size(); ++l) {
    out.grad[l].w.assign(bits[l].w.size(), 0.0);
    out.grad[l].count = bits[l].count;
    out.grad[l].a = 0;
  }
  if (impl_->cfg.kind == CostKind::kNone) return out;
  out.cost = impl_->raw(bits, &out.grad) / impl_->ref;
  for (auto& g : out.grad) {
    for (double& w : g.w) w /= impl_->ref;
    g.a /= impl_->ref;
  }
  return out;
}

double HardwareCost::absolute(const workloads::PrecisionAssignment& a) const {
  const Impl& m = *impl_;
  a.validate(m.net);
  if (m.cfg.kind == CostKind::kLatency || m.cfg.kind == CostKind::kEnergy) {
    const auto cost = m.model->evaluate(m.net, a);
    // Latency in seconds, energy in picojoules.
    return m.cfg.kind == CostKind::kLatency ? cost.latency_s : cost.energy_pj;
  }
  if (m.cfg.kind == CostKind::kMemory) {
    // Memory counts weights: recompute directly with the right units.
    double total = 0;
    for (std::size_t l = 0; l < m.net.size(); ++l) {
      const workloads::Layer& layer = m.net.layer(l);
      if (!layer.has_weights()) continue;
      const auto& lp = a[l];
      const bool per_weight = lp.granularity == workloads::Granularity::kWeight;
      for (const auto& g : lp.groups) {
        const double wts = per_weight ? static_cast<double>(g.count)
                                      : static_cast<double>(g.count * layer.weights_per_kernel());
        total += wts * g.w_bits;
      }
      total += static_cast<double>(layer.input_shape().elements()) * lp.max_a_bits();
    }
    return total;
  }
  // BOPs / EBOPs: shares of the layer's MACs per group.
  double total = 0;
  for (std::size_t l = 0; l < m.net.size(); ++l) {
    const workloads::Layer& layer = m.net.layer(l);
    if (!layer.has_weights()) continue;
    const auto& lp = a[l];
    const auto macs = static_cast<double>(layer.macs_per_sample());
    if (m.cfg.kind == CostKind::kBops) {
      total += macs * lp.max_w_bits() * lp.max_a_bits();
      continue;
    }
    double count = 0;
    for (const auto& g : lp.groups) count += static_cast<double>(g.count);
    for (const auto& g : lp.groups) total += macs * static_cast<double>(g.count) / count * g.w_bits * g.a_bits;
  }
  return total;
}

}  // namespace mixq::train
