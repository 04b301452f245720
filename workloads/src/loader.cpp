#include "mixq/workloads/loader.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>

#include "mixq/common/expr.hpp"
#include "mixq/common/paths.hpp"

namespace mixq::workloads {
namespace {

using Kind = InputError::Kind;
using expr::Variables;

// Dimensions beyond this are certainly mistakes, and keep every product of two of them far
// from int64 overflow (2^24 · 2^24 = 2^48).
constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;
constexpr std::int64_t kMaxRepeat = 4096;

struct Defaults {
  bool bias = false;
  bool bn = false;
  Activation act = Activation::kNone;
};

struct BlockDef {
  yaml::Node node;
  std::vector<std::pair<std::string, std::optional<yaml::Node>>> params;  // null: required
  std::vector<yaml::Node> layers;
};

// One copy of a block: its variables and where its input comes from.
struct Instance {
  std::string prefix;
  Variables params;
  // The producer of "@in": a full name, or (for an explicit `input:` on the block entry,
  // which may point forward) a reference resolved once every name is declared.
  std::string input_ref;
  std::optional<yaml::Node> input_raw;
};

struct Decl {
  std::string name;  // full name
  yaml::Node node;
  std::shared_ptr<Instance> scope;  // null at top level
  // What the layer reads: the text of each reference and where it stands. An implicit
  // reference (no input/inputs key) already holds a full name, or "@in".
  std::vector<std::pair<std::string, yaml::Node>> refs;
  bool implicit = false;
  enum class State { kNew, kVisiting, kDone } state = State::kNew;
  // Result: the tensor this name stands for (a layer index, or a pass-through target).
  std::size_t producer = kNetworkInput;
  TensorShape shape;
};

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_' || ch == '-' ||
           ch == '.';
  });
}

Activation parse_act(const yaml::Node& node) {
  const auto text = node.as<std::string>();
  if (text == "none") return Activation::kNone;
  if (text == "relu") return Activation::kRelu;
  if (text == "relu6") return Activation::kRelu6;
  node.fail(Kind::kValue, "unknown activation '" + text + "' (none, relu, relu6)");
}

// An integer field: a literal, "$name" or "${expression}".
std::int64_t eval_int(const yaml::Node& node, const Variables& vars, std::int64_t min,
                      std::int64_t max) {
  if (node.is_scalar()) {
    const std::string& text = node.raw().Scalar();
    if (!text.empty() && text[0] == '$') {
      std::string expr = text.substr(1);
      if (!expr.empty() && expr.front() == '{') {
        if (expr.back() != '}') node.fail(Kind::kValue, "missing '}' in '" + text + "'");
        expr = expr.substr(1, expr.size() - 2);
      }
      std::int64_t value = 0;
      try {
        value = expr::evaluate(expr, vars);
      } catch (const expr::ExprError& e) {
        node.fail(Kind::kValue, e.what());
      }
      if (value < min || value > max) {
        node.fail(Kind::kValue, "'" + text + "' evaluates to " + std::to_string(value) +
                                    ", outside [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "]");
      }
      return value;
    }
  }
  return node.as_int(min, max);
}

std::int64_t int_field(const yaml::Node& map, std::string_view key, const Variables& vars,
                       std::int64_t min, std::int64_t max, std::optional<std::int64_t> fallback) {
  auto child = map.find(key);
  if (!child) {
    if (!fallback) (void)map.at(key);  // throws the located "missing key" error
    return fallback.value_or(0);
  }
  return eval_int(*child, vars, min, max);
}

// `stride: 2` or `stride: [2, 1]`.
std::pair<std::int64_t, std::int64_t> pair_field(const yaml::Node& map, std::string_view key,
                                                 const Variables& vars, std::int64_t min,
                                                 std::int64_t fallback) {
  auto child = map.find(key);
  if (!child) return {fallback, fallback};
  if (child->is_seq()) {
    const auto items = child->elements();
    if (items.size() != 2) child->fail(Kind::kValue, "expected one integer or a pair [v, h]");
    return {eval_int(items[0], vars, min, kMaxDim), eval_int(items[1], vars, min, kMaxDim)};
  }
  const std::int64_t v = eval_int(*child, vars, min, kMaxDim);
  return {v, v};
}

