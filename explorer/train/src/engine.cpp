#include "engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <random>
#include <thread>

#include "mixq/common/error.hpp"

namespace mixq::train::detail {

using workloads::OpKind;

quant::Group TensorQuant::group(std::size_t g) const {
  quant::Group out;
  out.step = std::exp(log_step.value[g]);
  out.range = log_range.value.empty() ? 0.0F : std::exp(log_range.value[g]);
  out.bits = bits[g];
  return out;
}

double TensorQuant::continuous_bits(std::size_t g) const {
  if (spec.mode == quant::Mode::kLsq) return bits[g];
  const quant::Group q = group(g);
  return quant::learned_bits(q.step, q.range, spec.is_signed);
}

namespace {

InputError unsupported(const workloads::Layer& l, const std::string& why) {
  return InputError(InputError::Kind::kValue, SourceLocation{"", 0, 0, l.name},
                    "layer '" + l.name + "' (" + std::string(workloads::to_string(l.op)) +
                        "): " + why);
}

// Effective Q_P of a group for LSQ's gradient scale.
double effective_qp(const TensorQuant& q, std::size_t g) {
  if (q.spec.mode == quant::Mode::kLsq) return quant::qp(q.bits[g], q.spec.is_signed);
  const quant::Group p = q.group(g);
  return static_cast<double>(p.range) / p.step;
}

template <typename T>
void add_into(std::vector<T>& dst, const std::vector<T>& src) {
  for (std::size_t i = 0; i < dst.size(); ++i) dst[i] += src[i];
}

}  // namespace

Engine::Engine(const workloads::Network& net, const Dataset& shape_of, int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  classes_ = shape_of.classes;
  const workloads::TensorShape input = net.input_shape();
  if (input.c != shape_of.channels || input.h != shape_of.height || input.w != shape_of.width) {
    throw InputError(InputError::Kind::kValue, SourceLocation{"", 0, 0, "input"},
                     "network '" + net.name() + "' takes " + std::to_string(input.c) + "x" +
                         std::to_string(input.h) + "x" + std::to_string(input.w) +
                         " inputs but the data set has " + std::to_string(shape_of.channels) + "x" +
                         std::to_string(shape_of.height) + "x" + std::to_string(shape_of.width));
  }
  ops::Shape cur{input.c, 1, input.h, input.w};
  bool cur_signed = false;  // pixels are non-negative
  for (std::size_t i = 0; i < net.size(); ++i) {
    const workloads::Layer& l = net.layer(i);
    const auto& in = net.inputs_of(i);
    const std::size_t expect = i == 0 ? workloads::kNetworkInput : i - 1;
    if (in.size() != 1 || in.front() != expect) {
      throw unsupported(l, "the training engine trains chains of layers (each layer reads the "
                           "previous one); this layer's inputs differ");
    }
    LayerState st;
    st.layer = l;
    st.in = cur;
    switch (l.op) {
      case OpKind::kConv:
      case OpKind::kDepthwiseConv:
      case OpKind::kFullyConnected: {
        st.weighted = true;
        if (l.op == OpKind::kFullyConnected) {
          if (cur.c * cur.h * cur.w != l.c) throw unsupported(l, "input size does not match");
          st.out = {l.k, 1, 1, 1};
        } else {
          if (cur.c != l.c || cur.h != l.h || cur.w != l.w) throw unsupported(l, "input shape does not match");
          st.out = {l.k, 1, l.p, l.q};
        }
        st.kernel = l.weights_per_kernel();
        st.has_bias = l.bias;
        st.use_bn = l.bn;
        st.w.resize(static_cast<std::size_t>(l.k * st.kernel));
        st.w.decay = true;
        if (st.has_bias) st.b.resize(static_cast<std::size_t>(l.k));
        if (st.use_bn) {
          st.gamma.resize(static_cast<std::size_t>(l.k), 1.0F);
          st.beta.resize(static_cast<std::size_t>(l.k));
          st.run_mean.assign(static_cast<std::size_t>(l.k), 0.0F);
          st.run_var.assign(static_cast<std::size_t>(l.k), 1.0F);
        }
        st.aquant.spec.is_signed = cur_signed;
        st.wquant.spec.is_signed = true;
        cur_signed = l.act == workloads::Activation::kNone;
        break;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool:
        if (cur.c != l.c || cur.h != l.h || cur.w != l.w) throw unsupported(l, "input shape does not match");
        st.out = {l.c, 1, l.p, l.q};
        if (l.act != workloads::Activation::kNone) cur_signed = false;
        break;
      default:
        throw unsupported(l, "not supported by the training engine (supported: conv, dwconv, "
                             "fc, maxpool, avgpool, each with bias, batch norm and ReLU/ReLU6)");
    }
    cur = st.out;
    layers_.push_back(std::move(st));
  }
  if (layers_.empty() || cur.c != classes_ || cur.h != 1 || cur.w != 1) {
    throw InputError(InputError::Kind::kValue, SourceLocation{"", 0, 0, "layers"},
                     "network '" + net.name() + "' must end in " + std::to_string(classes_) +
                         " outputs (one per class) for classification training");
  }
  workers_.resize(static_cast<std::size_t>(threads));
  for (auto& wk : workers_) wk.layers.resize(layers_.size());
}

void Engine::init_params(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  // Box-Muller on 53-bit uniforms: the same numbers on every platform (std::normal_distribution
  // is implementation-defined).
  auto uniform = [&rng] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  for (auto& st : layers_) {
    if (!st.weighted) continue;
    const double sd = std::sqrt(2.0 / static_cast<double>(st.kernel));
    for (std::size_t i = 0; i < st.w.value.size(); i += 2) {
      const double r = std::sqrt(-2.0 * std::log(uniform()));
      const double t = 2.0 * M_PI * uniform();
      st.w.value[i] = static_cast<float>(sd * r * std::cos(t));
      if (i + 1 < st.w.value.size()) st.w.value[i + 1] = static_cast<float>(sd * r * std::sin(t));
    }
    std::fill(st.b.value.begin(), st.b.value.end(), 0.0F);
  }
}

void Engine::quantize_weights() {
  for (auto& st : layers_) {
    if (!st.weighted) continue;
    st.wq.resize(st.w.value.size());
    if (!st.wquant.enabled) {
      std::copy(st.w.value.begin(), st.w.value.end(), st.wq.begin());
      continue;
    }
    for (std::size_t g = 0; g < st.wquant.groups(); ++g) {
      const std::int64_t b = st.wquant.begin[g];
      quant::forward(st.wquant.spec, st.wquant.group(g), st.w.value.data() + b, st.wq.data() + b,
                     st.wquant.begin[g + 1] - b);
    }
  }
}

std::vector<Param*> Engine::params() {
  std::vector<Param*> out;
  for (auto& st : layers_) {
    if (!st.weighted) continue;
    out.push_back(&st.w);
    if (st.has_bias) out.push_back(&st.b);
    if (st.use_bn) {
      out.push_back(&st.gamma);
      out.push_back(&st.beta);
    }
    for (TensorQuant* q : {&st.wquant, &st.aquant}) {
      out.push_back(&q->log_step);
      out.push_back(&q->log_range);
    }
  }
  return out;
}

template <typename Fn>
void Engine::parallel(Fn&& fn) {
  const std::size_t t = workers_.size();
  if (t == 1) {
    fn(std::size_t{0});
    return;
  }
  std::vector<std::exception_ptr> errors(t);
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  for (std::size_t i = 1; i < t; ++i) {
    pool.emplace_back([&, i] {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  try {
    fn(std::size_t{0});
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

void Engine::load_batch(Worker& wk, const Dataset& data, const std::int64_t* idx,
                        std::int64_t n) const {
  const std::int64_t c = data.channels;
  const std::int64_t hw = data.height * data.width;
  wk.n = n;
  wk.input.resize(static_cast<std::size_t>(c * n * hw));
  wk.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t s = idx[i];
    wk.labels[static_cast<std::size_t>(i)] = data.labels[static_cast<std::size_t>(s)];
    for (std::int64_t ch = 0; ch < c; ++ch) {
      std::memcpy(wk.input.data() + (ch * n + i) * hw, data.images.data() + (s * c + ch) * hw,
                  sizeof(float) * static_cast<std::size_t>(hw));
    }
  }
}

void Engine::forward(Worker& wk, bool training) {
  const std::int64_t n = wk.n;
  const float* x = wk.input.data();
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    LayerState& st = layers_[l];
    WorkerLayer& w = wk.layers[l];
    const std::int64_t in_elems = st.in.c * n * st.in.plane();
    const std::int64_t out_elems = st.out.c * n * st.out.plane();
    w.y.resize(static_cast<std::size_t>(out_elems));
    if (st.weighted) {
      const float* xin = x;
      if (st.aquant.enabled) {
        w.xq.resize(static_cast<std::size_t>(in_elems));
        quant::forward(st.aquant.spec, st.aquant.group(0), x, w.xq.data(), in_elems);
        xin = w.xq.data();
      }
      float* zdst = w.y.data();
      if (st.use_bn) {
        w.z.resize(static_cast<std::size_t>(out_elems));
        zdst = w.z.data();
      }
      const float* bias = st.has_bias ? st.b.value.data() : nullptr;
      if (st.layer.op == OpKind::kFullyConnected) {
        ops::fc_forward(ops::Shape{st.in.c, n, st.in.h, st.in.w}, st.layer.k, xin, st.wq.data(),
                        bias, zdst, w.cols);
      } else {
        ops::conv_forward(st.layer, n, xin, st.wq.data(), bias, zdst, w.cols);
      }
      if (st.use_bn) {
        const ops::Shape s{st.out.c, n, st.out.h, st.out.w};
        if (training) {
          w.xhat.resize(static_cast<std::size_t>(out_elems));
          w.inv_std.resize(static_cast<std::size_t>(st.out.c));
          w.bmean.resize(static_cast<std::size_t>(st.out.c));
          w.bvar.resize(static_cast<std::size_t>(st.out.c));
          ops::bn_forward_train(s, w.z.data(), st.gamma.value.data(), st.beta.value.data(),
                                w.y.data(), w.xhat.data(), w.inv_std.data(), w.bmean.data(),
                                w.bvar.data());
        } else {
          ops::bn_forward_eval(s, w.z.data(), st.gamma.value.data(), st.beta.value.data(),
                               st.run_mean.data(), st.run_var.data(), w.y.data());
        }
      }
    } else if (st.layer.op == OpKind::kMaxPool) {
      w.argmax.resize(static_cast<std::size_t>(out_elems));
      ops::maxpool_forward(st.layer, n, x, w.y.data(), w.argmax.data());
    } else {
      ops::avgpool_forward(st.layer, n, x, w.y.data());
    }
    ops::act_forward(st.layer.act, w.y.data(), out_elems);
    x = w.y.data();
  }
}

void Engine::backward(Worker& wk) {
  const std::int64_t n = wk.n;
  for (std::size_t li = layers_.size(); li-- > 0;) {
    LayerState& st = layers_[li];
    WorkerLayer& w = wk.layers[li];
    const std::int64_t in_elems = st.in.c * n * st.in.plane();
    const std::int64_t out_elems = st.out.c * n * st.out.plane();
    ops::act_backward(st.layer.act, w.y.data(), w.dy.data(), out_elems);
    const float* x = li == 0 ? wk.input.data() : wk.layers[li - 1].y.data();
    float* dx = nullptr;
    if (li > 0) {
      auto& prev = wk.layers[li - 1].dy;
      prev.resize(static_cast<std::size_t>(in_elems));
      dx = prev.data();
    }
    if (st.weighted) {
      const float* dz = w.dy.data();
      if (st.use_bn) {
        // z is not needed after the forward pass: it holds dz now.
        ops::bn_backward(ops::Shape{st.out.c, n, st.out.h, st.out.w}, w.dy.data(), w.xhat.data(),
                         w.inv_std.data(), st.gamma.value.data(), w.z.data(), w.dgamma.data(),
                         w.dbeta.data());
        dz = w.z.data();
      }
      const float* xin = st.aquant.enabled ? w.xq.data() : x;
      float* dxin = dx;
      if (st.aquant.enabled) {
        w.dxq.resize(static_cast<std::size_t>(in_elems));
        dxin = w.dxq.data();
      }
      float* db = st.has_bias ? w.db.data() : nullptr;
      if (st.layer.op == OpKind::kFullyConnected) {
        ops::fc_backward(ops::Shape{st.in.c, n, st.in.h, st.in.w}, st.layer.k, w.cols.data(),
                         st.wq.data(), dz, w.dw.data(), db, dxin, w.scratch);
      } else {
        ops::conv_backward(st.layer, n, w.cols.data(), st.wq.data(), dz, w.dw.data(), db, dxin,
                           w.scratch);
      }
      (void)xin;
      if (st.aquant.enabled) {
        quant::backward(st.aquant.spec, st.aquant.group(0), x, w.dxq.data(),
                        dx != nullptr ? dx : w.dxq.data(), in_elems, w.agrad);
      }
    } else if (dx != nullptr) {
      if (st.layer.op == OpKind::kMaxPool) {
        ops::maxpool_backward(st.layer, n, w.dy.data(), w.argmax.data(), dx);
      } else {
        ops::avgpool_backward(st.layer, n, w.dy.data(), dx);
      }
    }
  }
}

StepStats Engine::train_step(const Dataset& data, const std::int64_t* idx, std::int64_t n) {
  const auto t = static_cast<std::int64_t>(workers_.size());
  const float scale = 1.0F / static_cast<float>(n);
  parallel([&](std::size_t ti) {
    const auto i = static_cast<std::int64_t>(ti);
    const std::int64_t begin = n * i / t;
    const std::int64_t end = n * (i + 1) / t;
    Worker& wk = workers_[ti];
    wk.n = 0;
    wk.samples = 0;
    wk.loss = 0;
    wk.correct = 0;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const LayerState& st = layers_[l];
      WorkerLayer& w = wk.layers[l];
      if (!st.weighted) continue;
      w.dw.assign(st.w.value.size(), 0.0F);
      w.db.assign(st.b.value.size(), 0.0F);
      w.dgamma.assign(st.gamma.value.size(), 0.0F);
      w.dbeta.assign(st.beta.value.size(), 0.0F);
      w.agrad = {};
      w.bn_sum_mean.assign(st.run_mean.size(), 0.0);
      w.bn_sum_var.assign(st.run_var.size(), 0.0);
    }
    // Micro-batches keep every intermediate tensor in the core's cache; gradients add up
    // across them, so the result is the slice's gradient (batch norm: per micro-batch).
    for (std::int64_t mb = begin; mb < end; mb += micro_) {
      const std::int64_t me = std::min(end, mb + micro_);
      load_batch(wk, data, idx + mb, me - mb);
      forward(wk, true);
      WorkerLayer& last = wk.layers.back();
      last.dy.resize(last.y.size());
      wk.loss += ops::softmax_xent(last.y.data(), classes_, wk.n, wk.labels.data(), scale,
                                   last.dy.data(), wk.correct);
      backward(wk);
      wk.samples += wk.n;
      for (std::size_t l = 0; l < layers_.size(); ++l) {
        if (!layers_[l].use_bn) continue;
        WorkerLayer& w = wk.layers[l];
        for (std::size_t c = 0; c < w.bn_sum_mean.size(); ++c) {
          w.bn_sum_mean[c] += static_cast<double>(w.bmean[c]) * static_cast<double>(wk.n);
          w.bn_sum_var[c] += static_cast<double>(w.bvar[c]) * static_cast<double>(wk.n);
        }
      }
    }
  });

  StepStats stats;
  stats.n = n;
  for (const Worker& wk : workers_) {
    stats.loss_sum += wk.loss;
    stats.correct += wk.correct;
  }
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    LayerState& st = layers_[l];
    if (!st.weighted) continue;
    std::fill(st.w.grad.begin(), st.w.grad.end(), 0.0F);
    std::fill(st.b.grad.begin(), st.b.grad.end(), 0.0F);
    std::fill(st.gamma.grad.begin(), st.gamma.grad.end(), 0.0F);
    std::fill(st.beta.grad.begin(), st.beta.grad.end(), 0.0F);
    quant::Grad agrad;
    std::int64_t bn_count = 0;
    std::vector<double> mean(st.run_mean.size(), 0.0), var(st.run_var.size(), 0.0);
    for (const Worker& wk : workers_) {
      if (wk.samples == 0) continue;
      const WorkerLayer& w = wk.layers[l];
      add_into(st.w.grad, w.dw);
      add_into(st.b.grad, w.db);
      add_into(st.gamma.grad, w.dgamma);
      add_into(st.beta.grad, w.dbeta);
      agrad.step += w.agrad.step;
      agrad.range += w.agrad.range;
      if (st.use_bn) {
        for (std::size_t c = 0; c < mean.size(); ++c) {
          mean[c] += w.bn_sum_mean[c];
          var[c] += w.bn_sum_var[c];
        }
        bn_count += wk.samples;
      }
    }
    if (st.use_bn && bn_count > 0) {
      // Running statistics with PyTorch's momentum 0.1 and unbiased variance.
      const double m = static_cast<double>(std::min(micro_, bn_count)) * static_cast<double>(st.out.plane());
      const double unbias = m > 1 ? m / (m - 1) : 1.0;
      for (std::size_t c = 0; c < mean.size(); ++c) {
        st.run_mean[c] = 0.9F * st.run_mean[c] + 0.1F * static_cast<float>(mean[c] / static_cast<double>(bn_count));
        st.run_var[c] = 0.9F * st.run_var[c] + 0.1F * static_cast<float>(var[c] / static_cast<double>(bn_count) * unbias);
      }
    }
    // Weight quantizer: st.w.grad holds ∂L/∂wq; pass it through the quantizer in place.
    TensorQuant& wqz = st.wquant;
    if (wqz.enabled) {
      wqz.log_step.grad.assign(wqz.groups(), 0.0F);
      wqz.log_range.grad.assign(wqz.groups(), 0.0F);
      for (std::size_t g = 0; g < wqz.groups(); ++g) {
        const std::int64_t b = wqz.begin[g];
        const std::int64_t cnt = wqz.begin[g + 1] - b;
        quant::Grad qg;
        const quant::Group grp = wqz.group(g);
        quant::backward(wqz.spec, grp, st.w.value.data() + b, st.w.grad.data() + b,
                        st.w.grad.data() + b, cnt, qg);
        const double gs = quant::grad_scale(cnt, effective_qp(wqz, g));
        wqz.log_step.grad[g] = static_cast<float>(qg.step * gs * grp.step);
        wqz.log_range.grad[g] = static_cast<float>(qg.range * gs * grp.range);
      }
    }
    TensorQuant& aqz = st.aquant;
    if (aqz.enabled) {
      const quant::Group grp = aqz.group(0);
      const double gs = quant::grad_scale(st.in.c * st.in.plane(), effective_qp(aqz, 0));
      aqz.log_step.grad.assign(1, static_cast<float>(agrad.step * gs * grp.step));
      aqz.log_range.grad.assign(aqz.log_range.value.size(), static_cast<float>(agrad.range * gs * grp.range));
    }
  }
  return stats;
}

StepStats Engine::evaluate(const Dataset& data, std::int64_t count, std::int64_t chunk) {
  count = (count <= 0 || count > data.size()) ? data.size() : count;
  chunk = std::max<std::int64_t>(1, chunk);
  const std::int64_t chunks = (count + chunk - 1) / chunk;
  const auto t = static_cast<std::int64_t>(workers_.size());
  std::vector<StepStats> per(workers_.size());
  parallel([&](std::size_t ti) {
    Worker& wk = workers_[ti];
    std::vector<std::int64_t> idx;
    for (std::int64_t c = static_cast<std::int64_t>(ti); c < chunks; c += t) {
      const std::int64_t b = c * chunk;
      const std::int64_t e = std::min(count, b + chunk);
      idx.resize(static_cast<std::size_t>(e - b));
      for (std::int64_t i = b; i < e; ++i) idx[static_cast<std::size_t>(i - b)] = i;
      load_batch(wk, data, idx.data(), e - b);
      forward(wk, false);
      std::int64_t correct = 0;
      per[ti].loss_sum += ops::softmax_xent(wk.layers.back().y.data(), classes_, wk.n,
                                            wk.labels.data(), 0.0F, nullptr, correct);
      per[ti].correct += correct;
      per[ti].n += e - b;
    }
  });
  StepStats out;
  for (const auto& p : per) {
    out.loss_sum += p.loss_sum;
    out.correct += p.correct;
    out.n += p.n;
  }
  return out;
}

}  // namespace mixq::train::detail
