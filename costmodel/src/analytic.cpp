#include "mixq/costmodel/analytic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mixq::costmodel {
namespace {

using arch::Dataflow;
using arch::Operand;

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// A tiled dimension: `full` tiles of `size` and at most one remainder tile.
struct Split {
  std::int64_t size, full, rem;
  template <class F>
  void each(F&& f) const {  // f(tile size, how many tiles of that size)
    if (full > 0) f(size, full);
    if (rem > 0) f(rem, std::int64_t{1});
  }
  [[nodiscard]] std::int64_t count() const { return full + (rem > 0 ? 1 : 0); }
};

Split split(std::int64_t total, std::int64_t tile) {
  tile = std::clamp<std::int64_t>(tile, 1, total);
  return {tile, total / tile, total % tile};
}

// Input pixels (per channel) an M tile of `mt` output pixels reads, halo included. Tiles
// are whole samples, whole output rows, or a run within one row (the mapper's candidates).
std::int64_t input_footprint(const Mapping& m, std::int64_t mt) {
  const std::int64_t pq = m.p * m.q;
  if (mt >= pq) return ceil_div(mt, pq) * m.h * m.w;
  const std::int64_t rows_in = [&] {
    const std::int64_t rows_out = mt >= m.q ? ceil_div(mt, m.q) : 1;
    return std::min(m.h, (rows_out - 1) * m.stride_h + (m.r - 1) * m.dilation_h + 1);
  }();
  const std::int64_t cols_in =
      mt >= m.q ? m.w : std::min(m.w, (mt - 1) * m.stride_w + (m.s - 1) * m.dilation_w + 1);
  return rows_in * cols_in;
}

std::int64_t spatial_reduction(const Mapping& m, std::int64_t c) {
  return m.gemm.filter_passes == 1 ? c * m.r * m.s : c;
}

// Folds and per-fold cycles of one tile (m output pixels, c channels, k filters).
struct TileFolds {
  std::int64_t folds = 0;
  std::int64_t stream = 0;         // elements streamed per fold
  std::int64_t reduction_folds = 0;  // folds along the reduction (partial-sum passes)
  std::int64_t col_or_row_folds = 0;
};

TileFolds tile_folds(const Mapping& m, const arch::ArraySpec& a, std::int64_t mt,
                     std::int64_t ct, std::int64_t kt) {
  const std::int64_t rows_eff = a.rows * m.spatial_factor;
  TileFolds f;
  switch (m.dataflow) {
    case Dataflow::kWeightStationary:
      f.reduction_folds = ceil_div(spatial_reduction(m, ct), rows_eff) * m.gemm.filter_passes;
      f.col_or_row_folds = ceil_div(kt, a.cols);
      f.stream = mt;
      break;
    case Dataflow::kOutputStationary:
      // The whole reduction streams through; fused units sum spatial_factor products a step.
      f.reduction_folds = 1;
      f.col_or_row_folds = ceil_div(mt, a.rows) * ceil_div(kt, a.cols);
      f.stream = ceil_div(ct * m.r * m.s, m.spatial_factor);
      break;
    case Dataflow::kInputStationary:
      f.reduction_folds = ceil_div(spatial_reduction(m, ct), rows_eff) * m.gemm.filter_passes;
      f.col_or_row_folds = ceil_div(mt, a.cols);
      f.stream = kt;
      break;
  }
  f.folds = f.reduction_folds * f.col_or_row_folds;
  return f;
}

std::int64_t stretched(std::int64_t stream, double temporal_factor) {
  return temporal_factor == 1.0 ? stream
                                : static_cast<std::int64_t>(std::ceil(static_cast<double>(stream) * temporal_factor - 1e-9));
}

// Position of each tile dim in the loop order (0 = outermost).
std::array<int, 3> positions(const LoopOrder& order) {
  std::array<int, 3> pos{};
  for (int i = 0; i < 3; ++i) pos[static_cast<int>(order[i])] = i;
  return pos;
}

// How many times each distinct tile of an operand indexed by `dims` is loaded: the product
// of the trip counts of the loops outside its innermost index loop that do not index it
// (those loops revisit the same tile; loops inside it leave it resident). Only index loops
// with more than one trip count as "innermost": an index loop of one trip never changes the
// tile, so the loops inside it do not evict it either (the simulator reloads a tile only
// when its index changes between consecutive iterations). Counting a single-trip loop
// charged a reload per trip of every loop between it and the operand's real innermost
// index loop.
std::int64_t reload_factor(const LoopOrder& order, std::initializer_list<TileDim> dims,
                           const std::array<std::int64_t, 3>& trips) {
  const auto pos = positions(order);
  int deepest = -1;
  for (const auto d : dims) {
    if (trips[static_cast<int>(d)] > 1) deepest = std::max(deepest, pos[static_cast<int>(d)]);
  }
  std::int64_t factor = 1;
  for (int i = 0; i < deepest; ++i) {
    const TileDim d = order[i];
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) factor *= trips[static_cast<int>(d)];
  }
  return factor;
}

