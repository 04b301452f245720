// JSON pieces several commands print in the same shape.
#pragma once

#include <nlohmann/json.hpp>

#include "mixq/arch/accelerator.hpp"
#include "mixq/costmodel/layer_cost.hpp"

namespace mixq::cli {

// {"mac_pj", "dram_pj", "<buffer>_pj"...}: an energy breakdown with the buffers named.
[[nodiscard]] nlohmann::json energy_json(const costmodel::EnergyBreakdown& e, const arch::Accelerator& acc);

}  // namespace mixq::cli