std::int64_t out_size(const yaml::Node& node, std::int64_t in, std::int64_t pad,
                      std::int64_t dilation, std::int64_t kernel, std::int64_t stride,
                      const char* axis) {
  const std::int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) {
    node.fail(Kind::kValue, std::string("the kernel (") + std::to_string(kernel) +
                                ") does not fit the padded input " + axis + " (" +
                                std::to_string(in) + " + 2·" + std::to_string(pad) + ")");
  }
  return span / stride + 1;
}

class Loader {
 public:
  explicit Loader(const yaml::Node& root) : root_(root) {}

  Network load() {
    root_.require_map();
    if (root_.has("layer")) return load_single();
    root_.check_keys({"name", "source", "batch", "input", "defaults", "blocks", "layers", "outputs"});
    name_ = root_.get<std::string>("name");
    const std::int64_t batch = root_.get_int("batch", 1, kMaxDim, 1);
    const yaml::Node input = root_.at("input");
    input.check_keys({"channels", "height", "width"});
    input_shape_ = {input.get_int("channels", 1, kMaxDim), input.get_int("height", 1, kMaxDim),
                    input.get_int("width", 1, kMaxDim)};
    if (auto d = root_.find("defaults")) read_defaults(*d);
    if (auto b = root_.find("blocks")) read_blocks(*b);
    const yaml::Node layers = root_.at("layers");
    layers.require_seq();
    if (layers.elements().empty()) layers.fail(Kind::kValue, "a network needs at least one layer");

    std::string previous = "input";
    for (const auto& entry : layers.elements()) {
      entry.require_map();
      previous = entry.has("block") ? expand_block(entry, previous)
                                    : declare(entry, nullptr, previous, "");
    }
    for (std::size_t i = 0; i < decls_.size(); ++i) resolve(i);

    std::vector<std::size_t> outputs;
    if (auto out = root_.find("outputs")) {
      for (const auto& item : out->elements()) {
        const auto ref = lookup(item.as<std::string>(), nullptr, item);
        const Decl* decl = ref == "input" ? nullptr : &decls_[index_.at(ref)];
        if (decl == nullptr || decl->producer == kNetworkInput) {
          item.fail(Kind::kGraph, "an output must be a layer");
        }
        outputs.push_back(decl->producer);
      }
    } else {
      const Decl& last = decls_.back();
      if (last.producer == kNetworkInput) layers.fail(Kind::kGraph, "the network computes nothing");
      outputs.push_back(last.producer);
    }
    check_dangling(outputs);
    Network net(name_, input_shape_, batch, std::move(layers_), std::move(inputs_), outputs);
    if (auto src = root_.find("source")) net.set_source(src->as<std::string>());
    return net;
  }

 private:
  void read_defaults(const yaml::Node& node) {
    node.check_keys({"bias", "bn", "act"});
    defaults_.bias = node.get<bool>("bias", false);
    defaults_.bn = node.get<bool>("bn", false);
    if (auto act = node.find("act")) defaults_.act = parse_act(*act);
  }

  void read_blocks(const yaml::Node& node) {
    for (const auto& [block_name, def] : node.entries()) {
      def.check_keys({"params", "layers"});
      BlockDef block{def, {}, {}};
      if (auto params = def.find("params")) {
        for (const auto& [param, value] : params->entries()) {
          if (param == "cin" || param == "hin" || param == "win") {
            value.fail(Kind::kValue, "'" + param + "' is a built-in name and cannot be a param");
          }
          block.params.emplace_back(param, value.is_null() ? std::nullopt
                                                           : std::optional<yaml::Node>(value));
        }
      }
      block.layers = def.at("layers").elements();
      if (block.layers.empty()) def.at("layers").fail(Kind::kValue, "a block needs layers");
      for (const auto& layer : block.layers) {
        layer.require_map();
        if (layer.has("block")) layer.fail(Kind::kValue, "blocks cannot be nested");
      }
      blocks_.emplace(block_name, std::move(block));
    }
  }

