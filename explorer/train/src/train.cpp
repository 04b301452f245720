// The training loop: phases, optimizer, learning-rate schedule, quantizer set-up between
// phases, the hardware-aware loss, and the result (docs/training.md).
#include "mixq/train/train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "engine.hpp"
#include "mixq/train/hw_cost.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::train {

namespace {

using detail::Engine;
using detail::LayerState;
using detail::Param;
using detail::TensorQuant;
using workloads::Granularity;
using workloads::LayerPrecision;
using workloads::PrecisionAssignment;
using workloads::PrecisionGroup;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

InputError config_error(const std::string& key, const std::string& message) {
  return InputError(InputError::Kind::kValue, SourceLocation{"", 0, 0, key}, message);
}

void check_cpu() {
#if defined(__x86_64__) && defined(__AVX2__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    throw Error("mixq::train was built with MIXQ_TRAIN_SIMD=" MIXQ_TRAIN_SIMD_NAME
                " but this CPU lacks AVX2/FMA; reconfigure with -DMIXQ_TRAIN_SIMD=none");
  }
#endif
}

void validate(const TrainConfig& c, const workloads::Network& net) {
  if (c.phases.empty()) throw config_error("phases", "at least one phase is needed");
  for (std::size_t i = 0; i < c.phases.size(); ++i) {
    const Phase& p = c.phases[i];
    const std::string key = "phases[" + std::to_string(i) + "]";
    if (p.epochs < 0) throw config_error(key + ".epochs", "epochs must be >= 0");
    if (!(p.lr > 0) || !std::isfinite(p.lr)) throw config_error(key + ".lr", "the learning rate must be > 0");
  }
  if (c.batch < 1) throw config_error("batch", "the batch must be >= 1");
  const QuantizerConfig& q = c.quant;
  if (q.min_bits < 2 || q.max_bits > 16 || q.min_bits > q.max_bits) {
    throw config_error("quant.min_bits", "the learned bit range must lie in [2, 16] (min <= max)");
  }
  if (q.granularity == Granularity::kWeight) {
    throw config_error("quant.granularity", "per-weight bits are not learned by the training engine "
                                            "(layer, channel_group or channel); evaluate_accuracy() "
                                            "accepts per-weight assignments");
  }
  if (q.channel_group_size < 1) throw config_error("quant.channel_group_size", "must be >= 1");
  if (q.assignment) {
    q.assignment->validate(net);
    for (std::size_t l = 0; l < net.size(); ++l) {
      if (net.layer(l).has_weights() && (*q.assignment)[l].granularity == Granularity::kWeight) {
        throw config_error("quant.assignment", "layer '" + net.layer(l).name +
                                                   "': per-weight groups cannot be trained; "
                                                   "use layer, channel_group or channel");
      }
    }
  }
  if (c.cost.beta < 0 || !std::isfinite(c.cost.beta)) throw config_error("cost.beta", "beta must be >= 0");
}

PrecisionAssignment fixed_assignment(const TrainConfig& c, const workloads::Network& net) {
  if (c.quant.assignment) return *c.quant.assignment;
  PrecisionAssignment a = PrecisionAssignment::uniform(net, c.quant.bits);
  const auto weighted = net.weighted_layers();
  if (c.quant.first_last && !weighted.empty()) {
    a.set(net, weighted.front(), *c.quant.first_last);
    a.set(net, weighted.back(), *c.quant.first_last);
  }
  return a;
}

// Groups of `layer` for learning bits at the configured granularity.
std::vector<std::int64_t> learn_groups(const QuantizerConfig& q, std::int64_t k) {
  std::vector<std::int64_t> out;
  switch (q.granularity) {
    case Granularity::kChannel: out.assign(static_cast<std::size_t>(k), 1); break;
    case Granularity::kChannelGroup:
      for (std::int64_t c = 0; c < k; c += q.channel_group_size) out.push_back(std::min<std::int64_t>(q.channel_group_size, k - c));
      break;
    default: out.push_back(k); break;
  }
  return out;
}

