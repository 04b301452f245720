// The `mixq` Python module: workloads, accelerators, precision assignments and the cost
// model, with a batch path that prices NumPy arrays of per-layer bits with the GIL released.
// Errors arrive as Python exceptions carrying the same messages as the CLI.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <array>
#include <map>

#include <mixq/costmodel.hpp>

#include "bindings.hpp"
#include "mixq/workloads/metrics.hpp"

namespace py = pybind11;
using namespace mixq;

namespace {

py::dict layer_cost_dict(const std::string& name, bool on_array, const costmodel::LayerCost& c) {
  py::dict d;
  d["name"] = name;
  d["on_array"] = on_array;
  d["cycles"] = c.cycles;
  d["compute_cycles"] = c.compute_cycles;
  d["memory_stall_cycles"] = c.memory_stall_cycles;
  d["latency_s"] = c.latency_s;
  d["macs"] = c.macs;
  d["energy_pj"] = c.energy_pj;
  d["mac_energy_pj"] = c.energy.mac_pj;
  d["dram_energy_pj"] = c.energy.dram_pj;
  d["utilization"] = c.utilization;
  d["dram_read_bits"] = c.dram_read_bits;
  d["dram_write_bits"] = c.dram_write_bits;
  return d;
}

// Per-layer bits from Python: an int (uniform) or a sequence / 1-D array with one value per
// layer of the network.
std::vector<int> per_layer(const py::object& bits, std::size_t layers, const char* what) {
  if (py::isinstance<py::int_>(bits)) return std::vector<int>(layers, bits.cast<int>());
  auto values = bits.cast<std::vector<int>>();
  if (values.size() != layers) {
    throw py::value_error(std::string(what) + ": expected " + std::to_string(layers) +
                          " values (one per layer), got " + std::to_string(values.size()));
  }
  return values;
}

workloads::PrecisionAssignment make_assignment(const workloads::Network& net, const py::object& w,
                                               const py::object& a) {
  const auto ws = per_layer(w, net.size(), "w_bits");
  const auto as = per_layer(a, net.size(), "a_bits");
  auto out = workloads::PrecisionAssignment::uniform(net, {8, 8});
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (ws[i] < workloads::kMinBits || ws[i] > workloads::kMaxBits || as[i] < workloads::kMinBits ||
        as[i] > workloads::kMaxBits) {
      throw py::value_error("bits of layer '" + net.layer(i).name + "' must be within [1, 32]");
    }
    out.set(net, i, {ws[i], as[i]});
  }
  return out;
}

// Maps bit values to indices into a sorted choice list, for PriceTable.
struct ChoiceIndex {
  std::vector<int> choices;
  std::array<std::uint8_t, 33> index{};
  explicit ChoiceIndex(const py::array_t<int>& bits) {
    std::array<bool, 33> seen{};
    const auto r = bits.unchecked<2>();
    for (py::ssize_t i = 0; i < r.shape(0); ++i) {
      for (py::ssize_t j = 0; j < r.shape(1); ++j) {
        const int b = r(i, j);
        if (b < workloads::kMinBits || b > workloads::kMaxBits) {
          throw py::value_error("bit widths must be within [1, 32], found " + std::to_string(b));
        }
        seen[static_cast<std::size_t>(b)] = true;
      }
    }
    for (int b = workloads::kMinBits; b <= workloads::kMaxBits; ++b) {
      if (seen[static_cast<std::size_t>(b)]) {
        index[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(choices.size());
        choices.push_back(b);
      }
    }
  }
};

py::dict evaluate_batch(const costmodel::CostModel& model, const workloads::Network& net,
                        const py::array_t<int, py::array::c_style | py::array::forcecast>& w_bits,
                        const py::array_t<int, py::array::c_style | py::array::forcecast>& a_bits) {
  if (w_bits.ndim() != 2 || a_bits.ndim() != 2 || w_bits.shape(0) != a_bits.shape(0) ||
      w_bits.shape(1) != static_cast<py::ssize_t>(net.size()) ||
      a_bits.shape(1) != static_cast<py::ssize_t>(net.size())) {
    throw py::value_error("w_bits and a_bits must be arrays of shape (n, " +
                          std::to_string(net.size()) + "): one row per assignment, one column per layer");
  }
  const ChoiceIndex wi(w_bits);
  const ChoiceIndex ai(a_bits);
  const auto n = w_bits.shape(0);
  py::array_t<std::int64_t> cycles(n);
  py::array_t<double> latency(n);
  py::array_t<double> energy(n);
  py::array_t<bool> feasible(n);
  {
    // Unsupported precisions make infeasible rows, not exceptions: a search scores them.
    const auto w = w_bits.unchecked<2>();
    const auto a = a_bits.unchecked<2>();
    auto c = cycles.mutable_unchecked<1>();
    auto l = latency.mutable_unchecked<1>();
    auto e = energy.mutable_unchecked<1>();
    auto f = feasible.mutable_unchecked<1>();
    py::gil_scoped_release release;
    const costmodel::PriceTable table(model, net, wi.choices, ai.choices);
    std::vector<std::uint8_t> wrow(net.size()), arow(net.size());
    for (py::ssize_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < net.size(); ++j) {
        wrow[j] = wi.index[static_cast<std::size_t>(w(i, static_cast<py::ssize_t>(j)))];
        arow[j] = ai.index[static_cast<std::size_t>(a(i, static_cast<py::ssize_t>(j)))];
      }
      const auto p = table.price(wrow, arow);
      f(i) = p.feasible;
      c(i) = p.feasible ? p.cycles : -1;
      l(i) = p.feasible ? static_cast<double>(p.cycles) / model.accelerator().frequency_hz : -1.0;
      e(i) = p.feasible ? p.energy_pj : -1.0;
    }
  }
  py::dict out;
  out["cycles"] = cycles;
  out["latency_s"] = latency;
  out["energy_pj"] = energy;
  out["feasible"] = feasible;
  return out;
}

}  // namespace