  // Instantiates `repeat` copies of a block; returns the full name of the last layer.
  std::string expand_block(const yaml::Node& entry, std::string previous) {
    entry.check_keys({"block", "name", "repeat", "args", "first", "input"});
    const auto block_name = entry.get<std::string>("block");
    const auto it = blocks_.find(block_name);
    if (it == blocks_.end()) entry.at("block").fail(Kind::kValue, "no block named '" + block_name + "'");
    const BlockDef& block = it->second;
    const auto name = entry.get<std::string>("name");
    if (!valid_name(name)) entry.at("name").fail(Kind::kValue, "invalid name '" + name + "'");
    const std::int64_t repeat = entry.get_int("repeat", 1, kMaxRepeat, 1);
    std::optional<yaml::Node> explicit_input = entry.find("input");

    for (std::int64_t copy = 0; copy < repeat; ++copy) {
      auto inst = std::make_shared<Instance>();
      inst->prefix = repeat == 1 ? name : name + "." + std::to_string(copy);
      inst->input_ref = previous;
      if (copy == 0 && explicit_input) inst->input_raw = explicit_input;
      for (const auto& [param, fallback] : block.params) {
        std::optional<yaml::Node> value;
        if (copy == 0) {
          if (auto first = entry.find("first"); first && first->has(param)) value = first->at(param);
        }
        if (!value) {
          if (auto args = entry.find("args"); args && args->has(param)) value = args->at(param);
        }
        if (!value) value = fallback;
        if (!value) entry.fail(Kind::kMissingKey, "block '" + block_name + "' needs the argument '" + param + "'");
        inst->params[param] = eval_int(*value, {}, -kMaxDim, kMaxDim);
      }
      for (const char* key : {"args", "first"}) {
        if (auto given = entry.find(key)) {
          for (const auto& entry_kv : given->entries()) {
            const std::string& param = entry_kv.first;
            const bool known = std::any_of(block.params.begin(), block.params.end(),
                                           [&](const auto& p) { return p.first == param; });
            if (!known) {
              entry_kv.second.fail(Kind::kUnknownKey,
                                   "block '" + block_name + "' has no param '" + param + "'");
            }
          }
        }
      }
      std::string local_previous = "@in";
      for (const auto& layer : block.layers) {
        local_previous = declare(layer, inst, local_previous, inst->prefix + ".");
      }
      previous = local_previous;
    }
    // The stage's name stands for its last layer (each copy's name for its own last layer).
    aliases_[name] = previous;
    return previous;
  }

  // Full name that a reference means in a scope.
  std::string lookup(const std::string& ref, const std::shared_ptr<Instance>& scope,
                     const yaml::Node& where) {
    if (scope) {
      if (ref == "@in") return instance_input(*scope);
      if (index_.count(scope->prefix + "." + ref) != 0) return scope->prefix + "." + ref;
    }
    if (ref == "input") return "input";
    if (index_.count(ref) != 0) return ref;
    if (auto alias = aliases_.find(ref); alias != aliases_.end()) return alias->second;
    where.fail(Kind::kGraph, "dangling tensor: no layer named '" + ref + "'");
  }

  // Records one layer declaration; returns its full name.
  std::string declare(const yaml::Node& node, const std::shared_ptr<Instance>& scope,
                      const std::string& previous, const std::string& prefix) {
    const auto local = node.get<std::string>("name");
    if (!valid_name(local)) node.at("name").fail(Kind::kValue, "invalid layer name '" + local + "'");
    const std::string full = prefix + local;
    if (index_.count(full) != 0 || full == "input") {
      node.at("name").fail(Kind::kValue, "duplicate layer name '" + full + "'");
    }
    Decl decl{full, node, scope, {}, false, Decl::State::kNew, kNetworkInput, {}};
    // References are resolved after every declaration of the file is known, so that they
    // may point forward; until then keep their text.
    if (auto in = node.find("input")) {
      decl.refs.emplace_back(in->as<std::string>(), *in);
    } else if (auto ins = node.find("inputs")) {
      for (const auto& item : ins->elements()) decl.refs.emplace_back(item.as<std::string>(), item);
    } else {
      decl.refs.emplace_back(previous, node);
      decl.implicit = true;
    }
    index_.emplace(full, decls_.size());
    decls_.push_back(std::move(decl));
    if (scope) aliases_[scope->prefix] = full;
    return full;
  }

