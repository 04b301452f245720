// The DDPG agent of the RL precision search: gradients against finite differences, the
// replay buffer, the exploration noise, learning a one-step problem, determinism.
#include <catch2/catch.hpp>

#include "mixq/explorer/ddpg.hpp"

using namespace mixq::explorer;

namespace {

// L = Σ c ⊙ y for fixed random c: dL/dy = c.
double loss_of(Mlp& net, const Eigen::MatrixXd& x, const Eigen::MatrixXd& c) {
  return net.forward(x).cwiseProduct(c).sum();
}

void check_gradients(Mlp::Output output) {
  std::mt19937_64 rng(7);
  Mlp net({5, 8, 6, 3}, output, rng);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(5, 4);
  const Eigen::MatrixXd c = Eigen::MatrixXd::Random(3, 4);
  (void)net.forward(x);
  net.zero_grad();
  const Eigen::MatrixXd dx = net.backward(c);
  const auto g = net.gradients();
  auto p = net.parameters();
  const double h = 1e-6;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    net.set_parameters(p);
    const double up = loss_of(net, x, c);
    p[i] = saved - h;
    net.set_parameters(p);
    const double down = loss_of(net, x, c);
    p[i] = saved;
    net.set_parameters(p);
    INFO("parameter " << i);
    CHECK(g[i] == Approx((up - down) / (2 * h)).margin(1e-6));
  }
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    Eigen::MatrixXd xp = x, xm = x;
    xp.data()[i] += h;
    xm.data()[i] -= h;
    INFO("input " << i);
    CHECK(dx.data()[i] == Approx((loss_of(net, xp, c) - loss_of(net, xm, c)) / (2 * h)).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("MLP backward equals central finite differences (linear and sigmoid outputs)", "[rl][ddpg]") {
  check_gradients(Mlp::Output::kLinear);
  check_gradients(Mlp::Output::kSigmoid);
}

TEST_CASE("soft update moves the target by tau", "[rl][ddpg]") {
  std::mt19937_64 rng(1);
  Mlp a({2, 3, 1}, Mlp::Output::kLinear, rng), b({2, 3, 1}, Mlp::Output::kLinear, rng);
  const auto pa = a.parameters(), pb = b.parameters();
  a.soft_update(b, 0.25);
  const auto p = a.parameters();
  for (std::size_t i = 0; i < p.size(); ++i) CHECK(p[i] == Approx(0.25 * pb[i] + 0.75 * pa[i]));
}

TEST_CASE("replay buffer: a ring of the last `capacity` transitions", "[rl][ddpg]") {
  ReplayBuffer buffer(3);
  for (int i = 0; i < 5; ++i) {
    Transition t;
    t.reward = i;
    buffer.push(t);
  }
  REQUIRE(buffer.size() == 3);
  // 3 and 4 overwrote 0 and 1.
  CHECK(buffer[0].reward == 3);
  CHECK(buffer[1].reward == 4);
  CHECK(buffer[2].reward == 2);
  std::mt19937_64 rng(3);
  const auto sample = buffer.sample(100, rng);
  REQUIRE(sample.size() == 100);
  for (const auto* t : sample) CHECK(t->reward >= 2);
  CHECK_THROWS(ReplayBuffer(0));
}

TEST_CASE("truncated normal stays within its bounds and centres on its mean", "[rl][ddpg]") {
  std::mt19937_64 rng(11);
  double sum = 0;
  for (int i = 0; i < 20000; ++i) {
    const double x = truncated_normal(0.5, 0.1, 0.0, 1.0, rng);
    REQUIRE(x >= 0.0);
    REQUIRE(x <= 1.0);
    sum += x;
  }
  CHECK(sum / 20000 == Approx(0.5).margin(0.01));
  // Truncation at a bound near the mean skews the samples into the interval.
  for (int i = 0; i < 1000; ++i) CHECK(truncated_normal(0.95, 0.5, 0.0, 1.0, rng) <= 1.0);
}

TEST_CASE("DDPG learns the best action of a one-step problem, deterministically", "[rl][ddpg]") {
  // Reward −(a − 0.7)² for a constant state: the optimal deterministic policy is a = 0.7.
  const auto run = [](std::uint64_t seed) {
    DdpgConfig c;
    c.state_dim = 2;
    c.action_dim = 1;
    c.hidden = {32, 32};
    c.lr_actor = 1e-3;
    c.lr_critic = 1e-2;
    c.discount = 0;
    c.batch = 32;
    c.buffer_capacity = 500;
    c.warmup_episodes = 50;
    c.noise_sigma = 0.3;
    c.noise_decay = 0.99;
    c.seed = seed;
    Ddpg agent(c);
    Eigen::VectorXd s(2);
    s << 1.0, 0.5;
    for (int episode = 0; episode < 600; ++episode) {
      const Eigen::VectorXd a = agent.act(s, true);
      Transition t{s, a, -(a[0] - 0.7) * (a[0] - 0.7), Eigen::VectorXd(), true};
      agent.remember(t);
      (void)agent.update();
      agent.end_episode();
    }
    return agent.act(s, false)[0];
  };
  const double a = run(5);
  CHECK(a == Approx(0.7).margin(0.05));
  CHECK(run(5) == a);  // the same seed gives the same policy
}
