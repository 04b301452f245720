// SoCs from Python: placements as {layer name: engine name or {engine: channels}} dicts or
// "auto", results as dicts shaped like `mixq eval --soc --json`.
#include <pybind11/stl.h>

#include <map>

#include "bindings.hpp"
#include "mixq/arch/soc.hpp"
#include "mixq/costmodel/soc_cost.hpp"

namespace py = pybind11;

namespace mixq::python {
namespace {

costmodel::Placement placement_from(const py::dict& entries, const workloads::Network& net, const arch::Soc& soc,
                                    const std::string& fallback) {
  const auto engine_of = [&](const std::string& name) {
    const int e = soc.engine_index(name);
    if (e < 0) throw py::value_error("SoC '" + soc.name + "' has no engine '" + name + "'");
    return e;
  };
  costmodel::Placement p;
  p.layers.resize(net.size());
  for (const auto& [key, value] : entries) {
    const auto name = key.cast<std::string>();
    const auto index = net.find(name);
    if (!index) throw py::value_error("network '" + net.name() + "' has no layer '" + name + "'");
    if (py::isinstance<py::str>(value)) {
      p.layers[*index] = {{engine_of(value.cast<std::string>()), net.layer(*index).k}};
    } else {
      for (const auto& [engine, channels] : value.cast<py::dict>()) {
        p.layers[*index].push_back({engine_of(engine.cast<std::string>()), channels.cast<std::int64_t>()});
      }
    }
  }
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (!net.layer(i).has_weights() || !p.layers[i].empty()) continue;
    if (fallback.empty()) throw py::value_error("layer '" + net.layer(i).name + "' has no engine (give default=)");
    p.layers[i] = {{engine_of(fallback), net.layer(i).k}};
  }
  return p;
}

py::dict cost_dict(const costmodel::SocCost& c, const arch::Soc& soc) {
  py::list layers;
  for (const auto& l : c.layers) {
    py::list parts;
    for (const auto& p : l.parts) {
      py::dict d;
      d["engine"] = soc.engines[static_cast<std::size_t>(p.engine)].name;
      d["channels"] = p.channels;
      d["w_bits"] = p.w_bits;
      d["a_bits"] = p.a_bits;
      d["cycles"] = p.price.cycles;
      d["energy_pj"] = p.price.energy_pj;
      parts.append(d);
    }
    py::dict d;
    d["name"] = l.name;
    d["parts"] = parts;
    d["cycles"] = l.cycles;
    d["compute_cycles"] = l.compute_cycles;
    d["transfer_cycles"] = l.transfer_cycles;
    d["energy_pj"] = l.energy_pj;
    layers.append(d);
  }
  py::dict busy;
  for (std::size_t e = 0; e < soc.engines.size(); ++e) busy[py::str(soc.engines[e].name)] = c.engine_busy_cycles[e];
  py::dict d;
  d["layers"] = layers;
  d["cycles"] = c.latency_cycles;
  d["latency_s"] = c.latency_s;
  d["period_cycles"] = c.period_cycles;
  d["throughput_per_s"] = c.throughput_per_s;
  d["energy_pj"] = c.energy_pj;
  d["engine_busy_cycles"] = busy;
  d["bus_busy_cycles"] = c.bus_busy_cycles;
  return d;
}

costmodel::Schedule schedule_of(const std::string& text) {
  costmodel::Schedule s{};
  if (!costmodel::parse_schedule(text, s)) throw py::value_error("schedule must be sequential or pipelined");
  return s;
}

}  // namespace

void bind_soc(py::module_& module) {
  py::class_<arch::Soc>(module, "Soc")
      .def_readonly("name", &arch::Soc::name)
      .def_readonly("source", &arch::Soc::source)
      .def_readonly("frequency_hz", &arch::Soc::frequency_hz)
      .def_property_readonly("engines", [](const arch::Soc& s) {
        std::vector<std::string> names;
        for (const auto& e : s.engines) names.push_back(e.name);
        return names;
      });

  module.def("load_soc",
             [](const std::string& name, const std::map<std::string, py::object>& set) {
               std::vector<std::string> overrides;
               for (const auto& [k, v] : set) overrides.push_back(k + "=" + py::str(v).cast<std::string>());
               return arch::load_soc(name, overrides);
             },
             py::arg("name_or_file"), py::arg("set") = std::map<std::string, py::object>{},
             "A SoC preset (configs/soc) or YAML file; `set` overrides keys, e.g. "
             "{'engines.digital.active_power_mw': 30}.");

  py::class_<costmodel::SocModel>(module, "SocModel")
      .def(py::init([](const arch::Soc& soc) { return std::make_unique<costmodel::SocModel>(soc); }),
           py::arg("soc"))
      .def_property_readonly("soc", &costmodel::SocModel::soc)
      .def("evaluate",
           [](const costmodel::SocModel& m, const workloads::Network& net, const workloads::PrecisionAssignment& a,
              const py::object& placement, const std::string& schedule, const std::string& default_engine) {
             const auto s = schedule_of(schedule);
             costmodel::Placement p;
             if (py::isinstance<py::str>(placement) && placement.cast<std::string>() == "auto") {
               costmodel::PlacementSearch options;
               options.schedule = s;
               py::gil_scoped_release release;
               p = costmodel::search_placement(m, net, a, options).placement;
             } else {
               p = placement_from(placement.cast<py::dict>(), net, m.soc(), default_engine);
             }
             const auto check = m.check(net, a, p);
             if (!check.ok) throw costmodel::InfeasibleError(check.layer, check.reason);
             costmodel::SocCost cost;
             {
               py::gil_scoped_release release;
               cost = m.evaluate(net, a, p, s);
             }
             py::dict d = cost_dict(cost, m.soc());
             py::dict placed;
             for (std::size_t i = 0; i < net.size(); ++i) {
               if (p.layers[i].empty()) continue;
               py::dict parts;
               for (const auto& part : p.layers[i]) {
                 parts[py::str(m.soc().engines[static_cast<std::size_t>(part.engine)].name)] = part.channels;
               }
               placed[py::str(net.layer(i).name)] = parts;
             }
             d["placement"] = placed;
             return d;
           },
           py::arg("network"), py::arg("assignment"), py::arg("placement") = py::str("auto"),
           py::arg("schedule") = "sequential", py::arg("default") = "",
           "Prices the network under a placement: 'auto' (searched) or a dict {layer: engine or "
           "{engine: channels}} with `default` for the layers not listed. Returns a dict with "
           "per-layer parts, cycles, energy, the period and throughput, and the placement used.");
}

}  // namespace mixq::python
