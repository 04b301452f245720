// The `mixq` Python module is bound in parts, one file per library area; mixq_module.cpp
// defines the module and calls each part.
#pragma once

#include <pybind11/pybind11.h>

namespace mixq::python {

// SoCs: load_soc, SocModel (price, check, evaluate, search_placement).
void bind_soc(pybind11::module_& module);

// The simulator: simulate, simulate_many (dicts shaped like `mixq simulate --json`).
void bind_sim(pybind11::module_& module);

// The explorer: strategies, Sweep (ask/tell), load_sweep(_string), Pareto utilities.
void bind_explorer(pybind11::module_& module);

// The training loop: train, evaluate_accuracy, TrainedModel, load_model.
void bind_train(pybind11::module_& module);

}  // namespace mixq::python
