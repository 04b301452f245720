#include "mixq/costmodel/soc_cost.hpp"

#include <algorithm>
#include <cmath>

#include "mixq/common/expr.hpp"
#include "mixq/workloads/metrics.hpp"

namespace mixq::costmodel {
namespace {

using arch::EngineKind;
using workloads::Granularity;
using workloads::Layer;

bool is_depthwise(const Layer& l) { return l.groups == l.c && l.groups == l.k && l.groups > 1; }

// Output channels a placement splits: K (for depthwise, K = C = groups).
std::int64_t placeable_channels(const Layer& l) { return l.k; }

expr::Variables layer_variables(const Layer& l) {
  return {{"N", l.n},  {"K", l.k},  {"C", l.c},  {"R", l.r},       {"S", l.s},        {"P", l.p},
          {"Q", l.q},  {"H", l.h},  {"W", l.w},  {"G", l.groups}, {"SH", l.stride_h}, {"SW", l.stride_w}};
}

// Cycles of an engine's clock at the SoC's clock.
std::int64_t to_soc_cycles(double engine_cycles, double engine_hz, double soc_hz) {
  return static_cast<std::int64_t>(std::ceil(engine_cycles * soc_hz / engine_hz - 1e-9));
}

// The widest precision among channels [first, first + count) of layer i's assignment: a part
// of a layer runs at one datapath width.
Precision part_bits(const workloads::LayerPrecision& lp, std::int64_t first, std::int64_t count,
                    int out_bits) {
  Precision b{0, 0, out_bits};
  if (lp.granularity == Granularity::kWeight) {
    return {lp.max_w_bits(), lp.max_a_bits(), out_bits};
  }
  std::int64_t begin = 0;
  for (const auto& g : lp.groups) {
    const std::int64_t end = begin + g.count;
    if (end > first && begin < first + count) {
      b.w_bits = std::max(b.w_bits, g.w_bits);
      b.a_bits = std::max(b.a_bits, g.a_bits);
    }
    begin = end;
  }
  return b;
}

}  // namespace

const char* to_string(Schedule s) noexcept {
  return s == Schedule::kSequential ? "sequential" : "pipelined";
}

bool parse_schedule(const std::string& text, Schedule& out) noexcept {
  if (text == "sequential") {
    out = Schedule::kSequential;
  } else if (text == "pipelined") {
    out = Schedule::kPipelined;
  } else {
    return false;
  }
  return true;
}

SocModel::SocModel(arch::Soc soc, Objective objective) : soc_(std::move(soc)) {
  for (const auto& e : soc_.engines) {
    array_models_.push_back(e.kind == EngineKind::kArray ? std::make_unique<CostModel>(*e.array, objective)
                                                         : nullptr);
  }
}

SocModel::~SocModel() = default;
SocModel::SocModel(SocModel&&) noexcept = default;
SocModel& SocModel::operator=(SocModel&&) noexcept = default;

EnginePrice SocModel::price(const Layer& layer, const Precision& bits, int engine,
                            std::int64_t channels) const {
  EnginePrice p;
  if (engine < 0 || static_cast<std::size_t>(engine) >= soc_.engines.size()) {
    p.reason = "no engine #" + std::to_string(engine);
    return p;
  }
  const arch::SocEngine& e = soc_.engines[static_cast<std::size_t>(engine)];
  const std::string op(workloads::to_string(layer.op));
  if (std::find(e.ops.begin(), e.ops.end(), op) == e.ops.end()) {
    p.reason = "engine '" + e.name + "' does not run " + op + " layers";
    return p;
  }
  if (channels < 1 || channels > placeable_channels(layer)) {
    p.reason = "a part must have 1 to " + std::to_string(placeable_channels(layer)) + " channels";
    return p;
  }
  const Layer sub = channel_slice(layer, channels);
  const expr::Variables vars = layer_variables(sub);
  try {
    if (!e.when.empty() && expr::evaluate(e.when, vars) == 0) {
      p.reason = "engine '" + e.name + "' runs only layers where " + e.when;
      return p;
    }
  } catch (const expr::ExprError& err) {
    p.reason = "engine '" + e.name + "': " + err.what();
    return p;
  }
  const double soc_hz = soc_.frequency_hz;
  if (e.kind == EngineKind::kArray) {
    const MapResult m = array_models_[static_cast<std::size_t>(engine)]->map(sub, bits);
    if (!m.feasible) {
      p.reason = "engine '" + e.name + "': " + m.reason;
      return p;
    }
    p.feasible = true;
    p.cycles = to_soc_cycles(static_cast<double>(m.cost.cycles), e.frequency_hz, soc_hz);
    p.energy_pj = m.cost.energy_pj;
    p.mode_w_bits = bits.w_bits;
    p.mode_a_bits = bits.a_bits;
    return p;
  }
  // The narrowest mode that holds both operands (modes are sorted narrowest first).
  const auto mode = std::find_if(e.modes.begin(), e.modes.end(), [&](const arch::PrecisionMode& m) {
    return bits.w_bits <= m.w_bits && bits.a_bits <= m.a_bits;
  });
  if (mode == e.modes.end()) {
    std::string modes;
    for (const auto& m : e.modes) modes += (modes.empty() ? "" : ", ") + workloads::to_string(workloads::Bits{m.w_bits, m.a_bits});
    p.reason = "engine '" + e.name + "' runs " + modes + " at most; the layer needs " +
               workloads::to_string(workloads::Bits{bits.w_bits, bits.a_bits});
    return p;
  }
  double engine_cycles = 0;
  if (e.kind == EngineKind::kFormula) {
    const auto it = e.cycles.contains(op) ? e.cycles.find(op) : e.cycles.find("default");
    try {
      // Published per-core models are per sample.
      engine_cycles = static_cast<double>(expr::evaluate(it->second, vars)) * static_cast<double>(sub.n);
    } catch (const expr::ExprError& err) {
      p.reason = "engine '" + e.name + "': " + err.what();
      return p;
    }
    if (engine_cycles <= 0) {
      p.reason = "engine '" + e.name + "': its latency model gives " +
                 std::to_string(static_cast<std::int64_t>(engine_cycles)) + " cycles";
      return p;
    }
  } else {
    const double rate = mode->macs_per_cycle * static_cast<double>(e.cores);
    engine_cycles = std::ceil(static_cast<double>(sub.macs()) / rate - 1e-9) +
                    static_cast<double>(e.overhead_cycles);
  }
  p.feasible = true;
  p.cycles = to_soc_cycles(engine_cycles, e.frequency_hz, soc_hz);
  // mW × s = mJ; × 1e9 → pJ.
  p.energy_pj = e.active_power_mw * engine_cycles / e.frequency_hz * 1e9;
  p.mode_w_bits = mode->w_bits;
  p.mode_a_bits = mode->a_bits;
  return p;
}

namespace {

struct Context {
  const SocModel& model;
  const workloads::Network& net;
  const workloads::PrecisionAssignment& a;
  std::vector<int> out_bits;
  int in_bits = 8;
  bool weights_from_dram = false;
};

Context make_context(const SocModel& model, const workloads::Network& net,
                     const workloads::PrecisionAssignment& a) {
  a.validate(net);
  Context ctx{model, net, a, workloads::output_tensor_bits(net, a), workloads::input_tensor_bits(net, a), false};
  // Weights of engines that do not keep them come from L2 when all of them fit there, else
  // from DRAM through L2.
  double weight_bits = 0;
  for (std::size_t i = 0; i < net.size(); ++i) {
    weight_bits += static_cast<double>(net.layer(i).weight_count()) * a[i].max_w_bits();
  }
  ctx.weights_from_dram = weight_bits > static_cast<double>(model.soc().l2.size_bits);
  return ctx;
}

// One layer under a list of parts (empty for layers without weights): what each part loads
// and stores is listed, and the layer's bus, DRAM and L2 totals are summed from those lists.
SocLayerCost layer_cost(const Context& ctx, std::size_t i, const std::vector<PlacementPart>& parts) {
  const arch::Soc& soc = ctx.model.soc();
  const Layer& layer = ctx.net.layer(i);
  SocLayerCost lc;
  lc.name = layer.name;
  const std::vector<double> inputs = workloads::read_tensor_bits(ctx.net, i, ctx.out_bits, ctx.in_bits);
  const double output = workloads::written_tensor_bits(ctx.net, i, ctx.out_bits);
  const double l2_bits = static_cast<double>(soc.l2.size_bits);
  // Each tensor crosses DRAM when it does not fit in L2 (judged on the whole input tensor,
  // on the stored share of the output).
  const auto tensor = [&](double bits, double whole) { return Transfer{bits, whole > l2_bits}; };
  if (parts.empty()) {
    // Pooling, add and concat: the DMA moves their inputs and output through L2.
    for (const double b : inputs) lc.dma_loads.push_back(tensor(b, b));
    lc.dma_stores.push_back(tensor(output, output));
  } else {
    const std::int64_t channels = placeable_channels(layer);
    std::int64_t first = 0;
    for (const auto& part : parts) {
      SocPartCost pc;
      pc.engine = part.engine;
      pc.channels = part.channels;
      const Precision bits = part_bits(ctx.a[i], first, part.channels, ctx.out_bits[i]);
      pc.w_bits = bits.w_bits;
      pc.a_bits = bits.a_bits;
      pc.price = ctx.model.price(layer, bits, part.engine, part.channels);
      if (!pc.price.feasible) throw InfeasibleError(layer.name, pc.price.reason);
      lc.compute_cycles = std::max(lc.compute_cycles, pc.price.cycles);
      lc.compute_energy_pj += pc.price.energy_pj;
      // Each part reads the whole input (its channels only, for depthwise) and writes its
      // channels of the output.
      const double share = static_cast<double>(part.channels) / static_cast<double>(channels);
      for (const double b : inputs) pc.loads.push_back(tensor(is_depthwise(layer) ? b * share : b, b));
      const auto& engine = soc.engines[static_cast<std::size_t>(part.engine)];
      if (!engine.weights_resident) {
        pc.loads.push_back({static_cast<double>(channel_slice(layer, part.channels).weight_count()) * bits.w_bits,
                            ctx.weights_from_dram});
      }
      pc.stores.push_back(tensor(output * share, output * share));
      lc.parts.push_back(std::move(pc));
      first += part.channels;
    }
  }
  double bus_bits = 0, dram_bits = 0, transfers = 0, l2_read = 0, l2_write = 0;
  const auto add = [&](const std::vector<Transfer>& list, double& l2) {
    for (const Transfer& t : list) {
      bus_bits += t.bits;
      l2 += t.bits;
      transfers += 1;
      if (t.via_dram) dram_bits += t.bits;
    }
  };
  add(lc.dma_loads, l2_read);
  add(lc.dma_stores, l2_write);
  for (const auto& pc : lc.parts) {
    add(pc.loads, l2_read);
    add(pc.stores, l2_write);
  }
  lc.bus_bits = static_cast<std::int64_t>(bus_bits);
  lc.dram_bits = static_cast<std::int64_t>(dram_bits);
  lc.transfer_cycles = static_cast<std::int64_t>(
      std::ceil(transfers * static_cast<double>(soc.bus.dma_setup_cycles) + bus_bits / soc.bus.bits_per_cycle +
                dram_bits / soc.dram.bits_per_cycle - 1e-9));
  lc.cycles = lc.compute_cycles + lc.transfer_cycles;
  lc.transfer_energy_pj = l2_read * soc.l2.read_energy_pj_per_bit + l2_write * soc.l2.write_energy_pj_per_bit +
                          dram_bits * soc.dram.energy_pj_per_bit;
  lc.energy_pj = lc.compute_energy_pj + lc.transfer_energy_pj;
  return lc;
}

void check_shape(const workloads::Network& net, const Placement& placement, const arch::Soc& soc) {
  if (placement.layers.size() != net.size()) {
    throw Error("placement has " + std::to_string(placement.layers.size()) + " layers, network '" +
                net.name() + "' has " + std::to_string(net.size()));
  }
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    const auto& parts = placement.layers[i];
    if (!layer.has_weights()) {
      if (!parts.empty()) throw InfeasibleError(layer.name, "a layer without weights is not placed");
      continue;
    }
    if (parts.empty()) throw InfeasibleError(layer.name, "no engine is given for it");
    std::int64_t sum = 0;
    for (const auto& p : parts) {
      if (p.engine < 0 || static_cast<std::size_t>(p.engine) >= soc.engines.size()) {
        throw InfeasibleError(layer.name, "no engine #" + std::to_string(p.engine));
      }
      sum += p.channels;
    }
    if (sum != placeable_channels(layer)) {
      throw InfeasibleError(layer.name, "its parts have " + std::to_string(sum) + " channels, the layer " +
                                            std::to_string(placeable_channels(layer)));
    }
  }
}

SocCost total(const Context& ctx, std::vector<SocLayerCost> layers, const std::vector<std::vector<PlacementPart>>& parts,
              Schedule schedule) {
  const arch::Soc& soc = ctx.model.soc();
  SocCost c;
  c.schedule = schedule;
  c.engine_busy_cycles.assign(soc.engines.size(), 0);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& lc = layers[i];
    c.latency_cycles += lc.cycles;
    c.energy_pj += lc.energy_pj;
    c.bus_busy_cycles += lc.transfer_cycles;
    for (std::size_t p = 0; p < lc.parts.size(); ++p) {
      c.engine_busy_cycles[static_cast<std::size_t>(parts[i][p].engine)] += lc.parts[p].price.cycles;
    }
  }
  c.period_cycles = c.latency_cycles;
  if (schedule == Schedule::kPipelined) {
    c.period_cycles = c.bus_busy_cycles;
    for (const auto busy : c.engine_busy_cycles) c.period_cycles = std::max(c.period_cycles, busy);
  }
  c.latency_s = static_cast<double>(c.latency_cycles) / soc.frequency_hz;
  c.throughput_per_s = c.period_cycles > 0 ? soc.frequency_hz / static_cast<double>(c.period_cycles) : 0;
  c.layers = std::move(layers);
  return c;
}

}  // namespace

