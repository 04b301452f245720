// The cost model's public API, in one include.
//
//   auto acc = mixq::arch::load_arch("bitfusion", {"array.rows=32"});
//   auto net = mixq::workloads::load_workload("mobilenet_v2");
//   mixq::costmodel::CostModel model(std::move(acc));          // thread-safe, memoized
//   auto a = mixq::workloads::PrecisionAssignment::uniform(net, {4, 4});
//   if (auto c = model.check(net, a); !c.ok) { /* c.layer, c.reason */ }
//   mixq::costmodel::NetworkCost cost = model.evaluate(net, a);  // values, no printing
//
// Search loops over per-layer bits use PriceTable (price_table.hpp): millions of
// assignments per second per core. Errors: mixq::InputError for bad input files,
// costmodel::InfeasibleError for an assignment check() rejects.
#pragma once

#include "mixq/arch/accelerator.hpp"
#include "mixq/arch/pe_model.hpp"
#include "mixq/costmodel/analytic.hpp"
#include "mixq/costmodel/layer_cost.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/costmodel/mapping.hpp"
#include "mixq/costmodel/network_cost.hpp"
#include "mixq/costmodel/price_table.hpp"
#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/precision.hpp"