// Cycles before the array can start a double-buffered layer: the first weight tile, then the
// first input tile, stream from DRAM one after the other (one channel), each through its
// buffer's write port as DRAM delivers it, so a burst takes the slower of the two and a port
// shared by both tiles serializes them. This is the simulator's DMA (sim/src/dma.cpp,
// Controller::run's first bookings), so the two evaluators agree on the pipeline's head.
double pipeline_prologue(const TileBits& t, const arch::Accelerator& acc) {
  const std::size_t wb = acc.buffer_index(Operand::kWeight);
  const std::size_t ib = acc.buffer_index(Operand::kInput);
  const double dram = acc.dram.bits_per_cycle;
  const auto w = static_cast<double>(t.weight);
  const auto in = static_cast<double>(t.input);
  const double weight_port_free = w / acc.buffers[wb].write_bits_per_cycle;  // starts at 0
  const double input_start = w / dram;  // DRAM is busy with the weights until then
  const double input_port_free =
      std::max(input_start, ib == wb ? weight_port_free : 0.0) +
      in / acc.buffers[ib].write_bits_per_cycle;
  return std::max({(w + in) / dram, weight_port_free, input_port_free});
}

// Which buffer holds each operand, its port widths, and whether it is double-buffered.
struct OperandPorts {
  std::array<std::size_t, arch::kOperands> slot{};  // the first operand sharing its buffer
  std::array<double, arch::kOperands> read_bw{}, write_bw{};
  std::array<bool, arch::kOperands> single{};
  double dram = 0;
  std::int64_t fill_drain = 0;
};

OperandPorts operand_ports(const arch::Accelerator& acc) {
  OperandPorts p;
  std::array<std::size_t, arch::kOperands> buf{};
  for (std::size_t op = 0; op < arch::kOperands; ++op) {
    buf[op] = acc.buffer_index(static_cast<Operand>(op));
    const auto& b = acc.buffers[buf[op]];
    p.read_bw[op] = b.read_bits_per_cycle;
    p.write_bw[op] = b.write_bits_per_cycle;
    p.single[op] = !b.double_buffered;
    p.slot[op] = op;
    for (std::size_t o = 0; o < op; ++o) {
      if (buf[o] == buf[op]) {
        p.slot[op] = p.slot[o];
        break;
      }
    }
  }
  p.dram = acc.dram.bits_per_cycle;
  p.fill_drain = acc.array.systolic ? 2 * acc.array.rows + acc.array.cols - 2
                                    : acc.array.fold_overhead_cycles;
  return p;
}

// Cycles of one tile (mt, ct, kt) on the array: its folds, or the busiest buffer port if the
// bits it streams between the array and its buffers take longer (docs/cost-model.md
// "Buffers", counted tile by tile: the stationary operand once per tile, the streamed one
// once per fold it crosses, partial sums out once per reduction fold and back for all but
// the output's first channel tile).
double tile_cycles(const Mapping& m, const arch::Accelerator& acc, const OperandPorts& p,
                   std::int64_t mt, std::int64_t ct, std::int64_t kt, bool first_c) {
  const auto& a = acc.array;
  const TileFolds f = tile_folds(m, a, mt, ct, kt);
  const auto compute =
      static_cast<double>(f.folds * (p.fill_drain + stretched(f.stream, m.temporal_factor)));
  const double rs = static_cast<double>(m.r * m.s);
  const double im2col = static_cast<double>(mt * ct) * rs;
  const double weights = static_cast<double>(kt * ct) * rs;
  const double outputs = static_cast<double>(mt * kt);
  const double acc_bits = acc.accumulator_bits;
  const double first = first_c ? 1.0 : 0.0;
  const auto red = static_cast<double>(f.reduction_folds);
  std::array<double, arch::kOperands> rd{}, wr{};
  constexpr auto W = static_cast<std::size_t>(Operand::kWeight);
  constexpr auto I = static_cast<std::size_t>(Operand::kInput);
  constexpr auto O = static_cast<std::size_t>(Operand::kOutput);
  switch (m.dataflow) {
    case Dataflow::kWeightStationary:
      rd[W] = weights * m.w_bits;
      rd[I] = im2col * static_cast<double>(ceil_div(kt, a.cols)) * m.a_bits;
      wr[O] = outputs * red * acc_bits;
      rd[O] = outputs * (red - first) * acc_bits;
      break;
    case Dataflow::kOutputStationary:
      rd[W] = weights * static_cast<double>(ceil_div(mt, a.rows)) * m.w_bits;
      rd[I] = im2col * static_cast<double>(ceil_div(kt, a.cols)) * m.a_bits;
      wr[O] = outputs * acc_bits;
      rd[O] = outputs * (1.0 - first) * acc_bits;
      break;
    case Dataflow::kInputStationary:
      rd[I] = im2col * m.a_bits;
      rd[W] = weights * static_cast<double>(ceil_div(mt, a.cols)) * m.w_bits;
      wr[O] = outputs * red * acc_bits;
      rd[O] = outputs * (red - first) * acc_bits;
      break;
  }
  double cycles = compute;
  for (std::size_t op = 0; op < arch::kOperands; ++op) {
    if (p.slot[op] != op) continue;  // counted with the first operand of its buffer
    double r = 0, w = 0;
    for (std::size_t o = op; o < arch::kOperands; ++o) {
      if (p.slot[o] == op) {
        r += rd[o];
        w += wr[o];
      }
    }
    cycles = std::max({cycles, r / p.read_bw[op], w / p.write_bw[op]});
  }
  return cycles;
}

