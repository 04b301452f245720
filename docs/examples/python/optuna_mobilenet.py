"""Multi-objective search over MobileNetV2's per-layer bits on the Bit Fusion preset with
Optuna's NSGA-II sampler: minimize latency and weight memory (energy is recorded too), keep
8 bits on the first and last layers, and print the Pareto front.

    PYTHONPATH=build/python /usr/bin/python3 docs/examples/python/optuna_mobilenet.py --trials 200
"""
import argparse
import json

import optuna

import mixq


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--arch", default="bitfusion")
    parser.add_argument("--dump", help="write every trial's bits and costs to this JSON file")
    args = parser.parse_args()

    net = mixq.load_workload("mobilenet_v2")
    model = mixq.CostModel(mixq.load_arch(args.arch))
    weighted = net.weighted_layers
    names = net.layer_names
    choices = [2, 4, 8]

    def bits_of(trial):
        # Layers without weights take the activation bits of the layer before them.
        w, a = [8] * len(net), [8] * len(net)
        for i in weighted:
            if i in (weighted[0], weighted[-1]):
                continue
            w[i] = trial.suggest_categorical(f"w:{names[i]}", choices)
            a[i] = trial.suggest_categorical(f"a:{names[i]}", choices)
        for i in range(1, len(net)):
            if i not in weighted:
                a[i] = a[i - 1]
        return w, a

    def objective(trial):
        w, a = bits_of(trial)
        assignment = mixq.Assignment(net, w, a)
        cost = model.evaluate(net, assignment)
        trial.set_user_attr("w_bits", w)
        trial.set_user_attr("a_bits", a)
        trial.set_user_attr("energy_pj", cost["energy_pj"])
        return cost["latency_s"], mixq.metrics(net, assignment)["weight_bits"] / 8e6

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=optuna.samplers.NSGAIISampler(seed=args.seed))
    study.optimize(objective, n_trials=args.trials)

    front = sorted(study.best_trials, key=lambda t: t.values[0])
    print(f"{len(study.trials)} trials, Pareto front of {len(front)}:")
    print(f"{'trial':>6} {'latency ms':>11} {'weights MB':>10} {'energy uJ':>10} {'avg w bits':>10}")
    for t in front:
        w = [t.user_attrs["w_bits"][i] for i in weighted]
        print(f"{t.number:>6} {t.values[0] * 1e3:>11.3f} {t.values[1]:>10.3f} "
              f"{t.user_attrs['energy_pj'] * 1e-6:>10.1f} {sum(w) / len(w):>10.2f}")
    if args.dump:
        with open(args.dump, "w") as f:
            json.dump([{"w_bits": t.user_attrs["w_bits"], "a_bits": t.user_attrs["a_bits"],
                        "latency_s": t.values[0], "weight_mb": t.values[1],
                        "energy_pj": t.user_attrs["energy_pj"]}
                       for t in study.trials], f)


if __name__ == "__main__":
    main()
