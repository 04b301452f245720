#include "mixq/workloads/metrics.hpp"

#include <algorithm>

namespace mixq::workloads {

namespace {

// The widest reader decides how a tensor is stored.
int reader_bits(const PrecisionAssignment& a, const std::vector<std::size_t>& readers,
                int fallback) {
  int bits = 0;
  for (const auto r : readers) bits = std::max(bits, a[r].max_a_bits());
  return readers.empty() ? fallback : bits;
}

}  // namespace

std::vector<int> output_tensor_bits(const Network& net, const PrecisionAssignment& a) {
  std::vector<int> bits(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    bits[i] = reader_bits(a, net.consumers_of(i), a[i].max_a_bits());
  }
  return bits;
}

int input_tensor_bits(const Network& net, const PrecisionAssignment& a) {
  return reader_bits(a, net.consumers_of_input(), 8);
}

NetworkMetrics compute_metrics(const Network& net, const PrecisionAssignment& a) {
  a.validate(net);
  NetworkMetrics m;
  m.layers.resize(net.size());
  const std::int64_t batch = net.batch();

  const std::vector<int> stored_bits = output_tensor_bits(net, a);
  m.input_bits = net.input_shape().elements() * batch * input_tensor_bits(net, a);

  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    const LayerPrecision& lp = a[i];
    LayerMetrics& lm = m.layers[i];
    lm.macs = layer.macs();
    lm.params = layer.params();
    lm.output_tensor_bits = stored_bits[i];
    lm.output_bits = layer.output_shape().elements() * batch * lm.output_tensor_bits;
    if (layer.has_weights()) {
      lm.bops = static_cast<double>(lm.macs) * lp.max_w_bits() * lp.max_a_bits();
      // Each weight is used N·P·Q times; a channel group holds count/K of the MACs.
      const auto uses_per_weight = static_cast<double>(batch * layer.p * layer.q);
      for (const auto& g : lp.groups) {
        const std::int64_t weights = lp.granularity == Granularity::kWeight
                                         ? g.count
                                         : g.count * layer.weights_per_kernel();
        lm.weight_bits += weights * g.w_bits;
        lm.ebops += static_cast<double>(weights) * uses_per_weight * g.w_bits * g.a_bits;
      }
    }
    m.macs += lm.macs;
    m.params += lm.params;
    m.weight_bits += lm.weight_bits;
    m.bops += lm.bops;
    m.ebops += lm.ebops;
    m.activation_bits_sum += lm.output_bits;
    m.activation_bits_max_tensor = std::max(m.activation_bits_max_tensor, lm.output_bits);
  }
  m.activation_bits_sum += m.input_bits;
  m.activation_bits_max_tensor = std::max(m.activation_bits_max_tensor, m.input_bits);

  // Live ranges over steps 0..n-1: delta[s] adds a tensor's bits from step s on.
  const std::size_t n = net.size();
  std::vector<std::int64_t> delta(n + 1, 0);
  const auto live = [&](std::size_t from, std::size_t last, std::int64_t bits) {
    delta[from] += bits;
    delta[last + 1] -= bits;
  };
  std::size_t input_last = 0;
  for (const auto r : net.consumers_of_input()) input_last = std::max(input_last, r);
  live(0, input_last, m.input_bits);
  std::vector<bool> is_output(n, false);
  for (const auto o : net.outputs()) is_output[o] = true;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t last = i;
    for (const auto r : net.consumers_of(i)) last = std::max(last, r);
    if (is_output[i]) last = n - 1;
    live(i, last, m.layers[i].output_bits);
  }
  std::int64_t running = 0;
  for (std::size_t s = 0; s < n; ++s) {
    running += delta[s];
    m.activation_bits_peak = std::max(m.activation_bits_peak, running);
  }
  return m;
}

std::vector<double> read_tensor_bits(const Network& net, std::size_t i, const std::vector<int>& out_bits,
                                     int in_bits) {
  std::vector<double> bits;
  for (const auto producer : net.inputs_of(i)) {
    const int b = producer == kNetworkInput ? in_bits : out_bits[producer];
    bits.push_back(static_cast<double>(net.tensor_shape(producer).elements() * net.batch()) * b);
  }
  return bits;
}

double written_tensor_bits(const Network& net, std::size_t i, const std::vector<int>& out_bits) {
  return static_cast<double>(net.layer(i).output_shape().elements() * net.batch()) * out_bits[i];
}

}  // namespace mixq::workloads
