#include "mixq/sim/controller.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace mixq::sim {
namespace {

using arch::Operand;
using costmodel::TileDim;

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// A tiled dimension: `full` tiles of `size`, then at most one remainder tile (the analytic
// model's split).
struct Split {
  std::int64_t size = 1, full = 0, rem = 0;
  [[nodiscard]] std::int64_t count() const { return full + (rem > 0 ? 1 : 0); }
  [[nodiscard]] std::int64_t at(std::int64_t i) const { return i < full ? size : rem; }
};

Split split(std::int64_t total, std::int64_t tile) {
  tile = std::clamp<std::int64_t>(tile, 1, total);
  return {tile, total / tile, total % tile};
}

// One iteration of the nest: the group and the tile index along each TileDim.
struct Step {
  std::int64_t g = 0;
  std::array<std::int64_t, 3> i{};  // indexed by TileDim
};

// The tile of one operand that the array is using (or will use next).
struct Resident {
  std::int64_t key = -1;
  int slot = 0;
  double arrive = 0;  // when its data is in the buffer
  double wait = 0;    // how long its load queued behind other transfers
};

struct OperandState {
  bool double_buffered = false;
  std::size_t buffer = 0;
  Resident cur, next;
  bool has_next = false;
  std::array<double, 2> slot_free{};  // when each half's last tile is done with
};

}  // namespace

std::int64_t Controller::input_footprint(const costmodel::Mapping& m, std::int64_t mt) {
  const std::int64_t pq = m.p * m.q;
  if (mt >= pq) return ceil_div(mt, pq) * m.h * m.w;
  const std::int64_t rows_out = mt >= m.q ? ceil_div(mt, m.q) : 1;
  const std::int64_t rows_in =
      std::min(m.h, (rows_out - 1) * m.stride_h + (m.r - 1) * m.dilation_h + 1);
  const std::int64_t cols_in =
      mt >= m.q ? m.w : std::min(m.w, (mt - 1) * m.stride_w + (m.s - 1) * m.dilation_w + 1);
  return rows_in * cols_in;
}

