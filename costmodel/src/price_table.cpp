#include "mixq/costmodel/price_table.hpp"

#include <algorithm>
#include <cmath>

namespace mixq::costmodel {

PriceTable::PriceTable(const CostModel& model, const workloads::Network& net,
                       std::vector<int> w_choices, std::vector<int> a_choices)
    : w_choices_(std::move(w_choices)), a_choices_(std::move(a_choices)) {
  // Ascending choices make "the widest reader" the largest index.
  std::sort(w_choices_.begin(), w_choices_.end());
  std::sort(a_choices_.begin(), a_choices_.end());
  const auto& acc = model.accelerator();
  dram_bits_per_cycle_ = acc.dram.bits_per_cycle;
  move_energy_pj_per_bit_in_ =
      acc.dram.energy_pj_per_bit + acc.buffer_for(arch::Operand::kInput).write_energy_pj_per_bit;
  move_energy_pj_per_bit_out_ =
      acc.dram.energy_pj_per_bit + acc.buffer_for(arch::Operand::kOutput).read_energy_pj_per_bit;
  const std::size_t nw = w_choices_.size();
  const std::size_t na = a_choices_.size();
  layers_.resize(net.size());
  for (const auto c : net.consumers_of_input()) input_consumers_.push_back(static_cast<std::int32_t>(c));
  for (std::size_t i = 0; i < net.size(); ++i) {
    const auto& layer = net.layer(i);
    LayerInfo& info = layers_[i];
    info.weighted = layer.has_weights();
    for (const auto c : net.consumers_of(i)) info.consumers.push_back(static_cast<std::int32_t>(c));
    for (const auto p : net.inputs_of(i)) {
      const bool from_input = p == workloads::kNetworkInput;
      info.producers.push_back(from_input ? -1 : static_cast<std::int32_t>(p));
      const auto shape = net.tensor_shape(p);
      info.producer_elements.push_back(static_cast<double>(shape.elements() * net.batch()));
    }
    info.out_elements = static_cast<double>(layer.output_shape().elements() * net.batch());
    if (!info.weighted) continue;
    info.table_offset = table_.size();
    table_.resize(table_.size() + nw * na * na);
    for (std::size_t wi = 0; wi < nw; ++wi) {
      for (std::size_t ai = 0; ai < na; ++ai) {
        for (std::size_t oi = 0; oi < na; ++oi) {
          const MapResult r = model.map(layer, {w_choices_[wi], a_choices_[ai], a_choices_[oi]});
          Entry& e = table_[info.table_offset + (wi * na + ai) * na + oi];
          if (r.feasible) e = {r.cost.cycles, r.cost.energy_pj};
        }
      }
    }
  }
}

PriceTable::Price PriceTable::price(std::span<const std::uint8_t> w_index,
                                    std::span<const std::uint8_t> a_index) const {
  const std::size_t n = layers_.size();
  const std::size_t na = a_choices_.size();
  // Stored precision of each output: the widest reader's, or the producer's own.
  std::uint8_t stored[1024];
  std::vector<std::uint8_t> big;
  std::uint8_t* out = stored;
  if (n > sizeof stored) {
    big.resize(n);
    out = big.data();
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t o = 0;
    for (const auto c : layers_[i].consumers) o = std::max(o, a_index[static_cast<std::size_t>(c)]);
    out[i] = layers_[i].consumers.empty() ? a_index[i] : o;
  }
  std::uint8_t input_index = 0;
  for (const auto c : input_consumers_) input_index = std::max(input_index, a_index[static_cast<std::size_t>(c)]);

  Price p;
  p.feasible = true;
  for (std::size_t i = 0; i < n; ++i) {
    const LayerInfo& info = layers_[i];
    if (info.weighted) {
      const Entry& e = table_[info.table_offset + (w_index[i] * na + a_index[i]) * na + out[i]];
      if (e.cycles < 0) return Price{};
      p.cycles += e.cycles;
      p.energy_pj += e.energy_pj;
      continue;
    }
    double read = 0;
    for (std::size_t k = 0; k < info.producers.size(); ++k) {
      const std::int32_t prod = info.producers[k];
      const int bits = a_choices_[prod < 0 ? input_index : out[static_cast<std::size_t>(prod)]];
      read += info.producer_elements[k] * bits;
    }
    const double write = info.out_elements * a_choices_[out[i]];
    p.cycles += static_cast<std::int64_t>(std::ceil((read + write) / dram_bits_per_cycle_));
    p.energy_pj += read * move_energy_pj_per_bit_in_ + write * move_energy_pj_per_bit_out_;
  }
  return p;
}

}  // namespace mixq::costmodel
