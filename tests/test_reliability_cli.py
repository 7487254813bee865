"""Bad settings and bad data on the command line: exit status 2, exactly one line on stderr, no
traceback; and the same settings given from code (a window, a sweep, a saved file) raise ParamError."""

import numpy as np
import pytest

from conftest import run_cli
from regcore.cli import main
from regcore.config import RunConfig
from regcore.errors import ParamError

BAD_SETTINGS = [
    (["--lr", "0"], "learning rate must be a finite number > 0, got 0.0"),
    (["--lr", "-0.5"], "learning rate must be a finite number > 0, got -0.5"),
    (["--lr", "nan"], "learning rate must be a finite number > 0, got nan"),
    (["--lr", "inf"], "learning rate must be a finite number > 0, got inf"),
    (["--lr", "1e999"], "learning rate must be a finite number > 0, got inf"),
    (["--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
    (["--iterations", "0"], "iterations must be a whole number >= 1, got 0"),
    (["--iterations", "-3"], "iterations must be a whole number >= 1, got -3"),
    (["--iterations", "2.5"], "argument --iterations: invalid int value: '2.5'"),
    (["--iterations", "1" + "0" * 12], "iterations must be at most 100,000,000"),
    (["--record-every", "0"], "record every must be a whole number >= 1, got 0"),
    (["--seed", "-1"], "seed must be a whole number >= 0, got -1"),
    (["--hidden", "0"], "hidden layer sizes must be whole numbers from 1 to 1024, got [0]"),
    (["--hidden", "20,-3"], "hidden layer sizes must be whole numbers from 1 to 1024, got [20, -3]"),
    (["--hidden", "5000"], "hidden layer sizes must be whole numbers from 1 to 1024, got [5000]"),
    (["--hidden", "2.5"], "hidden sizes must be whole numbers separated by commas, like 20,3; got '2.5'"),
    (["--hidden", ""], "the hidden layer sizes are empty: give one or more whole numbers separated by commas"),
    (["--reg", "dropout:keep_prob=0"], "keep_prob=0.0 is not valid: expected a number in (0, 1]"),
    (["--reg", "dropout:keep_prob=1.01"], "keep_prob=1.01 is not valid: expected a number in (0, 1]"),
    (["--reg", "dropout:keep_prob=nan"], "keep_prob=nan is not valid: expected a number in (0, 1]"),
    (["--reg", "dropout:mask=sometimes"], "mask='sometimes' is not valid: expected one of fresh, course"),
    (["--reg", "l2:lambd=-0.1"], "lambd=-0.1 is not valid: expected a number in [0, 1000000]"),
    (["--reg", "l2:lambd=much"], "lambd='much' is not valid: expected a number in [0, 1000000]"),
    (["--reg", "l2:lambd"], "regularizer 'l2': 'lambd' should be written key=value"),
    (["--reg", "l2:lambd=1,lambd=2"], "regularizer 'l2': lambd is given twice"),
    (["--reg", "l2:lambda=1"], "regularizer 'l2' has no parameter 'lambda' (it has lambd, layers)"),
    (["--reg", "ridge"], "unknown regularizer 'ridge'"),
    (["--reg", ""], "unknown regularizer ''"),
    (["--data", "moons:n=2"], "n=2 is not valid: expected a whole number in [4, 100000]"),
    (["--data", "moons:test_ratio=1"], "test_ratio=1.0 is not valid: expected a number in (0, 1)"),
    (["--data", "moons:colour=red"], "data set 'moons' has no parameter 'colour'"),
    (["--data", "moons:n=4,test_ratio=0.9"], "the training set is empty"),
    (["--data", " "], "no data source given"),
    (["--data", "nowhere/set.csv"], "nowhere/set.csv: no such file"),
    (["--data", "sheets/set.xlsx"], "sheets/set.xlsx: unknown data file type '.xlsx'; use .mat, .npz, .csv"),
    (["--bogus"], "unrecognized arguments: --bogus"),
]


def assert_one_line_error(code, captured, message):
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("regcore: error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    assert message in captured.err


@pytest.mark.parametrize("args, message", BAD_SETTINGS, ids=[" ".join(a) for a, _ in BAD_SETTINGS])
def test_bad_setting_is_one_line_and_exit_status_2(args, message, capsys):
    assert_one_line_error(main(["train", *args]), capsys.readouterr(), message)


def test_compare_refuses_bad_settings_the_same_way(capsys):
    assert_one_line_error(main(["compare", "--lr", "-1"]), capsys.readouterr(), "learning rate must be")


def test_divergence_stops_naming_the_iteration_and_suggesting_a_smaller_learning_rate(capsys):
    code = main(["train", "--lr", "1e6", "--iterations", "500", "--data", "moons:n=40"])
    captured = capsys.readouterr()
    assert code == 2 and captured.err.count("\n") == 1
    assert "diverged at iteration 1:" in captured.err or "at iteration 0" in captured.err
    assert "try a smaller learning rate" in captured.err


@pytest.mark.parametrize("content, message", [
    (b"x1,x2,label,split\n1,2,0,train\n3,4,0,train\n", "the training set has only one class (label 0)"),
    (b"x1,x2,label,split\n1,2,7,train\n3,4,0,train\n", "the training labels must be 0 or 1, found 7"),
    (b"PK\x03\x04 not really a zip", "this is a zip archive (like .npz), not CSV text"),
])
def test_bad_data_file_is_one_line_naming_the_file(tmp_path, capsys, content, message):
    path = tmp_path / "points.csv"
    path.write_bytes(content)
    assert_one_line_error(main(["train", "--data", str(path)]), capsys.readouterr(), f"{path}: {message}")


@pytest.mark.parametrize("args", [["train", "--lr", "nan"], ["train", "--data", "truncated.npz"]])
def test_a_real_process_prints_no_traceback(tmp_path, args):
    (tmp_path / "truncated.npz").write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("regcore: error: ")


# ---------------------------------------------------------------- the same settings given from code


@pytest.mark.parametrize("changes, message", [
    (dict(hidden=5), "hidden layer sizes must be whole numbers from 1 to 1024, got 5"),
    (dict(hidden=None), "hidden layer sizes must be whole numbers from 1 to 1024, got None"),
    (dict(hidden=(20, 3.0)), "hidden layer sizes must be whole numbers from 1 to 1024, got [20, 3.0]"),
    (dict(hidden=(True,)), "hidden layer sizes must be whole numbers from 1 to 1024, got [True]"),
    (dict(hidden=()), "hidden layer sizes must be whole numbers from 1 to 1024, got []"),
    (dict(learning_rate="0.1"), "learning rate must be a finite number > 0, got '0.1'"),
    (dict(learning_rate=float("-inf")), "learning rate must be a finite number > 0, got -inf"),
    (dict(iterations=10.0), "iterations must be a whole number >= 1, got 10.0"),
    (dict(seed=None), "seed must be a whole number >= 0, got None"),
    (dict(regularizers=5), "regularizers must be (name, {parameter: value}) pairs, got 5"),
    (dict(regularizers=(("l2", 0.7),)), "regularizers must be (name, {parameter: value}) pairs"),
    (dict(data=3), "the data source must be text (a file or a generator), got 3"),
])
def test_run_config_refuses_wrong_types_and_values(changes, message):
    with pytest.raises(ParamError) as caught:
        RunConfig(**changes)
    assert message in str(caught.value)


def test_run_config_takes_numpy_numbers_and_stores_plain_ones():
    config = RunConfig(hidden=[np.int64(4), np.int64(2)], learning_rate=np.float32(0.5), iterations=np.int64(7))
    assert config == RunConfig(hidden=(4, 2), learning_rate=float(np.float32(0.5)), iterations=7)
    assert type(config.iterations) is int and type(config.learning_rate) is float
    assert all(type(h) is int for h in config.hidden)


@pytest.mark.parametrize("change, message", [
    (lambda raw: raw.pop("hidden"), "settings lack 'hidden'"),
    (lambda raw: raw.update(hidden=5), "settings are malformed ('int' object is not iterable)"),
    (lambda raw: raw.update(regularizers=[{"name": "l2"}]), "settings lack 'params'"),
    (lambda raw: raw.update(regularizers=[{"name": "l2", "params": 3}]), "settings are malformed"),
    (lambda raw: raw.update(learning_rate=None), "learning rate must be a finite number > 0, got None"),
])
def test_run_config_from_a_damaged_dict_raises_param_error(change, message):
    raw = RunConfig(regularizers=(("l2", {"lambd": 0.5}),)).to_dict()
    assert RunConfig.from_dict(raw).to_dict() == raw
    change(raw)
    with pytest.raises(ParamError) as caught:
        RunConfig.from_dict(raw)
    assert message in str(caught.value)


@pytest.mark.parametrize("args, message", [
    (["train", "--reg", "none", "--reg", "l2"], "'none' means no regularization"),
    (["train", "--reg", "l2", "--change", "100:l2.lambd=0.1", "--change", "100:l2.lambd=0.2"], "changed twice"),
    (["train", "--reg", "l2", "--change", "10:+dropout:mask=course", "--batch-size", "16", "--iterations", "50"],
     "with mini-batches use mask=fresh"),
    (["sweep", "--reg", "dropout:mask=course", "--param", "keep_prob=0.5:1:3", "--batch-size", "16",
      "--iterations", "50"], "with mini-batches use mask=fresh"),
])
def test_conflicting_or_refused_settings_are_one_line_before_anything_trains(capsys, args, message):
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and message in captured.err and captured.err.count("\n") == 1
    assert "ParamError" not in captured.err
