// The accelerator's units as plain C++ policies (DRAM, buffers, DMA, the array's use of the
// buffer ports), and the Fabric interface through which the controller drives them. The
// plain fabric calls the policies directly; the SystemC top (sim/src/sc/) implements the
// same interface with TLM-2.0 transactions to thin modules that wrap these same objects, so
// both kernels give the same numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "mixq/arch/accelerator.hpp"
#include "mixq/sim/buffer.hpp"
#include "mixq/sim/dma.hpp"
#include "mixq/sim/dram.hpp"
#include "mixq/sim/pe_array.hpp"

namespace mixq::sim {

struct Trace;

// What the simulator assumes beyond arch::Accelerator (which has no DRAM latency).
struct HardwareOptions {
  double dram_latency_cycles = 0;  // per transfer, pipelined (a tile is one burst)
};

class Hardware {
 public:
  Hardware(const arch::Accelerator& acc, HardwareOptions opt);
  Hardware(const Hardware&) = delete;
  Hardware& operator=(const Hardware&) = delete;

  // The array runs one tile from `ready`: it streams its operands through the buffers' read
  // ports and its results through the write ports while it computes; the tile ends when the
  // array and every port are done. `port_wait` gets the longest wait for a busy port.
  Service compute(const TileWork& w, double ready);

  [[nodiscard]] const arch::Accelerator& accelerator() const noexcept { return *acc_; }
  [[nodiscard]] Dram& dram() noexcept { return dram_; }
  [[nodiscard]] const Dram& dram() const noexcept { return dram_; }
  [[nodiscard]] std::vector<Buffer>& buffers() noexcept { return buffers_; }
  [[nodiscard]] const std::vector<Buffer>& buffers() const noexcept { return buffers_; }
  [[nodiscard]] DmaEngine& dma() noexcept { return dma_; }
  [[nodiscard]] double array_busy_cycles() const noexcept { return array_busy_; }
  [[nodiscard]] std::int64_t macs() const noexcept { return macs_; }

  // Records a timeline into `trace` (nullptr: off). Sets its track names.
  void set_trace(Trace* trace);
  [[nodiscard]] Trace* trace() const noexcept { return trace_; }
  static constexpr int kDmaTrack = 0, kDramTrack = 1, kArrayTrack = 2, kFirstBufferTrack = 3;

 private:
  const arch::Accelerator* acc_;
  Dram dram_;
  std::vector<Buffer> buffers_;
  DmaEngine dma_;
  Trace* trace_ = nullptr;
  double array_busy_ = 0;
  std::int64_t macs_ = 0;
  std::vector<double> port_reads_, port_writes_;  // per buffer, scratch for compute()
};

// What the controller asks of the hardware.
class Fabric {
 public:
  virtual ~Fabric() = default;
  virtual Service load(arch::Operand op, double ready, double bits, const char* what) = 0;
  virtual Service store(arch::Operand op, double ready, double bits, const char* what) = 0;
  virtual Service compute(const TileWork& w, double ready) = 0;
  [[nodiscard]] virtual Hardware& hardware() = 0;
};

// Calls the policies directly: no kernel, any number of runs per process.
class PlainFabric final : public Fabric {
 public:
  explicit PlainFabric(Hardware& hw) : hw_(&hw) {}
  Service load(arch::Operand op, double ready, double bits, const char* what) override {
    return hw_->dma().load(op, ready, bits, what);
  }
  Service store(arch::Operand op, double ready, double bits, const char* what) override {
    return hw_->dma().store(op, ready, bits, what);
  }
  Service compute(const TileWork& w, double ready) override { return hw_->compute(w, ready); }
  Hardware& hardware() override { return *hw_; }

 private:
  Hardware* hw_;
};

}  // namespace mixq::sim
