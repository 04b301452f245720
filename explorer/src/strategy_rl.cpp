// rl: precision search by deep reinforcement learning, as HAQ (Wang et al., "HAQ: Hardware-
// Aware Automated Quantization with Mixed Precision", CVPR 2019) for layers and AutoQ (Lou et
// al., "AutoQ: Automated Kernel-Wise Neural Network Quantization", ICLR 2020) for kernels.
// One episode = one genome = one evaluation of the budget (docs/rl.md).
//
//  - The layer agent (DDPG, ddpg.hpp) walks the free weighted layers in network order. State:
//    the layer's index, op kind (conv / depthwise / fc one-hot), K, C, R·S, stride, input
//    feature-map size, params, MACs (each divided by its largest value in the network) and
//    the previous layer's action. Action in [0, 1]²: activation bits and the layer's weight
//    bits (its budget in a channel space), each by HAQ's linear map of [0, 1] onto the allowed
//    list: choice = min(⌊a · n⌋, n − 1).
//  - The kernel agent (a second DDPG, channel spaces only) walks the weight groups of each
//    layer. State: the layer's index and params, the layer's weight-bit budget, the group's
//    position, its weights' variance and range (from the trained float model, divided by the
//    layer's largest; 1 for every group when the accuracy source has no trained model) and the
//    previous group's action. Action in [0, 1] → the group's bits by the same map; then, while
//    the layer's channel-weighted mean weight bits exceed its budget, the group with the
//    smallest variance among those with the most bits is lowered by one choice.
//  - Budget (HAQ's resource-constrained search): while the episode's cost (latency or energy, priced like every
//    point of the sweep) exceeds cost_budget × the cost of W8A8 everywhere, bits are lowered
//    in HAQ's order: layer by layer in network order, each step lowers one layer's weight bits
//    (every group at the layer's largest weight bits) by one choice, then its activation bits,
//    re-pricing after every step; round after round until it fits. The all-lowest assignment
//    must fit (checked at start), so this always ends within budget. The proposed genome is the
//    enforced one, and the agents learn from the enforced actions (each stored as the middle of
//    its choice's interval).
//  - Reward (HAQ's accuracy reward with AutoQ's hardware term): R = accuracy − λ · cost / cost(W8A8), from
//    the evaluation the runner reports; every transition of the episode gets R minus a moving
//    average of past rewards (a variance-reducing baseline, decay 0.95); γ = 1 by default (HAQ).
//  - After the warm-up episodes (uniform random actions) each agent runs one DDPG update per
//    free layer per episode.
//
// Deterministic for the seed: one genome per proposal, so the thread count never matters, and
// --resume replays the journal's values through report().
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "mixq/explorer/ddpg.hpp"
#include "mixq/explorer/strategy.hpp"
#include "mixq/explorer/training_accuracy.hpp"

