#include "mixq/sim/systolic_cycle.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "mixq/common/error.hpp"
#include "mixq/costmodel/mapper.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::sim {
namespace {

constexpr int kMaxBits = 16;

// A register on a systolic wire: its value and whether it carries data. The valid bit is what
// a real array's control pipelines alongside the data; here it also lets the model notice
// when a fold has drained (no valid register left) without being told the formula.
struct Reg {
  std::int64_t value = 0;
  bool valid = false;
};

// What run_fold reports; both counted in cycles from the fold's first cycle, inclusive.
struct FoldTiming {
  std::int64_t cycles = 0;            // the last value left the array in this cycle
  std::int64_t last_real_result = 0;  // the last non-padding result left in this cycle
};

// A result sink: sink(k, j, value) receives the k-th value leaving the bottom of column j and
// returns whether it is a real (non-padding) result. It stands in for the output buffer and
// its address generator, which know the order in which a column's results come out.
template <class Sink>
bool deliver(Sink& sink, std::vector<std::int64_t>& count, std::int64_t j, std::int64_t value) {
  const auto col = static_cast<std::size_t>(j);
  return sink(count[col]++, j, value);
}

[[noreturn]] void broken(const char* what) {
  // A mismatch here is a bug in the model's own skew, not bad input.
  throw std::logic_error(std::string("systolic_cycle: ") + what);
}

// The array of WS and IS: each PE holds one element of a stationary R × C tile; the other
// operand streams in from the left, one row of the array per reduction index, and partial
// sums flow down the columns. WS and IS are the same hardware with the operands' roles
// swapped (stationary weights vs stationary inputs), so they share this class.
class StationaryArray {
 public:
  StationaryArray(std::int64_t rows, std::int64_t cols)
      : rows_(rows),
        cols_(cols),
        cur_(cells()),
        next_(cells()),
        count_(static_cast<std::size_t>(cols)) {}

  // One fold. `held`: the stationary tile, rows × cols row-major (zeros where padded).
  // `streamed`: t × rows row-major; element (s, i) enters array row i from the left in
  // stream cycle s + i (the skew that makes it meet row i − 1's partial sum).
  template <class Sink>
  FoldTiming run_fold(const std::vector<std::int64_t>& held, std::int64_t t,
                      const std::vector<std::int64_t>& streamed, Sink&& sink) {
    FoldTiming timing;
    std::int64_t cycle = 0;
    // Preload: the tile shifts down from the top one row per cycle, the bottom row first, so
    // that after `rows` cycles row i holds tile row i.
    for (std::int64_t p = 0; p < rows_; ++p) {
      ++cycle;
      for (std::int64_t i = 0; i < rows_; ++i) {
        for (std::int64_t j = 0; j < cols_; ++j) {
          next(i, j) = cur(i, j);
          next(i, j).held = i == 0 ? held[idx(rows_ - 1 - p, j)] : cur(i - 1, j).held;
        }
      }
      std::swap(cur_, next_);
    }
    // Stream until nothing is left to feed and no register holds valid data.
    std::fill(count_.begin(), count_.end(), 0);
    const std::int64_t last_feed = t - 1 + rows_ - 1;  // row rows−1 takes element t−1 then
    for (std::int64_t s = 0;; ++s) {
      ++cycle;
      bool in_flight = false;
      for (std::int64_t i = 0; i < rows_; ++i) {
        for (std::int64_t j = 0; j < cols_; ++j) {
          Reg operand;
          if (j > 0) {
            operand = cur(i, j - 1).operand;
          } else if (s - i >= 0 && s - i < t) {
            operand = {streamed[static_cast<std::size_t>((s - i) * rows_ + i)], true};
          }
          // The top row starts a fresh partial sum at 0 with each streamed element.
          const Reg psum_in = i == 0 ? Reg{0, operand.valid} : cur(i - 1, j).psum;
          if (psum_in.valid != operand.valid) broken("a partial sum missed its operand");
          Pe& pe = next(i, j);
          pe.held = cur(i, j).held;
          pe.operand = operand;
          pe.psum = operand.valid ? Reg{psum_in.value + operand.value * pe.held, true} : Reg{};
          // Edge registers: the operand written at the right edge and the partial sum
          // written at the bottom edge leave the array in this cycle.
          if (j == cols_ - 1) pe.operand.valid = false;
          if (i == rows_ - 1 && pe.psum.valid) {
            if (deliver(sink, count_, j, pe.psum.value)) timing.last_real_result = cycle;
            pe.psum.valid = false;
          }
          in_flight = in_flight || pe.operand.valid || pe.psum.valid;
        }
      }
      std::swap(cur_, next_);
      if (!in_flight && s >= last_feed) break;
    }
    for (const auto n : count_) {
      if (n != t) broken("a column delivered the wrong number of results");
    }
    timing.cycles = cycle;
    return timing;
  }

