#include "mixq/explorer/ddpg.hpp"

#include <cmath>
#include <numbers>

#include "mixq/common/error.hpp"

namespace mixq::explorer {
namespace {

// Uniform in [0, 1) from the engine's raw 64 bits (std::uniform_real_distribution is not
// specified bit for bit across standard libraries).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double standard_normal(std::mt19937_64& rng) {
  double u1 = uniform01(rng);
  while (u1 <= 0) u1 = uniform01(rng);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

double truncated_normal(double mean, double sigma, double lo, double hi, std::mt19937_64& rng) {
  if (sigma <= 0) return std::clamp(mean, lo, hi);
  // Rejection; when the mean sits far outside [lo, hi] it could take long, so after 1000
  // tries fall back to the nearest bound (never reached with HAQ's σ and a mean in [0, 1]).
  for (int i = 0; i < 1000; ++i) {
    const double x = mean + sigma * standard_normal(rng);
    if (x >= lo && x <= hi) return x;
  }
  return std::clamp(mean, lo, hi);
}

Mlp::Mlp(const std::vector<int>& sizes, Output output, std::mt19937_64& rng) : sizes_(sizes), output_(output) {
  if (sizes.size() < 2) throw Error("an MLP needs at least an input and an output size");
  for (const int s : sizes) {
    if (s < 1) throw Error("MLP layer sizes must be at least 1");
  }
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(sizes[l]));
    Eigen::MatrixXd w(sizes[l + 1], sizes[l]);
    Eigen::VectorXd b(sizes[l + 1]);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = (2 * uniform01(rng) - 1) * bound;
    for (Eigen::Index i = 0; i < b.size(); ++i) b[i] = (2 * uniform01(rng) - 1) * bound;
    w_.push_back(std::move(w));
    b_.push_back(std::move(b));
  }
  zero_grad();
}

const Eigen::MatrixXd& Mlp::forward(const Eigen::MatrixXd& x) {
  if (x.rows() != inputs()) throw Error("MLP input has the wrong size");
  a_.resize(w_.size() + 1);
  a_[0] = x;
  for (std::size_t l = 0; l < w_.size(); ++l) {
    Eigen::MatrixXd z = (w_[l] * a_[l]).colwise() + b_[l];
    if (l + 1 < w_.size()) {
      a_[l + 1] = z.cwiseMax(0.0);
    } else if (output_ == Output::kSigmoid) {
      a_[l + 1] = z.unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    } else {
      a_[l + 1] = std::move(z);
    }
  }
  return a_.back();
}

Eigen::MatrixXd Mlp::backward(const Eigen::MatrixXd& dy) {
  Eigen::MatrixXd d = dy;
  for (std::size_t l = w_.size(); l-- > 0;) {
    const Eigen::MatrixXd& out = a_[l + 1];
    if (l + 1 < w_.size()) {
      d = d.cwiseProduct(out.unaryExpr([](double v) { return v > 0 ? 1.0 : 0.0; }));
    } else if (output_ == Output::kSigmoid) {
      d = d.cwiseProduct(out.cwiseProduct((1.0 - out.array()).matrix()));
    }
    gw_[l] += d * a_[l].transpose();
    gb_[l] += d.rowwise().sum();
    d = w_[l].transpose() * d;
  }
  return d;
}

void Mlp::zero_grad() {
  gw_.resize(w_.size());
  gb_.resize(b_.size());
  for (std::size_t l = 0; l < w_.size(); ++l) {
    gw_[l] = Eigen::MatrixXd::Zero(w_[l].rows(), w_[l].cols());
    gb_[l] = Eigen::VectorXd::Zero(b_[l].size());
  }
}

std::size_t Mlp::parameter_count() const {
  std::size_t n = 0;
  for (std::size_t l = 0; l < w_.size(); ++l) n += static_cast<std::size_t>(w_[l].size() + b_[l].size());
  return n;
}

