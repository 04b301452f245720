#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/common/paths.hpp"
#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"
#include "options.hpp"

namespace mixq::cli {
namespace {

using workloads::Layer;
using workloads::Network;
using workloads::NetworkMetrics;
using workloads::PrecisionAssignment;

std::string shape_of(const Layer& l) {
  using workloads::OpKind;
  switch (l.op) {
    case OpKind::kConv:
    case OpKind::kDepthwiseConv: {
      std::string s = std::to_string(l.k) + "x" + std::to_string(l.c / l.groups) + "x" +
                      std::to_string(l.r) + "x" + std::to_string(l.s);
      if (l.stride_h != 1 || l.stride_w != 1) s += "/" + std::to_string(l.stride_h);
      return s + " " + std::to_string(l.p) + "x" + std::to_string(l.q);
    }
    case OpKind::kFullyConnected: return std::to_string(l.c) + "->" + std::to_string(l.k);
    case OpKind::kGemm:
      return std::to_string(l.p) + "x" + std::to_string(l.c) + "x" + std::to_string(l.k);
    default:
      return std::to_string(l.k) + "x" + std::to_string(l.p) + "x" + std::to_string(l.q);
  }
}

std::string bits_of(const Layer& layer, const workloads::LayerPrecision& lp) {
  const auto range = [&](bool weights) {
    int lo = 99;
    int hi = 0;
    for (const auto& g : lp.groups) {
      const int b = weights ? g.w_bits : g.a_bits;
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    return lo == hi ? std::to_string(hi) : std::to_string(lo) + "-" + std::to_string(hi);
  };
  return layer.has_weights() ? "w" + range(true) + "a" + range(false) : "a" + range(false);
}

std::int64_t activation_bits(const NetworkMetrics& m, const std::string& definition) {
  if (definition == "sum") return m.activation_bits_sum;
  if (definition == "max_tensor") return m.activation_bits_max_tensor;
  return m.activation_bits_peak;
}

nlohmann::json to_json(const Network& net, const PrecisionAssignment& a, const NetworkMetrics& m,
                       const std::string& definition) {
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& l = net.layer(i);
    const auto& lm = m.layers[i];
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : a[i].groups) {
      groups.push_back({{"count", g.count}, {"w_bits", g.w_bits}, {"a_bits", g.a_bits}});
    }
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto producer : net.inputs_of(i)) {
      inputs.push_back(producer == workloads::kNetworkInput ? std::string("input")
                                                             : net.layer(producer).name);
    }
    layers.push_back({{"name", l.name},
                      {"op", std::string(workloads::to_string(l.op))},
                      {"inputs", inputs},
                      {"n", l.n}, {"k", l.k}, {"c", l.c}, {"r", l.r}, {"s", l.s},
                      {"p", l.p}, {"q", l.q}, {"h", l.h}, {"w", l.w},
                      {"stride", {l.stride_h, l.stride_w}},
                      {"pad", {l.pad_h, l.pad_w}},
                      {"dilation", {l.dilation_h, l.dilation_w}},
                      {"groups", l.groups},
                      {"macs", lm.macs},
                      {"params", lm.params},
                      {"w_bits", a[i].max_w_bits()},
                      {"a_bits", a[i].max_a_bits()},
                      {"granularity", std::string(workloads::to_string(a[i].granularity))},
                      {"precision_groups", groups},
                      {"weight_bits", lm.weight_bits},
                      {"output_bits", lm.output_bits},
                      {"bops", lm.bops},
                      {"ebops", lm.ebops}});
  }
  const std::int64_t act = activation_bits(m, definition);
  return {{"network", net.name()},
          {"batch", net.batch()},
          {"input", {{"channels", net.input_shape().c},
                     {"height", net.input_shape().h},
                     {"width", net.input_shape().w}}},
          {"layers", layers},
          {"total",
           {{"macs", m.macs},
            {"params", m.params},
            {"weight_bits", m.weight_bits},
            {"activation_bits", act},
            {"activation_memory_definition", definition},
            {"activation_bits_peak", m.activation_bits_peak},
            {"activation_bits_sum", m.activation_bits_sum},
            {"activation_bits_max_tensor", m.activation_bits_max_tensor},
            {"weight_mb", workloads::bits_to_mb(m.weight_bits)},
            {"activation_mb", workloads::bits_to_mb(act)},
            {"bops", m.bops},
            {"ebops", m.ebops}}}};
}