 private:
  struct Pe {
    std::int64_t held = 0;  // the stationary element (w_bits or a_bits wide)
    Reg operand;            // the streamed element, passed to the right
    Reg psum;               // the partial sum, passed down (int64)
  };
  [[nodiscard]] std::size_t cells() const { return static_cast<std::size_t>(rows_ * cols_); }
  [[nodiscard]] std::size_t idx(std::int64_t i, std::int64_t j) const {
    return static_cast<std::size_t>(i * cols_ + j);
  }
  Pe& cur(std::int64_t i, std::int64_t j) { return cur_[idx(i, j)]; }
  Pe& next(std::int64_t i, std::int64_t j) { return next_[idx(i, j)]; }

  std::int64_t rows_, cols_;
  std::vector<Pe> cur_, next_;  // registers now and at the end of this cycle
  std::vector<std::int64_t> count_;
};

// The OS array: PE(i, j) accumulates Y(i, j) in place; inputs enter from the left (row i
// skewed by i), weights from the top (column j skewed by j), so that the k-th input of row i
// meets the k-th weight of column j in PE(i, j) in cycle k + i + j. Then the accumulators
// drain down the columns, one row per cycle.
class OutputStationaryArray {
 public:
  OutputStationaryArray(std::int64_t rows, std::int64_t cols)
      : rows_(rows),
        cols_(cols),
        cur_(cells()),
        next_(cells()),
        count_(static_cast<std::size_t>(cols)) {}

  // One fold. `x`: rows × t row-major, `w`: t × cols row-major (zeros where padded).
  template <class Sink>
  FoldTiming run_fold(const std::vector<std::int64_t>& x, std::int64_t t,
                      const std::vector<std::int64_t>& w, Sink&& sink) {
    FoldTiming timing;
    std::int64_t cycle = 0;
    const std::int64_t last_feed = t - 1 + std::max(rows_, cols_) - 1;
    for (std::int64_t s = 0;; ++s) {
      ++cycle;
      bool in_flight = false;
      for (std::int64_t i = 0; i < rows_; ++i) {
        for (std::int64_t j = 0; j < cols_; ++j) {
          Reg a;
          if (j > 0) {
            a = cur(i, j - 1).x;
          } else if (s - i >= 0 && s - i < t) {
            a = {x[static_cast<std::size_t>(i * t + (s - i))], true};
          }
          Reg b;
          if (i > 0) {
            b = cur(i - 1, j).w;
          } else if (s - j >= 0 && s - j < t) {
            b = {w[static_cast<std::size_t>((s - j) * cols_ + j)], true};
          }
          if (a.valid != b.valid) broken("an input missed its weight");
          Pe& pe = next(i, j);
          pe.x = a;
          pe.w = b;
          pe.acc = cur(i, j).acc;
          if (a.valid) pe.acc = {pe.acc.value + a.value * b.value, true};
          // Operands written at the right and bottom edges leave the array.
          if (j == cols_ - 1) pe.x.valid = false;
          if (i == rows_ - 1) pe.w.valid = false;
          in_flight = in_flight || pe.x.valid || pe.w.valid;
        }
      }
      std::swap(cur_, next_);
      if (!in_flight && s >= last_feed) break;
    }
    // Drain: the bottom row's accumulators leave through the bottom edge while every row
    // above moves down one; the top row takes in empty (zero) accumulators, which leaves the
    // array reset for the next fold.
    std::fill(count_.begin(), count_.end(), 0);
    for (bool in_flight = true; in_flight;) {
      ++cycle;
      in_flight = false;
      for (std::int64_t j = 0; j < cols_; ++j) {
        const Reg out = cur(rows_ - 1, j).acc;
        if (!out.valid) broken("an accumulator drained empty");
        if (deliver(sink, count_, j, out.value)) timing.last_real_result = cycle;
      }
      for (std::int64_t i = 0; i < rows_; ++i) {
        for (std::int64_t j = 0; j < cols_; ++j) {
          // Whole registers, not the accumulator alone: both buffers must hold this cycle's
          // state, or a stale operand from the compute phase would reappear next fold.
          next(i, j) = cur(i, j);
          next(i, j).acc = i == 0 ? Reg{} : cur(i - 1, j).acc;
          in_flight = in_flight || next(i, j).acc.valid;
        }
      }
      std::swap(cur_, next_);
    }
    for (const auto n : count_) {
      if (n != rows_) broken("a column drained the wrong number of results");
    }
    timing.cycles = cycle;
    return timing;
  }

