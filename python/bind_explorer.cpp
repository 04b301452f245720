// The explorer from Python: a sweep's design space and strategy driven by ask/tell
// (propose → NumPy genomes, evaluate with the C++ Evaluator or score elsewhere, report), and
// the Pareto utilities the explorer itself uses (explorer/pareto.hpp) on NumPy arrays.
//
// A Sweep is set up exactly as run_sweep() sets it up (space, proxy sensitivities, strategy,
// accuracy source, evaluator), so that a Python loop asking for min(16384, budget left)
// points per batch and reporting the Evaluator's values sees the points `mixq sweep` sees
// for the same file and seed (tested).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "bindings.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/runner.hpp"
#include "mixq/explorer/strategy.hpp"
#include "mixq/explorer/sweep.hpp"
#include "mixq/explorer/training_accuracy.hpp"

namespace py = pybind11;

namespace mixq::python {
namespace {

using explorer::Genome;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IntArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// run_sweep's largest batch (RunOptions::max_batch): the default of propose().
constexpr std::size_t kMaxBatch = 16384;

// `--set`-style overrides: a list of "key.path=value" strings or a {key.path: value} dict
// (values written with str(), so numbers, booleans and flow lists like [2, 4] read as YAML).
std::vector<std::string> overrides_of(const py::object& set) {
  std::vector<std::string> out;
  if (set.is_none()) return out;
  if (py::isinstance<py::dict>(set)) {
    for (const auto& [k, v] : set.cast<py::dict>()) {
      std::string value = py::str(v).cast<std::string>();
      if (py::isinstance<py::bool_>(v)) value = v.cast<bool>() ? "true" : "false";
      out.push_back(k.cast<std::string>() + "=" + value);
    }
    return out;
  }
  if (py::isinstance<py::str>(set)) return {set.cast<std::string>()};
  return set.cast<std::vector<std::string>>();
}

// Rows of a 2-D array of finite values (the minimized view of the Pareto functions).
std::vector<explorer::Vector> rows_of(const DoubleArray& points, const char* what) {
  if (points.ndim() != 2) {
    throw py::value_error(std::string(what) + " must be a 2-D array: one row per point, one column per objective");
  }
  if (points.shape(1) < 1) throw py::value_error(std::string(what) + " needs at least one objective (column)");
  const auto r = points.unchecked<2>();
  std::vector<explorer::Vector> rows(static_cast<std::size_t>(r.shape(0)),
                                     explorer::Vector(static_cast<std::size_t>(r.shape(1))));
  for (py::ssize_t i = 0; i < r.shape(0); ++i) {
    for (py::ssize_t j = 0; j < r.shape(1); ++j) {
      const double v = r(i, j);
      if (!std::isfinite(v)) {
        throw py::value_error(std::string(what) + " must be finite (row " + std::to_string(i) + ", column " +
                              std::to_string(j) + ")");
      }
      rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = v;
    }
  }
  return rows;
}

explorer::Vector reference_of(const DoubleArray& reference, std::size_t objectives) {
  if (reference.ndim() != 1 || static_cast<std::size_t>(reference.shape(0)) != objectives) {
    throw py::value_error("reference must have one value per objective (" + std::to_string(objectives) + ")");
  }
  explorer::Vector ref(objectives);
  for (std::size_t k = 0; k < objectives; ++k) {
    ref[k] = reference.at(static_cast<py::ssize_t>(k));
    if (!std::isfinite(ref[k])) throw py::value_error("reference must be finite");
  }
  return ref;
}

py::array_t<std::int64_t> index_array(const std::vector<std::size_t>& indices) {
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(indices.size()));
  auto o = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < indices.size(); ++i) o(static_cast<py::ssize_t>(i)) = static_cast<std::int64_t>(indices[i]);
  return out;
}

// Genomes are integer arrays: a float array would be truncated silently by the conversion.
IntArray integer_array(const py::object& genomes, const char* what) {
  const auto a = py::array::ensure(genomes);
  if (!a) throw py::type_error(std::string(what) + " must be an integer array");
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') throw py::type_error(std::string(what) + " must be an integer array");
  return a.cast<IntArray>();
}

