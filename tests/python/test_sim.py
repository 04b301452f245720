"""mixq.simulate: the numbers of `mixq simulate --json`; SystemC's once-per-process kernel is
a Python exception, never an abort."""
import json
import os
import subprocess
import sys
import tempfile

import pytest

import mixq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MIXQ_CLI", os.path.join(ROOT, "build", "bin", "mixq"))
# Every integer field of `mixq simulate --json`; the energies are compared to 1e-12.
INT_KEYS = ["cycles", "analytic_cycles", "compute_cycles", "memory_stall_cycles",
            "contention_stall_cycles", "macs", "tiles", "dram_read_bits", "dram_write_bits"]


def cli_simulate(arch, workload, assignment_yaml, *extra):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(assignment_yaml)
    try:
        out = subprocess.run([CLI, "simulate", "--arch", arch, "--workload", workload,
                              "--assignment", f.name, "--json", *extra],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out)


def assert_same(ours, theirs):
    assert [l["name"] for l in ours["layers"]] == [l["name"] for l in theirs["layers"]]
    for o, t in zip(ours["layers"] + [ours["total"]], theirs["layers"] + [theirs["total"]]):
        for k in INT_KEYS:
            assert o[k] == t[k], k
        for k in ["energy_pj", "analytic_energy_pj", "latency_s"]:
            assert o[k] == pytest.approx(t[k], rel=1e-12), k
        assert o["energy"].keys() == t["energy"].keys()


def mixed(net):
    w = [2, 4, 8] * len(net)
    return mixq.Assignment(net, w[:len(net)], w[1:len(net) + 1])


def test_plain_kernel_equals_cli_and_repeats():
    net = mixq.load_workload("fmnist_cnn")
    a = mixed(net)
    theirs = cli_simulate("bitfusion", "fmnist_cnn", a.to_yaml(net), "--kernel", "plain")
    first = mixq.simulate("bitfusion", net, a, kernel="plain")
    assert_same(first, theirs)
    assert first["total"]["analytic_cycles"] == mixq.CostModel(mixq.load_arch("bitfusion")).evaluate(net, a)["cycles"]
    # Any number of plain runs per process, from a CostModel too.
    again = mixq.simulate(mixq.CostModel(mixq.load_arch("bitfusion")), net, a, kernel="plain")
    assert_same(again, theirs)


def test_trace_equals_the_cli_trace():
    net = mixq.load_workload("jet_mlp")
    a = mixed(net)
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = os.path.join(tmp, "py.json"), os.path.join(tmp, "cli.json")
        mixq.simulate("bitfusion", net, a, kernel="plain", trace=ours)
        cli_simulate("bitfusion", "jet_mlp", a.to_yaml(net), "--kernel", "plain", "--trace", theirs)
        with open(ours) as f, open(theirs) as g:
            events = json.load(f)
            assert events == json.load(g)
        assert len(events["traceEvents"]) > 10
        with pytest.raises(mixq.Error, match="cannot write the trace"):
            mixq.simulate("bitfusion", net, a, kernel="plain", trace=os.path.join(tmp, "no", "dir.json"))


def test_arch_overrides_and_dram_latency_reach_the_simulator():
    net = mixq.load_workload("fmnist_cnn")
    a = mixq.Assignment(net, 8, 8)
    base = mixq.simulate("bitfusion", net, a, kernel="plain")
    theirs = cli_simulate("bitfusion", "fmnist_cnn", a.to_yaml(net), "--kernel", "plain",
                          "--set", "array.rows=8", "--dram-latency", "40")
    ours = mixq.simulate("bitfusion", net, a, kernel="plain", set={"array.rows": 8},
                         dram_latency_cycles=40)
    assert_same(ours, theirs)
    assert ours["total"]["cycles"] != base["total"]["cycles"]


def test_simulate_many_equals_single_runs():
    nets = [mixq.load_workload("fmnist_cnn"), mixq.load_workload("jet_mlp")]
    jobs = [(n, mixed(n)) for n in nets]
    many = mixq.simulate_many("bitfusion", jobs, kernel="plain")
    assert len(many) == 2
    for (n, a), r in zip(jobs, many):
        single = mixq.simulate("bitfusion", n, a, kernel="plain")
        assert r["workload"] == n.name
        assert [l["cycles"] for l in r["layers"]] == [l["cycles"] for l in single["layers"]]


SYSTEMC_TWICE = r"""
import json, sys
import mixq
net = mixq.load_workload("fmnist_cnn")
a = mixq.Assignment.load(sys.argv[1], net)
out = {"first": mixq.simulate("bitfusion", net, a)}
try:
    mixq.simulate("bitfusion", net, a)
    out["second"] = "no error"
except mixq.Error as e:
    out["second"] = str(e)
out["plain"] = mixq.simulate("bitfusion", net, a, kernel="plain")
print(json.dumps(out))
"""


def test_systemc_kernel_once_per_process_then_a_python_exception():
    # In its own process: SystemC's kernel is global to the process it runs in.
    net = mixq.load_workload("fmnist_cnn")
    a = mixed(net)
    with tempfile.TemporaryDirectory() as tmp:
        file = os.path.join(tmp, "a.yaml")
        with open(file, "w") as f:
            f.write(a.to_yaml(net))
        run = subprocess.run([sys.executable, "-c", SYSTEMC_TWICE, file], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    theirs = cli_simulate("bitfusion", "fmnist_cnn", a.to_yaml(net))
    assert out["first"]["kernel"] == "systemc" and out["first"]["transactions"] > 0
    assert_same(out["first"], theirs)
    assert "one kernel='systemc' simulation per process" in out["second"]
    assert "kernel='plain'" in out["second"]
    assert_same(out["plain"], theirs)


def test_bad_input_raises():
    net = mixq.load_workload("fmnist_cnn")
    with pytest.raises(mixq.InfeasibleError, match="conv1"):
        mixq.simulate("bitfusion", net, mixq.Assignment(net, 16, 8), kernel="plain")
    with pytest.raises(ValueError, match="kernel must be systemc or plain"):
        mixq.simulate("bitfusion", net, mixed(net), kernel="tlm")
    with pytest.raises(mixq.InputError, match="unknown key 'rowz'"):
        mixq.simulate("bitfusion", net, mixed(net), kernel="plain", set={"array.rowz": 8})
    with pytest.raises(TypeError):
        mixq.simulate(42, net, mixed(net), kernel="plain")
    with pytest.raises(ValueError, match="layers"):
        mixq.simulate("bitfusion", net, mixed(mixq.load_workload("jet_mlp")), kernel="plain")
    with pytest.raises(TypeError, match="pair"):
        mixq.simulate_many("bitfusion", [(net, "w4a4")], kernel="plain")
    with pytest.raises(ValueError, match="dram_latency_cycles"):
        mixq.simulate("bitfusion", net, mixed(net), kernel="plain", dram_latency_cycles=-1)