LayerRun Controller::run(const costmodel::Mapping& m, double start) {
  Hardware& hw = fabric_->hardware();
  const arch::Accelerator& acc = hw.accelerator();
  PeArray pe(m, acc);
  const Split sm = split(m.gemm.m, m.tile_m);
  const Split sc = split(m.c_per_group, m.tile_c);
  const Split sk = split(m.gemm.nf, m.tile_k);
  const std::array<std::int64_t, 3> trips{sm.count(), sc.count(), sk.count()};
  const auto M = static_cast<std::size_t>(TileDim::kM);
  const auto C = static_cast<std::size_t>(TileDim::kC);
  const auto K = static_cast<std::size_t>(TileDim::kK);
  const bool split_reduction = trips[C] > 1;
  const double acc_bits = acc.accumulator_bits;
  const std::int64_t rs = m.r * m.s;

  for (auto& b : hw.buffers()) b.release_all();
  std::array<OperandState, arch::kOperands> ops;
  for (std::size_t o = 0; o < arch::kOperands; ++o) {
    ops[o].buffer = acc.buffer_index(static_cast<Operand>(o));
    ops[o].double_buffered = acc.buffers[ops[o].buffer].double_buffered;
    ops[o].slot_free = {start, start};
  }
  auto& wt = ops[static_cast<std::size_t>(Operand::kWeight)];
  auto& in = ops[static_cast<std::size_t>(Operand::kInput)];
  auto& out = ops[static_cast<std::size_t>(Operand::kOutput)];
  // When each output tile of the current group was last spilled (−1: never).
  std::vector<double> spilled(static_cast<std::size_t>(trips[M] * trips[K]), -1.0);

  const auto key = [&](Operand op, const Step& s) -> std::int64_t {
    switch (op) {
      case Operand::kWeight:
        return (s.g * trips[C] + s.i[C]) * trips[K] + s.i[K];
      case Operand::kInput:
        return (s.g * trips[M] + s.i[M]) * trips[C] + s.i[C];
      case Operand::kOutput:
        break;
    }
    return (s.g * trips[M] + s.i[M]) * trips[K] + s.i[K];
  };
  // The next iteration in loop order (groups outermost); false after the last.
  const auto advance = [&](Step& s) {
    for (int level = 2; level >= 0; --level) {
      const auto d = static_cast<std::size_t>(m.order[static_cast<std::size_t>(level)]);
      if (++s.i[d] < trips[d]) return true;
      s.i[d] = 0;
    }
    return ++s.g < m.gemm.groups;
  };

  // Brings step `s`'s tile of `op` into the buffer if the operand's tile changes there: into
  // the other half when double-buffered, else into the one half once it is free.
  const auto book = [&](Operand op, const Step& s) {
    OperandState& st = ops[static_cast<std::size_t>(op)];
    const Resident& latest = st.has_next ? st.next : st.cur;
    const std::int64_t k = key(op, s);
    if (k == latest.key) return;
    Resident r;
    r.key = k;
    r.slot = latest.key < 0 ? 0 : (st.double_buffered ? 1 - latest.slot : latest.slot);
    double ready = st.slot_free[static_cast<std::size_t>(r.slot)];
    const std::int64_t mt = sm.at(s.i[M]), ct = sc.at(s.i[C]), kt = sk.at(s.i[K]);
    Buffer& buf = hw.buffers()[st.buffer];
    if (op == Operand::kWeight) {
      const double bits = static_cast<double>(kt * ct * rs * m.w_bits);
      buf.hold(op, r.slot, bits);
      const Service sv = fabric_->load(op, ready, bits, "load weights");
      r.arrive = sv.end;
      r.wait = sv.wait;
    } else if (op == Operand::kInput) {
      const double bits = static_cast<double>(input_footprint(m, mt) * ct * m.a_bits);
      buf.hold(op, r.slot, bits);
      const Service sv = fabric_->load(op, ready, bits, "load inputs");
      r.arrive = sv.end;
      r.wait = sv.wait;
    } else {
      const auto idx = static_cast<std::size_t>(s.i[M] * trips[K] + s.i[K]);
      buf.hold(op, r.slot,
               static_cast<double>(mt * kt) * (split_reduction ? acc_bits : m.out_bits));
      r.arrive = ready;
      if (spilled[idx] >= 0) {  // revisited: its partial sums come back from DRAM
        const Service sv =
            fabric_->load(op, std::max(ready, spilled[idx]),
                          static_cast<double>(mt * kt) * acc_bits, "load partial sums");
        r.arrive = sv.end;
        r.wait = sv.wait;
      }
    }
    st.next = r;
    st.has_next = true;
  };
  const auto promote = [&] {
    for (auto& st : ops) {
      if (st.has_next) {
        st.cur = st.next;
        st.has_next = false;
      }
    }
  };

  LayerRun run;
  run.start = start;
  double prev_end = start;  // when the array finished its previous tile
  double layer_end = start;
  Step cur;
  for (const Operand op : {Operand::kWeight, Operand::kInput, Operand::kOutput}) book(op, cur);
  promote();
  for (;;) {
    Step nxt = cur;
    const bool more = advance(nxt);
    // Double-buffered operands: the next tiles load while this one computes.
    if (more) {
      if (nxt.g != cur.g) std::fill(spilled.begin(), spilled.end(), -1.0);
      for (const Operand op : {Operand::kWeight, Operand::kInput, Operand::kOutput}) {
        if (ops[static_cast<std::size_t>(op)].double_buffered) book(op, nxt);
      }
    }
    // The tile computes when its operands are in, its output half is free and the array is.
    double ready = prev_end, crit_wait = 0;
    for (const auto* st : {&wt, &in, &out}) {
      if (st->cur.arrive > ready) {
        ready = st->cur.arrive;
        crit_wait = st->cur.wait;
      }
    }
    const std::int64_t mt = sm.at(cur.i[M]), ct = sc.at(cur.i[C]), kt = sk.at(cur.i[K]);
    const TileWork& work = pe.work({mt, ct, kt, cur.i[C] == 0});
    const Service s = fabric_->compute(work, ready);
    if (run.tiles == 0) run.first_compute = s.start;
    ++run.tiles;
    run.compute_cycles += work.compute_cycles;
    const double idle = s.start - prev_end;
    const double queued = std::min(idle, crit_wait);
    run.contention_stall_cycles += queued;
    run.memory_stall_cycles += idle - queued;
    const double slowed = (s.end - s.start) - static_cast<double>(work.compute_cycles);
    const double port_queued = std::clamp(s.wait, 0.0, std::max(slowed, 0.0));
    run.contention_stall_cycles += port_queued;
    run.memory_stall_cycles += std::max(slowed, 0.0) - port_queued;
    prev_end = s.end;
    layer_end = std::max(layer_end, s.end);
    for (auto* st : {&wt, &in}) {
      auto& f = st->slot_free[static_cast<std::size_t>(st->cur.slot)];
      f = std::max(f, s.end);
    }
    // The output tile leaves when the next iteration moves to another one (or at the end).
    const bool out_changes = !more || key(Operand::kOutput, nxt) != out.cur.key;
    if (out_changes) {
      const bool final = cur.i[C] == trips[C] - 1;
      const double bits = static_cast<double>(mt * kt) * (final ? m.out_bits : acc_bits);
      const Service st = fabric_->store(Operand::kOutput, s.end, bits,
                                        final ? "store outputs" : "spill partial sums");
      if (!final) spilled[static_cast<std::size_t>(cur.i[M] * trips[K] + cur.i[K])] = st.end;
      auto& f = out.slot_free[static_cast<std::size_t>(out.cur.slot)];
      f = std::max(f, st.end);
      layer_end = std::max(layer_end, st.end);
    }
    if (!more) break;
    // Single-buffered operands: the next tile loads only now that this one is done with.
    for (const Operand op : {Operand::kWeight, Operand::kInput, Operand::kOutput}) {
      if (!ops[static_cast<std::size_t>(op)].double_buffered) book(op, nxt);
    }
    promote();
    cur = nxt;
  }
  // What follows the last tile (its store) is time spent on memory.
  run.memory_stall_cycles += layer_end - prev_end;
  run.end = layer_end;
  run.last_compute = prev_end;
  return run;
}

}  // namespace mixq::sim