std::vector<double> Mlp::parameters() const {
  std::vector<double> p;
  p.reserve(parameter_count());
  for (std::size_t l = 0; l < w_.size(); ++l) {
    p.insert(p.end(), w_[l].data(), w_[l].data() + w_[l].size());
    p.insert(p.end(), b_[l].data(), b_[l].data() + b_[l].size());
  }
  return p;
}

void Mlp::set_parameters(const std::vector<double>& p) {
  if (p.size() != parameter_count()) throw Error("MLP parameter vector has the wrong size");
  std::size_t k = 0;
  for (std::size_t l = 0; l < w_.size(); ++l) {
    for (Eigen::Index i = 0; i < w_[l].size(); ++i) w_[l].data()[i] = p[k++];
    for (Eigen::Index i = 0; i < b_[l].size(); ++i) b_[l][i] = p[k++];
  }
}

std::vector<double> Mlp::gradients() const {
  std::vector<double> g;
  g.reserve(parameter_count());
  for (std::size_t l = 0; l < w_.size(); ++l) {
    g.insert(g.end(), gw_[l].data(), gw_[l].data() + gw_[l].size());
    g.insert(g.end(), gb_[l].data(), gb_[l].data() + gb_[l].size());
  }
  return g;
}

void Mlp::soft_update(const Mlp& other, double tau) {
  for (std::size_t l = 0; l < w_.size(); ++l) {
    w_[l] = tau * other.w_[l] + (1 - tau) * w_[l];
    b_[l] = tau * other.b_[l] + (1 - tau) * b_[l];
  }
}

Adam::Adam(const Mlp& net, double lr, double beta1, double beta2, double eps)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (std::size_t l = 0; l < net.w_.size(); ++l) {
    mw_.push_back(Eigen::MatrixXd::Zero(net.w_[l].rows(), net.w_[l].cols()));
    vw_.push_back(mw_.back());
    mb_.push_back(Eigen::VectorXd::Zero(net.b_[l].size()));
    vb_.push_back(mb_.back());
  }
}

void Adam::step(Mlp& net) {
  ++t_;
  const double c1 = 1 - std::pow(beta1_, static_cast<double>(t_));
  const double c2 = 1 - std::pow(beta2_, static_cast<double>(t_));
  const auto update = [&](auto& param, const auto& grad, auto& m, auto& v) {
    m = beta1_ * m + (1 - beta1_) * grad;
    v = beta2_ * v + (1 - beta2_) * grad.cwiseProduct(grad);
    param.array() -= lr_ * (m.array() / c1) / ((v.array() / c2).sqrt() + eps_);
  };
  for (std::size_t l = 0; l < net.w_.size(); ++l) {
    update(net.w_[l], net.gw_[l], mw_[l], vw_[l]);
    update(net.b_[l], net.gb_[l], mb_[l], vb_[l]);
  }
}

ReplayBuffer::ReplayBuffer(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw Error("a replay buffer needs a capacity of at least 1");
  items_.reserve(capacity);
}

void ReplayBuffer::push(Transition t) {
  if (items_.size() < capacity_) {
    items_.push_back(std::move(t));
  } else {
    items_[next_] = std::move(t);
  }
  next_ = (next_ + 1) % capacity_;
}

std::vector<const Transition*> ReplayBuffer::sample(std::size_t n, std::mt19937_64& rng) const {
  std::vector<const Transition*> out;
  if (items_.empty()) return out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(&items_[rng() % items_.size()]);
  return out;
}

namespace {

std::vector<int> layer_sizes(int in, const std::vector<int>& hidden, int out) {
  std::vector<int> s{in};
  s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(out);
  return s;
}

}  // namespace