// One sweep (one workload of the file), set up as run_sweep() sets it up.
class Sweep {
 public:
  Sweep(const explorer::SweepSpec& file_spec, std::size_t workload, int threads) {
    if (workload >= file_spec.workloads.size()) {
      throw py::index_error("the sweep has " + std::to_string(file_spec.workloads.size()) + " workload(s)");
    }
    if (threads < 0) throw py::value_error("threads must be >= 0 (0: the sweep's, else all cores)");
    spec_ = explorer::for_workload(file_spec, workload);
    space_ = std::make_unique<explorer::Space>(spec_);
    sensitivity_ = std::make_unique<explorer::ProxyAccuracy>(*space_, spec_.accuracy.proxy);
    ctx_ = explorer::SearchContext{space_.get(), spec_.objectives, sensitivity_.get(), spec_.seed,
                                   spec_.strategy.budget, [this]() { return base_.get(); }, &spec_};
    strategy_ = explorer::make_strategy(*spec_.strategy.params, ctx_);
    const explorer::AccuracySource* accuracy = nullptr;
    if (spec_.accuracy.kind == explorer::AccuracyKind::kProxy) accuracy = sensitivity_.get();
    if (spec_.accuracy.kind == explorer::AccuracyKind::kPtq || spec_.accuracy.kind == explorer::AccuracyKind::kQat) {
      base_ = std::make_shared<const explorer::TrainedBase>(*space_, spec_);
      if (spec_.accuracy.kind == explorer::AccuracyKind::kPtq) {
        trained_ = std::make_unique<explorer::PtqAccuracy>(base_);
      } else {
        trained_ = std::make_unique<explorer::QatAccuracy>(base_, spec_);
      }
      accuracy = trained_.get();
    }
    evaluator_ = std::make_unique<explorer::Evaluator>(*space_, spec_.objectives, accuracy);
    explorer::RunOptions run;
    run.threads = threads;
    threads_ = explorer::resolve_threads(spec_, run);
  }

  [[nodiscard]] const explorer::SweepSpec& spec() const noexcept { return spec_; }
  [[nodiscard]] const explorer::Space& space() const noexcept { return *space_; }
  [[nodiscard]] std::int64_t reported() const noexcept { return reported_; }
  [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }
  [[nodiscard]] int threads() const noexcept { return threads_; }
  [[nodiscard]] std::int64_t remaining() const noexcept { return std::max<std::int64_t>(0, spec_.strategy.budget - reported_); }

  py::array_t<std::uint8_t> propose(const std::optional<std::int64_t>& n) {
    const std::unique_lock lock = exclusive();
    if (!pending_.empty()) {
      throw Error("report() the " + std::to_string(pending_.size()) +
                  " points of the last proposed batch before proposing more");
    }
    if (n && *n < 0) throw py::value_error("n must be >= 0");
    // run_sweep's batch limit: at most 16,384 and never beyond the budget.
    const auto limit = static_cast<std::size_t>(std::min<std::int64_t>(n ? *n : static_cast<std::int64_t>(kMaxBatch), remaining()));
    std::vector<Genome> genomes;
    if (limit > 0) {
      py::gil_scoped_release release;
      genomes = strategy_->propose(limit);
      for (const auto& g : genomes) space_->check(g);
    }
    pending_ = genomes;
    return genome_array(genomes);
  }