PYBIND11_MODULE(mixq, module) {
  module.doc() = "Hardware cost model for mixed-precision quantized neural networks";

  auto base = py::register_exception<Error>(module, "Error", PyExc_RuntimeError);
  auto input = py::register_exception<InputError>(module, "InputError", PyExc_ValueError);
  py::register_exception<costmodel::InfeasibleError>(module, "InfeasibleError", base.ptr());
  (void)input;

  py::class_<workloads::Network>(module, "Network")
      .def_property_readonly("name", &workloads::Network::name)
      .def_property_readonly("batch", &workloads::Network::batch)
      .def("__len__", &workloads::Network::size)
      .def_property_readonly("layer_names",
                             [](const workloads::Network& n) {
                               std::vector<std::string> names;
                               for (const auto& l : n.layers()) names.push_back(l.name);
                               return names;
                             })
      .def_property_readonly("weighted_layers", &workloads::Network::weighted_layers)
      .def_property_readonly("macs", &workloads::Network::total_macs)
      .def_property_readonly("params", &workloads::Network::total_params)
      .def("layer",
           [](const workloads::Network& n, std::size_t i) {
             const auto& l = n.layer(i);
             py::dict d;
             d["name"] = l.name;
             d["op"] = std::string(workloads::to_string(l.op));
             for (const auto& [k, v] : std::map<std::string, std::int64_t>{
                      {"n", l.n}, {"k", l.k}, {"c", l.c}, {"r", l.r}, {"s", l.s}, {"p", l.p},
                      {"q", l.q}, {"h", l.h}, {"w", l.w}, {"stride", l.stride_h},
                      {"groups", l.groups}, {"macs", l.macs()}, {"params", l.params()}}) {
               d[k.c_str()] = v;
             }
             return d;
           },
           py::arg("index"));

  module.def("load_workload", &workloads::load_workload, py::arg("name_or_file"),
        "A zoo network (configs/workloads) or a workload YAML file.");
  module.def("load_workload_string", &workloads::load_network_string, py::arg("yaml"),
        py::arg("name") = "<string>");

  py::class_<workloads::PrecisionAssignment>(module, "Assignment")
      .def(py::init([](const workloads::Network& net, const py::object& w_bits,
                       const py::object& a_bits) { return make_assignment(net, w_bits, a_bits); }),
           py::arg("network"), py::arg("w_bits"), py::arg("a_bits"),
           "Per-layer bits: ints (uniform) or sequences / arrays with one value per layer.")
      .def_static("load", &workloads::load_assignment, py::arg("file"), py::arg("network"))
      .def("to_yaml", &workloads::assignment_to_yaml, py::arg("network"))
      .def("__len__", &workloads::PrecisionAssignment::size)
      .def_property_readonly("w_bits",
                             [](const workloads::PrecisionAssignment& a) {
                               std::vector<int> v;
                               for (const auto& l : a.layers()) v.push_back(l.max_w_bits());
                               return v;
                             })
      .def_property_readonly("a_bits", [](const workloads::PrecisionAssignment& a) {
        std::vector<int> v;
        for (const auto& l : a.layers()) v.push_back(l.max_a_bits());
        return v;
      });

  module.def("metrics",
        [](const workloads::Network& net, const workloads::PrecisionAssignment& a) {
          const auto r = workloads::compute_metrics(net, a);
          py::dict d;
          d["macs"] = r.macs;
          d["params"] = r.params;
          d["weight_bits"] = r.weight_bits;
          d["activation_bits_peak"] = r.activation_bits_peak;
          d["activation_bits_sum"] = r.activation_bits_sum;
          d["activation_bits_max_tensor"] = r.activation_bits_max_tensor;
          d["bops"] = r.bops;
          d["ebops"] = r.ebops;
          return d;
        },
        py::arg("network"), py::arg("assignment"),
        "Hardware-independent metrics: memory footprint, BOPs, EBOPs.");

  py::class_<arch::Accelerator>(module, "Accelerator")
      .def_readonly("name", &arch::Accelerator::name)
      .def_readonly("source", &arch::Accelerator::source)
      .def_readonly("frequency_hz", &arch::Accelerator::frequency_hz)
      .def_property_readonly("rows", [](const arch::Accelerator& a) { return a.array.rows; })
      .def_property_readonly("cols", [](const arch::Accelerator& a) { return a.array.cols; })
      .def_property_readonly("dataflow",
                             [](const arch::Accelerator& a) { return arch::to_string(a.array.dataflow); });

  module.def("load_arch",
        [](const std::string& name, const std::map<std::string, py::object>& set) {
          std::vector<std::string> overrides;
          for (const auto& [k, v] : set) overrides.push_back(k + "=" + py::str(v).cast<std::string>());
          return arch::load_arch(name, overrides);
        },
        py::arg("name_or_file"), py::arg("set") = std::map<std::string, py::object>{},
        "An arch preset (configs/arch) or YAML file; `set` overrides keys, e.g. "
        "{'array.rows': 32}.");

  py::class_<costmodel::CostModel>(module, "CostModel")
      .def(py::init([](const arch::Accelerator& acc, const std::string& objective) {
             costmodel::Objective o{};
             if (!costmodel::parse_objective(objective, o)) {
               throw py::value_error("objective must be latency, energy or edp");
             }
             return std::make_unique<costmodel::CostModel>(acc, o);
           }),
           py::arg("accelerator"), py::arg("objective") = "latency")
      .def_property_readonly("accelerator", &costmodel::CostModel::accelerator)
      .def("check",
           [](const costmodel::CostModel& m, const workloads::Network& n,
              const workloads::PrecisionAssignment& a) {
             const auto c = m.check(n, a);
             return py::make_tuple(c.ok, c.layer, c.reason);
           },
           py::arg("network"), py::arg("assignment"), "(ok, layer, reason)")
      .def("evaluate",
           [](const costmodel::CostModel& m, const workloads::Network& n,
              const workloads::PrecisionAssignment& a) {
             costmodel::NetworkCost cost;
             {
               py::gil_scoped_release release;
               cost = m.evaluate(n, a);
             }
             py::list layers;
             for (const auto& l : cost.layers) layers.append(layer_cost_dict(l.name, l.on_array, l.cost));
             py::dict d;
             d["cycles"] = cost.cycles;
             d["latency_s"] = cost.latency_s;
             d["energy_pj"] = cost.energy_pj;
             d["macs"] = cost.macs;
             d["layers"] = layers;
             return d;
           },
           py::arg("network"), py::arg("assignment"))
      .def("evaluate_batch", &evaluate_batch, py::arg("network"), py::arg("w_bits"),
           py::arg("a_bits"),
           "Prices n per-layer assignments given as (n, layers) integer arrays; returns NumPy "
           "arrays cycles, latency_s, energy_pj, feasible. The GIL is released while it runs.")
      .def("layer_cost",
           [](const costmodel::CostModel& m, const workloads::Network& n, std::size_t layer,
              int w_bits, int a_bits) {
             const auto r = m.map(n.layer(layer), {w_bits, a_bits, a_bits});
             if (!r.feasible) throw costmodel::InfeasibleError(n.layer(layer).name, r.reason);
             return layer_cost_dict(n.layer(layer).name, true, r.cost);
           },
           py::arg("network"), py::arg("layer"), py::arg("w_bits"), py::arg("a_bits"),
           "One weighted layer at (w_bits, a_bits), its output stored at a_bits: the reward "
           "table a per-layer search queries.");

  python::bind_soc(module);
  python::bind_sim(module);
  python::bind_explorer(module);
  python::bind_train(module);
}
