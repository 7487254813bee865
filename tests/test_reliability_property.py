"""Property tests: generated malformed data sets (written as .mat, .npz and .csv files, or damaged
byte by byte) and generated settings are thrown at the loaders, at `RunConfig` and at the CLI.

Each must give either a clear one-line RegcoreError (CLI: exit status 2, one line on stderr) or a
correct result: a loaded data set holds exactly the points and labels written, a run reports
exactly the settings given. Any other exception fails the test.
"""

import json
import math

import numpy as np
import pytest
import scipy.io
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from regcore.cli import main
from regcore.config import RunConfig
from regcore.data import MAX_ABS_COORDINATE, Dataset, load_file
from regcore.errors import DataError, RegcoreError

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


# ---------------------------------------------------------------- data sets

COORDINATES = st.one_of(st.floats(-3, 3), st.sampled_from([np.nan, np.inf, -np.inf, 1e7, -1e300, 0.0]))
LABELS = st.one_of(st.sampled_from([0.0, 1.0]), st.sampled_from([0.5, -1.0, 2.0, np.nan, np.inf]))


def tables(elements, columns):
    """Arrays of mostly-right shapes: (m, columns), sometimes (m,), (columns, m) or 3-D."""
    shapes = st.one_of(st.tuples(st.integers(0, 12), st.just(columns)),
                       hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
    return hnp.arrays(np.float64, shapes, elements=elements)


@st.composite
def data_sets(draw, valid=False):
    """The four arrays of a data set file; ``valid`` ones must load, the others may be anything."""
    if valid:
        m, m_test = draw(st.integers(2, 12)), draw(st.integers(0, 6))
        X = draw(hnp.arrays(np.float64, (m, 2), elements=st.floats(-1e3, 1e3)))
        y = draw(hnp.arrays(np.float64, m, elements=st.sampled_from([0.0, 1.0])))
        y[draw(st.permutations(range(m)))[:2]] = [0.0, 1.0]  # both classes, anywhere
        Xval = draw(hnp.arrays(np.float64, (m_test, 2), elements=st.floats(-1e3, 1e3)))
        yval = draw(hnp.arrays(np.float64, m_test, elements=st.sampled_from([0.0, 1.0])))
        return {"X": X, "y": y.reshape(-1, 1), "Xval": Xval, "yval": yval.reshape(-1, 1)}
    arrays = {"X": draw(tables(COORDINATES, 2)), "y": draw(tables(LABELS, 1)),
              "Xval": draw(tables(COORDINATES, 2)), "yval": draw(tables(LABELS, 1))}
    dropped = draw(st.sets(st.sampled_from(sorted(arrays)), max_size=1))
    return {key: value for key, value in arrays.items() if key not in dropped}


def write(path, arrays):
    if path.suffix == ".mat":
        scipy.io.savemat(path, arrays)
    elif path.suffix == ".npz":
        np.savez(path, **arrays)
    else:  # the documented CSV layout; shapes it cannot express are flattened into rows of 2
        lines = ["x1,x2,label,split"]
        for split, X, y in (("train", arrays.get("X"), arrays.get("y")), ("test", arrays.get("Xval"), arrays.get("yval"))):
            if X is None or y is None:
                continue
            points, labels = X.reshape(-1)[: X.size // 2 * 2].reshape(-1, 2), y.reshape(-1)
            lines += [f"{float(a)!r},{float(b)!r},{float(label)!r},{split}" for (a, b), label in zip(points, labels)]
        path.write_text("\n".join(lines) + "\n")
    return path


def assert_clear_error(error: RegcoreError, path):
    message = str(error)
    assert message and "\n" not in message and message.startswith(f"{path}: ")


def assert_usable(data: Dataset):
    """What training relies on, whatever the file held."""
    assert data.X_train.shape[0] == 2 and data.X_test.shape[0] == 2
    assert data.Y_train.shape == (1, data.X_train.shape[1]) and data.Y_test.shape == (1, data.X_test.shape[1])
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test):
        assert array.dtype == np.float64 and np.isfinite(array).all()
    assert set(np.unique(data.Y_train)) == {0.0, 1.0} and set(np.unique(data.Y_test)) <= {0.0, 1.0}
    assert np.abs(data.X_train).max() <= MAX_ABS_COORDINATE


def assert_holds_exactly(data: Dataset, arrays):
    """The points and labels, in file order, are the ones written."""
    np.testing.assert_array_equal(data.X_train.T.reshape(-1), arrays["X"].reshape(-1))
    np.testing.assert_array_equal(data.Y_train.reshape(-1), arrays["y"].reshape(-1))
    np.testing.assert_array_equal(data.X_test.T.reshape(-1), arrays["Xval"].reshape(-1))
    np.testing.assert_array_equal(data.Y_test.reshape(-1), arrays["yval"].reshape(-1))


SUFFIXES = st.sampled_from([".mat", ".npz", ".csv"])


@FAST
@given(arrays=data_sets(valid=True), suffix=SUFFIXES)
def test_any_valid_data_set_loads_exactly_from_every_format(folder, arrays, suffix):
    data = load_file(write(folder / f"valid{suffix}", arrays))
    assert_usable(data)
    assert_holds_exactly(data, arrays)


@FAST
@given(arrays=data_sets(), suffix=SUFFIXES)
def test_a_malformed_data_set_gives_a_clear_error_or_exactly_what_was_written(folder, arrays, suffix):
    path = write(folder / f"malformed{suffix}", arrays)
    try:
        data = load_file(path)
    except DataError as error:
        event("refused")
        assert_clear_error(error, path)
        return
    event("loaded")
    assert_usable(data)
    if suffix != ".csv":  # the CSV writer above had to reshape what it could not express
        assert_holds_exactly(data, arrays)


@FAST
@given(arrays=data_sets(valid=True), suffix=SUFFIXES, cut=st.floats(0, 1, exclude_max=True),
       damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=4))
