"""mixq.train and mixq.evaluate_accuracy: the summary of `mixq train --json` for the same
options, the model and assignment it writes, Python exceptions for bad input. Tiny subsets and
one epoch per phase: seconds."""
import json
import os
import signal
import subprocess
import sys
import tempfile

import pytest

import mixq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MIXQ_CLI", os.path.join(ROOT, "build", "bin", "mixq"))
DATA = "/usr/share/datasets/fashion-mnist"
TINY = dict(bits="w4a4", fp_epochs=1, epochs=1, train_subset=384, test_subset=256, batch=64, threads=2, seed=7)

needs_data = pytest.mark.skipif(not os.path.isdir(DATA), reason="dataset-fashion-mnist is not installed")


@needs_data
def test_train_equals_cli_and_evaluate_accuracy():
    with tempfile.TemporaryDirectory() as tmp:
        cli = json.loads(subprocess.run(
            [CLI, "train", "--bits", "w4a4", "--fp-epochs", "1", "--epochs", "1", "--train-subset", "384",
             "--test-subset", "256", "--batch", "64", "--threads", "2", "--seed", "7", "--json", "--quiet",
             "--out", os.path.join(tmp, "cli")],
            check=True, capture_output=True, text=True).stdout)
        seen = []
        r = mixq.train(**TINY, out=os.path.join(tmp, "py"), progress=seen.append)
        for k in ["workload", "test_accuracy", "epochs", "quantized", "avg_weight_bits", "avg_activation_bits", "seed"]:
            assert r[k] == cli[k], k
        assert [e["kind"] for e in r["log"]] == ["float", "fixed"]
        assert seen and seen[-1]["phase"] == 2 and seen[-1]["batch"] == seen[-1]["batches"]
        net = r["network"]
        assert net.name == "fmnist_cnn"
        with open(os.path.join(tmp, "cli", "assignment.yaml")) as f:
            assert r["assignment"].to_yaml(net) == f.read()
        # The model handle, the file it was saved to and the CLI's file score the same.
        a8 = mixq.Assignment(net, 8, 8)
        ours = mixq.evaluate_accuracy(r["model"], net, a8, subset=200, threads=2)
        assert mixq.evaluate_accuracy(r["model_file"], net, a8, subset=200, threads=2) == ours
        cli_model = mixq.load_model(os.path.join(tmp, "cli", "model.bin"), net)
        assert mixq.evaluate_accuracy(cli_model, net, a8, subset=200, threads=2) == ours
        assert 0.0 <= ours <= 1.0
        full = mixq.evaluate_accuracy(r["model"], net, None, subset=200, threads=2)
        assert 0.0 <= full <= 1.0
        # The explorer's ptq source scores a sweep's points with the same function.
        sweep = mixq.load_sweep_string(
            "name: ptq\nworkload: fmnist_cnn\nhardware: [bitfusion]\n"
            "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: none}\n"
            f"accuracy: {{source: ptq, model: {r['model_file']}, train_subset: 64, eval_subset: 200}}\n"
            "strategy: {name: random, budget: 3}\nobjectives: [latency, accuracy]\nseed: 2\n", threads=1)
        genomes = sweep.propose()
        scored = sweep.evaluate(genomes)["values"][:, 1]
        for g, acc in zip(genomes, scored):
            assert mixq.evaluate_accuracy(r["model"], net, sweep.assignment(g), subset=200, threads=1) == acc
        # From the trained model a fine-tune starts without a float phase, as `mixq train --init`.
        again = mixq.train(**{**TINY, "fp_epochs": None}, init=r["model_file"])
        assert [e["kind"] for e in again["log"]] == ["fixed"]


@needs_data
def test_float_only_run_has_no_assignment():
    r = mixq.train(epochs=1, train_subset=128, test_subset=64, batch=64, threads=2)
    assert r["quantized"] is False and r["assignment"] is None
    assert r["avg_weight_bits"] == 32


@needs_data
def test_divergence_is_a_python_exception():
    with pytest.raises(mixq.DivergenceError, match="diverged in phase 1"):
        mixq.train(epochs=1, lr=1e4, train_subset=256, test_subset=64, batch=64, threads=2)


INTERRUPTED = r"""
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # a non-interactive parent may ignore it
import mixq
def progress(p):
    if p["batch"] == 2:
        print("started", flush=True)
try:
    mixq.train(epochs=50, train_subset=20000, test_subset=64, threads=1, progress=progress)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(5)
"""


@needs_data
def test_ctrl_c_stops_training_with_keyboard_interrupt():
    p = subprocess.Popen([sys.executable, "-c", INTERRUPTED], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "started"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert (p.returncode, out.strip()) == (5, "interrupted"), err


def test_bad_training_input_raises():
    with pytest.raises(ValueError, match="granularity"):
        mixq.train(granularity="kernel")
    with pytest.raises(mixq.InputError, match="bits"):
        mixq.train(bits="w4x4", epochs=1)
    with pytest.raises(mixq.DataError):
        mixq.train(epochs=1, data="/nonexistent/fashion", train_subset=64, test_subset=64)
    with pytest.raises(mixq.InputError):
        mixq.load_model("/nonexistent/model.bin", "fmnist_cnn")
    net = mixq.load_workload("fmnist_cnn")
    with pytest.raises(ValueError, match="subset"):
        mixq.evaluate_accuracy("/nonexistent/model.bin", net, None, subset=-1)
    with pytest.raises(ValueError, match="layers"):
        mixq.evaluate_accuracy("/nonexistent/model.bin", net, mixq.Assignment(mixq.load_workload("jet_mlp"), 8, 8))
    with pytest.raises(ValueError, match="epochs must be >= 0"):
        mixq.train(epochs=-1)  # the CLI's "not given" is None here, not a negative count
    with pytest.raises(ValueError, match="train_subset"):
        mixq.train(epochs=1, train_subset=-1)
    with pytest.raises(TypeError):
        mixq.train(4)  # keywords only
