// The training engine's network: parameters, quantizers, per-thread workers, one forward
// and backward pass over a mini-batch. Internal to mixq::train (train.cpp and evaluate.cpp
// drive it).
//
// Threads: the mini-batch is split into `threads` contiguous slices, one per worker; each
// worker runs forward and backward on its slice with its own buffers and gradients, and the
// gradients are summed in worker order, so a run is deterministic for a given thread count.
// (Eigen's own threading needs OpenMP, and two OpenMP threads ran slower than one in the
// project's measurements, DESIGN.md; slicing the batch keeps every GEMM single-threaded
// and large.) Each worker walks its slice in micro-batches (TrainConfig::micro_batch) so that
// the activations stay in its core's cache; batch norm uses each micro-batch's statistics
// ("ghost" batch norm, Hoffer et al. 2017).
#pragma once

#include <cstdint>
#include <vector>

#include "mixq/train/dataset.hpp"
#include "mixq/train/layers.hpp"
#include "mixq/train/quantizer.hpp"
#include "mixq/workloads/network.hpp"

namespace mixq::train::detail {

struct Param {
  std::vector<float> value, grad, m, v;
  bool decay = false;      // L2 weight decay applies
  double lr_scale = 1;     // multiplies the phase's learning rate
  bool active = true;      // updated by the optimizer
  void resize(std::size_t n, float init = 0) {
    value.assign(n, init);
    grad.assign(n, 0);
  }
};

// The quantizer of one tensor: G groups of contiguous elements (weights: output-channel
// ranges; activations: one group, the whole tensor).
struct TensorQuant {
  bool enabled = false;
  quant::Spec spec;
  std::vector<std::int64_t> channels;  // output channels per group (weights)
  std::vector<std::int64_t> begin;     // element offsets, G + 1 (weights only)
  std::vector<int> bits;               // LSQ bits per group
  Param log_step, log_range;
  std::int64_t grad_n = 1;             // elements per group for weights (set per group below)
  [[nodiscard]] std::size_t groups() const noexcept { return bits.size(); }
  [[nodiscard]] quant::Group group(std::size_t g) const;
  [[nodiscard]] double continuous_bits(std::size_t g) const;
};

struct LayerState {
  workloads::Layer layer;
  ops::Shape in, out;  // per sample (n = 1)
  bool weighted = false;
  bool use_bn = false;
  bool has_bias = false;
  std::int64_t kernel = 0;  // weights per output channel
  Param w, b, gamma, beta;
  std::vector<float> run_mean, run_var;
  std::vector<float> wq;  // the weights the forward pass uses (quantized or not)
  TensorQuant wquant, aquant;
};

struct WorkerLayer {
  std::vector<float> xq, cols, z, xhat, inv_std, bmean, bvar, y, dy, scratch, dxq;
  std::vector<std::int32_t> argmax;
  std::vector<float> dw, db, dgamma, dbeta;
  std::vector<double> bn_sum_mean, bn_sum_var;  // Σ over micro-batches of n · statistic
  quant::Grad agrad;
};

struct Worker {
  std::vector<WorkerLayer> layers;
  std::vector<float> input;
  std::vector<std::uint8_t> labels;
  std::int64_t n = 0;        // samples in the current micro-batch
  std::int64_t samples = 0;  // samples of the current step
  double loss = 0;
  std::int64_t correct = 0;
};

struct StepStats {
  double loss_sum = 0;  // summed over the batch
  std::int64_t correct = 0;
  std::int64_t n = 0;
};

class Engine {
 public:
  // Throws InputError for a network the engine cannot train (not a chain, unsupported op,
  // last layer not a 1×1 map of `classes` outputs) or an input shape that differs from the
  // data's.
  Engine(const workloads::Network& net, const Dataset& shape_of, int threads);

  [[nodiscard]] std::vector<LayerState>& layers() noexcept { return layers_; }
  [[nodiscard]] const std::vector<LayerState>& layers() const noexcept { return layers_; }
  [[nodiscard]] int threads() const noexcept { return static_cast<int>(workers_.size()); }
  // Samples per forward/backward pass inside a worker's slice (also the batch-norm batch).
  void set_micro_batch(std::int64_t m) noexcept { micro_ = m > 0 ? m : 16; }

  // He-normal weights (Kaiming, fan-in), zero biases, unit batch-norm scales.
  void init_params(std::uint64_t seed);
  // Fills wq from w through each layer's weight quantizer (a copy when disabled).
  void quantize_weights();
  // One forward + backward over the samples idx[0..n): gradients summed into each Param's
  // grad (zeroed first), including the quantizers' log-step / log-range gradients.
  StepStats train_step(const Dataset& data, const std::int64_t* idx, std::int64_t n);
  // Inference (batch norm on running statistics) over the first `count` samples.
  StepStats evaluate(const Dataset& data, std::int64_t count, std::int64_t chunk = 500);
  // Runs inference on data[0..n) and hands each weighted layer's (unquantized) input of
  // worker 0 to `sink(layer, values, count)`.
  template <typename Sink>
  void capture_inputs(const Dataset& data, std::int64_t n, Sink&& sink);

  // Every trainable parameter, in a fixed order.
  [[nodiscard]] std::vector<Param*> params();

 private:
  void load_batch(Worker& wk, const Dataset& data, const std::int64_t* idx, std::int64_t n) const;
  void forward(Worker& wk, bool training);
  void backward(Worker& wk);
  template <typename Fn>
  void parallel(Fn&& fn);

  std::vector<LayerState> layers_;
  std::vector<Worker> workers_;
  std::int64_t classes_ = 10;
  std::int64_t micro_ = 16;
};

template <typename Sink>
void Engine::capture_inputs(const Dataset& data, std::int64_t n, Sink&& sink) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  Worker& wk = workers_.front();
  load_batch(wk, data, idx.data(), n);
  // Quantizers off: the calibration sample is the float network's activations.
  std::vector<bool> was(layers_.size());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    was[l] = layers_[l].aquant.enabled;
    layers_[l].aquant.enabled = false;
  }
  forward(wk, false);
  for (std::size_t l = 0; l < layers_.size(); ++l) layers_[l].aquant.enabled = was[l];
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    if (!layers_[l].weighted) continue;
    const float* x = l == 0 ? wk.input.data() : wk.layers[l - 1].y.data();
    sink(l, x, layers_[l].in.c * n * layers_[l].in.plane());
  }
}

}  // namespace mixq::train::detail
