"""Drive a sweep's search strategy from Python by ask/tell: the strategy proposes genomes,
mixq's C++ evaluator prices them (latency, energy) and Python supplies the accuracy, here a
toy stand-in for your own measurement (a trained network, a surrogate model). Prints the
Pareto front, its hypervolume and knee point.

    PYTHONPATH=build/python /usr/bin/python3 docs/examples/python/ask_tell_sweep.py --budget 2000
"""
import argparse
import os

import numpy as np

import mixq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def my_accuracy(sweep, genomes):
    """Stand-in accuracy: 0.9 minus a penalty per low-bit weight (use your own scorer here)."""
    out = []
    for g in genomes:
        w = np.array(sweep.assignment(g).w_bits)
        out.append(0.9 - 0.004 * np.sum(w < 4) - 0.001 * np.sum(w < 8))
    return np.array(out)


def main(budget=2000, strategy="nsga2", seed=1, quiet=False):
    # The quickstart sweep (MobileNetV2 on Bit Fusion and Stripes) with this run's strategy and
    # budget (overrides as `mixq sweep --set`; a flow map replaces the whole `strategy:` entry).
    params = ", population: 50" if strategy == "nsga2" else ""
    sweep = mixq.load_sweep(os.path.join(ROOT, "configs/sweeps/quickstart.yaml"),
                            set={"seed": seed,
                                 "strategy": f"{{name: {strategy}, budget: {budget}{params}}}"})
    acc = sweep.objectives.index("accuracy")
    genomes, values = [], []
    while True:
        batch = sweep.propose()          # ask: a (n, genes) uint8 array
        if len(batch) == 0:
            break
        scored = sweep.evaluate(batch)   # C++ costs (and the proxy accuracy), GIL released
        v = scored["values"]
        v[:, acc] = np.where(scored["feasible"], my_accuracy(sweep, batch), np.nan)
        sweep.report(v)                  # tell: natural units, NaN rows infeasible
        genomes.append(batch)
        values.append(v)
    genomes, values = np.concatenate(genomes), np.concatenate(values)
    ok = np.flatnonzero(~np.isnan(values).any(axis=1))
    minimized = sweep.minimized(values[ok])
    front = ok[mixq.non_dominated(minimized)]
    ref = mixq.default_reference(minimized)
    hv = mixq.hypervolume(sweep.minimized(values[front]), ref)
    knee = front[mixq.knee_point(sweep.minimized(values[front]))]
    if not quiet:
        print(f"{sweep.name}: {len(values)} points, strategy {sweep.strategy}, "
              f"Pareto front {len(front)} points, hypervolume {hv:.4g}")
        by_latency = front[np.argsort(values[front, 0])]
        shown = set(by_latency[np.linspace(0, len(by_latency) - 1, min(8, len(by_latency))).astype(int)])
        for i in by_latency:
            if i in shown or i == knee:
                print(f"  {sweep.hardware_of(genomes[i]):10s}  latency {values[i, 0] * 1e3:7.3f} ms  "
                      f"energy {values[i, 1] / 1e6:8.2f} uJ  accuracy {values[i, acc]:.4f}"
                      + ("   <- knee" if i == knee else ""))
    return len(front), hv


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--strategy", default="nsga2", choices=sorted(mixq.strategies()))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    main(args.budget, args.strategy, args.seed)