// The transfers between two tiles that the array waits for: the finished output tile out
// (when the output changes), then the next weight and input tiles in, then the next output
// tile's partial sums back in (after its own buffer space is free, i.e. after the store).
struct Exposed {
  bool output_changes = false;
  double store = 0, weight = 0, input = 0, psum = 0;  // bits
};

// Cycles from the end of one tile until every exposed transfer has landed, issued as the
// simulator's DMA issues them: in that order on the one DRAM channel, each burst streaming
// through its buffer's port as DRAM delivers it (so it ends with the slower of the two), a
// port serving one burst at a time. With DRAM unlimited this is the slowest port's chain.
double exposed_cycles(const Exposed& x, const OperandPorts& p) {
  constexpr auto W = static_cast<std::size_t>(Operand::kWeight);
  constexpr auto I = static_cast<std::size_t>(Operand::kInput);
  constexpr auto O = static_cast<std::size_t>(Operand::kOutput);
  double dram_free = 0;
  std::array<double, arch::kOperands> read_free{}, write_free{};  // per buffer (slot)
  const auto dma = [&](double ready, double bits, double& port_free, double port_bw) {
    const double d = std::max(ready, dram_free);
    dram_free = d + bits / p.dram;
    port_free = std::max(d, port_free) + bits / port_bw;
    return std::max(dram_free, port_free);
  };
  double end = 0, output_free = 0;
  if (x.output_changes) {
    output_free = dma(0.0, x.store, read_free[p.slot[O]], p.read_bw[O]);
    end = output_free;
  }
  if (x.weight > 0) end = std::max(end, dma(0.0, x.weight, write_free[p.slot[W]], p.write_bw[W]));
  if (x.input > 0) end = std::max(end, dma(0.0, x.input, write_free[p.slot[I]], p.write_bw[I]));
  if (x.psum > 0) end = std::max(end, dma(output_free, x.psum, write_free[p.slot[O]], p.write_bw[O]));
  return end;
}

// Tile indices standing for a class of iterations that move the same bits: `count` of them,
// index `from` in the current tile and `to` in the next.
struct Rep {
  std::int64_t from = 0, to = 0, count = 0;
};
struct Reps {
  std::array<Rep, 3> r{};
  int n = 0;
  void add(std::int64_t from, std::int64_t to, std::int64_t count) { r[static_cast<std::size_t>(n++)] = {from, to, count}; }
};
// A loop outside the one that advances: any index, unchanged. Indices 0 … T−2 are all full
// tiles; along C the first one differs (its output tile has no partial sums to read back),
// so `first_apart` keeps index 0 a class of its own.
Reps fixed_reps(std::int64_t trips, bool first_apart) {
  Reps out;
  if (trips < 2) {
    out.add(0, 0, 1);
    return out;
  }
  if (first_apart) {
    out.add(0, 0, 1);
    if (trips >= 3) out.add(1, 1, trips - 2);
  } else {
    out.add(0, 0, trips - 1);
  }
  out.add(trips - 1, trips - 1, 1);
  return out;
}
// The loop that advances: i → i + 1 for i in 0 … T−2, full tiles but the last; along C the
// step out of index 0 (`first_apart`) is a class of its own.
Reps step_reps(std::int64_t trips, bool first_apart) {
  Reps out;
  if (trips < 2) return out;
  if (first_apart) {
    if (trips >= 3) out.add(0, 1, 1);
    if (trips >= 4) out.add(1, 2, trips - 3);
  } else if (trips >= 3) {
    out.add(0, 1, trips - 2);
  }
  out.add(trips - 2, trips - 1, 1);
  return out;
}