  std::string instance_input(const Instance& inst) {
    if (inst.input_raw) return lookup(inst.input_raw->as<std::string>(), nullptr, *inst.input_raw);
    return inst.input_ref;
  }

  // Resolves a declaration and, first, everything it reads (post-order), so that layers_
  // comes out in topological order. decls_ does not grow here, so references stay valid.
  const Decl& resolve(std::size_t id) {
    Decl& decl = decls_[id];
    if (decl.state == Decl::State::kDone) return decl;
    if (decl.state == Decl::State::kVisiting) {
      decl.node.fail(Kind::kGraph, "cycle: layer '" + decl.name + "' depends on its own output");
    }
    decl.state = Decl::State::kVisiting;

    std::vector<std::size_t> producers;
    std::vector<TensorShape> shapes;
    for (const auto& [ref, where] : decl.refs) {
      const std::string full = decl.implicit && ref != "@in" ? ref : lookup(ref, decl.scope, where);
      if (full == "input") {
        producers.push_back(kNetworkInput);
        shapes.push_back(input_shape_);
        continue;
      }
      const auto it = index_.find(full);
      if (it == index_.end()) where.fail(Kind::kGraph, "dangling tensor: no layer named '" + ref + "'");
      const Decl& src = resolve(it->second);
      producers.push_back(src.producer);
      shapes.push_back(src.shape);
    }

    Variables vars;
    if (decl.scope) {
      vars = decl.scope->params;
      const TensorShape in = scope_input_shape(*decl.scope);
      vars["cin"] = in.c;
      vars["hin"] = in.h;
      vars["win"] = in.w;
    }
    bool skipped = false;
    if (auto when = decl.node.find("when")) {
      std::int64_t value = 0;
      try {
        value = expr::evaluate(when->as<std::string>(), vars);
      } catch (const expr::ExprError& e) {
        when->fail(Kind::kValue, e.what());
      }
      skipped = value == 0;
    }
    if (skipped) {
      decl.producer = producers.front();
      decl.shape = shapes.front();
    } else {
      Layer layer = build(decl.node, decl.name, shapes, vars);
      decl.producer = layers_.size();
      decl.shape = layer.output_shape();
      layers_.push_back(std::move(layer));
      inputs_.push_back(producers);
    }
    decl.state = Decl::State::kDone;
    return decl;
  }

  TensorShape scope_input_shape(const Instance& inst) {
    const std::string ref = instance_input(inst);
    if (ref == "input") return input_shape_;
    return resolve(index_.at(ref)).shape;
  }

