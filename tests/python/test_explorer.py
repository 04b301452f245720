"""Sweeps driven from Python by ask/tell: the same points as `mixq sweep`, the same front and
hypervolume, and the CLI's messages for bad input."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import mixq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MIXQ_CLI", os.path.join(ROOT, "build", "bin", "mixq"))

SWEEP = """name: pytest_sweep
workload: fmnist_cnn
hardware:
  - arch: bitfusion
    vary: {array.rows: [8, 16]}
precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: 8}
accuracy: {source: proxy, base_accuracy: 0.9, drop_at_4bit: 0.02}
strategy: {name: nsga2, budget: 120, population: 20}
objectives: [latency, energy, accuracy]
seed: 3
"""

GENE_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def genome_text(row):
    return "".join(GENE_CHARS[int(g)] for g in row)


def cli_sweep(sweep_file, out, *sets):
    args = [CLI, "sweep", sweep_file, "--out", out, "-q", "-j", "2"]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True, capture_output=True, text=True)
    points = []
    with open(os.path.join(out, "points.csv")) as f:
        header = f.readline().strip().split(",")
        for line in f:
            cells = dict(zip(header, line.strip().split(",")))
            points.append(cells)
    with open(os.path.join(out, "results.json")) as f:
        return points, json.load(f)


def drive(sweep):
    """The ask/tell loop run_sweep runs: propose, evaluate with the C++ Evaluator, report."""
    genomes, values, feasible = [], [], []
    while True:
        g = sweep.propose()
        if len(g) == 0:
            break
        r = sweep.evaluate(g)
        sweep.report(r["values"])
        genomes.append(g)
        values.append(r["values"])
        feasible.append(r["feasible"])
    return np.concatenate(genomes), np.concatenate(values), np.concatenate(feasible)


STRATEGIES = {
    "nsga2": "strategy: {name: nsga2, budget: 120, population: 20}",
    "random": "strategy: {name: random, budget: 120}",
}


@pytest.fixture(scope="module")
def sweep_file():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sweep.yaml")
        with open(path, "w") as f:
            f.write(SWEEP)
        yield path


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_ask_tell_yields_the_points_of_mixq_sweep(strategy):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sweep.yaml")
        with open(path, "w") as f:
            f.write(SWEEP.replace(STRATEGIES["nsga2"], STRATEGIES[strategy]))
        # An override on both sides: the seed of the file is 3, the run's 5.
        points, results = cli_sweep(path, os.path.join(tmp, "out"), "seed=5")
        sweep = mixq.load_sweep(path, set=["seed=5"])
    assert sweep.strategy == strategy and sweep.budget == 120 and sweep.seed == 5
    assert sweep.objectives == ["latency", "energy", "accuracy"] and sweep.maximize == [False, False, True]
    genomes, values, feasible = drive(sweep)
    assert sweep.reported == 120 and sweep.remaining == 0
    assert len(sweep.propose()) == 0  # budget spent
    assert [genome_text(g) for g in genomes] == [p["genome"] for p in points]
    for i, p in enumerate(points):
        assert bool(feasible[i]) == (p["feasible"] == "1")
        if feasible[i]:
            assert values[i].tolist() == [float(p[k]) for k in sweep.objectives]

    # The front, hypervolume and knee of results.json, from the Pareto utilities.
    ok = np.flatnonzero(feasible)
    minimized = sweep.minimized(values[ok])
    front = ok[mixq.non_dominated(minimized)]
    assert sorted(front.tolist()) == sorted(e["id"] for e in results["front"])
    assert mixq.non_dominated_mask(minimized).sum() == len(front)
    ref = mixq.default_reference(minimized)
    assert sweep.minimized(np.array([results["reference"]]))[0].tolist() == pytest.approx(ref, rel=1e-12)
    hv = mixq.hypervolume(sweep.minimized(values[front]), ref)
    assert hv == pytest.approx(results["hypervolume"], rel=1e-12)
    assert hv > 0
    # results.json lists the front sorted by the minimized objectives; the knee indexes it.
    order = sorted(front.tolist(), key=lambda i: (sweep.minimized(values[[i]])[0].tolist(), i))
    knee = mixq.knee_point(sweep.minimized(values[order]))
    assert knee == results["knee"]


def test_report_own_values_and_decode_genomes():
    sweep = mixq.load_sweep_string(SWEEP, set={"strategy.budget": 40})
    assert sweep.hardware == ["bitfusion[array.rows=8]", "bitfusion[array.rows=16]"]
    assert sweep.genes == len(sweep.cardinalities) and sweep.cardinalities[0] == 2
    g = sweep.propose(10)
    assert g.dtype == np.uint8 and g.shape == (10, sweep.genes)
    with pytest.raises(mixq.Error, match="report"):
        sweep.propose(5)
    # A genome's assignment priced by its variant's cost model is the Evaluator's latency.
    r = sweep.evaluate(g)
    for row, v in zip(g, r["values"]):
        model = sweep.cost_model(int(row[0]))
        cost = model.evaluate(sweep.network, sweep.assignment(row))
        assert cost["latency_s"] == pytest.approx(v[0], rel=1e-12)
        assert cost["energy_pj"] == pytest.approx(v[1], rel=1e-9)
        assert sweep.hardware_of(row) == sweep.hardware[row[0]]
        assert model.accelerator.rows == (8 if row[0] == 0 else 16)
    # Scores from elsewhere (a surrogate, a trained network): NaN marks an infeasible point.
    own = r["values"].copy()
    own[0, :] = np.nan
    sweep.report(own)
    assert sweep.reported == 10
    with pytest.raises(ValueError, match=r"shape \(0, 3\)"):
        sweep.report(own)


def test_strategies_listed_with_descriptions():
    s = mixq.strategies()
    assert {"exhaustive", "random", "nsga2", "greedy", "ilp", "qat"} <= set(s)
    assert all(isinstance(d, str) and d for d in s.values())
    assert "population" in mixq.strategy_params("nsga2")
    with pytest.raises(ValueError):
        mixq.strategy_params("anneal")


def test_pareto_utilities_boundaries():
    pts = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0], [2.0, 2.0]])
    assert mixq.non_dominated(pts).tolist() == [0, 1, 2]  # of identical rows only the first
    assert mixq.non_dominated_mask(pts).tolist() == [True, True, True, False, False]
    # Exact area: the staircase of (1,4), (2,2), (4,1) under (5, 5) is 4 + 3·2 + 1·1... computed:
    # x in [1,2): height 1; [2,4): height 3; [4,5): height 4 → 1 + 6 + 4 = 11.
    assert mixq.hypervolume(pts[:3], np.array([5.0, 5.0])) == pytest.approx(11.0)
    assert mixq.hypervolume(np.empty((0, 2)), np.array([5.0, 5.0])) == 0
    assert mixq.knee_point(pts[:3]) == 1
    assert mixq.knee_point(np.empty((0, 2))) is None
    assert mixq.default_reference(pts) == pytest.approx([4.3, 4.3])
    with pytest.raises(ValueError, match="one value per objective"):
        mixq.hypervolume(pts, np.array([5.0]))
    with pytest.raises(ValueError, match="finite"):
        mixq.non_dominated(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        mixq.non_dominated(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="at least one objective"):
        mixq.hypervolume(np.zeros((3, 0)), np.zeros(0))


def test_bad_sweeps_raise_with_the_cli_messages(sweep_file):
    bad = SWEEP.replace("name: nsga2", "name: anneal")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bad.yaml")
        with open(path, "w") as f:
            f.write(bad)
        run = subprocess.run([CLI, "sweep", path, "--out", os.path.join(tmp, "o"), "-q"],
                             capture_output=True, text=True)
        assert run.returncode == 2
        with pytest.raises(mixq.InputError) as e:
            mixq.load_sweep(path)
        assert run.stderr.strip() == "mixq: error: " + str(e.value)
        assert "unknown strategy 'anneal'" in str(e.value)
        run = subprocess.run([CLI, "sweep", sweep_file, "--out", os.path.join(tmp, "o"), "-q",
                              "--set", "strategy.populaton=3"], capture_output=True, text=True)
        with pytest.raises(mixq.InputError) as e:
            mixq.load_sweep(sweep_file, set=["strategy.populaton=3"])
        assert run.returncode == 2 and run.stderr.strip() == "mixq: error: " + str(e.value)
    with pytest.raises(mixq.InputError, match="no arch preset|not found|bitfuzion"):
        mixq.load_sweep_string(SWEEP.replace("arch: bitfusion", "arch: bitfuzion"))
    sweep = mixq.load_sweep_string(SWEEP)
    g = sweep.propose(2)
    bad_gene = g.astype(np.int64)
    bad_gene[0, 1] = 200
    with pytest.raises(mixq.Error):
        sweep.evaluate(bad_gene)
    with pytest.raises(ValueError, match="shape"):
        sweep.evaluate(np.zeros((2, sweep.genes + 1), dtype=np.int64))
    with pytest.raises(TypeError, match="integer"):
        sweep.evaluate(g + 0.5)  # not truncated silently
    with pytest.raises(mixq.Error, match="3 genes"):
        sweep.assignment([0, 1, 2])
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        sweep.report(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="finite"):
        sweep.report(np.full((2, 3), np.nan), feasible=np.array([True, True]))
    with pytest.raises(IndexError):
        mixq.load_sweep_string(SWEEP, workload=1)


def test_ask_tell_example_runs():
    sys.path.insert(0, os.path.join(ROOT, "docs/examples/python"))
    import ask_tell_sweep
    front, hv = ask_tell_sweep.main(budget=200, quiet=True)
    assert front > 0 and hv > 0