// A layer with a single-buffered operand, run as the simulator's controller runs it
// (docs/cost-model.md "Latency"): a single-buffered tile refills only after the tile that
// reads it is done, so every tile boundary exposes that operand's transfers. With every
// operand single-buffered nothing overlaps the array but the ports the tile itself streams
// through, and the layer takes exactly
//   head + Σ_tiles t_tile + Σ_boundaries t_exposed + tail
// where t_tile is the tile's own time (tile_cycles), t_exposed the transfers its boundary
// exposes (exposed_cycles: the output tile out if it changes, then the weight and input
// tiles in if they change, then the partial sums of a revisited output tile back in), the
// head the first weight and input tiles in and the tail the last output tile out. The sums
// run over classes of iterations that move the same bits, not over tiles: the boundaries
// where the loop at level L advances are the outer loops' indices × that loop's steps
// i → i + 1 × the inner loops' wrap from their last index to 0; the indices in a class
// differ only among full tiles that move the same bits (at most 3 × 3 × 3 classes per
// level, fewer along M and K, where only the last tile differs), plus one class
// for the boundaries between groups (where every operand changes). Double-buffered operands
// of a mixed arch are taken as hidden behind the tile (their transfers are not exposed).
double serialized_cycles(const Mapping& m, const arch::Accelerator& acc, const OperandPorts& p,
                         const std::array<Split, 3>& sp) {
  constexpr auto W = static_cast<std::size_t>(Operand::kWeight);
  constexpr auto I = static_cast<std::size_t>(Operand::kInput);
  constexpr auto O = static_cast<std::size_t>(Operand::kOutput);
  constexpr auto M = static_cast<std::size_t>(TileDim::kM);
  constexpr auto C = static_cast<std::size_t>(TileDim::kC);
  constexpr auto K = static_cast<std::size_t>(TileDim::kK);
  const std::array<std::int64_t, 3> trips{sp[M].count(), sp[C].count(), sp[K].count()};
  const auto at = [&](std::size_t d, std::int64_t i) { return i < sp[d].full ? sp[d].size : sp[d].rem; };
  const std::int64_t rs = m.r * m.s;
  const double acc_bits = acc.accumulator_bits;
  const auto weight_bits = [&](const std::array<std::int64_t, 3>& i) {
    return static_cast<double>(at(K, i[K]) * at(C, i[C]) * rs * m.w_bits);
  };
  const auto input_bits = [&](const std::array<std::int64_t, 3>& i) {
    return static_cast<double>(input_footprint(m, at(M, i[M])) * at(C, i[C]) * m.a_bits);
  };
  const auto output_elems = [&](const std::array<std::int64_t, 3>& i) {
    return static_cast<double>(at(M, i[M]) * at(K, i[K]));
  };
  // One boundary class: what the boundary after tile `from` exposes.
  const auto window = [&](const std::array<std::int64_t, 3>& from,
                          const std::array<std::int64_t, 3>& to, bool new_group) {
    const auto changes = [&](std::size_t a, std::size_t b) {
      return new_group || from[a] != to[a] || from[b] != to[b];
    };
    Exposed x;
    if (p.single[O] && changes(M, K)) {
      x.output_changes = true;
      x.store = output_elems(from) * (from[C] == trips[C] - 1 ? m.out_bits : acc_bits);
      if (to[C] > 0) x.psum = output_elems(to) * acc_bits;
    }
    if (p.single[W] && changes(C, K)) x.weight = weight_bits(to);
    if (p.single[I] && changes(M, C)) x.input = input_bits(to);
    return exposed_cycles(x, p);
  };

  const std::array<std::int64_t, 3> first{0, 0, 0};
  const std::array<std::int64_t, 3> last{trips[M] - 1, trips[C] - 1, trips[K] - 1};
  const auto groups = static_cast<double>(m.gemm.groups);
  double per_group = 0;
  for (int level = 0; level < 3; ++level) {
    std::array<Reps, 3> reps;
    for (int l = 0; l < 3; ++l) {
      const auto d = static_cast<std::size_t>(m.order[static_cast<std::size_t>(l)]);
      if (l < level) {
        reps[static_cast<std::size_t>(l)] = fixed_reps(trips[d], d == C);
      } else if (l == level) {
        reps[static_cast<std::size_t>(l)] = step_reps(trips[d], d == C);
      } else {
        reps[static_cast<std::size_t>(l)].add(trips[d] - 1, 0, 1);
      }
    }
    for (int a = 0; a < reps[0].n; ++a) {
      for (int b = 0; b < reps[1].n; ++b) {
        for (int c = 0; c < reps[2].n; ++c) {
          const std::array<const Rep*, 3> chosen{&reps[0].r[static_cast<std::size_t>(a)],
                                                 &reps[1].r[static_cast<std::size_t>(b)],
                                                 &reps[2].r[static_cast<std::size_t>(c)]};
          std::array<std::int64_t, 3> from{}, to{};
          double count = 1;
          for (std::size_t l = 0; l < 3; ++l) {
            const auto d = static_cast<std::size_t>(m.order[l]);
            from[d] = chosen[l]->from;
            to[d] = chosen[l]->to;
            count *= static_cast<double>(chosen[l]->count);
          }
          per_group += count * window(from, to, false);
        }
      }
    }
  }
  double total = groups * per_group + (groups - 1) * window(last, first, true);
  // Every tile once: full or remainder along M and K; along C the first tile (no partial
  // sums to read back), the other full ones, the remainder.
  double tiles = 0;
  for (int im = 0; im < 2; ++im) {
    const std::int64_t nm = im == 0 ? sp[M].full : (sp[M].rem > 0 ? 1 : 0);
    for (int ic = 0; ic < 3; ++ic) {
      const std::int64_t nc = ic == 0 ? 1 : (ic == 1 ? sp[C].full - 1 : (sp[C].rem > 0 ? 1 : 0));
      for (int ik = 0; ik < 2; ++ik) {
        const std::int64_t nk = ik == 0 ? sp[K].full : (sp[K].rem > 0 ? 1 : 0);
        if (nm * nc * nk == 0) continue;
        tiles += static_cast<double>(nm * nc * nk) *
                 tile_cycles(m, acc, p, im == 0 ? sp[M].size : sp[M].rem,
                             ic == 2 ? sp[C].rem : sp[C].size, ik == 0 ? sp[K].size : sp[K].rem,
                             ic == 0);
      }
    }
  }
  total += groups * tiles;
  // Head: the first weight and input tiles in; tail: the last output tile out.
  Exposed head;
  head.weight = weight_bits(first);
  head.input = input_bits(first);
  Exposed tail;
  tail.output_changes = true;
  tail.store = output_elems(last) * m.out_bits;
  return total + exposed_cycles(head, p) + exposed_cycles(tail, p);
}