 private:
  struct Pe {
    Reg x;    // input (a_bits), passed to the right
    Reg w;    // weight (w_bits), passed down
    Reg acc;  // the output being accumulated (int64); moves down when draining
  };
  [[nodiscard]] std::size_t cells() const { return static_cast<std::size_t>(rows_ * cols_); }
  [[nodiscard]] std::size_t idx(std::int64_t i, std::int64_t j) const {
    return static_cast<std::size_t>(i * cols_ + j);
  }
  Pe& cur(std::int64_t i, std::int64_t j) { return cur_[idx(i, j)]; }
  Pe& next(std::int64_t i, std::int64_t j) { return next_[idx(i, j)]; }

  std::int64_t rows_, cols_;
  std::vector<Pe> cur_, next_;
  std::vector<std::int64_t> count_;
};

void check_operands(GemmShape g, OperandBits bits, std::span<const std::int64_t> x,
                    std::span<const std::int64_t> w) {
  if (g.m < 1 || g.kr < 1 || g.nf < 1) throw Error("systolic_cycle: GEMM dims must be >= 1");
  for (const int b : {bits.w_bits, bits.a_bits}) {
    if (b < 1 || b > kMaxBits) {
      throw Error("systolic_cycle: bitwidth " + std::to_string(b) + " outside 1.." +
                  std::to_string(kMaxBits));
    }
  }
  // Sizes checked by division, which cannot overflow.
  const auto fits = [](std::size_t size, std::int64_t a, std::int64_t b) {
    const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
    return size % ub == 0 && size / ub == ua;
  };
  if (!fits(x.size(), g.m, g.kr)) throw Error("systolic_cycle: x must hold M × Kr values");
  if (!fits(w.size(), g.kr, g.nf)) throw Error("systolic_cycle: w must hold Kr × Nf values");
  const std::int64_t w_lo = -(std::int64_t{1} << (bits.w_bits - 1));
  const std::int64_t w_hi = (std::int64_t{1} << (bits.w_bits - 1)) - 1;
  const std::int64_t a_hi = (std::int64_t{1} << bits.a_bits) - 1;
  if (std::any_of(w.begin(), w.end(), [&](std::int64_t v) { return v < w_lo || v > w_hi; })) {
    throw Error("systolic_cycle: a weight is outside the signed " + std::to_string(bits.w_bits) +
                "-bit range");
  }
  if (std::any_of(x.begin(), x.end(), [&](std::int64_t v) { return v < 0 || v > a_hi; })) {
    throw Error("systolic_cycle: an activation is outside the unsigned " +
                std::to_string(bits.a_bits) + "-bit range");
  }
  // |partial sum| <= Kr · 2^(w_bits−1) · (2^a_bits − 1) must fit the int64 accumulator.
  const std::int64_t max_product =
      (std::int64_t{1} << (bits.w_bits - 1)) * std::max<std::int64_t>(a_hi, 1);
  if (g.kr > std::numeric_limits<std::int64_t>::max() / max_product) {
    throw Error("systolic_cycle: Kr too large for an int64 accumulator");
  }
}

}  // namespace

