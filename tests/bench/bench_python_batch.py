"""Throughput of CostModel.evaluate_batch from Python: per-layer assignments of MobileNetV2
on the Bit Fusion preset, NumPy in and out.

    PYTHONPATH=build/python /usr/bin/python3 tests/bench/bench_python_batch.py
"""
import time

import numpy as np

import mixq

net = mixq.load_workload("mobilenet_v2")
model = mixq.CostModel(mixq.load_arch("bitfusion"))
rng = np.random.default_rng(0)
n = 200_000
w = rng.choice([2, 4, 8], size=(n, len(net))).astype(np.int32)
a = rng.choice([2, 4, 8], size=(n, len(net))).astype(np.int32)
model.evaluate_batch(net, w[:10], a[:10])  # maps every (layer, bits) once: the warm state
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    out = model.evaluate_batch(net, w, a)
    best = min(best, time.perf_counter() - start)
assert out["feasible"].all()
print(f"{n} assignments in {best:.3f} s: {n / best:,.0f} assignments/s (best of 5)")
