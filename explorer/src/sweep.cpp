#include "mixq/explorer/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "mixq/explorer/strategy.hpp"
#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/precision.hpp"

namespace mixq::explorer {
namespace {

using Kind = InputError::Kind;

// A YAML value as the text an override string carries (flow style for lists and maps).
std::string value_text(const yaml::Node& n) {
  if (n.is_scalar()) return n.raw().Scalar();
  YAML::Emitter e;
  e.SetSeqFormat(YAML::Flow);
  e.SetMapFormat(YAML::Flow);
  e << n.raw();
  return e.c_str();
}

std::vector<int> parse_bits_list(const yaml::Node& n) {
  std::vector<int> bits;
  if (n.is_scalar()) {
    bits.push_back(static_cast<int>(n.as_int(workloads::kMinBits, workloads::kMaxBits)));
  } else {
    for (const auto& e : n.elements()) {
      bits.push_back(static_cast<int>(e.as_int(workloads::kMinBits, workloads::kMaxBits)));
    }
  }
  if (bits.empty()) n.fail(Kind::kValue, "empty list of bits: give at least one bitwidth");
  std::sort(bits.begin(), bits.end());
  if (std::adjacent_find(bits.begin(), bits.end()) != bits.end()) {
    n.fail(Kind::kValue, "a bitwidth appears twice");
  }
  if (bits.size() > 16) n.fail(Kind::kValue, "at most 16 bitwidths per operand");
  return bits;
}

HardwareSpec parse_hardware(const yaml::Node& n) {
  HardwareSpec hw;
  hw.where = n.where();
  if (n.is_scalar()) {
    hw.arch = n.as<std::string>();
    return hw;
  }
  n.check_keys({"arch", "set", "vary"});
  hw.arch = n.get<std::string>("arch");
  if (auto set = n.find("set")) {
    for (const auto& [key, value] : set->entries()) {
      hw.set.push_back(key + "=" + value_text(value));
    }
  }
  if (auto vary = n.find("vary")) {
    for (const auto& [key, values] : vary->entries()) {
      std::vector<std::string> texts;
      for (const auto& v : values.elements()) texts.push_back(value_text(v));
      if (texts.empty()) values.fail(Kind::kValue, "empty range: give at least one value to vary '" + key + "' over");
      std::set<std::string> unique(texts.begin(), texts.end());
      if (unique.size() != texts.size()) values.fail(Kind::kValue, "a value appears twice");
      hw.vary.emplace_back(key, std::move(texts));
    }
  }
  return hw;
}

PrecisionSpec parse_precision(const yaml::Node& n) {
  PrecisionSpec p;
  n.check_keys({"granularity", "channel_group", "w_bits", "a_bits", "first_last", "layers"});
  if (auto g = n.find("granularity")) {
    const auto text = g->as<std::string>();
    p.granularity_where = g->where();
    if (text == "channel") {
      p.granularity = workloads::Granularity::kChannel;
    } else if (text != "layer") {
      if (text == "channel_group" || text == "weight") {
        g->fail(Kind::kValue, "granularity '" + text +
                                  "' is not searchable: use layer, or channel with "
                                  "`channel_group: G` channels per weight gene");
      }
      g->fail(Kind::kValue, "unknown granularity '" + text + "' (expected layer or channel)");
    }
  }
  if (auto cg = n.find("channel_group")) {
    if (p.granularity != workloads::Granularity::kChannel) {
      cg->fail(Kind::kValue, "'channel_group' needs `granularity: channel`");
    }
    p.channel_group = static_cast<int>(cg->as_int(1, 1 << 20));
  }
  if (auto w = n.find("w_bits")) p.w_bits = parse_bits_list(*w);
  if (auto a = n.find("a_bits")) p.a_bits = parse_bits_list(*a);
  if (auto fl = n.find("first_last")) {
    if (fl->is_null()) {
      p.first_last_bits.reset();
    } else if (fl->is_scalar() && (fl->raw().Scalar() == "none" || fl->raw().Scalar() == "false")) {
      p.first_last_bits.reset();
    } else {
      p.first_last_bits = static_cast<int>(fl->as_int(workloads::kMinBits, workloads::kMaxBits));
    }
  }
  if (auto layers = n.find("layers")) {
    for (const auto& [name, spec] : layers->entries()) {
      spec.check_keys({"w_bits", "a_bits", "bits"});
      LayerBitsOverride o;
      o.layer = name;
      o.where = spec.where();
      if (auto b = spec.find("bits")) {
        o.w_bits = parse_bits_list(*b);
        o.a_bits = o.w_bits;
      }
      if (auto w = spec.find("w_bits")) o.w_bits = parse_bits_list(*w);
      if (auto a = spec.find("a_bits")) o.a_bits = parse_bits_list(*a);
      if (o.w_bits.empty() && o.a_bits.empty()) {
        spec.fail(Kind::kMissingKey, "a layer override needs w_bits, a_bits or bits");
      }
      p.layers.push_back(std::move(o));
    }
  }
  return p;
}

double positive_fraction(const yaml::Node& n, bool allow_one) {
  const auto x = n.as<double>();
  if (!(x > 0) || (allow_one ? x > 1 : x >= 1)) {
    n.fail(Kind::kValue, std::string("must be in (0, 1") + (allow_one ? "]" : ")"));
  }
  return x;
}

std::map<std::string, std::pair<double, double>> load_sensitivities(const yaml::Node& ref,
                                                                    const std::string& base_file) {
  std::filesystem::path file = ref.as<std::string>();
  if (file.is_relative() && !base_file.empty()) {
    file = std::filesystem::path(base_file).parent_path() / file;
  }
  if (!std::filesystem::exists(file)) {
    ref.fail(Kind::kNotFound, "sensitivity file '" + file.string() + "' does not exist");
  }
  const yaml::Node root = yaml::load_file(file);
  root.check_keys({"layers"});
  std::map<std::string, std::pair<double, double>> out;
  for (const auto& [name, s] : root.at("layers").entries()) {
    double w = 0;
    double a = 0;
    if (s.is_scalar()) {
      w = a = s.as<double>();
    } else {
      s.check_keys({"w", "a"});
      w = s.get<double>("w");
      a = s.get<double>("a");
    }
    if (!(w >= 0) || !(a >= 0) || !std::isfinite(w) || !std::isfinite(a)) {
      s.fail(Kind::kValue, "sensitivities must be finite and ≥ 0");
    }
    out[name] = {w, a};
  }
  if (out.empty()) root.at("layers").fail(Kind::kValue, "no layer sensitivities");
  return out;
}

AccuracySpec parse_accuracy(const yaml::Node& n, const std::string& file) {
  AccuracySpec acc;
  acc.where = n.where();
  n.check_keys({"source", "base_accuracy", "drop_at_4bit", "sensitivities", "model",
                "float_epochs", "qat_epochs", "lr", "train_subset", "eval_subset", "data_dir"});
  const auto source = n.at("source");
  const auto text = source.as<std::string>();
  if (text == "proxy") {
    acc.kind = AccuracyKind::kProxy;
  } else if (text == "ptq" || text == "qat") {
    acc.kind = text == "ptq" ? AccuracyKind::kPtq : AccuracyKind::kQat;
    if (!training_available()) {
      source.fail(Kind::kValue, "accuracy source '" + text +
                                    "' needs the training module (mixq::train), which this "
                                    "build does not include yet; use 'proxy'");
    }
  } else {
    source.fail(Kind::kValue, "unknown accuracy source '" + text + "' (expected proxy, ptq or qat)");
  }
  const bool training = acc.kind == AccuracyKind::kPtq || acc.kind == AccuracyKind::kQat;
  for (const char* key : {"model", "float_epochs", "qat_epochs", "lr", "train_subset", "eval_subset", "data_dir"}) {
    if (auto k = n.find(key); k && !training) {
      k->fail(Kind::kValue, std::string("'") + key + "' is for the ptq and qat sources only");
    }
  }
  if (auto k = n.find("qat_epochs"); k && acc.kind != AccuracyKind::kQat) {
    k->fail(Kind::kValue, "'qat_epochs' is for the qat source only");
  }
  auto& t = acc.training;
  if (auto m = n.find("model")) {
    std::filesystem::path model = m->as<std::string>();
    if (model.is_relative() && !file.empty() && !std::filesystem::exists(model)) {
      model = std::filesystem::path(file).parent_path() / model;
    }
    if (!std::filesystem::exists(model)) m->fail(Kind::kNotFound, "model file '" + model.string() + "' does not exist");
    t.model = model.string();
  }
  t.float_epochs = static_cast<int>(n.get_int("float_epochs", 1, 1000, t.float_epochs));
  t.qat_epochs = static_cast<int>(n.get_int("qat_epochs", 1, 1000, t.qat_epochs));
  if (auto lr = n.find("lr")) {
    t.lr = lr->as<double>();
    if (!(t.lr > 0 && t.lr < 10)) lr->fail(Kind::kValue, "must be in (0, 10)");
  }
  t.train_subset = n.get_int("train_subset", 0, 60000, t.train_subset);
  t.eval_subset = n.get_int("eval_subset", 0, 10000, t.eval_subset);
  t.data_dir = n.get<std::string>("data_dir", "");
  if (auto b = n.find("base_accuracy")) acc.proxy.base_accuracy = positive_fraction(*b, true);
  if (auto d = n.find("drop_at_4bit")) acc.proxy.drop_at_4bit = positive_fraction(*d, false);
  if (auto s = n.find("sensitivities")) {
    acc.proxy.sensitivity_file = s->as<std::string>();
    acc.proxy.sensitivities = load_sensitivities(*s, file);
  }
  return acc;
}


StrategySpec parse_strategy(const yaml::Node& st, const PrecisionSpec& precision,
                            const std::vector<std::string>& extra_keys) {
  register_builtin_strategies();
  st.require_map();
  StrategySpec out;
  out.name = st.get<std::string>("name");
  const StrategyInfo* info = find_strategy(out.name);
  if (info == nullptr) {
    std::string names;
    for (const auto& n : strategy_names()) names += std::string(names.empty() ? "" : ", ") + n;
    st.at("name").fail(Kind::kValue,
                       "unknown strategy '" + out.name + "' (expected one of " + names + ")");
  }
  // Greedy, ILP and qat plan one (w, a) choice per layer: a channel space's per-kernel genes
  // are outside their model.
  if (precision.granularity == workloads::Granularity::kChannel &&
      (out.name == "greedy" || out.name == "ilp" || out.name == "qat")) {
    st.at("name").fail(Kind::kValue, "strategy '" + out.name +
                                         "' chooses per-layer bits: with `granularity: channel` "
                                         "use random, nsga2, rl, uniform or exhaustive");
  }
  std::vector<std::string> keys{"name", "budget"};
  keys.insert(keys.end(), info->params.begin(), info->params.end());
  keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
  st.check_keys(keys);
  out.budget = st.get_int("budget", 1, std::int64_t{1} << 40);
  out.params = st;
  return out;
}

void check_layer_overrides(const PrecisionSpec& precision, const std::vector<workloads::Network>& nets) {
  for (const auto& o : precision.layers) {
    for (const auto& net : nets) {
      const auto l = net.find(o.layer);
      if (!l || !net.layer(*l).has_weights()) {
        throw InputError(Kind::kValue, o.where,
                         "no weighted layer '" + o.layer + "' in workload '" + net.name() + "'");
      }
    }
  }
}

// The sweep's `precision:` with an entry's keys replacing its own.
YAML::Node merged_precision(const YAML::Node& base, const YAML::Node& entry) {
  YAML::Node out(YAML::NodeType::Map);
  if (base && base.IsMap()) {
    for (const auto& kv : base) {
      if (!entry[kv.first.Scalar()]) out[kv.first.Scalar()] = kv.second;
    }
  }
  for (const auto& kv : entry) out[kv.first.Scalar()] = kv.second;
  return out;
}

// The single-strategy sweep file a comparison entry runs: the sweep's keys with
// `strategies:` replaced by the entry (less `label` and `precision`) as `strategy:`, the
// entry's precision keys merged into `precision:`, and no `budget` or `finetune`.
YAML::Node single_strategy_document(const YAML::Node& root, const YAML::Node& entry) {
  YAML::Node doc(YAML::NodeType::Map);
  const YAML::Node entry_precision = entry["precision"];
  for (const auto& kv : root) {
    const auto key = kv.first.Scalar();
    if (key == "budget" || key == "finetune") continue;
    if (key == "strategies") {
      YAML::Node st(YAML::NodeType::Map);
      for (const auto& e : entry) {
        const auto k = e.first.Scalar();
        if (k != "label" && k != "precision") st[k] = e.second;
      }
      doc["strategy"] = st;
    } else if (key == "precision" && entry_precision) {
      doc["precision"] = merged_precision(kv.second, entry_precision);
    } else {
      doc[key] = kv.second;
    }
  }
  if (entry_precision && !root["precision"]) doc["precision"] = merged_precision(YAML::Node(), entry_precision);
  return doc;
}

}  // namespace

bool training_available() noexcept { return true; }

SweepSpec for_workload(const SweepSpec& spec, std::size_t i) {
  SweepSpec s = spec;
  s.workload = spec.workloads.at(i);
  s.workloads = {s.workload};
  for (auto& run : s.comparison) {
    run.spec.workload = s.workload;
    run.spec.workloads = s.workloads;
  }
  return s;
}

SweepSpec parse_sweep(const yaml::Node& root) {
  root.require_map();
  root.check_keys({"name", "workload", "hardware", "precision", "accuracy", "strategy",
                   "strategies", "budget", "finetune", "objectives", "reference",
                   "mapper_objective", "seed", "threads"});
  SweepSpec s;
  s.file = root.file();
  s.name = root.get<std::string>("name", "sweep");
  const auto wl = root.at("workload");
  std::vector<yaml::Node> wl_nodes;
  if (wl.is_seq()) {
    wl_nodes = wl.elements();
  } else {
    wl_nodes.push_back(wl);
  }
  if (wl_nodes.empty()) wl.fail(Kind::kValue, "empty range: give at least one workload");
  std::vector<workloads::Network> nets;
  for (const auto& n : wl_nodes) {
    const auto name = n.as<std::string>();
    if (std::find(s.workloads.begin(), s.workloads.end(), name) != s.workloads.end()) {
      n.fail(Kind::kValue, "workload '" + name + "' appears twice");
    }
    // Loaded now so that a bad name in a list fails before the first network's sweep runs.
    try {
      nets.push_back(workloads::load_workload(name));
    } catch (const InputError& e) {
      if (e.kind() != Kind::kNotFound) throw;
      n.fail(Kind::kNotFound, e.message());
    }
    s.workloads.push_back(name);
  }
  s.workload = s.workloads.front();
  const auto hw = root.at("hardware");
  if (hw.is_scalar()) {
    s.hardware.push_back(parse_hardware(hw));
  } else {
    for (const auto& e : hw.elements()) s.hardware.push_back(parse_hardware(e));
  }
  if (s.hardware.empty()) hw.fail(Kind::kValue, "empty range: give at least one arch");
  if (auto p = root.find("precision")) s.precision = parse_precision(*p);
  check_layer_overrides(s.precision, nets);
  if (auto a = root.find("accuracy")) s.accuracy = parse_accuracy(*a, s.file);

  // Objectives: each must be produced by some source.
  const auto objs = root.at("objectives");
  for (const auto& o : objs.elements()) {
    ObjectiveKind k{};
    const auto text = o.as<std::string>();
    if (!parse_objective_kind(text, k)) {
      std::string names;
      for (const auto& i : all_objectives()) names += std::string(names.empty() ? "" : ", ") + i.name;
      o.fail(Kind::kValue, "unknown objective '" + text + "' (expected one of " + names + ")");
    }
    if (std::find(s.objectives.begin(), s.objectives.end(), k) != s.objectives.end()) {
      o.fail(Kind::kValue, "objective '" + text + "' appears twice");
    }
    if (k == ObjectiveKind::kAccuracy && s.accuracy.kind == AccuracyKind::kNone) {
      o.fail(Kind::kValue, "objective 'accuracy' is produced by no source: add an `accuracy:` "
                           "section (source: proxy, ptq or qat)");
    }
    s.objectives.push_back(k);
  }
  if (s.objectives.empty()) objs.fail(Kind::kValue, "give at least one objective");

  s.reference.assign(s.objectives.size(), std::nullopt);
  if (auto ref = root.find("reference")) {
    for (const auto& [name, value] : ref->entries()) {
      ObjectiveKind k{};
      const auto it = parse_objective_kind(name, k)
                          ? std::find(s.objectives.begin(), s.objectives.end(), k)
                          : s.objectives.end();
      if (it == s.objectives.end()) {
        value.fail(Kind::kValue, "'" + name + "' is not one of this sweep's objectives");
      }
      const double v = value.as<double>();
      if (!std::isfinite(v)) value.fail(Kind::kValue, "must be finite");
      s.reference[static_cast<std::size_t>(it - s.objectives.begin())] = v;
    }
  }

  if (auto m = root.find("mapper_objective")) {
    if (!costmodel::parse_objective(m->as<std::string>(), s.mapper_objective)) {
      m->fail(Kind::kValue, "expected latency, energy or edp");
    }
  }
  s.seed = static_cast<std::uint64_t>(root.get_int("seed", 0, std::int64_t{1} << 62, 1));
  s.threads = static_cast<int>(root.get_int("threads", 0, 1024, 0));

  const auto strategies = root.find("strategies");
  if (!strategies) {
    for (const char* key : {"budget", "finetune"}) {
      if (auto k = root.find(key)) {
        k->fail(Kind::kValue, std::string("'") + key + "' belongs to a comparison of `strategies:`");
      }
    }
    s.strategy = parse_strategy(root.at("strategy"), s.precision, {});
    return s;
  }
  if (auto st = root.find("strategy")) {
    st->fail(Kind::kValue, "give either `strategy:` (one search) or `strategies:` (a comparison), not both");
  }
  const auto entries = strategies->elements();
  if (entries.empty()) strategies->fail(Kind::kValue, "empty range: give at least one strategy");
  const auto file = std::make_shared<const std::string>(root.file());
  std::set<std::string> labels;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    e.require_map();
    ComparisonRun run{std::string{}, s};
    run.spec.comparison.clear();
    if (auto p = e.find("precision")) {
      p->require_map();
      // The entry's precision keys replace the sweep's, key by key.
      const yaml::Node merged(merged_precision(root.raw()["precision"], p->raw()), file, p->path());
      run.spec.precision = parse_precision(merged);
      check_layer_overrides(run.spec.precision, nets);
    }
    run.spec.strategy = parse_strategy(e, run.spec.precision, {"label", "precision"});
    run.label = e.get<std::string>("label", run.spec.strategy.name);
    const auto where = e.has("label") ? e.at("label") : e.at("name");
    if (run.label.empty() || run.label.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != std::string::npos || run.label[0] == '.') {
      where.fail(Kind::kValue, "label '" + run.label + "' must be a folder name: letters, digits, '_', '-', '.'");
    }
    if (!labels.insert(run.label).second) {
      where.fail(Kind::kValue, "label '" + run.label + "' appears twice: give each entry its own `label:`");
    }
    YAML::Emitter emitter;
    emitter << single_strategy_document(root.raw(), e.raw());
    run.spec.text = emitter.c_str();
    s.comparison.push_back(std::move(run));
  }
  if (auto b = root.find("budget")) {
    b->check_keys({"objective", "fraction_of_w8a8"});
    ComparisonBudget budget;
    budget.where = b->where();
    const auto o = b->at("objective");
    if (!parse_objective_kind(o.as<std::string>(), budget.objective) || info(budget.objective).maximize) {
      o.fail(Kind::kValue, "expected a cost objective (latency, energy, edp, weight_memory, activation_memory or bops)");
    }
    if (std::find(s.objectives.begin(), s.objectives.end(), budget.objective) == s.objectives.end()) {
      o.fail(Kind::kValue, "'" + o.as<std::string>() + "' is not one of this sweep's objectives");
    }
    if (std::find(s.objectives.begin(), s.objectives.end(), ObjectiveKind::kAccuracy) == s.objectives.end()) {
      b->fail(Kind::kValue, "a budget compares the best accuracy within it: add 'accuracy' to the objectives");
    }
    const auto f = b->at("fraction_of_w8a8");
    budget.fraction_of_w8a8 = f.as<double>();
    if (!(budget.fraction_of_w8a8 > 0) || !std::isfinite(budget.fraction_of_w8a8)) {
      f.fail(Kind::kValue, "must be finite and > 0");
    }
    s.budget = budget;
  }
  if (auto f = root.find("finetune")) {
    f->check_keys({"epochs", "lr"});
    if (!s.budget) f->fail(Kind::kValue, "'finetune' fine-tunes each strategy's best point within `budget:`: add one");
    if (s.accuracy.kind != AccuracyKind::kPtq && s.accuracy.kind != AccuracyKind::kQat) {
      f->fail(Kind::kValue, "'finetune' trains the network: it needs `accuracy.source` ptq or qat");
    }
    FinetuneSpec ft;
    ft.epochs = static_cast<int>(f->get_int("epochs", 1, 1000, ft.epochs));
    if (auto lr = f->find("lr")) {
      ft.lr = lr->as<double>();
      if (!(ft.lr > 0 && ft.lr < 10)) lr->fail(Kind::kValue, "must be in (0, 10)");
    }
    s.finetune = ft;
  }
  return s;
}

namespace {
// Overrides edit the parsed document in place (a YAML::Node is a handle), so untouched keys
// keep their file lines in error messages, as arch::load_accelerator does.
SweepSpec finish(const yaml::Node& root, const std::vector<std::string>& overrides) {
  YAML::Node doc = root.raw();
  for (const auto& o : overrides) yaml::apply_override(doc, o);
  SweepSpec s = parse_sweep(root);
  YAML::Emitter e;
  e << doc;
  s.text = e.c_str();
  return s;
}
}  // namespace

SweepSpec load_sweep(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  SweepSpec s = finish(yaml::load_file(file), overrides);
  s.file = file.string();
  return s;
}

SweepSpec load_sweep_string(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  SweepSpec s = finish(yaml::load_string(text, name), overrides);
  if (overrides.empty()) s.text = text;
  return s;
}

}  // namespace mixq::explorer
