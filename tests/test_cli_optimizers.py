"""The command line's optimizer and mini-batch options: ``--optimizer``, ``--batch-size``, ``optimizer.KEY``."""

import json

import numpy as np
import pytest

from conftest import run_cli
from regcore.cli import main
from regcore.config import RunConfig

DATA = ["--data", "moons:n=80,noise=0.2,seed=2", "--iterations", "200", "--record-every", "50"]


def train_json(capsys, *args):
    assert main(["train", *DATA, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_with_an_optimizer_saves_it_and_its_learning_rate_in_the_config(capsys, registry):
    report = train_json(capsys, "--optimizer", "adam:lr=0.01,beta1=0.8", "--batch-size", "16")
    config = report["config"]
    assert config["learning_rate"] == 0.01 and config["batch_size"] == 16
    assert config["optimizer"] == {"name": "adam", "params": {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8}}
    assert report["costs"][-1][1] < report["costs"][0][1]
    again = RunConfig.from_dict({**config, "data": "moons:n=80,noise=0.2,seed=2"})
    assert (again.optimizer, again.learning_rate, again.batch_size) == ("adam", 0.01, 16)


def test_lr_given_to_the_optimizer_means_the_same_as_dash_dash_lr(capsys):
    one = train_json(capsys, "--optimizer", "momentum:lr=0.2")
    other = train_json(capsys, "--optimizer", "momentum", "--lr", "0.2")
    assert one["costs"] == other["costs"] and one["config"] == other["config"]
    assert train_json(capsys, "--lr", "0.2", "--optimizer", "momentum:lr=0.2")["costs"] == one["costs"]


def test_the_default_optimizer_is_gd_and_older_settings_mean_gd_on_the_whole_set(capsys):
    report = train_json(capsys)
    assert report["config"]["optimizer"] == {"name": "gd", "params": {}} and report["config"]["batch_size"] is None
    older = {k: v for k, v in report["config"].items() if k not in ("optimizer", "batch_size", "data_name")}
    read = RunConfig.from_dict(older)
    assert read == RunConfig.from_dict(report["config"])
    assert (read.optimizer, read.optimizer_values, read.batch_size) == ("gd", {}, None)


@pytest.mark.parametrize("args, message", [
    (["--optimizer", "adma"], "unknown optimizer 'adma'; known: adam, adamw, gd, momentum"),
    (["--optimizer", "adam:beta1=1"], "beta1=1.0 is not valid: expected a number in [0, 1)"),
    (["--optimizer", "adam:lr=0"], "lr=0.0 is not valid: expected a number > 0"),
    (["--optimizer", "momentum:gamma=0.9"], "optimizer 'momentum' has no parameter 'gamma' (it has lr, beta)"),
    (["--optimizer", "adam:lr=0.1", "--lr", "0.2"], "two learning rates: --lr 0.2 and --optimizer adam:lr=0.1"),
    (["--batch-size", "0"], "batch size must be a whole number >= 1, got 0"),
    (["--batch-size", "half"], "argument --batch-size: invalid int value: 'half'"),
    (["--batch-size", "8", "--reg", "dropout:mask=course"], "mask=course fixes one mask per point"),
])
def test_bad_optimizer_or_batch_options_are_one_line_and_exit_status_2(args, message, capsys):
    assert main(["train", *DATA, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and captured.err.startswith("regcore: error: ")
    assert message in captured.err


def test_sweep_over_the_optimizers_learning_rate_equals_single_runs(capsys):
    assert main(["sweep", *DATA, "--optimizer", "adam", "--param", "optimizer.lr=0.001:0.1:3:log", "--json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert [p["params"]["optimizer.lr"] for p in points] == pytest.approx([0.001, 0.01, 0.1])
    for point in points:
        single = train_json(capsys, "--optimizer", f"adam:lr={point['params']['optimizer.lr']!r}")
        np.testing.assert_allclose(point["final_cost"], single["final_cost"], rtol=1e-10)
        assert point["test_accuracy"] == single["test_accuracy"]


def test_sweep_an_optimizer_parameter_beside_a_regularizer(capsys):
    assert main(["sweep", *DATA, "--optimizer", "momentum:lr=0.5", "--reg", "l2", "--param", "lambd=0:1:2",
                 "--param", "optimizer.beta=0:0.9:2", "--batch-size", "20", "--json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert [(p["params"]["lambd"], p["params"]["optimizer.beta"]) for p in points] == [
        (0.0, 0.0), (0.0, 0.9), (1.0, 0.0), (1.0, 0.9)]


def test_a_sweep_of_adams_beta1_prints_nothing_on_stderr():
    # its confident models overflow exp(-Z) in the sigmoid (an exact 0): that is no reason for a warning
    done = run_cli("sweep", "--optimizer", "adam", "--param", "optimizer.beta1=0.8:0.99:4", "--iterations", "200",
                   "--quiet", "--jobs", "1")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.splitlines()[1].split()[0] == "optimizer.beta1"


@pytest.mark.parametrize("args, message", [
    (["--param", "optimizer.beta=0:1:3"], "optimizer 'gd' has no parameter 'beta' (it has lr)"),
    (["--optimizer", "adam", "--param", "optimizer.beta1=0.5:1:3"], "beta1=1.0 is not valid"),
    (["--param", "optimizer.lr=0:0.1:3"], "lr=0.0 is not valid"),
])
def test_bad_optimizer_sweeps_are_one_line_and_exit_status_2(args, message, capsys):
    assert main(["sweep", *DATA, *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err


def test_plugins_lists_the_optimizers_with_their_parameters(capsys):
    assert main(["plugins", "--json"]) == 0
    optimizers = {o["name"]: o for o in json.loads(capsys.readouterr().out)["optimizers"]}
    assert set(optimizers) >= {"gd", "momentum", "adam", "adamw"}
    assert [(p["name"], p["default"]) for p in optimizers["adam"]["params"]] == [
        ("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8)]
    assert [p["name"] for p in optimizers["adamw"]["params"]] == ["beta1", "beta2", "eps", "weight_decay"]


def test_compare_runs_the_notebooks_three_with_the_chosen_optimizer(capsys):
    assert main(["compare", *DATA, "--optimizer", "adam:lr=0.01", "--batch-size", "20", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["name"] for r in runs] == ["none", "l2", "dropout"]
    assert {(r["config"]["optimizer"]["name"], r["config"]["learning_rate"], r["config"]["batch_size"])
            for r in runs} == {("adam", 0.01, 20)}
