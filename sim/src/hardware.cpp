#include "mixq/sim/hardware.hpp"

#include <algorithm>

#include "mixq/sim/trace.hpp"

namespace mixq::sim {
namespace {

std::vector<Buffer> make_buffers(const arch::Accelerator& acc) {
  std::vector<Buffer> out;
  out.reserve(acc.buffers.size());
  for (const auto& b : acc.buffers) out.emplace_back(b);
  return out;
}

}  // namespace

Hardware::Hardware(const arch::Accelerator& acc, HardwareOptions opt)
    : acc_(&acc),
      dram_(acc.dram, opt.dram_latency_cycles),
      buffers_(make_buffers(acc)),
      dma_(acc, dram_, buffers_),
      port_reads_(acc.buffers.size(), 0.0),
      port_writes_(acc.buffers.size(), 0.0) {}

void Hardware::set_trace(Trace* trace) {
  trace_ = trace;
  dma_.set_trace(trace);
  if (trace == nullptr) return;
  trace->frequency_hz = acc_->frequency_hz;
  trace->tracks = {"DMA", "DRAM", "PE array"};
  for (const auto& b : acc_->buffers) trace->tracks.push_back("buffer " + b.name);
}

Service Hardware::compute(const TileWork& w, double ready) {
  // Operands held by one buffer share its ports: sum their bits per buffer first.
  const std::size_t n = buffers_.size();
  std::fill(port_reads_.begin(), port_reads_.end(), 0.0);
  std::fill(port_writes_.begin(), port_writes_.end(), 0.0);
  double* r = port_reads_.data();
  double* wr = port_writes_.data();
  for (std::size_t op = 0; op < arch::kOperands; ++op) {
    const std::size_t b = acc_->buffer_index(static_cast<arch::Operand>(op));
    r[b] += w.read_bits[op];
    wr[b] += w.write_bits[op];
  }
  Service s;
  s.start = ready;
  s.end = ready + static_cast<double>(w.compute_cycles);
  for (std::size_t b = 0; b < n; ++b) {
    for (int dir = 0; dir < 2; ++dir) {
      const double bits = dir == 0 ? r[b] : wr[b];
      if (bits <= 0) continue;
      const Service p = dir == 0 ? buffers_[b].read(ready, bits) : buffers_[b].write(ready, bits);
      s.end = std::max(s.end, p.end);
      s.wait = std::max(s.wait, p.wait);
      if (trace_ != nullptr) {
        const auto& port = dir == 0 ? buffers_[b].read_port() : buffers_[b].write_port();
        trace_->add(kFirstBufferTrack + static_cast<int>(b),
                    dir == 0 ? "array read" : "array write", p.start,
                    p.start + bits / port.bits_per_cycle(), bits);
      }
    }
  }
  array_busy_ += static_cast<double>(w.compute_cycles);
  macs_ += w.macs;
  if (trace_ != nullptr) trace_->add(kArrayTrack, "tile", s.start, s.end);
  return s;
}

}  // namespace mixq::sim