Ddpg::Ddpg(const DdpgConfig& config)
    : config_(config),
      rng_(config.seed),
      actor_(layer_sizes(config.state_dim, config.hidden, config.action_dim), Mlp::Output::kSigmoid, rng_),
      critic_(layer_sizes(config.state_dim + config.action_dim, config.hidden, 1), Mlp::Output::kLinear, rng_),
      actor_target_(actor_),
      critic_target_(critic_),
      actor_opt_(actor_, config.lr_actor),
      critic_opt_(critic_, config.lr_critic),
      buffer_(config.buffer_capacity),
      sigma_(config.noise_sigma) {}

Eigen::VectorXd Ddpg::act(const Eigen::VectorXd& state, bool explore) {
  Eigen::VectorXd a(config_.action_dim);
  if (explore && warming_up()) {
    for (Eigen::Index i = 0; i < a.size(); ++i) a[i] = uniform01(rng_);
    return a;
  }
  a = actor_.forward(state);
  if (explore) {
    for (Eigen::Index i = 0; i < a.size(); ++i) a[i] = truncated_normal(a[i], sigma_, 0.0, 1.0, rng_);
  }
  return a;
}

double Ddpg::q_value(const Eigen::VectorXd& state, const Eigen::VectorXd& action) {
  Eigen::VectorXd sa(state.size() + action.size());
  sa << state, action;
  return critic_.forward(sa)(0, 0);
}

double Ddpg::update() {
  if (buffer_.size() < config_.batch) return 0;
  const auto batch = buffer_.sample(config_.batch, rng_);
  const auto n = static_cast<Eigen::Index>(batch.size());
  const int sd = config_.state_dim, ad = config_.action_dim;
  Eigen::MatrixXd s(sd, n), a(ad, n), s2(sd, n);
  Eigen::RowVectorXd r(n), done(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Transition& t = *batch[static_cast<std::size_t>(i)];
    s.col(i) = t.state;
    a.col(i) = t.action;
    s2.col(i) = t.next_state.size() == sd ? t.next_state : Eigen::VectorXd::Zero(sd);
    r[i] = t.reward;
    done[i] = t.terminal ? 1.0 : 0.0;
  }
  // Targets y = r + γ·(1 − done)·Q'(s', μ'(s')).
  Eigen::RowVectorXd y = r;
  if (config_.discount > 0) {
    Eigen::MatrixXd sa2(sd + ad, n);
    sa2 << s2, actor_target_.forward(s2);
    const Eigen::RowVectorXd q2 = critic_target_.forward(sa2);
    y += config_.discount * (1.0 - done.array()).matrix().cwiseProduct(q2);
  }
  // Critic: mean of ½(Q − y)².
  Eigen::MatrixXd sa(sd + ad, n);
  sa << s, a;
  const Eigen::RowVectorXd q = critic_.forward(sa);
  const Eigen::RowVectorXd err = q - y;
  critic_.zero_grad();
  (void)critic_.backward(err / static_cast<double>(n));
  critic_opt_.step(critic_);
  const double loss = 0.5 * err.squaredNorm() / static_cast<double>(n);

  // Actor: ascend Q(s, μ(s)), i.e. descend −mean Q.
  const Eigen::MatrixXd mu = actor_.forward(s);
  Eigen::MatrixXd smu(sd + ad, n);
  smu << s, mu;
  (void)critic_.forward(smu);
  critic_.zero_grad();
  const Eigen::MatrixXd dsa = critic_.backward(Eigen::RowVectorXd::Constant(n, -1.0 / static_cast<double>(n)));
  critic_.zero_grad();  // the critic is not stepped by the actor's objective
  actor_.zero_grad();
  (void)actor_.backward(dsa.bottomRows(ad));
  actor_opt_.step(actor_);

  actor_target_.soft_update(actor_, config_.tau);
  critic_target_.soft_update(critic_, config_.tau);
  return loss;
}

void Ddpg::end_episode() {
  ++episode_;
  if (episode_ > config_.warmup_episodes) sigma_ *= config_.noise_decay;
}

}  // namespace mixq::explorer
