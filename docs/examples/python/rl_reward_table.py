"""A minimal RL-style loop in the manner of kernel-wise/layer-wise bitwidth search (HAQ,
AutoQ): the hardware part of the reward comes from a table of per-layer costs queried from
mixq, and a simple epsilon-greedy agent picks bits layer by layer to cut latency under an
accuracy proxy (bits below 4 cost a penalty per layer).

    PYTHONPATH=build/python /usr/bin/python3 docs/examples/python/rl_reward_table.py
"""
import random

import mixq

CHOICES = [2, 4, 8]


def main(episodes=300, seed=0):
    rng = random.Random(seed)
    net = mixq.load_workload("fmnist_cnn")
    model = mixq.CostModel(mixq.load_arch("bitfusion"))
    layers = net.weighted_layers
    # Reward table: latency of each weighted layer at each (w, a), as the agent's
    # environment would query it once and cache it.
    table = {(i, w, a): model.layer_cost(net, i, w, a)["latency_s"]
             for i in layers for w in CHOICES for a in CHOICES}
    base = sum(table[(i, 8, 8)] for i in layers)
    q = {(i, w, a): 0.0 for (i, w, a) in table}
    best = (float("-inf"), None)
    for episode in range(episodes):
        eps = max(0.05, 1.0 - episode / (0.7 * episodes))
        actions, latency, penalty = [], 0.0, 0.0
        for i in layers:
            if rng.random() < eps:
                w, a = rng.choice(CHOICES), rng.choice(CHOICES)
            else:
                w, a = max(((w, a) for w in CHOICES for a in CHOICES), key=lambda x: q[(i, *x)])
            actions.append((i, w, a))
            latency += table[(i, w, a)]
            penalty += 0.15 * ((w < 4) + (a < 4))
        reward = (base - latency) / base - penalty
        for act in actions:
            q[act] += 0.1 * (reward - q[act])
        if reward > best[0]:
            best = (reward, actions)
    reward, actions = best
    print(f"best reward {reward:.3f}; bits per layer:")
    for i, w, a in actions:
        print(f"  {net.layer_names[i]:8s} w{w}a{a}  {table[(i, w, a)] * 1e6:8.2f} us")
    return reward


if __name__ == "__main__":
    main()
