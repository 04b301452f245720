#include "mixq/sim/dma.hpp"

#include <algorithm>

#include "mixq/sim/hardware.hpp"
#include "mixq/sim/trace.hpp"

namespace mixq::sim {

DmaEngine::DmaEngine(const arch::Accelerator& acc, Dram& dram, std::vector<Buffer>& buffers)
    : acc_(&acc), dram_(&dram), buffers_(&buffers) {}

Service DmaEngine::load(arch::Operand op, double ready, double bits, const char* what) {
  return transfer(true, op, ready, bits, what);
}

Service DmaEngine::store(arch::Operand op, double ready, double bits, const char* what) {
  return transfer(false, op, ready, bits, what);
}

Service DmaEngine::transfer(bool load, arch::Operand op, double ready, double bits,
                            const char* what) {
  const std::size_t b = acc_->buffer_index(op);
  Buffer& buf = (*buffers_)[b];
  // DRAM and the buffer port stream the burst together; the port starts once DRAM does.
  const Service d = load ? dram_->read(ready, bits) : dram_->write(ready, bits);
  const Service p = load ? buf.write(d.start, bits) : buf.read(d.start, bits);
  Service s;
  s.start = d.start;
  s.end = std::max(d.end, p.end);
  s.wait = d.wait + p.wait;
  ++transfers_;
  if (trace_ != nullptr) {
    trace_->add(Hardware::kDmaTrack, what, s.start, s.end, bits);
    trace_->add(Hardware::kDramTrack, load ? "read" : "write", d.start,
                d.start + bits / dram_->channel().bits_per_cycle(), bits);
    trace_->add(Hardware::kFirstBufferTrack + static_cast<int>(b), load ? "fill" : "drain", p.start,
                p.start + bits / (load ? buf.write_port() : buf.read_port()).bits_per_cycle(),
                bits);
  }
  return s;
}

}  // namespace mixq::sim