// The compute cycles of each tile shape of a layer (full or remainder along M, C and K:
// index 4·m + 2·c + k, 1 for the remainder), the compute total and the PE slots the folds
// offer, from one walk over the shapes (evaluate reads all three).
struct Shapes {
  std::array<double, 8> cycles{};
  std::int64_t compute = 0;  // one group
  double slots = 0;          // one group, PE slots per step not yet multiplied in
};

Shapes tile_shapes(const Mapping& m, const arch::Accelerator& acc, const Split& sm,
                   const Split& sc, const Split& sk) {
  const auto& a = acc.array;
  const std::int64_t fill_drain = a.systolic ? 2 * a.rows + a.cols - 2 : a.fold_overhead_cycles;
  Shapes s;
  for (int im = 0; im < 2; ++im) {
    const std::int64_t nm = im == 0 ? sm.full : (sm.rem > 0 ? 1 : 0);
    if (nm == 0) continue;
    for (int ic = 0; ic < 2; ++ic) {
      const std::int64_t nc = ic == 0 ? sc.full : (sc.rem > 0 ? 1 : 0);
      if (nc == 0) continue;
      for (int ik = 0; ik < 2; ++ik) {
        const std::int64_t nk = ik == 0 ? sk.full : (sk.rem > 0 ? 1 : 0);
        if (nk == 0) continue;
        const TileFolds f = tile_folds(m, a, im == 0 ? sm.size : sm.rem,
                                       ic == 0 ? sc.size : sc.rem, ik == 0 ? sk.size : sk.rem);
        const std::int64_t cycles = f.folds * (fill_drain + stretched(f.stream, m.temporal_factor));
        s.cycles[static_cast<std::size_t>(4 * im + 2 * ic + ik)] = static_cast<double>(cycles);
        s.compute += nm * nc * nk * cycles;
        s.slots += static_cast<double>(nm * nc * nk * f.folds * f.stream);
      }
    }
  }
  return s;
}

// The last two tiles of a layer in loop order, for the end of a transfer-bound pipeline:
// their compute cycles and the bits of the last tile's loads, which are the operands indexed
// by the innermost loop of several trips (the only one that advances between the two tiles;
// partial sums come back when it moves the output tile and the channels are split). The
// tile before the last is a full tile along that loop (index T−2), the last tile's size
// elsewhere.
struct LastTiles {
  double last = 0, before = 0;  // cycles; `before` is 0 for a single tile
  std::array<double, arch::kOperands> load_bits{};
};

LastTiles last_tiles(const Mapping& m, const arch::Accelerator& acc, const Shapes& shapes,
                     const std::array<Split, 3>& sp) {
  constexpr auto M = static_cast<std::size_t>(TileDim::kM);
  constexpr auto C = static_cast<std::size_t>(TileDim::kC);
  constexpr auto K = static_cast<std::size_t>(TileDim::kK);
  const std::array<int, 3> rem{sp[M].rem > 0 ? 1 : 0, sp[C].rem > 0 ? 1 : 0, sp[K].rem > 0 ? 1 : 0};
  const std::array<int, 3> weight{4, 2, 1};  // Shapes' index per TileDim
  const int last_index = 4 * rem[M] + 2 * rem[C] + rem[K];
  LastTiles t;
  t.last = shapes.cycles[static_cast<std::size_t>(last_index)];
  int level = 2;
  while (level >= 0 &&
         sp[static_cast<std::size_t>(m.order[static_cast<std::size_t>(level)])].count() < 2) {
    --level;
  }
  if (level < 0) return t;
  const auto d = static_cast<std::size_t>(m.order[static_cast<std::size_t>(level)]);
  const auto size = [&](std::size_t dim) { return rem[dim] != 0 ? sp[dim].rem : sp[dim].size; };
  if (d != M) t.load_bits[0] = static_cast<double>(size(K) * size(C) * m.r * m.s * m.w_bits);
  if (d != K) t.load_bits[1] = static_cast<double>(input_footprint(m, size(M)) * size(C) * m.a_bits);
  if (d != C && sp[C].count() > 1) {
    t.load_bits[2] = static_cast<double>(size(M) * size(K)) * acc.accumulator_bits;
  }
  t.before = shapes.cycles[static_cast<std::size_t>(last_index - rem[d] * weight[d])];
  return t;
}

}  // namespace

