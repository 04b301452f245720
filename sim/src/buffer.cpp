#include "mixq/sim/buffer.hpp"

#include <cstdio>

#include "mixq/common/error.hpp"

namespace mixq::sim {

Buffer::Buffer(const arch::BufferSpec& spec)
    : spec_(&spec),
      read_port_(spec.read_bits_per_cycle, 0),
      write_port_(spec.write_bits_per_cycle, 0) {}

Service Buffer::read(double ready, double bits) { return read_port_.serve(ready, bits); }
Service Buffer::write(double ready, double bits) { return write_port_.serve(ready, bits); }

double Buffer::energy_pj() const noexcept {
  return read_port_.bits() * spec_->read_energy_pj_per_bit +
         write_port_.bits() * spec_->write_energy_pj_per_bit;
}

void Buffer::hold(arch::Operand op, int slot, double bits) {
  const auto o = static_cast<std::size_t>(op);
  if (slot < 0 || slot > 1 || (slot == 1 && !spec_->double_buffered)) {
    throw Error("buffer '" + spec_->name + "': no slot " + std::to_string(slot));
  }
  resident_[o][static_cast<std::size_t>(slot)] = bits;
  double total = 0;
  for (const auto& r : resident_) total += r[0] + r[1];
  if (total > peak_bits_) peak_bits_ = total;
  if (total > static_cast<double>(spec_->size_bits)) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "buffer '%s' holds %.0f bits of tiles (weights %.0f + %.0f, inputs %.0f + %.0f, "
                  "outputs %.0f + %.0f), more than its %lld bits",
                  spec_->name.c_str(), total, resident_[0][0], resident_[0][1], resident_[1][0],
                  resident_[1][1], resident_[2][0], resident_[2][1],
                  static_cast<long long>(spec_->size_bits));
    throw Error(buf);
  }
}

}  // namespace mixq::sim