  // values (m, objectives) in natural units; `feasible` (m) or, when None, rows without NaN.
  void report(const DoubleArray& values, const std::optional<py::array_t<bool>>& feasible) {
    const std::unique_lock lock = exclusive();
    const std::size_t k = spec_.objectives.size();
    if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(0)) != pending_.size() ||
        static_cast<std::size_t>(values.shape(1)) != k) {
      throw py::value_error("values must be an array of shape (" + std::to_string(pending_.size()) + ", " +
                            std::to_string(k) + "): one row per point of the last proposed batch, in order, "
                            "one column per objective");
    }
    if (feasible && (feasible->ndim() != 1 || static_cast<std::size_t>(feasible->shape(0)) != pending_.size())) {
      throw py::value_error("feasible must have one entry per point of the last proposed batch");
    }
    const auto v = values.unchecked<2>();
    std::vector<explorer::Evaluation> evals(pending_.size());
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const auto row = static_cast<py::ssize_t>(i);
      bool ok = true;
      for (std::size_t j = 0; j < k && ok; ++j) ok = std::isfinite(v(row, static_cast<py::ssize_t>(j)));
      if (feasible) {
        const bool stated = feasible->at(row);
        if (stated && !ok) throw py::value_error("a feasible point needs finite values (row " + std::to_string(i) + ")");
        ok = stated;
      }
      evals[i].genome = pending_[i];
      evals[i].feasible = ok;
      if (ok) {
        for (std::size_t j = 0; j < k; ++j) evals[i].values.push_back(v(row, static_cast<py::ssize_t>(j)));
      }
    }
    {
      py::gil_scoped_release release;
      strategy_->report(evals);
    }
    reported_ += static_cast<std::int64_t>(pending_.size());
    pending_.clear();
  }

  // The C++ Evaluator on the sweep's threads: values (NaN rows for infeasible points), feasible.
  py::dict evaluate(const py::object& genomes) const {
    const auto rows = genomes_of(integer_array(genomes, "genomes"));
    std::vector<explorer::Evaluation> evals(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) evals[i].genome = rows[i];
    {
      py::gil_scoped_release release;
      evaluator_->evaluate(evals, threads_);
    }
    const std::size_t k = spec_.objectives.size();
    py::array_t<double> values({static_cast<py::ssize_t>(evals.size()), static_cast<py::ssize_t>(k)});
    py::array_t<bool> feasible(static_cast<py::ssize_t>(evals.size()));
    auto v = values.mutable_unchecked<2>();
    auto f = feasible.mutable_unchecked<1>();
    for (std::size_t i = 0; i < evals.size(); ++i) {
      const auto row = static_cast<py::ssize_t>(i);
      f(row) = evals[i].feasible;
      for (std::size_t j = 0; j < k; ++j) {
        v(row, static_cast<py::ssize_t>(j)) =
            evals[i].feasible ? evals[i].values[j] : std::numeric_limits<double>::quiet_NaN();
      }
    }
    py::dict d;
    d["values"] = values;
    d["feasible"] = feasible;
    return d;
  }

  [[nodiscard]] std::vector<Genome> genomes_of(const IntArray& genomes) const {
    if (genomes.ndim() == 1) return {genome_of(genomes)};
    if (genomes.ndim() != 2 || static_cast<std::size_t>(genomes.shape(1)) != space_->genes()) {
      throw py::value_error("genomes must be an array of shape (n, " + std::to_string(space_->genes()) + ")");
    }
    const auto r = genomes.unchecked<2>();
    std::vector<Genome> out(static_cast<std::size_t>(r.shape(0)));
    for (py::ssize_t i = 0; i < r.shape(0); ++i) {
      for (py::ssize_t j = 0; j < r.shape(1); ++j) out[static_cast<std::size_t>(i)].push_back(gene(r(i, j)));
      space_->check(out[static_cast<std::size_t>(i)]);
    }
    return out;
  }

  [[nodiscard]] Genome genome_of(const IntArray& genome) const {
    if (genome.ndim() != 1) throw py::value_error("a genome is a 1-D array of " + std::to_string(space_->genes()) + " genes");
    Genome g;
    for (py::ssize_t j = 0; j < genome.shape(0); ++j) g.push_back(gene(genome.at(j)));
    space_->check(g);
    return g;
  }

  [[nodiscard]] py::array_t<std::uint8_t> genome_array(const std::vector<Genome>& genomes) const {
    py::array_t<std::uint8_t> out({static_cast<py::ssize_t>(genomes.size()), static_cast<py::ssize_t>(space_->genes())});
    auto o = out.mutable_unchecked<2>();
    for (std::size_t i = 0; i < genomes.size(); ++i) {
      for (std::size_t j = 0; j < genomes[i].size(); ++j) {
        o(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(j)) = genomes[i][j];
      }
    }
    return out;
  }

 private:
  // The strategy runs with the GIL released: a second Python thread driving the same Sweep
  // at once is refused instead of racing (evaluate() is const and thread-safe).
  std::unique_lock<std::mutex> exclusive() {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) throw Error("this Sweep is proposing or reporting in another thread: drive it from one");
    return lock;
  }

  static std::uint8_t gene(std::int64_t v) {
    if (v < 0 || v > 255) throw Error("gene value " + std::to_string(v) + " out of range");
    return static_cast<std::uint8_t>(v);
  }

  // Declaration order is destruction order reversed: the strategy goes before what it reads.
  explorer::SweepSpec spec_;
  std::unique_ptr<explorer::Space> space_;
  std::unique_ptr<explorer::ProxyAccuracy> sensitivity_;
  std::shared_ptr<const explorer::TrainedBase> base_;
  explorer::SearchContext ctx_;
  std::unique_ptr<explorer::Strategy> strategy_;
  std::unique_ptr<explorer::AccuracySource> trained_;
  std::unique_ptr<explorer::Evaluator> evaluator_;
  std::vector<Genome> pending_;
  std::int64_t reported_ = 0;
  int threads_ = 1;
  std::mutex mutex_;
};