namespace mixq::explorer {
namespace {

using Kind = InputError::Kind;

struct RlConfig {
  DdpgConfig agent;  // hyper-parameters of both agents (seed differs)
  double lambda = 0.1;
  ObjectiveKind cost = ObjectiveKind::kLatency;
  double cost_budget = 0.5;
  double baseline_decay = 0.95;
};

std::size_t to_choice(double a, std::size_t n) {
  const auto i = static_cast<std::size_t>(std::max(0.0, a) * static_cast<double>(n));
  return std::min(i, n - 1);
}
double from_choice(std::size_t i, std::size_t n) {
  return (static_cast<double>(i) + 0.5) / static_cast<double>(n);
}

class RlSearch final : public Strategy {
 public:
  RlSearch(const RlConfig& cfg, const SearchContext& ctx, const yaml::Node& params)
      : cfg_(cfg), ctx_(ctx), space_(*ctx.space), cost_eval_(space_, {cfg.cost}, nullptr) {
    const auto& net = space_.network();
    const auto& strat = params;
    if (space_.hardware().size() != 1) {
      strat.at("name").fail(Kind::kValue, "rl searches precision on one hardware variant; this sweep has " +
                                              std::to_string(space_.hardware().size()));
    }
    if (space_.free_layers().empty()) strat.at("name").fail(Kind::kValue, "no free layer to search");
    for (std::size_t i = 0; i < ctx.objectives.size(); ++i) {
      if (ctx.objectives[i] == ObjectiveKind::kAccuracy) acc_index_ = static_cast<int>(i);
      if (ctx.objectives[i] == cfg.cost) cost_index_ = static_cast<int>(i);
    }
    if (acc_index_ < 0 || cost_index_ < 0) {
      strat.at("name").fail(Kind::kValue, std::string("rl needs the objectives accuracy and ") +
                                              (cfg.cost == ObjectiveKind::kLatency ? "latency" : "energy"));
    }
    const auto& model = *space_.hardware()[0].model;
    const auto ref = model.evaluate(net, workloads::PrecisionAssignment::uniform(net, {8, 8}));
    ref_cost_ = cfg.cost == ObjectiveKind::kLatency ? ref.latency_s : ref.energy_pj;
    budget_cost_ = cfg.cost_budget * ref_cost_;
    const Genome lowest(space_.genes(), 0);
    const double low = cost(lowest);
    if (!(low <= budget_cost_)) {
      const auto n = params.find("cost_budget");
      const std::string msg = "the lowest bits everywhere cost " + std::to_string(low / ref_cost_) +
                              " of W8A8, more than the budget " + std::to_string(cfg.cost_budget);
      if (n) n->fail(Kind::kValue, msg);
      strat.fail(Kind::kValue, msg);
    }
    layer_features();
    DdpgConfig la = cfg.agent;
    la.state_dim = static_cast<int>(layer_state_.front().size()) + 2;
    la.action_dim = 2;
    layer_agent_.emplace(la);
    if (space_.per_channel()) {
      DdpgConfig ka = cfg.agent;
      ka.state_dim = 7;
      ka.action_dim = 1;
      ka.seed = cfg.agent.seed * 0x9E3779B97F4A7C15ULL + 1;
      kernel_agent_.emplace(ka);
    }
  }

  std::vector<Genome> propose(std::size_t /*max_points*/) override {
    if (episodes_ >= ctx_.budget) return {};
    if (space_.per_channel() && kernel_stats_.empty()) kernel_features();
    Genome g(space_.genes(), 0);
    const auto& free = space_.free_layers();
    // Layer agent.
    layer_steps_.clear();
    Eigen::VectorXd prev = Eigen::VectorXd::Zero(2);
    for (std::size_t j = 0; j < free.size(); ++j) {
      Eigen::VectorXd s(layer_state_[j].size() + 2);
      for (std::size_t k = 0; k < layer_state_[j].size(); ++k) s[static_cast<Eigen::Index>(k)] = layer_state_[j][k];
      s.tail(2) = prev;
      const Eigen::VectorXd a = layer_agent_->act(s, true);
      g[space_.a_gene(j)] = static_cast<std::uint8_t>(to_choice(a[0], free[j].a_bits.size()));
      const std::size_t wc = to_choice(a[1], free[j].w_bits.size());
      g[space_.w_gene(j, 0)] = static_cast<std::uint8_t>(wc);
      layer_steps_.push_back({s, a});
      prev = a;
    }
    // Kernel agent: bits per group within the layer's budget.
    kernel_steps_.clear();
    if (kernel_agent_) {
      for (std::size_t j = 0; j < free.size(); ++j) {
        const auto& f = free[j];
        const std::size_t n = f.w_bits.size();
        const int budget_bits = f.w_bits[g[space_.w_gene(j, 0)]];
        double prev_k = 0;
        for (std::size_t q = 0; q < f.group_channels.size(); ++q) {
          Eigen::VectorXd s(7);
          s << layer_state_[j][0], layer_state_[j][9], budget_bits / 32.0,
              f.group_channels.size() > 1 ? static_cast<double>(q) / static_cast<double>(f.group_channels.size() - 1) : 0.0,
              kernel_stats_[j][q].first, kernel_stats_[j][q].second, prev_k;
          const Eigen::VectorXd a = kernel_agent_->act(s, true);
          g[space_.w_gene(j, q)] = static_cast<std::uint8_t>(to_choice(a[0], n));
          kernel_steps_.push_back({s, a});
          prev_k = a[0];
        }
        fit_layer_budget(g, j, budget_bits);
      }
    }
    enforce(g);
    // The agents learn from the enforced actions.
    for (std::size_t j = 0; j < free.size(); ++j) {
      layer_steps_[j].action[0] = from_choice(g[space_.a_gene(j)], free[j].a_bits.size());
      // The layer's weight budget after enforcement: its largest group (at most the budget).
      std::uint8_t top = 0;
      for (std::size_t q = 0; q < free[j].group_channels.size(); ++q) top = std::max(top, g[space_.w_gene(j, q)]);
      const std::size_t asked = to_choice(layer_steps_[j].action[1], free[j].w_bits.size());
      layer_steps_[j].action[1] = from_choice(std::min<std::size_t>(top, asked), free[j].w_bits.size());
    }
    std::size_t k = 0;
    for (std::size_t j = 0; j < free.size() && kernel_agent_; ++j) {
      for (std::size_t q = 0; q < free[j].group_channels.size(); ++q, ++k) {
        kernel_steps_[k].action[0] = from_choice(g[space_.w_gene(j, q)], free[j].w_bits.size());
      }
    }
    pending_ = true;
    return {g};
  }