void print_table(const Network& net, const PrecisionAssignment& a, const NetworkMetrics& m,
                 const std::string& definition, const std::string& precision) {
  std::cout << net.name() << ": " << net.size() << " layers, batch " << net.batch()
            << ", input " << net.input_shape().c << "x" << net.input_shape().h << "x"
            << net.input_shape().w << ", precision " << precision << "\n\n";
  Table table({"<layer", "<op", "<shape", "MACs", "params", "<bits", "weights", "output",
               "BOPs"});
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& l = net.layer(i);
    const auto& lm = m.layers[i];
    table.add({l.name, std::string(workloads::to_string(l.op)), shape_of(l),
               human_count(static_cast<double>(lm.macs)),
               human_count(static_cast<double>(lm.params)), bits_of(l, a[i]),
               human_bytes_from_bits(lm.weight_bits), human_bytes_from_bits(lm.output_bits),
               human_count(lm.bops)});
  }
  table.add_rule();
  table.add({"total", "", "", human_count(static_cast<double>(m.macs)),
             human_count(static_cast<double>(m.params)), "",
             human_bytes_from_bits(m.weight_bits), human_bytes_from_bits(m.activation_bits_sum),
             human_count(m.bops)});
  table.print(std::cout);
  std::cout << "\nweight memory " << human_bytes_from_bits(m.weight_bits)
            << "; activation memory " << human_bytes_from_bits(activation_bits(m, definition))
            << " (" << definition << "; peak live set "
            << human_bytes_from_bits(m.activation_bits_peak) << ", sum of all tensors "
            << human_bytes_from_bits(m.activation_bits_sum) << ", largest tensor "
            << human_bytes_from_bits(m.activation_bits_max_tensor) << "); EBOPs "
            << human_count(m.ebops) << "\n";
}

}  // namespace

void add_workload_commands(CLI::App& app, Action& action) {
  auto* workload = app.add_subcommand("workload", "Inspect networks and layers");
  workload->require_subcommand(1);

  struct ShowArgs {
    std::string workload;
    PrecisionOptions precision;
    bool json = false;
    std::string activation = "peak";
  };
  static ShowArgs show_args;
  auto* show = workload->add_subcommand(
      "show", "Per-layer table of a zoo network or a workload file: shapes, MACs, parameters, "
              "bits, memory and BOPs");
  show->add_option("workload", show_args.workload, "Zoo name (see `mixq list`) or YAML file")
      ->required();
  show_args.precision.add_to(show);
  show->add_flag("--json", show_args.json, "Print one JSON document instead of the table");
  show->add_option("--activation-memory", show_args.activation,
                   "Definition of activation memory in the totals")
      ->check(CLI::IsMember({"peak", "sum", "max_tensor"}));
  show->callback([&action] {
    action = [] {
      const Network net = workloads::load_workload(show_args.workload);
      const PrecisionAssignment a = show_args.precision.resolve(net);
      const NetworkMetrics m = workloads::compute_metrics(net, a);
      if (show_args.json) {
        std::cout << to_json(net, a, m, show_args.activation).dump(2) << '\n';
      } else {
        print_table(net, a, m, show_args.activation, show_args.precision.describe());
      }
      return 0;
    };
  });

  static PrecisionOptions zoo_precision;
  auto* zoo = workload->add_subcommand("zoo", "One line per zoo network: size, MACs, memory");
  zoo_precision.add_to(zoo);
  zoo->callback([&action] {
    action = [] {
      std::cout << "model zoo (" << config_dir().string() << "/workloads), precision "
                << zoo_precision.describe() << "\n\n";
      Table table({"<network", "layers", "params", "MACs", "weights", "act. peak", "act. sum",
                   "BOPs"});
      for (const auto& name : list_presets("workloads")) {
        const Network net = workloads::load_workload(name);
        const auto m = workloads::compute_metrics(net, zoo_precision.resolve(net));
        table.add({name, std::to_string(net.size()), human_count(static_cast<double>(m.params)),
                   human_count(static_cast<double>(m.macs)), human_bytes_from_bits(m.weight_bits),
                   human_bytes_from_bits(m.activation_bits_peak),
                   human_bytes_from_bits(m.activation_bits_sum), human_count(m.bops)});
      }
      table.print(std::cout);
      return 0;
    };
  });
}

}  // namespace mixq::cli
