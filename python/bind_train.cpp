// The training loop from Python: `train` takes the options of `mixq train` and returns its
// JSON summary as a dict, with the learned Assignment and the trained model; `evaluate_accuracy`
// scores a model under an assignment on a subset of the test data. Both release the GIL;
// Ctrl-C stops a training run between batches (KeyboardInterrupt).
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <utility>

#include "bindings.hpp"
#include "mixq/train/dataset.hpp"
#include "mixq/train/hw_cost.hpp"
#include "mixq/train/model.hpp"
#include "mixq/train/options.hpp"
#include "mixq/train/train.hpp"
#include "mixq/workloads/loader.hpp"

namespace py = pybind11;

namespace mixq::python {
namespace {

using TrainArgs = train::RunOptions;

// The same TrainConfig `mixq train` builds from its flags (apps/cmd_train.cpp), with its
// checks of the choices CLI11 makes there.
train::TrainConfig config_of(const TrainArgs& args) {
  const auto member = [](const std::string& value, std::initializer_list<const char*> allowed, const char* what) {
    std::string list;
    for (const char* a : allowed) {
      if (value == a) return;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    throw py::value_error(std::string(what) + ": '" + value + "' not in {" + list + "}");
  };
  member(args.granularity, {"layer", "channel_group", "channel"}, "granularity");
  member(args.cost, {"none", "memory", "bops", "ebops", "latency", "energy"}, "cost");
  member(args.optimizer, {"adam", "sgd"}, "optimizer");
  // The CLI's -1 "not given" is None here: a negative count is an error, not the default.
  for (const auto& [value, what] : std::initializer_list<std::pair<std::int64_t, const char*>>{
           {args.epochs.value_or(0), "epochs"}, {args.fp_epochs.value_or(0), "fp_epochs"},
           {args.qat_epochs, "qat_epochs"}, {args.learn_epochs, "learn_epochs"},
           {args.finetune_epochs, "finetune_epochs"}, {args.train_subset, "train_subset"},
           {args.test_subset, "test_subset"}, {args.threads, "threads"}}) {
    if (value < 0) throw py::value_error(std::string(what) + " must be >= 0");
  }
  train::RunOptions o = args;
  o.bits_key = "bits";
  o.first_last_key = "first_last";
  return train::config_from(o);
}

py::dict progress_dict(const train::Progress& p) {
  py::dict d;
  d["phase"] = p.phase + 1;
  d["kind"] = std::string(train::to_string(p.phase_kind));
  d["epoch"] = p.epoch;
  d["epochs"] = p.epochs;
  d["batch"] = p.batch;
  d["batches"] = p.batches;
  d["loss"] = p.loss;
  d["accuracy"] = p.accuracy;
  d["elapsed_s"] = p.elapsed_s;
  d["eta_s"] = p.eta_s;
  return d;
}

py::dict run_train(const TrainArgs& args, const std::optional<std::string>& out,
                   const std::optional<py::function>& progress) {
  const train::TrainConfig cfg = config_of(args);
  // Called between batches on the training thread: the GIL is taken back for the callback
  // and for Python's signal handlers, so that Ctrl-C interrupts the run.
  const train::ProgressFn on_progress = [&progress](const train::Progress& p) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (progress) (*progress)(progress_dict(p));
  };
  train::TrainResult r;
  {
    py::gil_scoped_release release;
    r = train::train(cfg, on_progress);
  }
  const workloads::Network& net = *r.model.network;
  py::dict summary;
  summary["workload"] = net.name();
  summary["test_accuracy"] = r.test_accuracy;
  summary["epochs"] = r.epochs;
  summary["train_seconds"] = r.train_seconds;
  summary["train_cpu_seconds"] = r.train_cpu_seconds;
  summary["total_seconds"] = r.total_seconds;
  summary["seconds_per_epoch"] = r.epochs > 0 ? r.train_seconds / r.epochs : 0.0;
  summary["quantized"] = r.quantized;
  summary["avg_weight_bits"] = r.avg_weight_bits;
  summary["avg_activation_bits"] = r.avg_activation_bits;
  summary["seed"] = cfg.seed;
  if (r.quantized && cfg.cost.kind != train::CostKind::kNone) {
    const train::HardwareCost hw(net, cfg.cost, cfg.quant.min_bits, cfg.quant.max_bits);
    py::dict cost;
    cost["kind"] = args.cost;
    cost["beta"] = cfg.cost.beta;
    cost["value"] = hw.absolute(r.assignment);
    summary["cost"] = cost;
  }
  py::list log;
  for (const auto& e : r.log) {
    py::dict d;
    d["phase"] = e.phase + 1;
    d["kind"] = std::string(train::to_string(e.phase_kind));
    d["epoch"] = e.epoch;
    d["lr"] = e.lr;
    d["train_loss"] = e.train_loss;
    d["train_accuracy"] = e.train_accuracy;
    d["test_accuracy"] = e.test_accuracy;
    d["cost"] = e.cost;
    d["avg_weight_bits"] = e.avg_weight_bits;
    d["avg_activation_bits"] = e.avg_activation_bits;
    d["seconds"] = e.seconds;
    log.append(d);
  }
  summary["log"] = log;
  if (out) {
    // The files `mixq train --out` writes that a later run reads: the assignment and the model.
    const std::filesystem::path dir(*out);
    std::filesystem::create_directories(dir);
    if (r.quantized) workloads::save_assignment(r.assignment, net, dir / "assignment.yaml");
    train::save_model(r.model, dir / "model.bin");
    summary["model_file"] = (dir / "model.bin").string();
  }
  summary["assignment"] = r.quantized ? py::cast(r.assignment) : py::none();
  summary["network"] = net;
  summary["model"] = std::move(r.model);
  return summary;
}

}  // namespace

void bind_train(py::module_& module) {
  const py::object base = module.attr("Error");
  py::register_exception<train::DataError>(module, "DataError", base.ptr());
  py::register_exception<train::DivergenceError>(module, "DivergenceError", base.ptr());

  py::class_<train::TrainedModel>(module, "TrainedModel", "A network's trained parameters (train / load_model).")
      .def_property_readonly("network", [](const train::TrainedModel& m) { return *m.network; })
      .def("save", [](const train::TrainedModel& m, const std::string& file) { train::save_model(m, file); },
           py::arg("file"), "Writes the model file `mixq train --out` writes (model.bin).");

  module.def(
      "load_model",
      [](const std::string& file, const py::object& network) {
        const workloads::Network net = py::isinstance<py::str>(network)
                                           ? workloads::load_workload(network.cast<std::string>())
                                           : network.cast<workloads::Network>();
        py::gil_scoped_release release;
        return train::load_model(file, net);
      },
      py::arg("file"), py::arg("network") = "fmnist_cnn",
      "A model file of `mixq train --out` (or TrainedModel.save) for its network (a Network or a "
      "zoo name / workload file).");

  module.def(
      "train",
      [](const std::string& workload, const std::optional<std::string>& bits, const std::string& first_last,
         bool learn_bits, const std::string& granularity, int group_size, const std::string& cost,
         const std::string& arch, const std::map<std::string, py::object>& set, double beta,
         const std::optional<int>& epochs, const std::optional<int>& fp_epochs, int qat_epochs, int learn_epochs,
         int finetune_epochs, double lr, double qat_lr, double finetune_lr, int batch, int micro_batch,
         int min_bits, int max_bits, const std::string& optimizer, std::uint64_t seed, int threads,
         const std::optional<std::string>& data, const std::optional<std::string>& init,
         std::int64_t train_subset, std::int64_t test_subset, const std::optional<std::string>& out,
         const std::optional<py::function>& progress) {
        TrainArgs a;
        a.workload = workload;
        a.bits = bits.value_or("");
        a.first_last = first_last;
        a.learn_bits = learn_bits;
        a.granularity = granularity;
        a.group_size = group_size;
        a.cost = cost;
        a.arch = arch;
        for (const auto& [k, v] : set) a.overrides.push_back(k + "=" + py::str(v).cast<std::string>());
        a.beta = beta;
        a.epochs = epochs;
        a.fp_epochs = fp_epochs;
        a.qat_epochs = qat_epochs;
        a.learn_epochs = learn_epochs;
        a.finetune_epochs = finetune_epochs;
        a.lr = lr;
        a.qat_lr = qat_lr;
        a.finetune_lr = finetune_lr;
        a.batch = batch;
        a.micro_batch = micro_batch;
        a.min_bits = min_bits;
        a.max_bits = max_bits;
        a.optimizer = optimizer;
        a.seed = seed;
        a.threads = threads;
        a.data = data.value_or("");
        a.init = init.value_or("");
        a.train_subset = train_subset;
        a.test_subset = test_subset;
        return run_train(a, out, progress);
      },
      py::kw_only(), py::arg("workload") = "fmnist_cnn", py::arg("bits") = py::none(),
      py::arg("first_last") = "w8a8", py::arg("learn_bits") = false, py::arg("granularity") = "layer",
      py::arg("group_size") = 8, py::arg("cost") = "none", py::arg("arch") = "",
      py::arg("set") = std::map<std::string, py::object>{}, py::arg("beta") = 0.0, py::arg("epochs") = py::none(),
      py::arg("fp_epochs") = py::none(), py::arg("qat_epochs") = 8, py::arg("learn_epochs") = 8,
      py::arg("finetune_epochs") = 4, py::arg("lr") = 1e-3, py::arg("qat_lr") = 5e-4, py::arg("finetune_lr") = 2e-4,
      py::arg("batch") = 128, py::arg("micro_batch") = 16, py::arg("min_bits") = 2, py::arg("max_bits") = 8,
      py::arg("optimizer") = "adam", py::arg("seed") = 1, py::arg("threads") = 0, py::arg("data") = py::none(),
      py::arg("init") = py::none(), py::arg("train_subset") = 0, py::arg("test_subset") = 0,
      py::arg("out") = py::none(), py::arg("progress") = py::none(),
      "`mixq train` from Python, with its options as keywords (docs/training.md). Returns the "
      "summary `mixq train --json` prints plus 'log' (per epoch), 'assignment' (the learned or "
      "fixed Assignment, None after a float-only run), 'network' and 'model' (a TrainedModel); "
      "with out=DIR also writes DIR/model.bin and DIR/assignment.yaml ('model_file'). "
      "progress(dict) is called between batches. Raises DivergenceError when the loss diverges.");

  module.def(
      "evaluate_accuracy",
      [](const py::object& model_or_file, const workloads::Network& net,
         const std::optional<workloads::PrecisionAssignment>& assignment, std::int64_t subset,
         const std::optional<std::string>& data, const std::string& split, int threads, std::int64_t batch) {
        if (subset < 0) throw py::value_error("subset must be >= 0 (0: all)");
        if (threads < 0) throw py::value_error("threads must be >= 0 (0: all cores)");
        if (batch < 1) throw py::value_error("batch must be >= 1");
        if (split != "t10k" && split != "train") throw py::value_error("split must be t10k or train");
        if (assignment && assignment->size() != net.size()) {
          throw py::value_error("the assignment has " + std::to_string(assignment->size()) + " layers, network '" +
                                net.name() + "' " + std::to_string(net.size()));
        }
        std::optional<train::TrainedModel> loaded;
        const train::TrainedModel* model = nullptr;
        if (py::isinstance<py::str>(model_or_file)) {
          loaded = train::load_model(model_or_file.cast<std::string>(), net);
          model = &*loaded;
        } else {
          model = &model_or_file.cast<const train::TrainedModel&>();
          if (model->network->size() != net.size() || model->network->name() != net.name()) {
            throw py::value_error("the model was trained on '" + model->network->name() + "', not on '" +
                                  net.name() + "'");
          }
        }
        train::EvalOptions options;
        options.threads = threads;
        options.batch = batch;
        options.subset = subset;
        py::gil_scoped_release release;
        const auto dir = data ? std::filesystem::path(*data) : train::default_fashion_mnist_dir();
        const train::Dataset test = train::load_mnist_format(dir, split, subset);
        return assignment ? train::evaluate_accuracy(*model, *assignment, test, options)
                          : train::evaluate_accuracy(*model, test, options);
      },
      py::arg("model"), py::arg("network"), py::arg("assignment") = py::none(), py::arg("subset") = 0,
      py::arg("data") = py::none(), py::arg("split") = "t10k", py::arg("threads") = 0, py::arg("batch") = 64,
      "Top-1 accuracy of a TrainedModel (or a model file) on the first `subset` images (0: all) "
      "of Fashion-MNIST's `split`: quantized to `assignment` (batch norm folded, MSE-calibrated "
      "steps, as the explorer's ptq source), or at full precision when it is None. The GIL is "
      "released while it runs.");
}

}  // namespace mixq::python