  void report(std::span<const Evaluation> results) override {
    if (!pending_ || results.empty()) return;
    pending_ = false;
    ++episodes_;
    const Evaluation& e = results.front();
    double r = -1;  // an infeasible point (enforcement prices it, so this is not expected)
    if (e.feasible) {
      r = e.values[static_cast<std::size_t>(acc_index_)] -
          cfg_.lambda * e.values[static_cast<std::size_t>(cost_index_)] / ref_cost_;
    }
    if (!baseline_) baseline_ = r;
    const double adv = r - *baseline_;
    *baseline_ = cfg_.baseline_decay * *baseline_ + (1 - cfg_.baseline_decay) * r;
    learn(*layer_agent_, layer_steps_, adv);
    if (kernel_agent_) learn(*kernel_agent_, kernel_steps_, adv);
  }

  // Lowers bits in HAQ's order until the genome's cost fits the budget (see the top).
  void enforce(Genome& g) const {
    const auto& free = space_.free_layers();
    while (cost(g) > budget_cost_) {
      bool lowered = false;
      for (std::size_t j = 0; j < free.size(); ++j) {
        if (lower_weights(g, j)) {
          lowered = true;
          if (cost(g) <= budget_cost_) return;
        }
        if (g[space_.a_gene(j)] > 0) {
          --g[space_.a_gene(j)];
          lowered = true;
          if (cost(g) <= budget_cost_) return;
        }
      }
      if (!lowered) throw Error("rl: the lowest assignment exceeds the budget");  // checked at start
    }
  }

  [[nodiscard]] double cost(const Genome& g) const {
    Evaluation e{g, false, {}};
    cost_eval_.evaluate(std::span<Evaluation>(&e, 1), 1);
    return e.feasible ? e.values[0] : std::numeric_limits<double>::infinity();
  }
  [[nodiscard]] double budget_cost() const noexcept { return budget_cost_; }

 private:
  struct Step {
    Eigen::VectorXd state;
    Eigen::VectorXd action;
  };

  // Every group at the layer's largest weight choice drops one choice; false when all are 0.
  bool lower_weights(Genome& g, std::size_t j) const {
    const std::size_t groups = space_.free_layers()[j].group_channels.size();
    std::uint8_t top = 0;
    for (std::size_t q = 0; q < groups; ++q) top = std::max(top, g[space_.w_gene(j, q)]);
    if (top == 0) return false;
    for (std::size_t q = 0; q < groups; ++q) {
      if (g[space_.w_gene(j, q)] == top) --g[space_.w_gene(j, q)];
    }
    return true;
  }

