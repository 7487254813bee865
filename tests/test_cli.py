"""The regcore command line: outputs people and scripts rely on, and one-line errors."""

import json

import pytest

from conftest import ROOT, run_cli
from regcore.cli import main


def test_train_json_has_the_documented_fields(capsys):
    assert main(["train", "--iterations", "2000", "--reg", "l2:lambd=0.3", "--reg", "dropout:keep_prob=0.9",
                 "--record-every", "500", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"train_accuracy", "test_accuracy", "costs", "seconds", "config", "final_cost"}
    assert [i for i, _ in report["costs"]] == [0, 500, 1000, 1500, 2000]
    assert 0.5 < report["train_accuracy"] <= 1 and 0.5 < report["test_accuracy"] <= 1
    assert report["config"]["regularizers"] == [{"name": "l2", "params": {"lambd": 0.3, "layers": "all"}},
                                                {"name": "dropout", "params": {"keep_prob": 0.9, "mask": "fresh"}}]
    assert report["costs"][-1][1] < report["costs"][0][1]


@pytest.mark.parametrize("iterations, every", [(100, 100), (100, 30), (7, 1000)])
def test_train_json_records_the_last_iteration_as_the_core_does(capsys, iterations, every):
    from regcore.datasets import resolve_data
    from regcore.plugins import load_registry
    from regcore.training import Training

    source = "moons:n=80,noise=0.2,seed=2"
    assert main(["train", "--data", source, "--iterations", str(iterations), "--record-every", str(every),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    core = Training(resolve_data(source, load_registry()), iterations=iterations, record_every=every).run()
    assert [i for i, _ in report["costs"]] == [*range(0, iterations, every), iterations]
    assert [c for _, c in report["costs"]] == core.history["cost"][:, 0].tolist()
    assert report["costs"][-1][1] == pytest.approx(report["final_cost"], rel=1e-12)  # the end's cost, no penalty


def test_train_json_says_where_early_stopping_stopped_and_what_it_kept(capsys):
    from regcore.config import RunConfig
    from regcore.datasets import resolve_data
    from regcore.plugins import load_registry

    source, args = "moons:n=80,noise=0.2,seed=2", ["--iterations", "20000", "--reg", "early_stopping:patience=2"]
    assert main(["train", "--data", source, *args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    registry = load_registry()
    core = RunConfig(iterations=20000, regularizers=(("early_stopping", {"patience": 2}),)).build(
        registry, resolve_data(source, registry)).run()
    assert (report["stopped_at"], report["kept_from"]) == (int(core.stopped_at[0]), int(core.kept_from[0]))
    assert 0 <= report["kept_from"] < report["stopped_at"] == report["costs"][-1][0]
    assert report["train_accuracy"] == core.train_accuracy[0]


def test_train_text_prints_the_notebook_lines_and_not_the_end(capsys):
    assert main(["train", "--iterations", "20000", "--data", "gauss:n=60"]) == 0
    assert "Cost after iteration 20000" not in capsys.readouterr().out


def test_train_text_prints_the_notebook_lines(capsys):
    assert main(["train", "--iterations", "20001", "--data", "gauss:n=60"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Cost after iteration 0", "Cost after iteration 10000", "Cost after iteration 20000",
        "On the train set", "Accuracy", "On the test set", "Accuracy"]


@pytest.mark.parametrize("args, message", [
    (["train", "--reg", "l3"], "unknown regularizer 'l3'; known: dropout, early_stopping, l1, l2, none"),
    (["train", "--reg", "l2:lambda=1"], "regularizer 'l2' has no parameter 'lambda' (it has lambd, layers)"),
    (["train", "--reg", "dropout:keep_prob=1.5"], "keep_prob=1.5 is not valid: expected a number in (0, 1]"),
    (["train", "--lr", "0"], "learning rate must be a finite number > 0"),
    (["train", "--iterations", "0"], "iterations must be a whole number >= 1"),
    (["train", "--hidden", "20,x"], "hidden sizes must be whole numbers"),
    (["train", "--data", "nowhere.mat"], "nowhere.mat: no such file"),
    (["train", "--data", "moons:noise=lots"], "noise='lots' is not valid"),
    (["train", "--data", "sprial"], "unknown data set 'sprial'"),
    (["train", "--lr"], "expected one argument"),
    (["train", "--reg", "l2", "--reg", "l2:lambd=0.1"], "regularizer 'l2' is given twice"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_status_2(args, message, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("regcore: error: ")
    assert message in captured.err


def test_python_dash_m_regcore_plugins_and_datasets_json():
    done = run_cli("plugins", "--json")
    assert done.returncode == 0, done.stderr
    described = json.loads(done.stdout)
    names = {r["name"] for r in described["regularizers"]}
    assert names >= {"none", "l2", "dropout"}
    l2 = next(r for r in described["regularizers"] if r["name"] == "l2")
    assert l2["params"][0]["name"] == "lambd" and l2["params"][0]["default"] == 0.7
    assert l2["origin"] == "built-in plugin 'l2'"
    assert names >= {"early_stopping"}
    every_field = {"name", "kind", "default", "help", "low", "high", "low_open", "high_open", "choices", "log",
                   "label", "allowed"}
    assert all(set(p) == every_field for r in described["regularizers"] + described["datasets"] for p in r["params"])
    done = run_cli("datasets", "--json")
    generators = {g["name"] for g in json.loads(done.stdout)["generators"]}
    assert generators >= {"circle", "xor", "gauss", "spiral", "moons", "flower"}


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install -e ".[test]" && pytest'
    assert command in readme and command in ci
    assert "QT_QPA_PLATFORM=offscreen" in ci


def test_a_file_name_with_an_unknown_extension_is_called_a_file(capsys):
    assert main(["train", "--data", "set.xlsx"]) == 2
    assert "set.xlsx: unknown data file type '.xlsx'" in capsys.readouterr().err


def test_too_many_cost_records_are_refused_before_training(capsys):
    assert main(["train", "--record-every", "1", "--iterations", "5000000"]) == 2
    assert "would keep 5,000,000 records; at most 1,000,000" in capsys.readouterr().err


def test_json_without_test_points_is_strict_json(capsys, tmp_path):
    data = tmp_path / "train_only.csv"
    data.write_text("x1,x2,label,split\n0,0,0,train\n1,1,1,train\n")
    for command in ("train", "compare"):
        assert main([command, "--iterations", "10", "--data", str(data), "--json"]) == 0
        out = capsys.readouterr().out
        json.loads(out, parse_constant=lambda name: pytest.fail(f"{command} --json printed {name}"))


def test_train_json_config_names_the_source_so_it_can_be_fed_back(capsys):
    assert main(["train", "--iterations", "10", "--data", "gauss:n=40", "--json"]) == 0
    config = json.loads(capsys.readouterr().out)["config"]
    assert config["data"] == "gauss:n=40" and config["data_name"].startswith("gauss (n=40")
    assert main(["train", "--iterations", "10", "--json"]) == 0
    from regcore.datasets import DEFAULT_SOURCE
    assert json.loads(capsys.readouterr().out)["config"]["data"] == DEFAULT_SOURCE
