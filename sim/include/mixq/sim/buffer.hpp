// One on-chip buffer (arch::BufferSpec): a read port towards the array and DRAM write-backs,
// a write port for DMA fills and results from the array, each at its own bandwidth; energy
// per bit read and written; and the bits resident in it, so that an oversubscribed buffer is
// an error rather than a silent result. A double-buffered buffer holds two tiles of each
// operand it keeps (one filled while the other is used).
#pragma once

#include <array>
#include <string>

#include "mixq/arch/accelerator.hpp"
#include "mixq/sim/bandwidth_server.hpp"

namespace mixq::sim {

class Buffer {
 public:
  explicit Buffer(const arch::BufferSpec& spec);

  Service read(double ready, double bits);
  Service write(double ready, double bits);

  // Tile residency: slot 0 or 1 of an operand (slot 1 only when double-buffered) now holds
  // `bits`. Throws mixq::Error naming the buffer when the resident bits exceed its capacity.
  void hold(arch::Operand op, int slot, double bits);
  // Every tile leaves (a layer starts with an empty buffer: layers do not share tiles).
  void release_all() noexcept { resident_ = {}; }

  [[nodiscard]] const arch::BufferSpec& spec() const noexcept { return *spec_; }
  [[nodiscard]] const std::string& name() const noexcept { return spec_->name; }
  [[nodiscard]] bool double_buffered() const noexcept { return spec_->double_buffered; }
  [[nodiscard]] double read_bits() const noexcept { return read_port_.bits(); }
  [[nodiscard]] double write_bits() const noexcept { return write_port_.bits(); }
  [[nodiscard]] double energy_pj() const noexcept;
  [[nodiscard]] double peak_bits() const noexcept { return peak_bits_; }
  [[nodiscard]] const BandwidthServer& read_port() const noexcept { return read_port_; }
  [[nodiscard]] const BandwidthServer& write_port() const noexcept { return write_port_; }

 private:
  const arch::BufferSpec* spec_;
  BandwidthServer read_port_;
  BandwidthServer write_port_;
  std::array<std::array<double, 2>, arch::kOperands> resident_{};
  double peak_bits_ = 0;
};

}  // namespace mixq::sim