  Layer build(const yaml::Node& node, const std::string& name,
              const std::vector<TensorShape>& in, const Variables& vars,
              const std::vector<std::string>& extra_keys = {}) {
    const auto op_name = node.get<std::string>("op");
    OpKind op{};
    if (!parse_op(op_name, op)) {
      node.at("op").fail(Kind::kValue, "unknown op '" + op_name +
                                           "' (conv, dwconv, fc, gemm, maxpool, avgpool, add, concat)");
    }
    std::vector<std::string> keys{"name", "op", "when"};
    keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
    keys.emplace_back(op == OpKind::kAdd || op == OpKind::kConcat ? "inputs" : "input");
    Layer layer;
    layer.name = name;
    layer.op = op;
    const bool weighted = op == OpKind::kConv || op == OpKind::kDepthwiseConv ||
                          op == OpKind::kFullyConnected || op == OpKind::kGemm;
    if (weighted) {
      keys.insert(keys.end(), {"bias", "bn", "act"});
      layer.bias = node.get<bool>("bias", defaults_.bias);
      layer.bn = node.get<bool>("bn", defaults_.bn);
      layer.act = defaults_.act;
    }
    if (op == OpKind::kAdd) keys.emplace_back("act");
    if (auto act = node.find("act"); act && (weighted || op == OpKind::kAdd)) layer.act = parse_act(*act);
    const bool multi = op == OpKind::kAdd || op == OpKind::kConcat;
    if (!multi && in.size() != 1) node.fail(Kind::kGraph, "this op takes exactly one input");
    if (multi && in.size() < 2) node.fail(Kind::kGraph, "this op takes at least two inputs");
    const TensorShape x = in.front();
    layer.c = x.c;
    layer.h = x.h;
    layer.w = x.w;

    switch (op) {
      case OpKind::kConv:
      case OpKind::kDepthwiseConv: {
        keys.insert(keys.end(), {"r", "s", "stride", "pad", "dilation"});
        keys.emplace_back(op == OpKind::kConv ? "k" : "multiplier");
        if (op == OpKind::kConv) keys.emplace_back("groups");
        node.check_keys(keys);
        layer.r = int_field(node, "r", vars, 1, kMaxDim, std::nullopt);
        layer.s = int_field(node, "s", vars, 1, kMaxDim, layer.r);
        std::tie(layer.stride_h, layer.stride_w) = pair_field(node, "stride", vars, 1, 1);
        std::tie(layer.pad_h, layer.pad_w) = pair_field(node, "pad", vars, 0, 0);
        std::tie(layer.dilation_h, layer.dilation_w) = pair_field(node, "dilation", vars, 1, 1);
        if (op == OpKind::kConv) {
          layer.k = int_field(node, "k", vars, 1, kMaxDim, std::nullopt);
          layer.groups = int_field(node, "groups", vars, 1, kMaxDim, 1);
          if (layer.c % layer.groups != 0 || layer.k % layer.groups != 0) {
            node.fail(Kind::kValue, "groups (" + std::to_string(layer.groups) +
                                        ") must divide the input channels (" +
                                        std::to_string(layer.c) + ") and k (" +
                                        std::to_string(layer.k) + ")");
          }
        } else {
          layer.groups = layer.c;
          layer.k = layer.c * int_field(node, "multiplier", vars, 1, 1024, 1);
        }
        layer.p = out_size(node, layer.h, layer.pad_h, layer.dilation_h, layer.r, layer.stride_h, "height");
        layer.q = out_size(node, layer.w, layer.pad_w, layer.dilation_w, layer.s, layer.stride_w, "width");
        break;
      }
      case OpKind::kFullyConnected:
        keys.emplace_back("k");
        node.check_keys(keys);
        layer.k = int_field(node, "k", vars, 1, kMaxDim, std::nullopt);
        layer.c = x.elements();
        if (layer.c > kMaxDim) node.fail(Kind::kValue, "the flattened input is too large");
        layer.h = layer.w = 1;
        break;
      case OpKind::kGemm: {
        keys.insert(keys.end(), {"m", "n", "k"});
        node.check_keys(keys);
        layer.k = int_field(node, "n", vars, 1, kMaxDim, std::nullopt);
        const std::int64_t rows = x.h * x.w;
        if (rows > kMaxDim) node.fail(Kind::kValue, "too many rows");
        const std::int64_t m = int_field(node, "m", vars, 1, kMaxDim, rows);
        const std::int64_t kk = int_field(node, "k", vars, 1, kMaxDim, x.c);
        if (m != rows || kk != x.c) {
          node.fail(Kind::kGraph, "gemm m×k = " + std::to_string(m) + "×" + std::to_string(kk) +
                                      " does not match its input (" + std::to_string(rows) +
                                      " rows of " + std::to_string(x.c) + " features)");
        }
        layer.c = kk;
        layer.h = layer.p = m;
        layer.w = layer.q = 1;
        break;
      }
      case OpKind::kMaxPool:
      case OpKind::kAvgPool: {
        keys.insert(keys.end(), {"r", "s", "stride", "pad", "global"});
        node.check_keys(keys);
        layer.k = x.c;
        if (node.get<bool>("global", false)) {
          for (const char* key : {"r", "s", "stride", "pad"}) {
            if (node.has(key)) node.at(key).fail(Kind::kValue, "a global pool takes no window keys");
          }
          layer.r = x.h;
          layer.s = x.w;
          layer.stride_h = x.h;
          layer.stride_w = x.w;
        } else {
          layer.r = int_field(node, "r", vars, 1, kMaxDim, std::nullopt);
          layer.s = int_field(node, "s", vars, 1, kMaxDim, layer.r);
          auto stride = pair_field(node, "stride", vars, 1, layer.r);
          if (!node.has("stride")) stride = {layer.r, layer.s};
          std::tie(layer.stride_h, layer.stride_w) = stride;
          std::tie(layer.pad_h, layer.pad_w) = pair_field(node, "pad", vars, 0, 0);
        }
        layer.p = out_size(node, layer.h, layer.pad_h, 1, layer.r, layer.stride_h, "height");
        layer.q = out_size(node, layer.w, layer.pad_w, 1, layer.s, layer.stride_w, "width");
        break;
      }
      case OpKind::kAdd:
        node.check_keys(keys);
        for (const auto& other : in) {
          if (!(other == x)) node.fail(Kind::kGraph, "add needs inputs of equal shape");
        }
        layer.k = x.c;
        layer.p = x.h;
        layer.q = x.w;
        break;
      case OpKind::kConcat: {
        node.check_keys(keys);
        std::int64_t channels = 0;
        for (const auto& other : in) {
          if (other.h != x.h || other.w != x.w) {
            node.fail(Kind::kGraph, "concat needs inputs of equal height and width");
          }
          channels += other.c;
        }
        layer.c = layer.k = channels;
        layer.p = x.h;
        layer.q = x.w;
        break;
      }
    }
    check_size(node, layer);
    return layer;
  }