GemmOperands random_operands(GemmShape shape, OperandBits bits, std::uint64_t seed) {
  if (bits.w_bits < 1 || bits.w_bits > kMaxBits || bits.a_bits < 1 || bits.a_bits > kMaxBits) {
    throw Error("systolic_cycle: bitwidths must be within 1.." + std::to_string(kMaxBits));
  }
  // The top bits of a 64-bit draw are uniform over a power-of-two range: no modulo bias.
  std::mt19937_64 rng(seed);
  GemmOperands ops;
  ops.x.resize(static_cast<std::size_t>(shape.m * shape.kr));
  ops.w.resize(static_cast<std::size_t>(shape.kr * shape.nf));
  for (auto& v : ops.x) v = static_cast<std::int64_t>(rng() >> (64 - bits.a_bits));
  const std::int64_t w_offset = std::int64_t{1} << (bits.w_bits - 1);
  for (auto& v : ops.w) v = static_cast<std::int64_t>(rng() >> (64 - bits.w_bits)) - w_offset;
  return ops;
}

std::vector<std::int64_t> reference_product(GemmShape g, std::span<const std::int64_t> x,
                                            std::span<const std::int64_t> w) {
  std::vector<std::int64_t> y(static_cast<std::size_t>(g.m * g.nf), 0);
  for (std::int64_t i = 0; i < g.m; ++i) {
    for (std::int64_t j = 0; j < g.nf; ++j) {
      std::int64_t sum = 0;
      for (std::int64_t k = 0; k < g.kr; ++k) {
        sum +=
            x[static_cast<std::size_t>(i * g.kr + k)] * w[static_cast<std::size_t>(k * g.nf + j)];
      }
      y[static_cast<std::size_t>(i * g.nf + j)] = sum;
    }
  }
  return y;
}