  // The kernel agent's groups of layer j, lowered (smallest variance first among the groups
  // with the most bits) until their channel-weighted mean bits fit the layer's budget.
  void fit_layer_budget(Genome& g, std::size_t j, int budget_bits) const {
    const auto& f = space_.free_layers()[j];
    double channels = 0;
    for (const auto c : f.group_channels) channels += static_cast<double>(c);
    for (;;) {
      double bits = 0;
      std::size_t pick = f.group_channels.size();
      for (std::size_t q = 0; q < f.group_channels.size(); ++q) {
        const auto v = g[space_.w_gene(j, q)];
        bits += static_cast<double>(f.group_channels[q]) * f.w_bits[v];
        if (v == 0) continue;
        if (pick == f.group_channels.size() || v > g[space_.w_gene(j, pick)] ||
            (v == g[space_.w_gene(j, pick)] && kernel_stats_[j][q].first < kernel_stats_[j][pick].first)) {
          pick = q;
        }
      }
      if (bits <= budget_bits * channels || pick == f.group_channels.size()) return;
      --g[space_.w_gene(j, pick)];
    }
  }

  void learn(Ddpg& agent, const std::vector<Step>& steps, double reward) const {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const bool last = i + 1 == steps.size();
      agent.remember({steps[i].state, steps[i].action, reward,
                      last ? steps[i].state : steps[i + 1].state, last});
    }
    if (!agent.warming_up()) {
      for (std::size_t i = 0; i < space_.free_layers().size(); ++i) (void)agent.update();
    }
    agent.end_episode();
  }

  void layer_features() {
    const auto& net = space_.network();
    const auto& free = space_.free_layers();
    std::vector<std::vector<double>> raw;
    for (std::size_t j = 0; j < free.size(); ++j) {
      const auto& l = net.layer(free[j].layer);
      const bool dw = l.op == workloads::OpKind::kDepthwiseConv;
      const bool fc = l.op == workloads::OpKind::kFullyConnected || l.op == workloads::OpKind::kGemm;
      raw.push_back({free.size() > 1 ? static_cast<double>(j) / static_cast<double>(free.size() - 1) : 0.0,
                     !dw && !fc ? 1.0 : 0.0, dw ? 1.0 : 0.0, fc ? 1.0 : 0.0,
                     static_cast<double>(l.k), static_cast<double>(l.c), static_cast<double>(l.r * l.s),
                     static_cast<double>(std::max(l.stride_h, l.stride_w)),
                     static_cast<double>(l.h * l.w), static_cast<double>(l.params()),
                     static_cast<double>(l.macs())});
    }
    // HAQ normalizes every feature to [0, 1]; divided by its largest value here.
    for (std::size_t k = 4; k < raw.front().size(); ++k) {
      double m = 0;
      for (const auto& v : raw) m = std::max(m, v[k]);
      for (auto& v : raw) v[k] = m > 0 ? v[k] / m : 0;
    }
    layer_state_ = std::move(raw);
  }

  // Per free layer and weight group: (variance, range) of its float weights, divided by the
  // layer's largest; (1, 1) everywhere without a trained model.
  void kernel_features() {
    const auto& free = space_.free_layers();
    const TrainedBase* base = ctx_.trained ? ctx_.trained() : nullptr;
    kernel_stats_.assign(free.size(), {});
    for (std::size_t j = 0; j < free.size(); ++j) {
      const auto& f = free[j];
      auto& st = kernel_stats_[j];
      st.assign(f.group_channels.size(), {1.0, 1.0});
      if (base == nullptr) continue;
      const auto& w = base->model().layers[f.layer].weight;
      const auto kernel = static_cast<std::size_t>(space_.network().layer(f.layer).weights_per_kernel());
      std::size_t begin = 0;
      double max_var = 0, max_range = 0;
      for (std::size_t q = 0; q < f.group_channels.size(); ++q) {
        const std::size_t n = static_cast<std::size_t>(f.group_channels[q]) * kernel;
        if (begin + n > w.size()) break;
        double mean = 0, lo = w[begin], hi = w[begin];
        for (std::size_t i = begin; i < begin + n; ++i) {
          mean += w[i];
          lo = std::min<double>(lo, w[i]);
          hi = std::max<double>(hi, w[i]);
        }
        mean /= static_cast<double>(n);
        double var = 0;
        for (std::size_t i = begin; i < begin + n; ++i) var += (w[i] - mean) * (w[i] - mean);
        var /= static_cast<double>(n);
        st[q] = {var, hi - lo};
        max_var = std::max(max_var, var);
        max_range = std::max(max_range, hi - lo);
        begin += n;
      }
      for (auto& [v, r] : st) {
        v = max_var > 0 ? v / max_var : 1;
        r = max_range > 0 ? r / max_range : 1;
      }
    }
  }

