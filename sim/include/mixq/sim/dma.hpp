// The DMA engine: moves a tile between DRAM and the buffer that holds its operand. A load
// reads DRAM and writes the buffer's write port; a store reads the buffer's read port and
// writes DRAM. Both sides stream together, so a transfer takes the longer of the two; DRAM
// serves transfers in the order the DMA issues them (one channel, see dram.hpp).
#pragma once

#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/sim/buffer.hpp"
#include "mixq/sim/dram.hpp"

namespace mixq::sim {

struct Trace;

class DmaEngine {
 public:
  DmaEngine(const arch::Accelerator& acc, Dram& dram, std::vector<Buffer>& buffers);

  Service load(arch::Operand op, double ready, double bits, const char* what);
  Service store(arch::Operand op, double ready, double bits, const char* what);

  void set_trace(Trace* trace) noexcept { trace_ = trace; }
  [[nodiscard]] std::int64_t transfers() const noexcept { return transfers_; }

 private:
  Service transfer(bool load, arch::Operand op, double ready, double bits, const char* what);

  const arch::Accelerator* acc_;
  Dram* dram_;
  std::vector<Buffer>* buffers_;
  Trace* trace_ = nullptr;
  std::int64_t transfers_ = 0;
};

}  // namespace mixq::sim