std::unique_ptr<Sweep> load_sweep(const std::string& file, const py::object& set, std::size_t workload, int threads) {
  const auto spec = explorer::load_sweep(file, overrides_of(set));
  return std::make_unique<Sweep>(spec, workload, threads);
}

std::unique_ptr<Sweep> load_sweep_string(const std::string& text, const py::object& set, std::size_t workload,
                                         int threads, const std::string& name) {
  const auto spec = explorer::load_sweep_string(text, name, overrides_of(set));
  return std::make_unique<Sweep>(spec, workload, threads);
}

}  // namespace

void bind_explorer(py::module_& module) {
  module.def(
      "strategies",
      [] {
        explorer::register_builtin_strategies();
        py::dict out;
        for (const auto& name : explorer::strategy_names()) {
          const auto* info = explorer::find_strategy(name);
          out[py::str(name)] = info->description;
        }
        return out;
      },
      "The search strategies by name, with their descriptions: {name: description}.");
  module.def(
      "strategy_params",
      [](const std::string& name) {
        explorer::register_builtin_strategies();
        const auto* info = explorer::find_strategy(name);
        if (info == nullptr) throw py::value_error("unknown strategy '" + name + "'");
        return info->params;
      },
      py::arg("name"), "The keys a strategy reads from `strategy:` besides name and budget.");

  py::class_<Sweep>(module, "Sweep",
                    "A sweep's design space, objectives, evaluator and search strategy, driven by "
                    "ask/tell: propose(n) → genomes, evaluate(genomes) or your own scores, "
                    "report(values).")
      .def_property_readonly("name", [](const Sweep& s) { return s.spec().name; })
      .def_property_readonly("workload", [](const Sweep& s) { return s.spec().workload; })
      .def_property_readonly("network", [](const Sweep& s) { return s.space().network(); })
      .def_property_readonly("strategy", [](const Sweep& s) { return s.spec().strategy.name; })
      .def_property_readonly("seed", [](const Sweep& s) { return s.spec().seed; })
      .def_property_readonly("budget", [](const Sweep& s) { return s.spec().strategy.budget; })
      .def_property_readonly("threads", &Sweep::threads)
      .def_property_readonly("reported", &Sweep::reported, "Points reported so far.")
      .def_property_readonly("remaining", &Sweep::remaining, "Budget left.")
      .def_property_readonly("objectives",
                             [](const Sweep& s) {
                               std::vector<std::string> names;
                               for (const auto k : s.spec().objectives) names.emplace_back(explorer::info(k).name);
                               return names;
                             })
      .def_property_readonly("maximize",
                             [](const Sweep& s) {
                               std::vector<bool> out;
                               for (const auto k : s.spec().objectives) out.push_back(explorer::info(k).maximize);
                               return out;
                             })
      .def_property_readonly("reference",
                             [](const Sweep& s) {
                               py::list out;
                               for (const auto& r : s.spec().reference) out.append(r ? py::cast(*r) : py::none());
                               return out;
                             },
                             "The file's hypervolume reference per objective (natural units), None where unset.")
      .def_property_readonly("genes", [](const Sweep& s) { return s.space().genes(); })
      .def_property_readonly("cardinalities", [](const Sweep& s) { return s.space().cardinalities(); })
      .def_property_readonly("space_size", [](const Sweep& s) { return s.space().size(); })
      .def_property_readonly("hardware",
                             [](const Sweep& s) {
                               std::vector<std::string> labels;
                               for (const auto& hw : s.space().hardware()) labels.push_back(hw.label);
                               return labels;
                             },
                             "Hardware variant labels; gene 0 indexes them.")
      .def("cost_model",
           [](const Sweep& s, std::size_t variant) -> const costmodel::CostModel& {
             if (variant >= s.space().hardware().size()) throw py::index_error("no hardware variant " + std::to_string(variant));
             return *s.space().hardware()[variant].model;
           },
           py::arg("variant"), py::return_value_policy::reference_internal)
      .def("propose", &Sweep::propose, py::arg("n") = py::none(),
           "The strategy's next batch: a (m, genes) uint8 array, m ≤ n (default 16,384) and within "
           "the budget; empty when the strategy is done. Report it before proposing again.")
      .def("report", &Sweep::report, py::arg("values"), py::arg("feasible") = py::none(),
           "Tells the strategy the last batch's values: (m, objectives) in natural units (accuracy "
           "as a fraction), in the proposed order; rows with NaN (or feasible[i] False) are "
           "infeasible.")
      .def("evaluate", &Sweep::evaluate, py::arg("genomes"),
           "Scores (n, genes) genomes with the sweep's C++ Evaluator (GIL released, the sweep's "
           "threads): {'values': (n, objectives) float64, NaN rows where infeasible, 'feasible'}.")
      .def("assignment",
           [](const Sweep& s, const py::object& genome) {
             return s.space().assignment(s.genome_of(integer_array(genome, "a genome")));
           },
           py::arg("genome"), "The PrecisionAssignment of a genome.")
      .def("hardware_of",
           [](const Sweep& s, const py::object& genome) {
             return s.space().hardware()[s.genome_of(integer_array(genome, "a genome"))[0]].label;
           },
           py::arg("genome"))
      .def("minimized",
           [](const Sweep& s, const DoubleArray& values) {
             const auto k = s.spec().objectives.size();
             if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(1)) != k) {
               throw py::value_error("values must have shape (n, " + std::to_string(k) + ")");
             }
             py::array_t<double> out({values.shape(0), values.shape(1)});
             const auto v = values.unchecked<2>();
             auto o = out.mutable_unchecked<2>();
             for (py::ssize_t i = 0; i < v.shape(0); ++i) {
               for (py::ssize_t j = 0; j < v.shape(1); ++j) {
                 o(i, j) = explorer::info(s.spec().objectives[static_cast<std::size_t>(j)]).maximize ? -v(i, j) : v(i, j);
               }
             }
             return out;
           },
           py::arg("values"), "Values in the minimized view the Pareto functions take (maximized objectives negated).");

  module.def("load_sweep", &load_sweep, py::arg("file"), py::arg("set") = py::none(), py::arg("workload") = 0,
             py::arg("threads") = 0,
             "A sweep file (docs/sweep-format.md); `set` overrides keys as `mixq sweep --set` does "
             "(['strategy.budget=500'] or {'strategy.budget': 500}); `workload` picks one of a "
             "workload list; `threads` for evaluate() (0: the file's, else all cores).");
  module.def("load_sweep_string", &load_sweep_string, py::arg("yaml"), py::arg("set") = py::none(),
             py::arg("workload") = 0, py::arg("threads") = 0, py::arg("name") = "<string>",
             "A sweep from a YAML string; otherwise as load_sweep.");

  module.def(
      "non_dominated",
      [](const DoubleArray& points) { return index_array(explorer::non_dominated(rows_of(points, "points"))); },
      py::arg("points"),
      "Indices (ascending) of the non-dominated rows of an (n, objectives) array, every "
      "objective minimized; of identical rows only the first.");
  module.def(
      "non_dominated_mask",
      [](const DoubleArray& points) {
        const auto rows = rows_of(points, "points");
        py::array_t<bool> mask(static_cast<py::ssize_t>(rows.size()));
        auto m = mask.mutable_unchecked<1>();
        for (std::size_t i = 0; i < rows.size(); ++i) m(static_cast<py::ssize_t>(i)) = false;
        for (const auto i : explorer::non_dominated(rows)) m(static_cast<py::ssize_t>(i)) = true;
        return mask;
      },
      py::arg("points"), "non_dominated() as a boolean mask.");
  module.def(
      "hypervolume",
      [](const DoubleArray& points, const DoubleArray& reference) {
        const auto rows = rows_of(points, "points");
        const auto k = points.shape(1);
        const auto ref = reference_of(reference, static_cast<std::size_t>(k));
        py::gil_scoped_release release;
        return explorer::hypervolume(rows, ref);
      },
      py::arg("points"), py::arg("reference"),
      "Hypervolume dominated by the rows (minimized) and bounded by `reference` (pagmo2's exact "
      "algorithms, as the explorer computes it); rows not strictly better than the reference "
      "contribute nothing.");
  module.def(
      "default_reference",
      [](const DoubleArray& points) { return explorer::default_reference(rows_of(points, "points")); },
      py::arg("points"), "Per objective the worst value plus 10 % of the range (1 when the range is 0).");
  module.def(
      "knee_point",
      [](const DoubleArray& front) -> py::object {
        const auto knee = explorer::knee_point(rows_of(front, "front"));
        if (!knee) return py::none();
        return py::int_(*knee);
      },
      py::arg("front"),
      "Index of the knee of a front (minimized): closest to the ideal point after scaling each "
      "objective to [0, 1] over the front; None for an empty front.");
}

}  // namespace mixq::python
