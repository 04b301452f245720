#include "json_out.hpp"

namespace mixq::cli {

nlohmann::json energy_json(const costmodel::EnergyBreakdown& e, const arch::Accelerator& acc) {
  nlohmann::json j{{"mac_pj", e.mac_pj}, {"dram_pj", e.dram_pj}};
  for (std::size_t b = 0; b < e.buffer_pj.size(); ++b) j[acc.buffers[b].name + "_pj"] = e.buffer_pj[b];
  return j;
}

}  // namespace mixq::cli