  // Counts derived from a layer (MACs, weights, tensor sizes) must stay far from int64
  // overflow, so that totals over whole networks stay exact.
  static void check_size(const yaml::Node& node, const Layer& layer) {
    constexpr std::int64_t kLimit = std::int64_t{1} << 56;
    std::int64_t macs = layer.n;
    for (const std::int64_t d : {layer.k, layer.c / layer.groups, layer.r, layer.s, layer.p, layer.q}) {
      if (__builtin_mul_overflow(macs, d, &macs) || macs > kLimit) {
        node.fail(Kind::kValue, "layer '" + layer.name + "' is too large: its MAC count exceeds 2^56");
      }
    }
    std::int64_t elements = layer.n;
    for (const std::int64_t d : {std::max(layer.c, layer.k), layer.h, layer.w}) {
      if (__builtin_mul_overflow(elements, d, &elements) || elements > kLimit) {
        node.fail(Kind::kValue, "layer '" + layer.name + "' is too large: its tensors exceed 2^56 values");
      }
    }
  }

  void check_dangling(const std::vector<std::size_t>& outputs) {
    std::vector<bool> read(layers_.size(), false);
    for (const auto& list : inputs_) {
      for (const auto producer : list) {
        if (producer != kNetworkInput) read[producer] = true;
      }
    }
    for (const auto out : outputs) read[out] = true;
    for (const auto& decl : decls_) {
      if (decl.producer != kNetworkInput && !read[decl.producer] &&
          layers_[decl.producer].name == decl.name) {
        decl.node.fail(Kind::kGraph, "dangling tensor: the output of layer '" + decl.name +
                                         "' is never read and is not in 'outputs'");
      }
    }
  }

