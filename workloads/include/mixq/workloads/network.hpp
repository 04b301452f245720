// A network: layers in topological order and the Boost.Graph DAG that connects them.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mixq/workloads/layer.hpp"

namespace mixq::workloads {

// Vertex 0 is the network input; vertex i + 1 is layer i. Each edge is one tensor, from its
// producer to one consumer, and carries the tensor's per-sample shape.
struct TensorEdge {
  TensorShape shape;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                    boost::no_property, TensorEdge>;

// Index of a tensor producer: kNetworkInput or a layer index.
inline constexpr std::size_t kNetworkInput = static_cast<std::size_t>(-1);

class Network {
 public:
  // Builds the graph from layers whose shapes are already resolved. `inputs[i]` lists the
  // producers layer i reads (kNetworkInput or an index < i: layers must come in topological
  // order), `outputs` the layers whose tensors leave the network. Throws InputError{kGraph}
  // on an inconsistent description; the loaders call this after their own, located checks.
  Network(std::string name, TensorShape input, std::int64_t batch, std::vector<Layer> layers,
          std::vector<std::vector<std::size_t>> inputs, std::vector<std::size_t> outputs);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  void set_source(std::string source) { source_ = std::move(source); }
  [[nodiscard]] std::int64_t batch() const noexcept { return batch_; }
  [[nodiscard]] const TensorShape& input_shape() const noexcept { return input_; }

  // Layers in topological order.
  [[nodiscard]] const std::vector<Layer>& layers() const noexcept { return layers_; }
  [[nodiscard]] std::size_t size() const noexcept { return layers_.size(); }
  [[nodiscard]] const Layer& layer(std::size_t i) const { return layers_.at(i); }
  [[nodiscard]] std::optional<std::size_t> find(const std::string& layer_name) const;

  [[nodiscard]] const std::vector<std::size_t>& inputs_of(std::size_t i) const {
    return inputs_.at(i);
  }
  [[nodiscard]] const std::vector<std::size_t>& consumers_of(std::size_t i) const {
    return consumers_.at(i);
  }
  [[nodiscard]] const std::vector<std::size_t>& consumers_of_input() const noexcept {
    return input_consumers_;
  }
  [[nodiscard]] const std::vector<std::size_t>& outputs() const noexcept { return outputs_; }
  // The per-sample shape of the tensor a producer (kNetworkInput or a layer index) writes.
  [[nodiscard]] TensorShape tensor_shape(std::size_t producer) const {
    return producer == kNetworkInput ? input_ : layers_.at(producer).output_shape();
  }
  [[nodiscard]] const Graph& graph() const noexcept { return graph_; }

  // Indices of the layers with weights, in order: "first and last layer" rules use these.
  [[nodiscard]] std::vector<std::size_t> weighted_layers() const;

  [[nodiscard]] std::int64_t total_macs() const noexcept;
  [[nodiscard]] std::int64_t total_params() const noexcept;
  [[nodiscard]] std::int64_t total_weights() const noexcept;

 private:
  std::string name_;
  std::string source_;
  TensorShape input_;
  std::int64_t batch_ = 1;
  std::vector<Layer> layers_;
  std::vector<std::vector<std::size_t>> inputs_;
  std::vector<std::vector<std::size_t>> consumers_;
  std::vector<std::size_t> input_consumers_;
  std::vector<std::size_t> outputs_;
  std::unordered_map<std::string, std::size_t> index_;
  Graph graph_;
};

}  // namespace mixq::workloads
