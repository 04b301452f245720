#include "mixq/explorer/evaluator.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace mixq::explorer {

Evaluator::Evaluator(const Space& space, std::vector<ObjectiveKind> objectives,
                     const AccuracySource* accuracy)
    : space_(space), kinds_(std::move(objectives)), accuracy_(accuracy) {
  for (const auto k : kinds_) {
    if (k == ObjectiveKind::kLatency || k == ObjectiveKind::kEnergy || k == ObjectiveKind::kEdp) {
      need_price_ = true;
    }
    if (k == ObjectiveKind::kAccuracy && accuracy_ == nullptr) {
      throw Error("Evaluator: the accuracy objective needs an accuracy source");
    }
  }
  proxy_ = dynamic_cast<const ProxyAccuracy*>(accuracy_);
  const auto& net = space.network();
  const auto batch = static_cast<double>(net.batch());
  for (const auto& layer : net.layers()) {
    weights_.push_back(static_cast<double>(layer.weight_count()));
    weights_per_kernel_.push_back(static_cast<double>(layer.weights_per_kernel()));
    kernels_.push_back(static_cast<double>(layer.k));
    macs_.push_back(static_cast<double>(layer.macs()));
    out_elements_.push_back(static_cast<double>(layer.output_shape().elements()) * batch);
  }
  input_elements_ = static_cast<double>(net.input_shape().elements()) * batch;
  free_index_.assign(net.size(), -1);
  for (std::size_t j = 0; j < space.free_layers().size(); ++j) {
    free_index_[space.free_layers()[j].layer] = static_cast<int>(j);
  }
}

void Evaluator::evaluate_range(std::span<Evaluation> points) const {
  const auto& net = space_.network();
  const auto& wc = space_.w_choices();
  const auto& ac = space_.a_choices();
  ChoiceIndices idx;
  for (Evaluation& e : points) {
    const Genome& g = e.genome;
    e.values.clear();
    e.values.reserve(kinds_.size());
    space_.decode(g, idx);
    const auto& hw = space_.hardware()[g[0]];
    costmodel::PriceTable::Price price;
    double latency_s = 0;
    const bool channels = space_.per_channel();
    if (need_price_ && channels) {
      // Per-group precision is outside the table: the cost model prices the groups (as it
      // documents for hardware that cannot exploit per-channel precision).
      const auto assignment = space_.assignment(idx);
      if (!hw.model->check(net, assignment).ok) {
        e.feasible = false;
        continue;
      }
      const auto cost = hw.model->evaluate(net, assignment);
      price.feasible = true;
      price.cycles = cost.cycles;
      price.energy_pj = cost.energy_pj;
      latency_s = cost.latency_s;
    } else if (need_price_) {
      price = hw.prices->price(idx.w, idx.a);
      if (!price.feasible) {
        e.feasible = false;
        continue;
      }
      latency_s = static_cast<double>(price.cycles) / hw.model->accelerator().frequency_hz;
    }
    e.feasible = true;
    // Sum over a layer's weight groups of (weights of the group) · f(bits); one group of all
    // the layer's weights at w[l] outside channel spaces.
    const auto per_group = [&](std::size_t l, const auto& f) {
      if (!channels || idx.w_group[l].empty()) return weights_[l] * f(wc[idx.w[l]]);
      double sum = 0;
      const auto& groups = space_.free_layers()[static_cast<std::size_t>(free_index_[l])].group_channels;
      for (std::size_t q = 0; q < groups.size(); ++q) {
        sum += static_cast<double>(groups[q]) * weights_per_kernel_[l] * f(wc[idx.w_group[l][q]]);
      }
      return sum;
    };
    for (const auto k : kinds_) {
      double v = 0;
      switch (k) {
        case ObjectiveKind::kLatency: v = latency_s; break;
        case ObjectiveKind::kEnergy: v = price.energy_pj; break;
        case ObjectiveKind::kEdp: v = price.energy_pj * latency_s; break;
        case ObjectiveKind::kWeightMemory:
          for (std::size_t l = 0; l < idx.w.size(); ++l) v += per_group(l, [](int b) { return b; });
          break;
        case ObjectiveKind::kActivationMemory: {
          // Every tensor at its storage precision: the largest a-bits of its readers, the
          // producer's own for a network output (workloads::compute_metrics' definition).
          std::uint8_t in = 0;
          for (const std::size_t r : net.consumers_of_input()) in = std::max(in, idx.a[r]);
          v = input_elements_ * ac[in];
          for (std::size_t l = 0; l < idx.a.size(); ++l) {
            const auto& readers = net.consumers_of(l);
            std::uint8_t s = readers.empty() ? idx.a[l] : 0;
            for (const std::size_t r : readers) s = std::max(s, idx.a[r]);
            v += out_elements_[l] * ac[s];
          }
          break;
        }
        case ObjectiveKind::kBops:
          // MACs split over groups in proportion to their weights.
          for (std::size_t l = 0; l < idx.w.size(); ++l) {
            if (weights_[l] <= 0) {
              v += macs_[l] * wc[idx.w[l]] * ac[idx.a[l]];
              continue;
            }
            const double a_bits = ac[idx.a[l]];
            v += macs_[l] / weights_[l] * per_group(l, [a_bits](int b) { return b * a_bits; });
          }
          break;
        case ObjectiveKind::kAccuracy: {
          if (channels && proxy_ != nullptr) {
            // Each channel's noise reaches the output through its own channel, so a layer's
            // relative noise is the channel-weighted mean of its groups' terms.
            double n = 0;
            for (std::size_t l = 0; l < idx.w.size(); ++l) {
              if (weights_[l] <= 0) continue;
              const int a_bits = ac[idx.a[l]];
              n += per_group(l, [&](int b) { return proxy_->layer_noise(l, b, a_bits); }) / weights_[l];
            }
            v = proxy_->accuracy_of_noise(n);
            break;
          }
          const ChoiceIndices* one[] = {&idx};
          accuracy_->score(space_, one, std::span<double>(&v, 1));
          break;
        }
      }
      e.values.push_back(v);
    }
  }
}

void Evaluator::evaluate(std::span<Evaluation> points, int threads) const {
  const std::size_t n = points.size();
  // Cheap points go in chunks of at least 64 (a thread costs more than 64 lookups); costly
  // ones (a trained model's inference) one per thread if need be.
  const std::size_t min_chunk = accuracy_ != nullptr && accuracy_->costly() ? 1 : 64;
  const std::size_t t = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), 1,
                                                std::max<std::size_t>(1, n / min_chunk));
  if (t == 1) {
    evaluate_range(points);
    return;
  }
  std::vector<std::thread> pool;
  std::exception_ptr error;
  std::mutex m;
  for (std::size_t k = 0; k < t; ++k) {
    const std::size_t lo = n * k / t;
    const std::size_t hi = n * (k + 1) / t;
    pool.emplace_back([&, lo, hi] {
      try {
        evaluate_range(points.subspan(lo, hi - lo));
      } catch (...) {
        const std::lock_guard lock(m);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace mixq::explorer
