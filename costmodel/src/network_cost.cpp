#include "mixq/costmodel/network_cost.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "mixq/costmodel/analytic.hpp"
#include "mixq/costmodel/pe_rate.hpp"
#include "mixq/workloads/metrics.hpp"

namespace mixq::costmodel {
namespace {

using workloads::Granularity;
using workloads::Layer;

// Everything a layer's price depends on: its shape and its precision.
using Key = std::array<std::int64_t, 16>;

Key key_of(const Layer& l, const Precision& b) {
  return {static_cast<std::int64_t>(l.op), l.n, l.k, l.c, l.r, l.s, l.p, l.q, l.h, l.w,
          l.stride_h * 4096 + l.stride_w, l.dilation_h * 4096 + l.dilation_w, l.groups,
          b.w_bits, b.a_bits, b.out_bits};
}

struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the words
    for (const auto v : k) {
      h ^= static_cast<std::uint64_t>(v);
      h *= 1099511628211ULL;
    }
    return static_cast<std::size_t>(h);
  }
};

LayerCost scaled(const LayerCost& c, double f) {
  LayerCost out = c;
  const auto scale = [f](std::int64_t v) { return static_cast<std::int64_t>(std::llround(static_cast<double>(v) * f)); };
  out.cycles = scale(c.cycles);
  out.compute_cycles = scale(c.compute_cycles);
  out.memory_stall_cycles = out.cycles - out.compute_cycles;
  out.latency_s = c.latency_s * f;
  out.macs = scale(c.macs);
  out.energy.mac_pj *= f;
  out.energy.dram_pj *= f;
  for (auto& e : out.energy.buffer_pj) e *= f;
  out.energy_pj = out.energy.total_pj();
  out.dram_read_bits = scale(c.dram_read_bits);
  out.dram_write_bits = scale(c.dram_write_bits);
  for (auto& v : out.buffer_read_bits) v = scale(v);
  for (auto& v : out.buffer_write_bits) v = scale(v);
  return out;
}

void accumulate(LayerCost& into, const LayerCost& c) {
  into.cycles += c.cycles;
  into.compute_cycles += c.compute_cycles;
  into.memory_stall_cycles += c.memory_stall_cycles;
  into.latency_s += c.latency_s;
  into.macs += c.macs;
  into.energy.mac_pj += c.energy.mac_pj;
  into.energy.dram_pj += c.energy.dram_pj;
  into.energy.buffer_pj.resize(c.energy.buffer_pj.size(), 0.0);
  for (std::size_t i = 0; i < c.energy.buffer_pj.size(); ++i) into.energy.buffer_pj[i] += c.energy.buffer_pj[i];
  into.energy_pj = into.energy.total_pj();
  into.dram_read_bits += c.dram_read_bits;
  into.dram_write_bits += c.dram_write_bits;
  into.buffer_read_bits.resize(c.buffer_read_bits.size(), 0);
  into.buffer_write_bits.resize(c.buffer_write_bits.size(), 0);
  for (std::size_t i = 0; i < c.buffer_read_bits.size(); ++i) {
    into.buffer_read_bits[i] += c.buffer_read_bits[i];
    into.buffer_write_bits[i] += c.buffer_write_bits[i];
  }
}

// Pooling, add and concat do not use the array: their inputs come in from DRAM and their
// output goes back, through the input and output buffers.
LayerCost data_movement(const workloads::Network& net, std::size_t i, const std::vector<int>& out_bits,
                        int in_bits, const arch::Accelerator& acc) {
  double read = 0;
  for (const double b : workloads::read_tensor_bits(net, i, out_bits, in_bits)) read += b;
  const double write = workloads::written_tensor_bits(net, i, out_bits);
  LayerCost c;
  c.dram_read_bits = static_cast<std::int64_t>(read);
  c.dram_write_bits = static_cast<std::int64_t>(write);
  c.cycles = static_cast<std::int64_t>(std::ceil((read + write) / acc.dram.bits_per_cycle));
  c.memory_stall_cycles = c.cycles;
  c.latency_s = static_cast<double>(c.cycles) / acc.frequency_hz;
  c.energy.dram_pj = (read + write) * acc.dram.energy_pj_per_bit;
  c.energy.buffer_pj.assign(acc.buffers.size(), 0.0);
  c.buffer_read_bits.assign(acc.buffers.size(), 0);
  c.buffer_write_bits.assign(acc.buffers.size(), 0);
  const auto in_buf = acc.buffer_index(arch::Operand::kInput);
  const auto out_buf = acc.buffer_index(arch::Operand::kOutput);
  c.buffer_write_bits[in_buf] += c.dram_read_bits;
  c.buffer_read_bits[out_buf] += c.dram_write_bits;
  c.energy.buffer_pj[in_buf] += read * acc.buffers[in_buf].write_energy_pj_per_bit;
  c.energy.buffer_pj[out_buf] += write * acc.buffers[out_buf].read_energy_pj_per_bit;
  c.energy_pj = c.energy.total_pj();
  return c;
}

}  // namespace

Layer channel_slice(const Layer& layer, std::int64_t channels) {
  Layer sub = layer;
  if (layer.groups == layer.c && layer.groups == layer.k) {  // depthwise: a slice of channels
    sub.c = sub.k = sub.groups = channels;
  } else {
    sub.k = channels;
  }
  return sub;
}

