// Post-training evaluation of a trained model under any assignment (train.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine.hpp"
#include "mixq/train/train.hpp"

namespace mixq::train {

namespace {

using detail::Engine;
using detail::LayerState;
using workloads::Granularity;

// Loads the model's parameters into the engine. With `fold`, batch norm is folded into the
// weights and bias (w' = w·γ/σ, b' = (b − μ)·γ/σ + β) and switched off.
void load(Engine& eng, const TrainedModel& model, bool fold) {
  auto& layers = eng.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerState& st = layers[l];
    if (!st.weighted) continue;
    const LayerParams& p = model.layers[l];
    st.w.value = p.weight;
    st.b.value = p.bias;
    if (st.use_bn) {
      st.gamma.value = p.bn_gamma;
      st.beta.value = p.bn_beta;
      st.run_mean = p.bn_mean;
      st.run_var = p.bn_var;
      if (fold) {
        const std::int64_t k = st.layer.k;
        std::vector<float> bias(static_cast<std::size_t>(k));
        for (std::int64_t c = 0; c < k; ++c) {
          const auto ci = static_cast<std::size_t>(c);
          const float scale = p.bn_gamma[ci] / std::sqrt(p.bn_var[ci] + ops::kBnEps);
          for (std::int64_t i = 0; i < st.kernel; ++i) st.w.value[static_cast<std::size_t>(c * st.kernel + i)] *= scale;
          const float b = p.bias.empty() ? 0.0F : p.bias[ci];
          bias[ci] = (b - p.bn_mean[ci]) * scale + p.bn_beta[ci];
        }
        st.b.value = bias;
        st.has_bias = true;
        st.use_bn = false;
      }
    }
    st.wq = st.w.value;
    st.wquant.enabled = st.aquant.enabled = false;
  }
}

void quantize_into(const float* w, float* out, std::int64_t n, int bits, float step) {
  quant::Spec spec;
  spec.is_signed = true;
  quant::Group g;
  g.step = step;
  g.bits = bits;
  quant::forward(spec, g, w, out, n);
}

void quantize_layer_weights(LayerState& st, const LayerParams& p, const workloads::LayerPrecision& lp,
                            bool folded_bn) {
  const auto& w = st.w.value;
  if (lp.granularity == Granularity::kWeight) {
    // Histogram groups: the fewest bits to the smallest magnitudes.
    std::vector<std::size_t> order(w.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&w](std::size_t a, std::size_t b) { return std::fabs(w[a]) < std::fabs(w[b]); });
    std::vector<workloads::PrecisionGroup> groups = lp.groups;
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.w_bits < b.w_bits; });
    std::size_t pos = 0;
    std::vector<float> vals, q;
    for (const auto& g : groups) {
      const auto cnt = static_cast<std::size_t>(g.count);
      vals.resize(cnt);
      q.resize(cnt);
      for (std::size_t i = 0; i < cnt; ++i) vals[i] = w[order[pos + i]];
      const float step = quant::mse_step(vals.data(), static_cast<std::int64_t>(cnt), g.w_bits, true);
      quantize_into(vals.data(), q.data(), static_cast<std::int64_t>(cnt), g.w_bits, step);
      for (std::size_t i = 0; i < cnt; ++i) st.wq[order[pos + i]] = q[i];
      pos += cnt;
    }
    return;
  }
  bool same = !folded_bn && p.trained_groups.size() == lp.groups.size();
  for (std::size_t g = 0; same && g < lp.groups.size(); ++g) {
    same = p.trained_groups[g].count == lp.groups[g].count && p.trained_groups[g].w_bits == lp.groups[g].w_bits;
  }
  std::int64_t begin = 0;
  for (std::size_t g = 0; g < lp.groups.size(); ++g) {
    const std::int64_t n = lp.groups[g].count * st.kernel;
    const int bits = lp.groups[g].w_bits;
    const float step = same ? p.trained_w_step[g] : quant::mse_step(w.data() + begin, n, bits, true);
    quantize_into(w.data() + begin, st.wq.data() + begin, n, bits, step);
    begin += n;
  }
}

double accuracy(const detail::StepStats& s) {
  return s.n > 0 ? static_cast<double>(s.correct) / static_cast<double>(s.n) : 0.0;
}

void check_model(const TrainedModel& model) {
  if (!model.network || model.layers.size() != model.network->size()) {
    throw Error("evaluate_accuracy: the model has no network or its layers do not match it");
  }
}

}  // namespace

double evaluate_accuracy(const TrainedModel& model, const workloads::PrecisionAssignment& assignment,
                         const Dataset& data, const EvalOptions& options) {
  check_model(model);
  const workloads::Network& net = *model.network;
  assignment.validate(net);
  Engine eng(net, data, options.threads);
  load(eng, model, true);
  auto& layers = eng.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerState& st = layers[l];
    if (!st.weighted) continue;
    const LayerParams& p = model.layers[l];
    const bool folded = net.layer(l).bn;
    quantize_layer_weights(st, p, assignment[l], folded);
    // Activations: one precision per tensor, the largest the layer's groups ask for.
    const int a_bits = assignment[l].max_a_bits();
    detail::TensorQuant& aq = st.aquant;
    aq.enabled = true;
    aq.spec = quant::Spec{};
    aq.spec.is_signed = p.act_signed;
    aq.spec.mode = quant::Mode::kLsq;
    aq.bits.assign(1, a_bits);
    const bool trained = p.trained_a_step > 0 && !p.trained_groups.empty() && p.trained_groups.front().a_bits == a_bits;
    float step = trained ? p.trained_a_step : 1.0F;
    if (!trained && !p.act_sample.empty()) {
      step = quant::mse_step(p.act_sample.data(), static_cast<std::int64_t>(p.act_sample.size()), a_bits, p.act_signed);
    }
    aq.log_step.value.assign(1, std::log(step));
    aq.log_range.value.assign(1, 0.0F);
  }
  return accuracy(eng.evaluate(data, options.subset, options.batch));
}

double evaluate_accuracy(const TrainedModel& model, const Dataset& data, const EvalOptions& options) {
  check_model(model);
  Engine eng(*model.network, data, options.threads);
  load(eng, model, false);
  return accuracy(eng.evaluate(data, options.subset, options.batch));
}

}  // namespace mixq::train
