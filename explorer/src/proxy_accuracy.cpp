#include "mixq/explorer/proxy_accuracy.hpp"

#include <cmath>

namespace mixq::explorer {
namespace {
// 4^(8 − b): the noise power of a b-bit quantizer relative to an 8-bit one.
double rel_noise(int bits) { return std::ldexp(1.0, 2 * (8 - bits)); }
}  // namespace

ProxyAccuracy::ProxyAccuracy(const Space& space, const ProxySpec& spec)
    : base_(spec.base_accuracy), k_(-std::log1p(-spec.drop_at_4bit) / 256.0) {
  const auto& net = space.network();
  s_w_.assign(net.size(), 0);
  s_a_.assign(net.size(), 0);
  const auto weighted = net.weighted_layers();
  if (spec.sensitivities.empty()) {
    double sum = 0;
    for (const std::size_t l : weighted) {
      const double fan_in = static_cast<double>(std::max<std::int64_t>(1, net.layer(l).weights_per_kernel()));
      s_w_[l] = s_a_[l] = 1.0 / std::sqrt(fan_in);
      sum += s_w_[l];
    }
    for (const std::size_t l : weighted) {
      s_w_[l] *= static_cast<double>(weighted.size()) / sum;
      s_a_[l] = s_w_[l];
    }
  } else {
    // A file names layers; every weighted layer must have a value (unlisted ones would make
    // the proxy silently ignore a layer).
    for (const auto& [name, s] : spec.sensitivities) {
      const auto l = net.find(name);
      if (!l || !net.layer(*l).has_weights()) {
        throw InputError(InputError::Kind::kValue,
                         SourceLocation{spec.sensitivity_file, 0, 0, "layers." + name},
                         "no weighted layer '" + name + "' in workload '" + net.name() + "'");
      }
      s_w_[*l] = s.first;
      s_a_[*l] = s.second;
    }
    for (const std::size_t l : weighted) {
      if (!spec.sensitivities.contains(net.layer(l).name)) {
        throw InputError(InputError::Kind::kMissingKey,
                         SourceLocation{spec.sensitivity_file, 0, 0, "layers"},
                         "no sensitivity for weighted layer '" + net.layer(l).name + "'");
      }
    }
  }
  double total = 0;
  for (const std::size_t l : weighted) total += s_w_[l] + s_a_[l];
  norm_ = total > 0 ? total : 1;
  w_n_ = space.w_choices().size();
  a_n_ = space.a_choices().size();
  w_term_.assign(net.size() * w_n_, 0);
  a_term_.assign(net.size() * a_n_, 0);
  for (std::size_t l = 0; l < net.size(); ++l) {
    for (std::size_t i = 0; i < w_n_; ++i) {
      w_term_[l * w_n_ + i] = s_w_[l] * rel_noise(space.w_choices()[i]) / norm_;
    }
    for (std::size_t i = 0; i < a_n_; ++i) {
      a_term_[l * a_n_ + i] = s_a_[l] * rel_noise(space.a_choices()[i]) / norm_;
    }
  }
}

double ProxyAccuracy::noise(const ChoiceIndices& idx) const noexcept {
  double n = 0;
  const std::size_t layers = idx.w.size();
  for (std::size_t l = 0; l < layers; ++l) {
    n += w_term_[l * w_n_ + idx.w[l]] + a_term_[l * a_n_ + idx.a[l]];
  }
  return n;
}

double ProxyAccuracy::layer_noise(std::size_t layer, int w_bits, int a_bits) const noexcept {
  return (s_w_[layer] * rel_noise(w_bits) + s_a_[layer] * rel_noise(a_bits)) / norm_;
}

double ProxyAccuracy::accuracy_of_noise(double n) const noexcept { return base_ * std::exp(-k_ * n); }

void ProxyAccuracy::score(const Space& /*space*/, std::span<const ChoiceIndices* const> batch,
                          std::span<double> accuracy) const {
  for (std::size_t i = 0; i < batch.size(); ++i) accuracy[i] = accuracy_of_noise(noise(*batch[i]));
}

}  // namespace mixq::explorer