  RlConfig cfg_;
  SearchContext ctx_;
  const Space& space_;
  Evaluator cost_eval_;
  int acc_index_ = -1, cost_index_ = -1;
  double ref_cost_ = 1, budget_cost_ = 0;
  std::vector<std::vector<double>> layer_state_;
  std::vector<std::vector<std::pair<double, double>>> kernel_stats_;
  std::optional<Ddpg> layer_agent_, kernel_agent_;
  std::vector<Step> layer_steps_, kernel_steps_;
  std::optional<double> baseline_;
  std::int64_t episodes_ = 0;
  bool pending_ = false;
};

double number(const yaml::Node& params, const char* key, double fallback, double lo, double hi,
              bool open_lo) {
  const auto n = params.find(key);
  if (!n) return fallback;
  const double x = n->as<double>();
  if (!((open_lo ? x > lo : x >= lo) && x <= hi)) {
    n->fail(Kind::kValue, std::string("must be in ") + (open_lo ? "(" : "[") + std::to_string(lo) +
                              ", " + std::to_string(hi) + "]");
  }
  return x;
}

RlConfig parse_config(const yaml::Node& params, const SearchContext& ctx) {
  RlConfig c;
  c.agent.seed = ctx.seed;
  c.agent.hidden = {64, 64};
  if (auto h = params.find("hidden")) {
    c.agent.hidden.clear();
    for (const auto& e : h->elements()) c.agent.hidden.push_back(static_cast<int>(e.as_int(1, 4096)));
    if (c.agent.hidden.empty()) h->fail(Kind::kValue, "give at least one hidden layer size");
  }
  c.agent.lr_actor = number(params, "lr_actor", c.agent.lr_actor, 0, 1, true);
  c.agent.lr_critic = number(params, "lr_critic", c.agent.lr_critic, 0, 1, true);
  c.agent.noise_sigma = number(params, "noise", c.agent.noise_sigma, 0, 10, false);
  c.agent.noise_decay = number(params, "noise_decay", c.agent.noise_decay, 0, 1, false);
  c.agent.warmup_episodes = static_cast<int>(params.get_int("warmup", 0, 1 << 30, 20));
  c.agent.buffer_capacity = static_cast<std::size_t>(params.get_int("replay", 1, 1 << 26, 2000));
  c.agent.batch = static_cast<std::size_t>(params.get_int("batch", 1, 1 << 20, 64));
  c.agent.discount = number(params, "gamma", c.agent.discount, 0, 1, false);
  c.agent.tau = number(params, "tau", c.agent.tau, 0, 1, false);
  c.lambda = number(params, "lambda", c.lambda, 0, 1e6, false);
  c.cost_budget = number(params, "cost_budget", c.cost_budget, 0, 1e6, true);
  if (auto k = params.find("cost")) {
    const auto t = k->as<std::string>();
    if (t == "latency") {
      c.cost = ObjectiveKind::kLatency;
    } else if (t == "energy") {
      c.cost = ObjectiveKind::kEnergy;
    } else {
      k->fail(Kind::kValue, "expected latency or energy");
    }
  }
  return c;
}

}  // namespace

Genome rl_enforce_budget(const yaml::Node& params, const SearchContext& ctx, Genome genome,
                         double* cost, double* budget) {
  const RlSearch s(parse_config(params, ctx), ctx, params);
  s.enforce(genome);
  if (cost != nullptr) *cost = s.cost(genome);
  if (budget != nullptr) *budget = s.budget_cost();
  return genome;
}

StrategyInfo rl_strategy() {
  return {"rl",
          "deep RL (DDPG): layer agent as HAQ, kernel agent as AutoQ in channel spaces; one "
          "evaluation per episode, hard cost budget",
          {"hidden", "lr_actor", "lr_critic", "noise", "noise_decay", "warmup", "replay", "batch",
           "gamma", "tau", "lambda", "cost", "cost_budget"},
          [](const yaml::Node& params, const SearchContext& ctx) -> std::unique_ptr<Strategy> {
            return std::make_unique<RlSearch>(parse_config(params, ctx), ctx, params);
          }};
}

}  // namespace mixq::explorer