CycleResult run_systolic(const arch::ArraySpec& array, GemmShape g, OperandBits bits,
                         std::span<const std::int64_t> x, std::span<const std::int64_t> w) {
  if (!array.systolic) throw Error("systolic_cycle: the array is not systolic");
  if (array.rows < 1 || array.cols < 1) throw Error("systolic_cycle: rows and cols must be >= 1");
  check_operands(g, bits, x, w);
  const std::int64_t rows = array.rows, cols = array.cols;
  const auto X = [&](std::int64_t i, std::int64_t k) {
    return x[static_cast<std::size_t>(i * g.kr + k)];
  };
  const auto W = [&](std::int64_t k, std::int64_t j) {
    return w[static_cast<std::size_t>(k * g.nf + j)];
  };

  CycleResult result;
  result.y.assign(static_cast<std::size_t>(g.m * g.nf), 0);
  // The host-side output buffer: adds each fold's partial sums into Y.
  const auto Y = [&](std::int64_t i, std::int64_t j) -> std::int64_t& {
    return result.y[static_cast<std::size_t>(i * g.nf + j)];
  };
  const auto account = [&](const FoldTiming& t) {
    ++result.folds;
    result.cycles += t.cycles;
    result.cycles_to_last_real_result += t.last_real_result;
  };
  std::vector<std::int64_t> held(static_cast<std::size_t>(rows * cols));
  std::vector<std::int64_t> streamed;

  switch (array.dataflow) {
    case arch::Dataflow::kWeightStationary: {
      // rows ← Kr, cols ← Nf; stationary W tile, X streamed (T = M), Y(t, j) out of column j.
      StationaryArray pe_array(rows, cols);
      streamed.resize(static_cast<std::size_t>(g.m * rows));
      for (std::int64_t n0 = 0; n0 < g.nf; n0 += cols) {
        const std::int64_t nc = std::min(cols, g.nf - n0);
        for (std::int64_t k0 = 0; k0 < g.kr; k0 += rows) {
          const std::int64_t kc = std::min(rows, g.kr - k0);
          for (std::int64_t i = 0; i < rows; ++i) {
            for (std::int64_t j = 0; j < cols; ++j) {
              held[static_cast<std::size_t>(i * cols + j)] =
                  i < kc && j < nc ? W(k0 + i, n0 + j) : 0;
            }
            for (std::int64_t s = 0; s < g.m; ++s) {
              streamed[static_cast<std::size_t>(s * rows + i)] = i < kc ? X(s, k0 + i) : 0;
            }
          }
          account(pe_array.run_fold(held, g.m, streamed,
                                    [&](std::int64_t s, std::int64_t j, std::int64_t v) {
                                      if (j >= nc) return false;
                                      Y(s, n0 + j) += v;
                                      return true;
                                    }));
        }
      }
      break;
    }
    case arch::Dataflow::kInputStationary: {
      // rows ← Kr, cols ← M; stationary Xᵀ tile, W columns streamed (T = Nf), Y(j, t) out
      // of column j.
      StationaryArray pe_array(rows, cols);
      streamed.resize(static_cast<std::size_t>(g.nf * rows));
      for (std::int64_t m0 = 0; m0 < g.m; m0 += cols) {
        const std::int64_t mc = std::min(cols, g.m - m0);
        for (std::int64_t k0 = 0; k0 < g.kr; k0 += rows) {
          const std::int64_t kc = std::min(rows, g.kr - k0);
          for (std::int64_t i = 0; i < rows; ++i) {
            for (std::int64_t j = 0; j < cols; ++j) {
              held[static_cast<std::size_t>(i * cols + j)] =
                  i < kc && j < mc ? X(m0 + j, k0 + i) : 0;
            }
            for (std::int64_t s = 0; s < g.nf; ++s) {
              streamed[static_cast<std::size_t>(s * rows + i)] = i < kc ? W(k0 + i, s) : 0;
            }
          }
          account(pe_array.run_fold(held, g.nf, streamed,
                                    [&](std::int64_t s, std::int64_t j, std::int64_t v) {
                                      if (j >= mc) return false;
                                      Y(m0 + j, s) += v;
                                      return true;
                                    }));
        }
      }
      break;
    }
    case arch::Dataflow::kOutputStationary: {
      // rows ← M, cols ← Nf; the whole reduction streams through (T = Kr), so there are no
      // reduction folds. Column j drains its rows bottom first: the k-th out is row rows−1−k.
      OutputStationaryArray pe_array(rows, cols);
      std::vector<std::int64_t> xt(static_cast<std::size_t>(rows * g.kr));
      std::vector<std::int64_t> wt(static_cast<std::size_t>(g.kr * cols));
      for (std::int64_t m0 = 0; m0 < g.m; m0 += rows) {
        const std::int64_t mc = std::min(rows, g.m - m0);
        for (std::int64_t n0 = 0; n0 < g.nf; n0 += cols) {
          const std::int64_t nc = std::min(cols, g.nf - n0);
          for (std::int64_t k = 0; k < g.kr; ++k) {
            for (std::int64_t i = 0; i < rows; ++i) {
              xt[static_cast<std::size_t>(i * g.kr + k)] = i < mc ? X(m0 + i, k) : 0;
            }
            for (std::int64_t j = 0; j < cols; ++j) {
              wt[static_cast<std::size_t>(k * cols + j)] = j < nc ? W(k, n0 + j) : 0;
            }
          }
          account(
              pe_array.run_fold(xt, g.kr, wt, [&](std::int64_t k, std::int64_t j, std::int64_t v) {
                const std::int64_t i = rows - 1 - k;
                if (i >= mc || j >= nc) return false;
                Y(m0 + i, n0 + j) += v;
                return true;
              }));
        }
      }
      break;
    }
  }
  return result;
}

costmodel::Mapping gemm_mapping(const arch::Accelerator& acc, GemmShape g, OperandBits bits) {
  // The cost model's own route from a layer to a Mapping, so that nothing here restates it.
  const workloads::Layer layer =
      workloads::load_network_string("layer: {op: gemm, m: " + std::to_string(g.m) + ", n: " +
                                     std::to_string(g.nf) + ", k: " + std::to_string(g.kr) + "}")
          .layer(0);
  costmodel::PeRate rate;
  rate.supported = true;  // a plain 1-MAC PE: spatial and temporal factors 1
  // The output precision (8) does not enter compute cycles.
  return costmodel::base_mapping(layer, acc, {bits.w_bits, bits.a_bits, 8}, rate);
}

}  // namespace mixq::sim