void set_groups(TensorQuant& tq, const std::vector<std::int64_t>& channels, std::int64_t kernel) {
  tq.channels = channels;
  tq.begin.assign(1, 0);
  for (auto c : channels) tq.begin.push_back(tq.begin.back() + c * kernel);
  tq.bits.assign(channels.size(), 8);
  tq.log_step.resize(channels.size());
  tq.log_range.resize(channels.size());
}

// Re-groups a weight quantizer, each new group taking the parameters of the old group that
// holds its first channel.
void regroup(TensorQuant& tq, const std::vector<std::int64_t>& channels, std::int64_t kernel) {
  const TensorQuant old = tq;
  set_groups(tq, channels, kernel);
  std::size_t og = 0;
  std::int64_t old_end = old.channels.empty() ? 0 : old.channels[0];
  std::int64_t start = 0;
  for (std::size_t g = 0; g < channels.size(); ++g) {
    while (og + 1 < old.channels.size() && start >= old_end) {
      ++og;
      old_end += old.channels[og];
    }
    tq.bits[g] = old.bits[og];
    tq.log_step.value[g] = old.log_step.value[og];
    tq.log_range.value[g] = old.log_range.value[og];
    start += channels[g];
  }
}

void to_learned(TensorQuant& tq) {
  if (tq.spec.mode == quant::Mode::kLearned) return;
  tq.spec.mode = quant::Mode::kLearned;
  tq.log_range.value.resize(tq.groups());
  for (std::size_t g = 0; g < tq.groups(); ++g) {
    tq.log_range.value[g] = tq.log_step.value[g] + static_cast<float>(std::log(quant::qp(tq.bits[g], tq.spec.is_signed)));
  }
}

void to_lsq(TensorQuant& tq, int min_bits, int max_bits) {
  if (tq.spec.mode == quant::Mode::kLsq) return;
  for (std::size_t g = 0; g < tq.groups(); ++g) {
    const quant::Group q = tq.group(g);
    tq.bits[g] = quant::deploy_bits(q.step, q.range, tq.spec.is_signed, min_bits, max_bits);
  }
  tq.spec.mode = quant::Mode::kLsq;
}

// Quantizers at the fixed assignment, steps calibrated by MSE on the weights and on the
// float activations of 256 training samples (LSQ's own 2·mean|v|/√Q_P start is tuned for
// training from scratch; starting from a trained float network, the MSE step loses less).
void init_fixed(Engine& eng, const PrecisionAssignment& a, const TrainConfig& cfg, const Dataset& data) {
  auto& layers = eng.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerState& st = layers[l];
    if (!st.weighted) continue;
    std::vector<std::int64_t> channels;
    for (const auto& g : a[l].groups) channels.push_back(g.count);
    set_groups(st.wquant, channels, st.kernel);
    st.wquant.spec.mode = quant::Mode::kLsq;
    for (std::size_t g = 0; g < channels.size(); ++g) {
      st.wquant.bits[g] = a[l].groups[g].w_bits;
      const std::int64_t b = st.wquant.begin[g];
      st.wquant.log_step.value[g] = std::log(quant::mse_step(st.w.value.data() + b, st.wquant.begin[g + 1] - b,
                                                               st.wquant.bits[g], true));
    }
    set_groups(st.aquant, {1}, 1);
    st.aquant.spec.mode = quant::Mode::kLsq;
    st.aquant.bits[0] = a[l].max_a_bits();
    st.wquant.enabled = st.aquant.enabled = true;
  }
  // Calibrate activations on the network as it is (weights quantized, earlier activations not).
  eng.quantize_weights();
  eng.capture_inputs(data, std::min<std::int64_t>(256, data.size()), [&](std::size_t l, const float* x, std::int64_t n) {
    // Every 4th value: enough for the MSE search, four times faster.
    std::vector<float> sample;
    sample.reserve(static_cast<std::size_t>(n / 4 + 1));
    for (std::int64_t i = 0; i < n; i += 4) sample.push_back(x[i]);
    TensorQuant& aq = layers[l].aquant;
    aq.log_step.value[0] = std::log(quant::mse_step(sample.data(), static_cast<std::int64_t>(sample.size()),
                                                     aq.bits[0], aq.spec.is_signed));
  });
  (void)cfg;
}