std::string to_string(const LoopOrder& order) {
  std::string out;
  for (const auto d : order) out += d == TileDim::kM ? 'm' : (d == TileDim::kC ? 'c' : 'k');
  return out;
}

double EnergyBreakdown::total_pj() const noexcept {
  return mac_pj + dram_pj + std::accumulate(buffer_pj.begin(), buffer_pj.end(), 0.0);
}

std::int64_t compute_cycles(const Mapping& m, const arch::Accelerator& acc) {
  const auto& a = acc.array;
  const std::int64_t fill_drain = a.systolic ? 2 * a.rows + a.cols - 2 : a.fold_overhead_cycles;
  std::int64_t total = 0;
  split(m.gemm.m, m.tile_m).each([&](std::int64_t mt, std::int64_t nm) {
    split(m.c_per_group, m.tile_c).each([&](std::int64_t ct, std::int64_t nc) {
      split(m.gemm.nf, m.tile_k).each([&](std::int64_t kt, std::int64_t nk) {
        const TileFolds f = tile_folds(m, a, mt, ct, kt);
        total += nm * nc * nk * f.folds * (fill_drain + stretched(f.stream, m.temporal_factor));
      });
    });
  });
  return total * m.gemm.groups;
}

TileBits tile_bits(const Mapping& m, const arch::Accelerator& acc) {
  const std::int64_t mt = std::min(m.tile_m, m.gemm.m);
  const std::int64_t ct = std::min(m.tile_c, m.c_per_group);
  const std::int64_t kt = std::min(m.tile_k, m.gemm.nf);
  const bool split_reduction = ct < m.c_per_group;
  TileBits t;
  t.weight = kt * ct * m.r * m.s * m.w_bits;
  t.input = input_footprint(m, mt) * ct * m.a_bits;
  t.output = mt * kt * (split_reduction ? acc.accumulator_bits : m.out_bits);
  return t;
}

bool tiles_fit(const Mapping& m, const arch::Accelerator& acc, std::string* reason) {
  const TileBits t = tile_bits(m, acc);
  const std::array<std::int64_t, 3> bits{t.weight, t.input, t.output};
  for (const auto& buf : acc.buffers) {
    std::int64_t need = 0;
    for (std::size_t op = 0; op < arch::kOperands; ++op) {
      if (buf.holds[op]) need += bits[op] * (buf.double_buffered ? 2 : 1);
    }
    if (need > buf.size_bits) {
      if (reason != nullptr) {
        *reason = "tiles need " + std::to_string(need) + " bits in buffer '" + buf.name +
                  "' of " + std::to_string(buf.size_bits) + " bits";
        if (!buf.size_at.key_path.empty())
          *reason += " (size from " + buf.size_at.to_string() + ")";
      }
      return false;
    }
  }
  return true;
}