def test_a_truncated_or_damaged_file_gives_a_clear_error_or_a_usable_data_set(folder, arrays, suffix, cut, damage):
    path = write(folder / f"damaged{suffix}", arrays)
    content = bytearray(path.read_bytes())
    content = content[: int(len(content) * (1 - cut * cut))]  # often whole, often a little short
    for where, byte in damage:
        if content:
            content[int(where * len(content))] = byte
    path.write_bytes(bytes(content))
    try:
        assert_usable(load_file(path))
        event("loaded")
    except DataError as error:
        event("refused")
        assert_clear_error(error, path)


@settings(max_examples=300, deadline=None)
@given(X=st.one_of(tables(COORDINATES, 2), st.lists(st.lists(st.one_of(st.floats(), st.text(max_size=2)), max_size=3))),
       y=st.one_of(tables(LABELS, 1), st.lists(st.one_of(st.integers(-1, 2), st.booleans(), st.text(max_size=1)))))
def test_checked_takes_anything_array_like(X, y):
    try:
        data = Dataset.checked("generated", X, y, np.zeros((0, 2)), [])
    except DataError as error:
        event("refused")
        assert str(error).startswith("generated: ") and "\n" not in str(error)
        return
    event("accepted")
    assert_usable(data)
    np.testing.assert_array_equal(data.X_train.T.reshape(-1), np.asarray(X, dtype=float).reshape(-1))


# ---------------------------------------------------------------- settings

ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-10, 2000), st.floats(), st.text(max_size=4),
                     st.lists(st.integers(-2, 2000), max_size=3), st.tuples(st.integers(-2, 9)))


def mostly(valid):
    """Three parts ``valid``, one part anything, so that whole valid configurations come up too."""
    return st.one_of(valid, valid, valid, ANYTHING)