struct CostModel::Cache {
  mutable std::shared_mutex mutex;
  std::unordered_map<Key, MapResult, KeyHash> entries;
  std::array<std::array<PeRate, workloads::kMaxBits + 1>, workloads::kMaxBits + 1> rates;
};

CostModel::CostModel(arch::Accelerator acc, Objective objective)
    : acc_(std::move(acc)), objective_(objective), cache_(std::make_unique<Cache>()) {
  // The PE is asked once per precision; queries in the hot path are array lookups.
  for (int w = workloads::kMinBits; w <= workloads::kMaxBits; ++w) {
    for (int a = workloads::kMinBits; a <= workloads::kMaxBits; ++a) {
      cache_->rates[w][a] = rate_from_pe(*acc_.pe, w, a);
    }
  }
}

CostModel::~CostModel() = default;
CostModel::CostModel(CostModel&&) noexcept = default;
CostModel& CostModel::operator=(CostModel&&) noexcept = default;

PeRate CostModel::rate(int w_bits, int a_bits) const {
  if (w_bits < workloads::kMinBits || w_bits > workloads::kMaxBits || a_bits < workloads::kMinBits ||
      a_bits > workloads::kMaxBits) {
    PeRate r;
    r.reason = "bit widths must be within [1, 32]";
    return r;
  }
  return cache_->rates[w_bits][a_bits];
}

MapResult CostModel::map(const Layer& layer, const Precision& bits) const {
  const Key key = key_of(layer, bits);
  {
    std::shared_lock lock(cache_->mutex);
    const auto it = cache_->entries.find(key);
    if (it != cache_->entries.end()) return it->second;
  }
  MapResult result = map_layer(layer, acc_, bits, rate(bits.w_bits, bits.a_bits), objective_);
  std::unique_lock lock(cache_->mutex);
  return cache_->entries.emplace(key, std::move(result)).first->second;
}

std::size_t CostModel::cache_size() const {
  std::shared_lock lock(cache_->mutex);
  return cache_->entries.size();
}

Check CostModel::check(const workloads::Network& net, const workloads::PrecisionAssignment& a) const {
  a.validate(net);
  const auto out_bits = workloads::output_tensor_bits(net, a);
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    if (!layer.has_weights()) continue;
    for (const auto& g : a[i].groups) {
      const PeRate r = rate(g.w_bits, g.a_bits);
      if (!r.supported) return {false, layer.name, r.reason};
      const Layer sub = a[i].granularity == Granularity::kWeight ? layer : channel_slice(layer, g.count);
      const MapResult m = map(sub, {g.w_bits, g.a_bits, out_bits[i]});
      if (!m.feasible) return {false, layer.name, m.reason};
    }
  }
  return {};
}

NetworkCost CostModel::evaluate(const workloads::Network& net, const workloads::PrecisionAssignment& a) const {
  a.validate(net);
  const auto out_bits = workloads::output_tensor_bits(net, a);
  const int in_bits = workloads::input_tensor_bits(net, a);
  NetworkCost total;
  total.layers.reserve(net.size());
  total.energy.buffer_pj.assign(acc_.buffers.size(), 0.0);
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    LayerResult lr;
    lr.name = layer.name;
    lr.cost.energy.buffer_pj.assign(acc_.buffers.size(), 0.0);
    if (!layer.has_weights()) {
      lr.cost = data_movement(net, i, out_bits, in_bits, acc_);
    } else {
      lr.on_array = true;
      const auto& lp = a[i];
      const double weights = static_cast<double>(layer.weight_count());
      for (const auto& g : lp.groups) {
        // Channel groups run as sub-layers with their own mapping; a per-weight histogram
        // bucket is priced as its share of the layer run at that bucket's precision.
        const bool per_weight = lp.granularity == Granularity::kWeight;
        const Layer sub = per_weight ? layer : channel_slice(layer, g.count);
        const MapResult m = map(sub, {g.w_bits, g.a_bits, out_bits[i]});
        if (!m.feasible) throw InfeasibleError(layer.name, m.reason);
        const LayerCost c = per_weight ? scaled(m.cost, static_cast<double>(g.count) / weights) : m.cost;
        accumulate(lr.cost, c);
        lr.groups.push_back({g, m.mapping, c});
      }
      const double layer_cycles = static_cast<double>(lr.cost.cycles);
      lr.cost.utilization = 0;
      lr.cost.spatial_utilization = 0;
      for (const auto& gr : lr.groups) {
        // Cycle-weighted average of the groups' utilizations.
        lr.cost.utilization += gr.cost.utilization * static_cast<double>(gr.cost.cycles) / layer_cycles;
        lr.cost.spatial_utilization += gr.cost.spatial_utilization * static_cast<double>(gr.cost.cycles) / layer_cycles;
      }
    }
    total.cycles += lr.cost.cycles;
    total.macs += lr.cost.macs;
    total.energy.mac_pj += lr.cost.energy.mac_pj;
    total.energy.dram_pj += lr.cost.energy.dram_pj;
    for (std::size_t b = 0; b < acc_.buffers.size(); ++b) total.energy.buffer_pj[b] += lr.cost.energy.buffer_pj[b];
    total.dram_read_bits += lr.cost.dram_read_bits;
    total.dram_write_bits += lr.cost.dram_write_bits;
    total.layers.push_back(std::move(lr));
  }
  total.energy_pj = total.energy.total_pj();
  total.latency_s = static_cast<double>(total.cycles) / acc_.frequency_hz;
  return total;
}

}  // namespace mixq::costmodel