LayerCost evaluate(const Mapping& m, const arch::Accelerator& acc) {
  const auto& a = acc.array;
  const auto& g = m.gemm;
  LayerCost cost;
  cost.macs = g.groups * g.m * g.kr * g.nf;
  const Split sm = split(g.m, m.tile_m);
  const Split sc = split(m.c_per_group, m.tile_c);
  const Split sk = split(g.nf, m.tile_k);
  const Shapes shapes = tile_shapes(m, acc, sm, sc, sk);
  cost.compute_cycles = shapes.compute * g.groups;  // compute_cycles(m, acc), shared walk
  const std::array<std::int64_t, 3> trips{sm.count(), sc.count(), sk.count()};

  // DRAM traffic: one pass over each operand, times its reload factor under the loop order.
  const double groups = static_cast<double>(g.groups);
  const double weight_pass = groups * static_cast<double>(g.nf * g.kr) * m.w_bits;
  double input_pixels = 0;
  sm.each([&](std::int64_t mt, std::int64_t n) {
    input_pixels += static_cast<double>(n * input_footprint(m, mt));
  });
  const double input_pass = groups * input_pixels * static_cast<double>(m.c_per_group) * m.a_bits;
  const double outputs = groups * static_cast<double>(g.m * g.nf);
  const std::int64_t w_reload = reload_factor(m.order, {TileDim::kC, TileDim::kK}, trips);
  const std::int64_t i_reload = reload_factor(m.order, {TileDim::kM, TileDim::kC}, trips);
  // The reduction loop outside an output tile's loops spills partial sums to DRAM and reads
  // them back on each of its later trips.
  const std::int64_t spills = reload_factor(m.order, {TileDim::kM, TileDim::kK}, trips) - 1;
  const double dram_read = weight_pass * static_cast<double>(w_reload) +
                           input_pass * static_cast<double>(i_reload) +
                           outputs * static_cast<double>(spills) * acc.accumulator_bits;
  const double dram_write =
      outputs * (m.out_bits + static_cast<double>(spills) * acc.accumulator_bits);
  cost.dram_read_bits = static_cast<std::int64_t>(dram_read);
  cost.dram_write_bits = static_cast<std::int64_t>(dram_write);

  // Buffer ↔ array traffic, per dataflow: the stationary operand is read once per fold, the
  // streamed one once per fold and element, partial sums leave the array once per
  // reduction fold (and are read back for all but the first).
  double reduction_folds = 0;  // Σ over tiles, per (m, k) output tile
  double col_folds_k = 0;      // Σ over k tiles of ceil(kt / cols)
  double row_folds_m = 0;      // Σ over m tiles of ceil(mt / rows)
  double col_folds_m = 0;      // Σ over m tiles of ceil(mt / cols)
  sc.each([&](std::int64_t ct, std::int64_t n) {
    reduction_folds += static_cast<double>(n) * tile_folds(m, a, 1, ct, 1).reduction_folds;
  });
  sk.each([&](std::int64_t kt, std::int64_t n) { col_folds_k += static_cast<double>(n * ceil_div(kt, a.cols)); });
  sm.each([&](std::int64_t mt, std::int64_t n) {
    row_folds_m += static_cast<double>(n * ceil_div(mt, a.rows));
    col_folds_m += static_cast<double>(n * ceil_div(mt, a.cols));
  });
  const double im2col_inputs = groups * static_cast<double>(g.m * g.kr);
  const double weights = groups * static_cast<double>(g.kr * g.nf);
  double w_reads = 0, i_reads = 0, o_writes = 0, o_reads = 0;
  switch (m.dataflow) {
    case Dataflow::kWeightStationary:
      w_reads = weights * static_cast<double>(sm.count()) * m.w_bits;
      i_reads = im2col_inputs * col_folds_k * m.a_bits;
      o_writes = outputs * reduction_folds * acc.accumulator_bits;
      o_reads = outputs * (reduction_folds - 1) * acc.accumulator_bits;
      break;
    case Dataflow::kOutputStationary:
      w_reads = weights * row_folds_m * m.w_bits;
      i_reads = im2col_inputs * col_folds_k * m.a_bits;
      o_writes = outputs * static_cast<double>(sc.count()) * acc.accumulator_bits;
      o_reads = outputs * static_cast<double>(sc.count() - 1) * acc.accumulator_bits;
      break;
    case Dataflow::kInputStationary:
      i_reads = im2col_inputs * static_cast<double>(sk.count()) * m.a_bits;
      w_reads = weights * col_folds_m * m.w_bits;
      o_writes = outputs * reduction_folds * acc.accumulator_bits;
      o_reads = outputs * (reduction_folds - 1) * acc.accumulator_bits;
      break;
  }
  // DRAM fills are buffer writes; DRAM write-backs are buffer reads.
  const std::array<double, 3> reads{w_reads, i_reads, o_reads + dram_write};
  const std::array<double, 3> writes{weight_pass * static_cast<double>(w_reload),
                                     input_pass * static_cast<double>(i_reload),
                                     o_writes + outputs * static_cast<double>(spills) * acc.accumulator_bits};
  const std::size_t nbuf = acc.buffers.size();
  cost.buffer_read_bits.assign(nbuf, 0);
  cost.buffer_write_bits.assign(nbuf, 0);
  cost.energy.buffer_pj.assign(nbuf, 0.0);
  double buffer_cycles = 0;
  bool all_double = true;
  for (std::size_t b = 0; b < nbuf; ++b) {
    const auto& buf = acc.buffers[b];
    double r = 0, w = 0;
    for (std::size_t op = 0; op < arch::kOperands; ++op) {
      if (buf.holds[op]) {
        r += reads[op];
        w += writes[op];
      }
    }
    cost.buffer_read_bits[b] = static_cast<std::int64_t>(r);
    cost.buffer_write_bits[b] = static_cast<std::int64_t>(w);
    cost.energy.buffer_pj[b] = r * buf.read_energy_pj_per_bit + w * buf.write_energy_pj_per_bit;
    buffer_cycles = std::max({buffer_cycles, r / buf.read_bits_per_cycle, w / buf.write_bits_per_cycle});
    all_double = all_double && buf.double_buffered;
  }

  const double dram_cycles = (dram_read + dram_write) / acc.dram.bits_per_cycle;
  const double compute = static_cast<double>(cost.compute_cycles);
  double cycles = 0;
  if (all_double) {
    // A pipeline of tiles: while the array works on one tile (stage 2: its folds, or the
    // ports it streams through), DMA brings the next tiles in and takes finished outputs out
    // (stage 1). The prologue streams the first weight and input tiles in before the array
    // can start; the epilogue takes the last output tile (remainder sizes along M and K, at
    // its final precision) out through the slower of DRAM and the output buffer's read port.
    // Between them the slower stage sets the pace. When it is the array, the steady state is
    // the compute time, or a port's whole traffic (array and DMA, which the port serves one
    // after the other). When it is a transfer resource (DRAM, or a port's DMA traffic), the
    // steady state is a two-machine flow shop, loads then tiles, whose makespan is
    // max over k of (Σ_{t≤k} load_t + Σ_{t≥k} tile_t) (Johnson 1954, for a fixed order); the
    // k = 0 term is the array-bound case above, and near the end the last two terms:
    //   k = N−1: every load, then the last tile;
    //   k = N−2: every load but the last, then the last two tiles,
    // which matters when the last tile is a small remainder that loads quickly (stripes
    // fmnist_cnn/fc1: six 32-cycle weight loads and one of 4, 16-cycle tiles). So
    //   cycles = prologue + max(compute, DRAM, ports, fills_b + max(tile_N−1,
    //                           tile_N−2 + tile_N−1 − load_N−1,b)) + epilogue
    // over every buffer b's write port (fills_b: its DMA writes; the tiles at their compute
    // cycles), each term without the bits the prologue and epilogue moved. DRAM gets no
    // ending: it also carries each tile's store, issued after the tile, so in a DRAM-bound
    // steady state the last tile overlaps the stores still queued (adding it priced
    // ResNet-18 layer1.0.conv1 at w4a4 on bitfusion at 16 bits per cycle 139,804 cycles,
    // 2.6 % above the simulator's 136,220).
    // Counting those twice priced DRAM-bound layers a head and tail too high (ResNet-18
    // layer1.0.conv1 at w4a4 on bitfusion at 16 bits per cycle: 152,832 cycles against
    // 136,260 simulated), and buffer-bound ones a head too high and their last tile not at
    // all (loom fmnist_cnn/fc1, four weight tiles each refilling for 98 cycles through a
    // 2,048-bit port and computing for 72: 491 against 465 simulated = 98 + 3·98 + 72 + 1;
    // now exact).
    const TileBits t = tile_bits(m, acc);
    const double prologue = pipeline_prologue(t, acc);
    const std::int64_t last_m = sm.rem > 0 ? sm.rem : sm.size;
    const std::int64_t last_k = sk.rem > 0 ? sk.rem : sk.size;
    const double epilogue_bits = static_cast<double>(last_m * last_k * m.out_bits);
    const double epilogue =
        epilogue_bits / std::min(acc.dram.bits_per_cycle,
                                 acc.buffer_for(Operand::kOutput).read_bits_per_cycle);
    const LastTiles end = last_tiles(m, acc, shapes, {sm, sc, sk});
    const auto ending = [&](double last_load_cycles) {
      return std::max(end.last, end.before + end.last - last_load_cycles);
    };
    const std::array<double, 3> head{static_cast<double>(t.weight), static_cast<double>(t.input),
                                     0.0};
    const std::array<double, 3> dma_writes{
        writes[0], writes[1], outputs * static_cast<double>(spills) * acc.accumulator_bits};
    const double dram = acc.dram.bits_per_cycle;
    double pace = std::max(
        compute, std::max(0.0, dram_cycles - (head[0] + head[1] + epilogue_bits) / dram));
    for (std::size_t b = 0; b < nbuf; ++b) {
      const auto& buf = acc.buffers[b];
      double r = 0, w = 0, dw = 0, last_load = 0;
      for (std::size_t op = 0; op < arch::kOperands; ++op) {
        if (!buf.holds[op]) continue;
        r += reads[op];
        w += writes[op] - head[op];
        dw += dma_writes[op] - head[op];
        last_load += end.load_bits[op];
      }
      if (buf.holds[static_cast<std::size_t>(Operand::kOutput)]) {
        r -= epilogue_bits;
      }
      const double rbw = buf.read_bits_per_cycle, wbw = buf.write_bits_per_cycle;
      pace = std::max({pace, r / rbw, w / wbw, dw / wbw + ending(last_load / wbw)});
    }
    cycles = prologue + pace + epilogue;
  } else {
    // Mixed buffering: the serialized schedule with the double-buffered operands' transfers
    // hidden, bounded below by the DRAM and buffer totals (which the serialized schedule of
    // an all-single-buffered arch already contains).
    cycles = std::max({serialized_cycles(m, acc, operand_ports(acc), {sm, sc, sk}), dram_cycles,
                       buffer_cycles});
  }
  cost.cycles = static_cast<std::int64_t>(std::ceil(cycles - 1e-9));
  cost.memory_stall_cycles = cost.cycles - cost.compute_cycles;
  cost.latency_s = static_cast<double>(cost.cycles) / acc.frequency_hz;

  cost.energy.mac_pj = static_cast<double>(cost.macs) * m.energy_per_mac_pj;
  cost.energy.dram_pj = (dram_read + dram_write) * acc.dram.energy_pj_per_bit;
  cost.energy_pj = cost.energy.total_pj();

  const double peak = static_cast<double>(a.rows * a.cols * m.spatial_factor) / m.temporal_factor;
  cost.utilization = static_cast<double>(cost.macs) / (static_cast<double>(cost.cycles) * peak);
  // Slots offered by the array over all folds at this precision vs MACs performed.
  const double slots = shapes.slots * static_cast<double>(a.rows * a.cols * m.spatial_factor);
  cost.spatial_utilization = static_cast<double>(cost.macs) / (slots * groups);
  return cost;
}

}  // namespace mixq::costmodel
