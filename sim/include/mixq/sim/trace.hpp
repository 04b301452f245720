// A timeline of what each unit did, for Chrome's about:tracing and Perfetto (the trace-event
// JSON format: complete events "ph":"X" with microsecond timestamps, one thread per unit).
// Recording is off unless a Trace is passed to the simulator: it costs one entry per action.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mixq::sim {

struct TraceEvent {
  int track = 0;          // index into Trace::tracks
  const char* name = "";  // static text: "tile", "load weight", "read", ...
  int layer = -1;         // index into Trace::layers, -1 when none
  double start_cycles = 0;
  double end_cycles = 0;
  double bits = 0;  // bits moved (0 for a tile)
};

struct Trace {
  double frequency_hz = 1e9;        // converts cycles to the format's microseconds
  std::vector<std::string> tracks;  // "DMA", "DRAM", "PE array", then one per buffer
  std::vector<std::string> layers;
  std::vector<TraceEvent> events;
  int current_layer = -1;

  void add(int track, const char* name, double start, double end, double bits = 0) {
    events.push_back({track, name, current_layer, start, end, bits});
  }
};

// Writes `trace` as trace-event JSON ({"traceEvents": [...], "displayTimeUnit": "ns"}).
void write_chrome_trace(const Trace& trace, std::ostream& os);

}  // namespace mixq::sim
