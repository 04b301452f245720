#include "mixq/workloads/network.hpp"

#include "mixq/common/error.hpp"

namespace mixq::workloads {
namespace {

[[noreturn]] void graph_error(const std::string& network, const std::string& message) {
  throw InputError(InputError::Kind::kGraph, SourceLocation{network, 0, 0, ""}, message);
}

}  // namespace

Network::Network(std::string name, TensorShape input, std::int64_t batch,
                 std::vector<Layer> layers, std::vector<std::vector<std::size_t>> inputs,
                 std::vector<std::size_t> outputs)
    : name_(std::move(name)),
      input_(input),
      batch_(batch),
      layers_(std::move(layers)),
      inputs_(std::move(inputs)),
      consumers_(layers_.size()),
      outputs_(std::move(outputs)),
      graph_(layers_.size() + 1) {
  if (layers_.empty()) graph_error(name_, "a network needs at least one layer");
  if (inputs_.size() != layers_.size()) graph_error(name_, "one input list per layer expected");
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (!index_.emplace(layers_[i].name, i).second) {
      graph_error(name_, "duplicate layer name '" + layers_[i].name + "'");
    }
    if (inputs_[i].empty()) graph_error(name_, "layer '" + layers_[i].name + "' has no input");
    for (const std::size_t producer : inputs_[i]) {
      if (producer == kNetworkInput) {
        input_consumers_.push_back(i);
        boost::add_edge(0, i + 1, TensorEdge{input_}, graph_);
        continue;
      }
      // Producers before consumers is what makes `layers_` a topological order.
      if (producer >= i) {
        graph_error(name_, "layer '" + layers_[i].name + "' reads a layer that does not precede it");
      }
      consumers_[producer].push_back(i);
      boost::add_edge(producer + 1, i + 1, TensorEdge{layers_[producer].output_shape()}, graph_);
    }
  }
  for (const std::size_t out : outputs_) {
    if (out >= layers_.size()) graph_error(name_, "output index out of range");
  }
}

std::optional<std::size_t> Network::find(const std::string& layer_name) const {
  const auto it = index_.find(layer_name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::size_t> Network::weighted_layers() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].has_weights()) out.push_back(i);
  }
  return out;
}

std::int64_t Network::total_macs() const noexcept {
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer.macs();
  return total;
}

std::int64_t Network::total_params() const noexcept {
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer.params();
  return total;
}

std::int64_t Network::total_weights() const noexcept {
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer.weight_count();
  return total;
}

}  // namespace mixq::workloads