void configure_phase(Engine& eng, PhaseKind kind, const PrecisionAssignment& fixed,
                     const TrainConfig& cfg, const Dataset& data) {
  auto& layers = eng.layers();
  const QuantizerConfig& q = cfg.quant;
  const bool enabled = std::any_of(layers.begin(), layers.end(), [](const LayerState& s) { return s.wquant.enabled; });
  switch (kind) {
    case PhaseKind::kFloat:
      for (auto& st : layers) st.wquant.enabled = st.aquant.enabled = false;
      break;
    case PhaseKind::kFixedBits:
      init_fixed(eng, fixed, cfg, data);
      break;
    case PhaseKind::kLearnBits:
      if (!enabled) init_fixed(eng, fixed, cfg, data);
      for (auto& st : layers) {
        if (!st.weighted) continue;
        to_lsq(st.wquant, q.min_bits, q.max_bits);  // regroup from integer bits
        regroup(st.wquant, learn_groups(q, st.layer.k), st.kernel);
        for (auto& b : st.wquant.bits) b = std::clamp(b, q.min_bits, q.max_bits);
        st.aquant.bits[0] = std::clamp(st.aquant.bits[0], q.min_bits, q.max_bits);
        to_learned(st.wquant);
        to_learned(st.aquant);
      }
      break;
    case PhaseKind::kFrozen:
      if (!enabled) init_fixed(eng, fixed, cfg, data);
      for (auto& st : layers) {
        if (!st.weighted) continue;
        to_lsq(st.wquant, q.min_bits, q.max_bits);
        to_lsq(st.aquant, q.min_bits, q.max_bits);
      }
      break;
  }
  for (auto& st : layers) {
    if (!st.weighted) continue;
    st.wquant.spec.grad_mod = q.weight_grad_mod;
    st.aquant.spec.grad_mod = q.act_grad_mod;
    st.wquant.spec.delta = st.aquant.spec.delta = q.grad_mod_delta;
    for (TensorQuant* tq : {&st.wquant, &st.aquant}) {
      tq->log_step.lr_scale = q.quantizer_lr_scale;
      tq->log_range.lr_scale = q.quantizer_lr_scale * q.range_lr_scale;
      tq->log_step.active = tq->enabled;
      tq->log_range.active = tq->enabled && tq->spec.mode == quant::Mode::kLearned;
      tq->log_step.grad.assign(tq->log_step.value.size(), 0.0F);
      tq->log_range.grad.assign(tq->log_range.value.size(), 0.0F);
    }
  }
}

// Keeps learned bits inside [min_bits, max_bits]: the range between Q_P(min)·step and
// Q_P(max)·step.
void clamp_learned(Engine& eng, int min_bits, int max_bits) {
  for (auto& st : eng.layers()) {
    for (TensorQuant* tq : {&st.wquant, &st.aquant}) {
      if (!st.weighted || !tq->enabled || tq->spec.mode != quant::Mode::kLearned) continue;
      const auto lo = static_cast<float>(std::log(quant::qp(min_bits, tq->spec.is_signed)));
      const auto hi = static_cast<float>(std::log(quant::qp(max_bits, tq->spec.is_signed)));
      for (std::size_t g = 0; g < tq->groups(); ++g) {
        const float s = tq->log_step.value[g];
        tq->log_range.value[g] = std::clamp(tq->log_range.value[g], s + lo, s + hi);
      }
    }
  }
}

std::vector<LayerBits> current_bits(const Engine& eng, int min_bits, int max_bits) {
  std::vector<LayerBits> out(eng.layers().size());
  for (std::size_t l = 0; l < eng.layers().size(); ++l) {
    const LayerState& st = eng.layers()[l];
    if (!st.weighted) continue;
    for (std::size_t g = 0; g < st.wquant.groups(); ++g) {
      out[l].w.push_back(std::clamp(st.wquant.continuous_bits(g), double(min_bits), double(max_bits)));
      out[l].count.push_back(st.wquant.channels[g]);
    }
    out[l].a = std::clamp(st.aquant.continuous_bits(0), double(min_bits), double(max_bits));
  }
  return out;
}