  Network load_single() {
    root_.check_keys({"layer"});
    const yaml::Node node = root_.at("layer");
    node.require_map();
    const auto op_name = node.get<std::string>("op");
    OpKind op{};
    if (!parse_op(op_name, op)) node.at("op").fail(Kind::kValue, "unknown op '" + op_name + "'");
    if (op == OpKind::kAdd || op == OpKind::kConcat) {
      node.at("op").fail(Kind::kValue, "a single-layer file cannot hold '" + op_name + "'");
    }
    // For a gemm `n` is the GEMM's N (output features), not the batch.
    const bool gemm = op == OpKind::kGemm;
    const std::int64_t batch = gemm ? 1 : node.get_int("n", 1, kMaxDim, 1);
    // The single-layer keys are read here; build() accepts them besides the layer's own.
    const std::vector<std::string> shape_keys =
        gemm ? std::vector<std::string>{} : std::vector<std::string>{"n", "c", "h", "w", "p", "q"};
    const Variables none;
    TensorShape shape;
    if (op == OpKind::kGemm) {
      for (const char* key : {"c", "h", "w", "p", "q"}) {
        if (node.has(key)) node.at(key).fail(Kind::kUnknownKey, "a gemm layer takes m, n, k");
      }
      shape = {node.get_int("k", 1, kMaxDim), node.get_int("m", 1, kMaxDim), 1};
    } else {
      shape.c = node.get_int("c", 1, kMaxDim);
      const bool spatial = op != OpKind::kFullyConnected;
      shape.h = spatial ? input_extent(node, "h", "p", "r", 0, none) : 1;
      shape.w = spatial ? input_extent(node, "w", "q", "s", 1, none) : 1;
      if (!spatial) {
        for (const char* key : {"h", "w", "p", "q"}) {
          if (node.has(key)) node.at(key).fail(Kind::kUnknownKey, "an fc layer takes c and k only");
        }
      }
    }
    name_ = node.get<std::string>("name", "layer");
    input_shape_ = shape;
    Layer layer = build(node, name_, {shape}, none, shape_keys);
    layer.n = batch;
    layers_.push_back(layer);
    inputs_.push_back({kNetworkInput});
    return Network(name_, shape, batch, std::move(layers_), std::move(inputs_), {0});
  }

  // Input height (or width) given directly, or derived from the output size.
  std::int64_t input_extent(const yaml::Node& node, const char* in_key, const char* out_key,
                            const char* kernel_key, int axis, const Variables& vars) {
    if (node.has(in_key) && node.has(out_key)) {
      node.at(out_key).fail(Kind::kValue, std::string("give either ") + in_key + " or " + out_key);
    }
    if (node.has(in_key)) return node.get_int(in_key, 1, kMaxDim);
    if (!node.has(out_key)) (void)node.at(in_key);
    const std::int64_t out = node.get_int(out_key, 1, kMaxDim);
    const auto pick = [axis](std::pair<std::int64_t, std::int64_t> v) { return axis == 0 ? v.first : v.second; };
    std::int64_t kernel = 1;
    if (node.has("r")) kernel = int_field(node, "r", vars, 1, kMaxDim, 1);
    if (axis == 1 && node.has(kernel_key)) kernel = int_field(node, kernel_key, vars, 1, kMaxDim, 1);
    const std::int64_t stride = pick(pair_field(node, "stride", vars, 1, 1));
    const std::int64_t pad = pick(pair_field(node, "pad", vars, 0, 0));
    const std::int64_t dilation = pick(pair_field(node, "dilation", vars, 1, 1));
    const std::int64_t in = (out - 1) * stride - 2 * pad + dilation * (kernel - 1) + 1;
    if (in < 1) node.at(out_key).fail(Kind::kValue, "this output size needs a non-positive input size");
    return in;
  }

  const yaml::Node& root_;
  std::string name_;
  TensorShape input_shape_;
  Defaults defaults_;
  std::unordered_map<std::string, BlockDef> blocks_;
  std::vector<Decl> decls_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_map<std::string, std::string> aliases_;
  std::vector<Layer> layers_;
  std::vector<std::vector<std::size_t>> inputs_;
};

}  // namespace

Network parse_network(const yaml::Node& root) { return Loader(root).load(); }

Network load_network(const std::filesystem::path& file) {
  return parse_network(yaml::load_file(file));
}

Network load_network_string(const std::string& yaml_text, const std::string& name) {
  return parse_network(yaml::load_string(yaml_text, name));
}

Network load_workload(const std::string& name_or_file) {
  return load_network(resolve_preset("workloads", name_or_file));
}

}  // namespace mixq::workloads
