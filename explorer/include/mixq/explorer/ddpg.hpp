// Deep deterministic policy gradient (Lillicrap et al., ICLR 2016), the agent of the
// reinforcement-learning precision searches (HAQ: Wang et al., CVPR 2019; AutoQ: Lou et al.,
// ICLR 2020). Small dense networks on Eigen, a replay buffer, exploration noise that decays
// per episode, soft target updates. Deterministic for a seed on a given platform.
//
//   actor  μ(s) ∈ [0, 1]^A        (sigmoid output: HAQ maps an action in [0, 1] to bits)
//   critic Q(s, a)                (state and action concatenated at the input)
//   critic loss  ½·(Q(s, a) − y)², y = r + γ·Q'(s', μ'(s')) (γ = 0 or terminal: y = r)
//   actor step   along ∇_a Q(s, a)|_{a = μ(s)} · ∇_θ μ(s)
//   targets      θ' ← τ·θ + (1 − τ)·θ'
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <random>
#include <vector>

namespace mixq::explorer {

// A dense network: ReLU between layers, identity or sigmoid at the output. A batch holds
// one sample per column: inputs are (in × batch), outputs (out × batch).
class Mlp {
 public:
  enum class Output { kLinear, kSigmoid };
  Mlp() = default;
  // sizes = {inputs, hidden..., outputs}; weights drawn as in PyTorch's default (uniform in
  // ±1/√fan_in), from `rng`.
  Mlp(const std::vector<int>& sizes, Output output, std::mt19937_64& rng);

  [[nodiscard]] int inputs() const noexcept { return sizes_.front(); }
  [[nodiscard]] int outputs() const noexcept { return sizes_.back(); }

  // (out × batch) from (in × batch); keeps the activations for backward().
  const Eigen::MatrixXd& forward(const Eigen::MatrixXd& x);
  // Given dL/dy of the last forward(), accumulates dL/dθ into the gradient buffers (cleared by
  // zero_grad()) and returns dL/dx.
  Eigen::MatrixXd backward(const Eigen::MatrixXd& dy);
  void zero_grad();

  // Flat views for optimizers, target updates and gradient checks.
  [[nodiscard]] std::size_t parameter_count() const;
  [[nodiscard]] std::vector<double> parameters() const;
  void set_parameters(const std::vector<double>& p);
  [[nodiscard]] std::vector<double> gradients() const;

  // θ ← τ·other + (1 − τ)·θ.
  void soft_update(const Mlp& other, double tau);

 private:
  friend class Adam;
  std::vector<int> sizes_;
  Output output_ = Output::kLinear;
  std::vector<Eigen::MatrixXd> w_;   // (out × in)
  std::vector<Eigen::VectorXd> b_;
  std::vector<Eigen::MatrixXd> gw_;
  std::vector<Eigen::VectorXd> gb_;
  std::vector<Eigen::MatrixXd> a_;   // a_[0] = input, a_[l + 1] = output of layer l
};

// Adam (Kingma & Ba, ICLR 2015) over an Mlp's parameters.
class Adam {
 public:
  explicit Adam(const Mlp& net, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  void step(Mlp& net);

 private:
  double lr_, beta1_, beta2_, eps_;
  std::int64_t t_ = 0;
  std::vector<Eigen::MatrixXd> mw_, vw_;
  std::vector<Eigen::VectorXd> mb_, vb_;
};

struct Transition {
  Eigen::VectorXd state;
  Eigen::VectorXd action;
  double reward = 0;
  Eigen::VectorXd next_state;
  bool terminal = false;
};

// A ring buffer of transitions; sampling is uniform with replacement.
class ReplayBuffer {
 public:
  explicit ReplayBuffer(std::size_t capacity);
  void push(Transition t);
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::vector<const Transition*> sample(std::size_t n, std::mt19937_64& rng) const;
  [[nodiscard]] const Transition& operator[](std::size_t i) const { return items_[i]; }

 private:
  std::size_t capacity_;
  std::size_t next_ = 0;
  std::vector<Transition> items_;
};

struct DdpgConfig {
  int state_dim = 1;
  int action_dim = 1;
  std::vector<int> hidden{300, 300};  // HAQ's actor and critic
  double lr_actor = 1e-4;             // HAQ
  double lr_critic = 1e-3;            // HAQ
  double tau = 0.01;
  double discount = 1.0;              // HAQ: episodic reward, γ = 1
  std::size_t batch = 64;
  std::size_t buffer_capacity = 2000;
  int warmup_episodes = 20;           // uniform random actions before learning starts
  double noise_sigma = 0.5;           // truncated normal around μ(s), HAQ
  double noise_decay = 0.99;          // per episode, HAQ
  std::uint64_t seed = 1;
};

class Ddpg {
 public:
  explicit Ddpg(const DdpgConfig& config);

  // An action in [0, 1]^A: uniform during warm-up, then μ(s) plus truncated normal noise
  // (explore) or μ(s) alone.
  [[nodiscard]] Eigen::VectorXd act(const Eigen::VectorXd& state, bool explore);
  void remember(Transition t) { buffer_.push(std::move(t)); }
  // One critic and one actor step on a minibatch, then target updates; no-op while the
  // buffer holds fewer than `batch` transitions. Returns the critic's loss (0 when skipped).
  double update();
  // Counts an episode and decays the noise after warm-up.
  void end_episode();

  [[nodiscard]] int episode() const noexcept { return episode_; }
  [[nodiscard]] bool warming_up() const noexcept { return episode_ < config_.warmup_episodes; }
  [[nodiscard]] double noise_sigma() const noexcept { return sigma_; }
  [[nodiscard]] double q_value(const Eigen::VectorXd& state, const Eigen::VectorXd& action);
  [[nodiscard]] const DdpgConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::mt19937_64& rng() noexcept { return rng_; }

 private:
  DdpgConfig config_;
  std::mt19937_64 rng_;
  Mlp actor_, critic_, actor_target_, critic_target_;
  Adam actor_opt_, critic_opt_;
  ReplayBuffer buffer_;
  int episode_ = 0;
  double sigma_;
};

// A sample of N(mean, sigma) truncated to [lo, hi] by rejection (the distribution HAQ draws
// its exploration from); the Box–Muller transform over the engine's raw output keeps it the
// same on every standard library.
[[nodiscard]] double truncated_normal(double mean, double sigma, double lo, double hi, std::mt19937_64& rng);

}  // namespace mixq::explorer