void add_cost_gradient(Engine& eng, const CostValue& cv, double beta) {
  auto& layers = eng.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerState& st = layers[l];
    if (!st.weighted) continue;
    auto push = [beta](TensorQuant& tq, std::size_t g, double dcost_dbits) {
      const quant::Group q = tq.group(g);
      tq.log_range.grad[g] += static_cast<float>(beta * dcost_dbits * quant::dbits_dlog_range(q.step, q.range));
      tq.log_step.grad[g] += static_cast<float>(beta * dcost_dbits * quant::dbits_dlog_step(q.step, q.range));
    };
    for (std::size_t g = 0; g < st.wquant.groups(); ++g) push(st.wquant, g, cv.grad[l].w[g]);
    push(st.aquant, 0, cv.grad[l].a);
  }
}

struct Optimizer {
  OptimizerKind kind;
  double momentum;
  double weight_decay;
  std::int64_t t = 0;

  void reset(const std::vector<Param*>& params) {
    t = 0;
    for (Param* p : params) {
      p->m.assign(p->value.size(), 0.0F);
      p->v.assign(p->value.size(), 0.0F);
      p->grad.resize(p->value.size(), 0.0F);
    }
  }

  void step(const std::vector<Param*>& params, double lr) {
    ++t;
    constexpr double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double c1 = 1.0 - std::pow(b1, static_cast<double>(t));
    const double c2 = 1.0 - std::pow(b2, static_cast<double>(t));
    for (Param* p : params) {
      if (!p->active || p->value.empty()) continue;
      const auto lr_p = static_cast<float>(lr * p->lr_scale);
      const auto wd = static_cast<float>(p->decay ? weight_decay : 0.0);
      const std::size_t n = p->value.size();
      if (kind == OptimizerKind::kAdam) {
        const auto k1 = static_cast<float>(1.0 / c1);
        const auto k2 = static_cast<float>(1.0 / c2);
        for (std::size_t i = 0; i < n; ++i) {
          const float g = p->grad[i] + wd * p->value[i];
          p->m[i] = static_cast<float>(b1) * p->m[i] + static_cast<float>(1 - b1) * g;
          p->v[i] = static_cast<float>(b2) * p->v[i] + static_cast<float>(1 - b2) * g * g;
          p->value[i] -= lr_p * (p->m[i] * k1) / (std::sqrt(p->v[i] * k2) + static_cast<float>(eps));
        }
      } else {
        const auto mu = static_cast<float>(momentum);
        for (std::size_t i = 0; i < n; ++i) {
          const float g = p->grad[i] + wd * p->value[i];
          p->m[i] = mu * p->m[i] + g;
          p->value[i] -= lr_p * p->m[i];
        }
      }
    }
  }
};

double schedule_lr(const TrainConfig& c, double peak, std::int64_t step, std::int64_t total) {
  if (total <= 0) return peak;
  const double f = static_cast<double>(step) / static_cast<double>(total);
  switch (c.schedule) {
    case Schedule::kConstant: return peak;
    case Schedule::kCosine: return peak * 0.5 * (1.0 + std::cos(M_PI * f));
    case Schedule::kStep: return peak * (f >= 0.75 ? c.step_gamma * c.step_gamma : f >= 0.5 ? c.step_gamma : 1.0);
  }
  return peak;
}