Check SocModel::check(const workloads::Network& net, const workloads::PrecisionAssignment& a,
                      const Placement& placement) const {
  try {
    check_shape(net, placement, soc_);
    const Context ctx = make_context(*this, net, a);
    for (std::size_t i = 0; i < net.size(); ++i) (void)layer_cost(ctx, i, placement.layers[i]);
  } catch (const InfeasibleError& e) {
    return {false, e.layer(), e.reason()};
  }
  return {};
}

SocCost SocModel::evaluate(const workloads::Network& net, const workloads::PrecisionAssignment& a,
                           const Placement& placement, Schedule schedule) const {
  check_shape(net, placement, soc_);
  const Context ctx = make_context(*this, net, a);
  std::vector<SocLayerCost> layers;
  layers.reserve(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) layers.push_back(layer_cost(ctx, i, placement.layers[i]));
  return total(ctx, std::move(layers), placement.layers, schedule);
}

Placement uniform_placement(const workloads::Network& net, int engine) {
  Placement p;
  p.layers.resize(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (net.layer(i).has_weights()) p.layers[i] = {{engine, placeable_channels(net.layer(i))}};
  }
  return p;
}

PlacementResult search_placement(const SocModel& model, const workloads::Network& net,
                                 const workloads::PrecisionAssignment& a, const PlacementSearch& options) {
  const Context ctx = make_context(model, net, a);
  const int engines = static_cast<int>(model.soc().engines.size());
  PlacementResult result;
  result.placement.layers.resize(net.size());

  // Per weighted layer, its options: each feasible engine whole, then two-engine splits.
  struct Option {
    std::vector<PlacementPart> parts;
    SocLayerCost cost;
  };
  std::vector<std::vector<Option>> options_of(net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    const Layer& layer = net.layer(i);
    if (!layer.has_weights()) continue;
    const std::int64_t k = placeable_channels(layer);
    std::string reasons;
    const auto consider = [&](std::vector<PlacementPart> parts) {
      ++result.evaluated;
      try {
        options_of[i].push_back({parts, layer_cost(ctx, i, parts)});
      } catch (const InfeasibleError& e) {
        if (parts.size() == 1) reasons += (reasons.empty() ? "" : "; ") + e.reason();
      }
    };
    for (int e = 0; e < engines; ++e) consider({{e, k}});
    if (options_of[i].empty()) throw InfeasibleError(layer.name, "no engine can run it: " + reasons);
    if (options.allow_split && options.schedule == Schedule::kSequential) {
      std::vector<int> feasible;
      for (const auto& o : options_of[i]) feasible.push_back(o.parts.front().engine);
      for (std::size_t x = 0; x < feasible.size(); ++x) {
        for (std::size_t y = x + 1; y < feasible.size(); ++y) {
          for (std::int64_t c = options.split_step; c < k; c += options.split_step) {
            consider({{feasible[x], c}, {feasible[y], k - c}});
          }
        }
      }
    }
  }

  const auto better = [](const SocLayerCost& x, const SocLayerCost& y) {
    return x.cycles != y.cycles ? x.cycles < y.cycles : x.energy_pj < y.energy_pj;
  };
  // Combinations for an exhaustive search (whole layers only).
  double combinations = 1;
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (!options_of[i].empty()) {
      std::size_t whole = 0;
      for (const auto& o : options_of[i]) whole += o.parts.size() == 1 ? 1 : 0;
      combinations *= static_cast<double>(whole);
    }
  }
  std::vector<std::int64_t> busy(static_cast<std::size_t>(engines), 0);
  std::int64_t bus = 0;
  const auto bottleneck = [&](const Option& o) {
    std::int64_t worst = bus + o.cost.transfer_cycles;
    for (int e = 0; e < engines; ++e) {
      std::int64_t b = busy[static_cast<std::size_t>(e)];
      for (std::size_t p = 0; p < o.parts.size(); ++p) {
        if (o.parts[p].engine == e) b += o.cost.parts[p].price.cycles;
      }
      worst = std::max(worst, b);
    }
    return worst;
  };
  if (options.schedule == Schedule::kPipelined && combinations <= static_cast<double>(options.max_exhaustive)) {
    // Odometer over the whole-layer options of every weighted layer.
    result.exhaustive = true;
    std::vector<std::size_t> weighted;
    for (std::size_t i = 0; i < net.size(); ++i) {
      if (!options_of[i].empty()) weighted.push_back(i);
    }
    std::vector<std::size_t> pick(weighted.size(), 0);
    std::int64_t best_period = -1;
    double best_energy = 0;
    std::vector<std::size_t> best_pick;
    while (true) {
      std::fill(busy.begin(), busy.end(), 0);
      bus = 0;
      double energy = 0;
      for (std::size_t w = 0; w < weighted.size(); ++w) {
        const Option& o = options_of[weighted[w]][pick[w]];
        busy[static_cast<std::size_t>(o.parts.front().engine)] += o.cost.compute_cycles;
        bus += o.cost.transfer_cycles;
        energy += o.cost.energy_pj;
      }
      std::int64_t period = bus;
      for (const auto b : busy) period = std::max(period, b);
      ++result.evaluated;
      if (best_period < 0 || period < best_period || (period == best_period && energy < best_energy)) {
        best_period = period;
        best_energy = energy;
        best_pick = pick;
      }
      std::size_t w = 0;
      for (; w < weighted.size(); ++w) {
        if (++pick[w] < options_of[weighted[w]].size()) break;
        pick[w] = 0;
      }
      if (w == weighted.size()) break;
    }
    for (std::size_t w = 0; w < weighted.size(); ++w) {
      result.placement.layers[weighted[w]] = options_of[weighted[w]][best_pick[w]].parts;
    }
  } else {
    for (std::size_t i = 0; i < net.size(); ++i) {
      if (options_of[i].empty()) continue;
      const Option* best = &options_of[i].front();
      for (const auto& o : options_of[i]) {
        if (options.schedule == Schedule::kSequential) {
          if (better(o.cost, best->cost)) best = &o;
        } else {
          const auto bo = bottleneck(o), bb = bottleneck(*best);
          if (bo < bb || (bo == bb && better(o.cost, best->cost))) best = &o;
        }
      }
      result.placement.layers[i] = best->parts;
      for (std::size_t p = 0; p < best->parts.size(); ++p) {
        busy[static_cast<std::size_t>(best->parts[p].engine)] += best->cost.parts[p].price.cycles;
      }
      bus += best->cost.transfer_cycles;
    }
  }
  result.cost = model.evaluate(net, a, result.placement, options.schedule);
  return result;
}

}  // namespace mixq::costmodel