@settings(max_examples=500, deadline=None)
@given(hidden=mostly(st.lists(st.integers(1, 1024), min_size=1, max_size=3)),
       learning_rate=mostly(st.floats(1e-6, 10)), iterations=mostly(st.integers(1, 10**8)),
       seed=mostly(st.integers(0, 2**32 - 1)), record_every=mostly(st.integers(1, 10**6)))
def test_run_config_is_valid_or_refused_with_param_error(hidden, learning_rate, iterations, seed, record_every):
    try:
        config = RunConfig(hidden=hidden, learning_rate=learning_rate, iterations=iterations, seed=seed,
                           record_every=record_every)
    except RegcoreError as error:
        event("refused")
        assert "\n" not in str(error)
        return
    event("accepted")
    assert list(config.hidden) == list(hidden) and all(1 <= h <= 1024 for h in config.hidden)
    assert config.learning_rate == learning_rate and math.isfinite(learning_rate) and learning_rate > 0
    assert config.iterations == iterations >= 1 and config.record_every == record_every >= 1
    assert config.seed == seed >= 0
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


NUMBER_TEXT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.integers(-3, 3).map(str), st.sampled_from(["", "x", "1e999", "0x10", "1,5", " 2 "]))
SIZES = st.one_of(st.integers(-1, 6), st.sampled_from([0, 1025, 10**20]))
REGULARIZERS = st.builds(
    lambda name, pairs: name + (":" + ",".join(f"{k}={v}" for k, v in pairs) if pairs is not None else ""),
    st.sampled_from(["l2", "dropout", "none", "L2", "lasso", ""]),
    st.none() | st.lists(st.tuples(st.sampled_from(["lambd", "keep_prob", "mask", "rate", ""]),
                                   st.one_of(NUMBER_TEXT, st.sampled_from(["fresh", "course", "bogus"]))),
                         max_size=2))
DATA = st.builds(lambda name, n, ratio, noise: f"{name}:n={n},test_ratio={ratio},noise={noise}",
                 st.sampled_from(["moons", "xor", "circle", "gauss", "spiral", "flower", "nope"]),
                 st.integers(-2, 40), st.sampled_from(["0.5", "0.9", "0", "1", "0.1", "nan"]),
                 st.sampled_from(["0", "0.2", "0.5", "3", "-1"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lr=st.one_of(NUMBER_TEXT, st.sampled_from(["0.3", "1e6", "1e-9"])), iterations=SIZES.map(str),
       hidden=st.lists(SIZES.map(str), max_size=3).map(",".join), regs=st.lists(REGULARIZERS, max_size=2),
       data=DATA, record_every=st.sampled_from(["1", "3", "0", "-2", "x"]))
def test_the_cli_gives_exit_2_and_one_line_or_a_run_with_exactly_those_settings(
        capsys, lr, iterations, hidden, regs, data, record_every):
    capsys.readouterr()
    argv = ["train", f"--lr={lr}", f"--iterations={iterations}", f"--hidden={hidden}", f"--data={data}",
            f"--record-every={record_every}", "--json"] + [f"--reg={r}" for r in regs]
    code = main(argv)
    out, err = capsys.readouterr()
    event(f"exit {code}")
    if code == 2:
        assert out == "" and err.startswith("regcore: error: ") and err.count("\n") == 1, err
        return
    assert code == 0 and err == ""
    report = json.loads(out)
    config = report["config"]
    assert config["learning_rate"] == float(lr) and config["iterations"] == int(iterations)
    assert config["hidden"] == [int(h) for h in hidden.split(",")]
    assert [r["name"] for r in config["regularizers"]] == [r.partition(":")[0] for r in regs]
    # every record_every iterations, and the parameters the run ended with, at iteration N
    assert [i for i, _ in report["costs"]] == [*range(0, int(iterations), int(record_every)), int(iterations)]
    assert 0 <= report["train_accuracy"] <= 1