PrecisionAssignment result_assignment(const Engine& eng, const workloads::Network& net,
                                      const PrecisionAssignment& fixed, bool learned_any,
                                      const QuantizerConfig& q) {
  std::vector<LayerPrecision> layers(net.size());
  std::vector<int> a_bits(net.size(), 8);
  for (std::size_t l = 0; l < net.size(); ++l) {
    const LayerState& st = eng.layers()[l];
    if (!st.weighted) continue;
    const TensorQuant& wq = st.wquant;
    LayerPrecision lp;
    const int a = st.aquant.spec.mode == quant::Mode::kLsq
                      ? st.aquant.bits[0]
                      : quant::deploy_bits(st.aquant.group(0).step, st.aquant.group(0).range,
                                           st.aquant.spec.is_signed, q.min_bits, q.max_bits);
    a_bits[l] = a;
    for (std::size_t g = 0; g < wq.groups(); ++g) {
      const quant::Group grp = wq.group(g);
      const int w = wq.spec.mode == quant::Mode::kLsq
                        ? wq.bits[g]
                        : quant::deploy_bits(grp.step, grp.range, true, q.min_bits, q.max_bits);
      // Neighbouring groups at equal bits merge (the assignment is a histogram by channel run).
      if (!lp.groups.empty() && lp.groups.back().w_bits == w && q.granularity != Granularity::kChannelGroup) {
        lp.groups.back().count += wq.channels[g];
      } else {
        lp.groups.push_back({wq.channels[g], w, a});
      }
    }
    lp.granularity = learned_any ? q.granularity : fixed[l].granularity;
    if (lp.groups.size() == 1) lp.granularity = Granularity::kLayer;
    if (lp.granularity == Granularity::kLayer && lp.groups.size() > 1) lp.granularity = Granularity::kChannel;
    layers[l] = lp;
  }
  // Weightless layers carry the activation bits of the weighted layer that reads their output.
  for (std::size_t l = net.size(); l-- > 0;) {
    if (net.layer(l).has_weights()) continue;
    int a = 8;
    for (std::size_t j = l; !net.consumers_of(j).empty();) {
      j = net.consumers_of(j).front();
      if (net.layer(j).has_weights()) {
        a = a_bits[j];
        break;
      }
    }
    layers[l] = LayerPrecision::uniform(net.layer(l), {a, a});
  }
  return PrecisionAssignment(std::move(layers));
}

TrainedModel export_model(Engine& eng, std::shared_ptr<const workloads::Network> net,
                          const Dataset& train_data) {
  TrainedModel m;
  m.network = net;
  m.layers.resize(net->size());
  auto& layers = eng.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerState& st = layers[l];
    if (!st.weighted) continue;
    LayerParams& p = m.layers[l];
    p.weight = st.w.value;
    p.bias = st.b.value;
    p.bn_gamma = st.gamma.value;
    p.bn_beta = st.beta.value;
    p.bn_mean = st.run_mean;
    p.bn_var = st.run_var;
    p.act_signed = st.aquant.spec.is_signed;
    if (st.wquant.enabled && st.wquant.spec.mode == quant::Mode::kLsq && st.aquant.spec.mode == quant::Mode::kLsq) {
      for (std::size_t g = 0; g < st.wquant.groups(); ++g) {
        p.trained_groups.push_back({st.wquant.channels[g], st.wquant.bits[g], st.aquant.bits[0]});
        p.trained_w_step.push_back(std::exp(st.wquant.log_step.value[g]));
      }
      p.trained_a_step = std::exp(st.aquant.log_step.value[0]);
    }
  }
  // Calibration sample: float activations of the first 1,024 training images, every k-th
  // value so that each layer keeps at most 16,384.
  eng.capture_inputs(train_data, std::min<std::int64_t>(1024, train_data.size()),
                     [&](std::size_t l, const float* x, std::int64_t n) {
                       const std::int64_t stride = std::max<std::int64_t>(1, n / 16384);
                       auto& s = m.layers[l].act_sample;
                       for (std::int64_t i = 0; i < n; i += stride) s.push_back(x[i]);
                       std::sort(s.begin(), s.end());
                     });
  return m;
}

}  // namespace

TrainResult train(const TrainConfig& config, const ProgressFn& progress) {
  const auto dir = config.data_dir.empty() ? default_fashion_mnist_dir() : config.data_dir;
  const Dataset tr = load_mnist_format(dir, "train", config.train_subset);
  const Dataset te = load_mnist_format(dir, "t10k", config.test_subset);
  return train(config, tr, te, progress);
}

