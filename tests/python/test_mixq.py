"""The Python module: results equal the C++ CLI's, errors are Python exceptions."""
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


def cli_eval(arch, workload, assignment_yaml):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(assignment_yaml)
    try:
        out = subprocess.run([CLI, "eval", "--arch", arch, "--workload", workload,
                              "--assignment", f.name, "--json"],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out)


def test_workload_and_metrics():
    net = mixq.load_workload("resnet18")
    assert net.params == 11689512
    assert len(net) == 31
    m = mixq.metrics(net, mixq.Assignment(net, 4, 8))
    assert m["macs"] == net.macs
    assert m["bops"] == pytest.approx(net.macs * 32)


def test_evaluate_equals_cli():
    net = mixq.load_workload("mobilenet_v2")
    model = mixq.CostModel(mixq.load_arch("bitfusion"))
    rng = np.random.default_rng(3)
    w = rng.choice([2, 4, 8], size=len(net)).tolist()
    a = rng.choice([2, 4, 8], size=len(net)).tolist()
    assignment = mixq.Assignment(net, w, a)
    ours = model.evaluate(net, assignment)
    theirs = cli_eval("bitfusion", "mobilenet_v2", assignment.to_yaml(net))
    assert ours["cycles"] == theirs["total"]["cycles"]
    assert ours["energy_pj"] == pytest.approx(theirs["total"]["energy_pj"], rel=1e-12)


def test_batch_equals_single():
    net = mixq.load_workload("mobilenet_v2")
    model = mixq.CostModel(mixq.load_arch("bitfusion", set={"array.rows": 32}))
    rng = np.random.default_rng(5)
    w = rng.choice([2, 4, 8], size=(16, len(net)))
    a = rng.choice([2, 4, 8], size=(16, len(net)))
    batch = model.evaluate_batch(net, w, a)
    for i in range(16):
        single = model.evaluate(net, mixq.Assignment(net, w[i], a[i]))
        assert batch["cycles"][i] == single["cycles"]
        assert batch["energy_pj"][i] == pytest.approx(single["energy_pj"], rel=1e-9)


def test_unsupported_bits_are_infeasible_rows_not_crashes():
    net = mixq.load_workload("fmnist_cnn")
    model = mixq.CostModel(mixq.load_arch("bitfusion"))
    w = np.full((2, len(net)), 8)
    w[1, 0] = 16  # Bit Fusion stops at 8 bits
    out = model.evaluate_batch(net, w, np.full((2, len(net)), 8))
    assert out["feasible"].tolist() == [True, False]
    ok, layer, reason = model.check(net, mixq.Assignment(net, w[1], 8))
    assert not ok and layer == "conv1" and "bit_fusion" in reason
    with pytest.raises(mixq.InfeasibleError):
        model.evaluate(net, mixq.Assignment(net, w[1], 8))


def test_errors_are_python_exceptions_with_cli_messages():
    with pytest.raises(mixq.InputError, match="unknown key 'rowz'"):
        mixq.load_arch("bitfusion", set={"array.rowz": 3})
    with pytest.raises(mixq.InputError, match="no workloads preset"):
        mixq.load_workload("no_such_net")
    with pytest.raises(mixq.InputError, match="cycle"):
        mixq.load_workload_string(
            "name: x\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n"
            "  - {name: a, op: conv, input: b, k: 1, r: 1}\n  - {name: b, op: conv, input: a, k: 1, r: 1}\n")
    net = mixq.load_workload("jet_mlp")
    with pytest.raises(ValueError):
        mixq.Assignment(net, [4, 4], 8)  # wrong length
    with pytest.raises(ValueError):
        mixq.Assignment(net, 0, 8)
    model = mixq.CostModel(mixq.load_arch("systolic"))
    with pytest.raises(ValueError):
        model.evaluate_batch(net, np.full((3, 2), 8), np.full((3, 2), 8))
    with pytest.raises(TypeError):
        model.evaluate(net, "w4a4")
    with pytest.raises(ValueError):
        mixq.CostModel(mixq.load_arch("systolic"), objective="speed")


def test_optuna_example_costs_equal_cli():
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "trials.json")
        out = subprocess.run([sys.executable, os.path.join(ROOT, "docs/examples/python/optuna_mobilenet.py"),
                              "--trials", "12", "--dump", dump],
                             check=True, capture_output=True, text=True).stdout
        assert "Pareto front" in out
        trials = json.load(open(dump))
    net = mixq.load_workload("mobilenet_v2")
    for t in trials[:3]:
        yaml_text = mixq.Assignment(net, t["w_bits"], t["a_bits"]).to_yaml(net)
        theirs = cli_eval("bitfusion", "mobilenet_v2", yaml_text)
        assert t["latency_s"] == pytest.approx(theirs["total"]["latency_s"], rel=1e-12)
        assert t["energy_pj"] == pytest.approx(theirs["total"]["energy_pj"], rel=1e-12)


def test_rl_example_runs():
    sys.path.insert(0, os.path.join(ROOT, "docs/examples/python"))
    import rl_reward_table
    assert rl_reward_table.main(episodes=60) > 0


def test_soc_placements_searched_given_and_refused():
    net = mixq.load_workload("fmnist_cnn")
    model = mixq.SocModel(mixq.load_soc("diana", set={"bus.bits_per_cycle": 128}))
    assert model.soc.engines == ["digital", "analog"]
    low = mixq.Assignment(net, w_bits=2, a_bits=7)
    auto = model.evaluate(net, low)
    given = model.evaluate(net, low, {"conv2": "analog", "fc1": {"digital": 32, "analog": 32}},
                           default="digital")
    assert given["placement"]["fc1"] == {"digital": 32, "analog": 32}
    # The search is no worse than the placement given by hand.
    assert auto["cycles"] <= given["cycles"]
    assert auto["cycles"] == sum(layer["cycles"] for layer in auto["layers"])
    pipelined = model.evaluate(net, low, schedule="pipelined")
    assert pipelined["period_cycles"] <= pipelined["cycles"]
    with pytest.raises(mixq.InfeasibleError, match="needs w8a8"):
        model.evaluate(net, mixq.Assignment(net, 8, 8), {"conv2": "analog"}, default="digital")
    with pytest.raises(ValueError, match="no engine 'tpu'"):
        model.evaluate(net, low, {}, default="tpu")
    with pytest.raises(mixq.InputError, match="bus.bits_per_cycle"):
        mixq.load_soc("diana", set={"bus.bits_per_cycle": 0})
