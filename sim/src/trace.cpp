#include "mixq/sim/trace.hpp"

#include <cstdio>

namespace mixq::sim {
namespace {

void write_string(std::ostream& os, const std::string& s) {
  os << '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      os << '\\' << c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      os << buf;
    } else {
      os << c;
    }
  }
  os << '"';
}

}  // namespace

void write_chrome_trace(const Trace& trace, std::ostream& os) {
  // Microseconds with enough digits for one cycle at a few GHz.
  const double us_per_cycle = 1e6 / trace.frequency_hz;
  char num[64];
  const auto us = [&](double cycles) {
    std::snprintf(num, sizeof num, "%.6f", cycles * us_per_cycle);
    return num;
  };
  os << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  os << R"({"ph":"M","pid":1,"name":"process_name","args":{"name":"accelerator"}})";
  for (std::size_t t = 0; t < trace.tracks.size(); ++t) {
    os << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << t
       << ",\"name\":\"thread_name\",\"args\":{\"name\":";
    write_string(os, trace.tracks[t]);
    os << "}}";
    os << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << t
       << ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" << t << "}}";
  }
  for (const auto& e : trace.events) {
    os << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":" << e.track << ",\"name\":";
    write_string(os, e.name);
    os << ",\"ts\":" << us(e.start_cycles);
    os << ",\"dur\":" << us(e.end_cycles - e.start_cycles) << ",\"args\":{";
    bool comma = false;
    if (e.layer >= 0 && static_cast<std::size_t>(e.layer) < trace.layers.size()) {
      os << "\"layer\":";
      write_string(os, trace.layers[static_cast<std::size_t>(e.layer)]);
      comma = true;
    }
    if (e.bits > 0) {
      std::snprintf(num, sizeof num, "%.0f", e.bits);
      os << (comma ? "," : "") << "\"bits\":" << num;
    }
    os << "}}";
  }
  os << "\n]}\n";
}

}  // namespace mixq::sim