TrainResult train(const TrainConfig& config, const Dataset& train_data, const Dataset& test_data,
                  const ProgressFn& progress) {
  const auto t_start = Clock::now();
  check_cpu();
  auto net = std::make_shared<const workloads::Network>(workloads::load_workload(config.workload));
  validate(config, *net);
  if (train_data.size() == 0) throw config_error("train_subset", "no training data");
  Engine eng(*net, train_data, config.threads);
  eng.set_micro_batch(config.micro_batch);
  eng.init_params(config.seed);
  if (!config.init_model.empty()) {
    const TrainedModel init = load_model(config.init_model, *net);
    for (std::size_t l = 0; l < net->size(); ++l) {
      LayerState& st = eng.layers()[l];
      if (!st.weighted) continue;
      const LayerParams& p = init.layers[l];
      st.w.value = p.weight;
      if (st.has_bias) st.b.value = p.bias;
      if (st.use_bn) {
        st.gamma.value = p.bn_gamma;
        st.beta.value = p.bn_beta;
        st.run_mean = p.bn_mean;
        st.run_var = p.bn_var;
      }
    }
  }
  const PrecisionAssignment fixed = fixed_assignment(config, *net);
  const QuantizerConfig& q = config.quant;

  const bool any_learn = std::any_of(config.phases.begin(), config.phases.end(),
                                     [](const Phase& p) { return p.kind == PhaseKind::kLearnBits; });
  std::optional<HardwareCost> hw;
  if (any_learn && config.cost.kind != CostKind::kNone) hw.emplace(*net, config.cost, q.min_bits, q.max_bits);

  std::vector<Param*> params = eng.params();
  Optimizer opt{config.optimizer, config.momentum, config.weight_decay};
  std::mt19937_64 shuffle_rng(config.seed * 0x9E3779B97F4A7C15ULL + 1);

  const std::int64_t n_train = train_data.size();
  const std::int64_t batches = (n_train + config.batch - 1) / config.batch;
  std::int64_t total_steps = 0;
  for (const Phase& p : config.phases) total_steps += p.epochs * batches;

  TrainResult result;
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n_train));
  for (std::int64_t i = 0; i < n_train; ++i) perm[static_cast<std::size_t>(i)] = i;
  std::int64_t steps_done = 0;
  double train_seconds = 0;
  bool learned_any = false;
  double test_accuracy = -1;
  bool quantized_now = false;

  for (std::size_t pi = 0; pi < config.phases.size(); ++pi) {
    const Phase& phase = config.phases[pi];
    configure_phase(eng, phase.kind, fixed, config, train_data);
    quantized_now = phase.kind != PhaseKind::kFloat;
    learned_any = learned_any || phase.kind == PhaseKind::kLearnBits;
    opt.reset(params);
    const std::int64_t phase_steps = phase.epochs * batches;
    std::int64_t phase_step = 0;
    for (int epoch = 1; epoch <= phase.epochs; ++epoch) {
      const auto t_epoch = Clock::now();
      // Fisher-Yates with the raw 64-bit generator (std::shuffle's use of the generator is
      // implementation-defined).
      for (std::int64_t i = n_train - 1; i > 0; --i) {
        const auto j = static_cast<std::int64_t>(shuffle_rng() % static_cast<std::uint64_t>(i + 1));
        std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
      }
      EpochLog log;
      log.phase = pi;
      log.phase_kind = phase.kind;
      log.epoch = epoch;
      log.lr = schedule_lr(config, phase.lr, phase_step, phase_steps);
      double loss_sum = 0;
      std::int64_t correct = 0;
      std::int64_t seen = 0;
      double cost_sum = 0;
      for (std::int64_t b = 0; b < batches; ++b) {
        const std::int64_t begin = b * config.batch;
        const std::int64_t n = std::min<std::int64_t>(config.batch, n_train - begin);
        const double lr = schedule_lr(config, phase.lr, phase_step, phase_steps);
        eng.quantize_weights();
        const detail::StepStats st = eng.train_step(train_data, perm.data() + begin, n);
        const double mean_loss = st.loss_sum / static_cast<double>(n);
        if (!std::isfinite(mean_loss) || mean_loss > config.divergence_loss) {
          throw DivergenceError("training diverged in phase " + std::to_string(pi + 1) + " (" +
                                std::string(to_string(phase.kind)) + "), epoch " + std::to_string(epoch) +
                                ", batch " + std::to_string(b + 1) + ": loss " + std::to_string(mean_loss) +
                                "; lower the learning rate or beta");
        }
        if (phase.kind == PhaseKind::kLearnBits && hw) {
          const CostValue cv = hw->evaluate(current_bits(eng, q.min_bits, q.max_bits));
          add_cost_gradient(eng, cv, config.cost.beta);
          cost_sum += cv.cost * static_cast<double>(n);
        }
        opt.step(params, lr);
        if (phase.kind == PhaseKind::kLearnBits) clamp_learned(eng, q.min_bits, q.max_bits);
        loss_sum += st.loss_sum;
        correct += st.correct;
        seen += n;
        ++phase_step;
        ++steps_done;
        if (progress) {
          Progress pr;
          pr.phase = pi;
          pr.phase_kind = phase.kind;
          pr.epoch = epoch;
          pr.epochs = phase.epochs;
          pr.batch = b + 1;
          pr.batches = batches;
          pr.loss = loss_sum / static_cast<double>(seen);
          pr.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
          pr.elapsed_s = seconds_since(t_start);
          pr.eta_s = pr.elapsed_s / static_cast<double>(steps_done) * static_cast<double>(total_steps - steps_done);
          progress(pr);
        }
      }
      const double epoch_train_s = seconds_since(t_epoch);
      train_seconds += epoch_train_s;
      eng.quantize_weights();
      const detail::StepStats ev = eng.evaluate(test_data, 0);
      test_accuracy = static_cast<double>(ev.correct) / static_cast<double>(std::max<std::int64_t>(1, ev.n));
      log.train_loss = loss_sum / static_cast<double>(seen);
      log.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      log.test_accuracy = test_accuracy;
      log.cost = cost_sum / static_cast<double>(seen);
      log.seconds = epoch_train_s;
      if (quantized_now) {
        const auto a = result_assignment(eng, *net, fixed, learned_any, q);
        log.avg_weight_bits = average_weight_bits(*net, a);
        log.avg_activation_bits = average_activation_bits(*net, a);
      }
      result.log.push_back(log);
      ++result.epochs;
    }
  }
  if (test_accuracy < 0) {
    eng.quantize_weights();
    const detail::StepStats ev = eng.evaluate(test_data, 0);
    test_accuracy = static_cast<double>(ev.correct) / static_cast<double>(std::max<std::int64_t>(1, ev.n));
  }
  result.test_accuracy = test_accuracy;
  result.quantized = quantized_now;
  if (quantized_now) {
    result.assignment = result_assignment(eng, *net, fixed, learned_any, q);
    result.avg_weight_bits = average_weight_bits(*net, result.assignment);
    result.avg_activation_bits = average_activation_bits(*net, result.assignment);
  } else {
    result.assignment = PrecisionAssignment::uniform(*net, {32, 32});
  }
  result.train_seconds = train_seconds;
  result.model = export_model(eng, net, train_data);
  result.total_seconds = seconds_since(t_start);
  return result;
}

double average_weight_bits(const workloads::Network& net, const PrecisionAssignment& a) {
  double num = 0;
  double den = 0;
  for (std::size_t l = 0; l < net.size(); ++l) {
    const workloads::Layer& layer = net.layer(l);
    if (!layer.has_weights()) continue;
    const bool per_weight = a[l].granularity == Granularity::kWeight;
    for (const auto& g : a[l].groups) {
      const double w = per_weight ? static_cast<double>(g.count)
                                  : static_cast<double>(g.count * layer.weights_per_kernel());
      num += w * g.w_bits;
      den += w;
    }
  }
  return den > 0 ? num / den : 0.0;
}

double average_activation_bits(const workloads::Network& net, const PrecisionAssignment& a) {
  double num = 0;
  double den = 0;
  for (std::size_t l = 0; l < net.size(); ++l) {
    const workloads::Layer& layer = net.layer(l);
    if (!layer.has_weights()) continue;
    const auto e = static_cast<double>(layer.input_shape().elements());
    num += e * a[l].max_a_bits();
    den += e;
  }
  return den > 0 ? num / den : 0.0;
}

}  // namespace mixq::train
