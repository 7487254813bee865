"""Data files: each loader reads a good file exactly, and each kind of bad file is refused with one
line naming the file and the problem (never another exception)."""

import os
import stat

import numpy as np
import pytest
import scipy.io

from regcore.data import Dataset, load_file, save_csv
from regcore.errors import DataError

GOOD = {
    "X": np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5], [0.1, 0.2]]),
    "y": np.array([[0.0], [1.0], [1.0], [0.0]]),
    "Xval": np.array([[1.0, 1.0], [-1.0, -1.0]]),
    "yval": np.array([[1.0], [0.0]]),
}


def write(path, arrays=GOOD, **changes):
    """Write the four arrays (with ``changes``; a value of None drops that key) in the path's format."""
    arrays = {k: v for k, v in {**arrays, **changes}.items() if v is not None}
    if path.suffix == ".mat":
        scipy.io.savemat(path, arrays)
    elif path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        path.write_text(arrays)
    return path


def refused(path) -> str:
    with pytest.raises(DataError) as caught:
        load_file(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path) + ": ")
    return message[len(str(path)) + 2:]


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_keyed_files_load_exactly_in_the_notebook_layout(tmp_path, suffix):
    data = load_file(write(tmp_path / f"set{suffix}"))
    assert data.name == "set"
    np.testing.assert_array_equal(data.X_train, GOOD["X"].T)
    np.testing.assert_array_equal(data.Y_train, GOOD["y"].T)
    np.testing.assert_array_equal(data.X_test, GOOD["Xval"].T)
    np.testing.assert_array_equal(data.Y_test, GOOD["yval"].T)
    assert data.X_train.dtype == np.float64 and data.X_train.flags.c_contiguous


def test_football_loads_with_the_courses_shapes(football):
    assert football.X_train.shape == (2, 211) and football.X_test.shape == (2, 200)
    assert set(np.unique(football.Y_train)) == {0.0, 1.0}


def test_csv_round_trip_is_exact(tmp_path):
    data = load_file(write(tmp_path / "set.npz", X=GOOD["X"] / 3))  # repr-exact floats, not 0.1-ish
    save_csv(data, tmp_path / "again.csv")
    back = load_file(tmp_path / "again.csv")
    for name in ("X_train", "Y_train", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(back, name), getattr(data, name))


def test_csv_columns_in_any_order_extra_columns_blank_lines_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("\ufeffSplit, label ,note,X2,x1\ntrain,1,a,2,1\n\ntest,0,b,4,3\ntrain,0,c,6,5\n",
                    encoding="utf-8")
    data = load_file(path)
    np.testing.assert_array_equal(data.X_train, [[1, 5], [2, 6]])
    np.testing.assert_array_equal(data.Y_train, [[1, 0]])
    np.testing.assert_array_equal(data.X_test, [[3], [4]])


def test_an_empty_test_set_is_allowed_also_as_matlab_saves_it(tmp_path):
    data = load_file(write(tmp_path / "set.mat", Xval=np.zeros((0, 0)), yval=np.zeros((0, 0))))
    assert data.X_test.shape == (2, 0) and data.Y_test.shape == (1, 0)


def test_labels_may_be_booleans_and_points_integers(tmp_path):
    data = load_file(write(tmp_path / "set.npz", X=np.array([[1, 2], [3, 4], [5, 6], [7, 8]], dtype=np.int8),
                           y=np.array([True, False, True, False])))
    np.testing.assert_array_equal(data.Y_train, [[1, 0, 1, 0]])
    assert data.X_train.dtype == np.float64


# ---------------------------------------------------------------- files that are not what they say


def test_a_missing_file(tmp_path):
    assert refused(tmp_path / "gone.csv") == "no such file"


def test_a_folder(tmp_path):
    (tmp_path / "dir.npz").mkdir()
    assert refused(tmp_path / "dir.npz") == "is a folder, not a data file"


def test_an_unknown_extension(tmp_path):
    assert refused(tmp_path / "set.xlsx") == "unknown data file type '.xlsx'; use .mat, .npz, .csv"


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "set.npz")
    if os.geteuid() != 0:  # root reads anything, so also simulate the refusal
        path.chmod(0)
        assert refused(path) == "cannot be read (Permission denied)"
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)

    real_open = os.open

    def denied(name, *args, **kwargs):  # the file is stat-ed, then opened: refuse the open
        if os.fspath(name) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr("regcore.files.os.open", denied)
    assert refused(path) == "cannot be read (Permission denied)"


@pytest.mark.parametrize("suffix", [".mat", ".npz", ".csv"])
def test_an_empty_file(tmp_path, suffix):
    (tmp_path / f"set{suffix}").touch()
    assert refused(tmp_path / f"set{suffix}") == "the file is empty"


@pytest.mark.parametrize("source, target, message", [
    (".npz", ".mat", "this is a zip archive (like .npz), not a .mat file"),
    (".mat", ".npz", "this is a MATLAB file (.mat), not a .npz file"),
    (".npz", ".csv", "this is a zip archive (like .npz), not CSV text"),
    (".mat", ".csv", "this is a MATLAB file (.mat), not CSV text"),
    (".csv", ".mat", "this is a text file, not a .mat file"),
    (".csv", ".npz", "this is a text file, not a .npz file"),
])
def test_a_file_in_another_format_than_its_extension_says(tmp_path, source, target, message):
    original = tmp_path / f"set{source}"
    if source == ".csv":
        original.write_text("x1,x2,label,split\n1,2,0,train\n")
    else:
        write(original)
    original.rename(tmp_path / f"set{target}")
    assert refused(tmp_path / f"set{target}") == message


def test_a_single_npy_array_named_npz(tmp_path):
    np.save(tmp_path / "set.npy", GOOD["X"])
    (tmp_path / "set.npy").rename(tmp_path / "set.npz")
    assert refused(tmp_path / "set.npz") == "this is a single NumPy array (.npy), not a .npz file"


def test_a_binary_or_non_utf8_csv(tmp_path):
    (tmp_path / "nul.csv").write_bytes(b"x1,x2,label,split\n1,\x002,0,train\n")
    assert refused(tmp_path / "nul.csv") == "this is a binary file, not CSV text"
    (tmp_path / "latin.csv").write_bytes("x1,x2,label,split\n1,2,0,train\n# caf\xe9\n".encode("latin-1"))
    assert refused(tmp_path / "latin.csv") == "is not UTF-8 text; save it as UTF-8 CSV"


def test_a_matlab_73_file_gets_advice(tmp_path):
    (tmp_path / "set.mat").write_bytes(b"MATLAB 7.3 MAT-file, Platform: GLNXA64" + bytes(600))
    assert "save it from MATLAB with save(..., '-v7')" in refused(tmp_path / "set.mat")


@pytest.mark.parametrize("suffix, keep", [(".mat", 300), (".npz", 300), (".npz", -40)])
def test_a_truncated_file(tmp_path, suffix, keep):
    path = write(tmp_path / f"set{suffix}", X=np.arange(400.0).reshape(200, 2) / 1000,
                 y=np.arange(200.0) % 2)
    path.write_bytes(path.read_bytes()[:keep])
    assert refused(path).startswith(f"not a readable {suffix} data file, perhaps damaged or truncated (")


# ---------------------------------------------------------------- contents that are not a data set


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_missing_keys_are_named(tmp_path, suffix):
    assert refused(write(tmp_path / f"set{suffix}", yval=None)) == "missing key yval (expected X, y, Xval, yval)"
    assert refused(write(tmp_path / f"set{suffix}", X=None, y=None)) == "missing keys X, y (expected X, y, Xval, yval)"


@pytest.mark.parametrize("changes, message", [
    (dict(X=GOOD["X"].T), "the training points must have 2 coordinates each, got 4 "
                          "(points as columns? store one point per row)"),
    (dict(X=np.zeros((4, 3))), "the training points must have 2 coordinates each, got 3"),
    (dict(X=np.zeros((4, 2, 1))), "the training points must be a table of shape (points, 2), got shape (4, 2, 1)"),
    (dict(y=np.ones((4, 2))), "the training labels must be one column, got shape (4, 2)"),
    (dict(y=GOOD["y"][:3]), "4 training points but 3 labels"),
    (dict(Xval=GOOD["Xval"][:1]), "1 test points but 2 labels"),
    (dict(X=np.zeros((0, 2)), y=np.zeros((0, 1))), "the training set is empty"),
    (dict(y=np.ones((4, 1))), "the training set has only one class (label 1); it needs both 0 and 1"),
    (dict(y=np.array([[0.0], [1.0], [2.0], [1.0]])), "the training labels must be 0 or 1, found 2"),
    (dict(yval=np.array([[-1.0], [1.0]])), "the test labels must be 0 or 1, found -1"),
    (dict(yval=np.array([[np.nan], [1.0]])), "the test labels must be 0 or 1, found nan"),
    (dict(X=np.where(GOOD["X"] > 1, np.nan, GOOD["X"])), "the training points contain NaN or infinite values"),
    (dict(Xval=np.array([[np.inf, 0.0], [0.0, 0.0]])), "the test points contain NaN or infinite values"),
    (dict(X=GOOD["X"] * 1e300), "the training coordinates reach 2e+300; scale them below 1e+06 (e.g. standardise them)"),
    (dict(X=GOOD["X"] * 1j), "the training points must be numbers, not complex numbers"),
    (dict(y=np.array(["0", "1", "1", "0"])), "the training labels must be numbers, not text"),
])
@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_bad_contents_are_refused_saying_what_is_wrong(tmp_path, suffix, changes, message):
    assert refused(write(tmp_path / f"set{suffix}", **changes)) == message


def test_npz_with_python_objects_is_refused_without_unpickling(tmp_path):
    path = write(tmp_path / "set.npz", X=np.array([{"a": 1}] * 4, dtype=object))
    assert refused(path) == "key X holds Python objects, not numbers"


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("x1,x2,label\n1,2,0\n", "missing column split (the header must name x1, x2, label, split)"),
    ("a,b\n1,2\n", "missing columns x1, x2, label, split (the header must name x1, x2, label, split)"),
    ("x1,x2,label,split\n", "the training set is empty"),
    ("x1,x2,label,split\n1,2,0,test\n3,4,1,test\n", "the training set is empty"),
    ("x1,x2,label,split\n1,2,0,train\n3,4\n", "line 3 has 2 columns, the header has 4"),
    ("x1,x2,label,split\n1,2,0,validation\n", "line 2: split must be train or test, got 'validation'"),
    ("x1,x2,label,split\n1,two,0,train\n", "line 2: x1, x2 and label must be numbers"),
    ("x1,x2,label,split\n1,2,yes,train\n", "line 2: x1, x2 and label must be numbers"),
    ("x1,x2,label,split\n1,2,0,train\n3,4,0,train\n", "the training set has only one class (label 0); it needs both 0 and 1"),
    ("x1,x2,label,split\n1,2,0,train\n3,4,3,train\n", "the training labels must be 0 or 1, found 3"),
    ("x1,x2,label,split\n1,nan,0,train\n3,4,1,train\n", "the training points contain NaN or infinite values"),
    ("x1,x2,label,split\n1,1e400,0,train\n3,4,1,train\n", "the training points contain NaN or infinite values"),
    ("x1,x2,label,split\n1,2e7,0,train\n3,4,1,train\n",
     "the training coordinates reach 2e+07; scale them below 1e+06 (e.g. standardise them)"),
])
def test_bad_csv_is_refused_naming_the_line_or_the_problem(tmp_path, text, message):
    (tmp_path / "set.csv").write_text(text)
    assert refused(tmp_path / "set.csv") == message


def test_a_csv_with_too_many_points_stops_early(tmp_path, monkeypatch):
    monkeypatch.setattr("regcore.data.MAX_POINTS", 3)
    (tmp_path / "set.csv").write_text("x1,x2,label,split\n" + "1,2,0,train\n3,4,1,train\n" * 50)
    assert refused(tmp_path / "set.csv") == "more than the 3 supported points (training and test together)"


def test_a_file_name_with_a_newline_still_gives_one_line(tmp_path):
    path = tmp_path / "two\nlines.csv"
    message = str(pytest.raises(DataError, load_file, path).value)
    assert "\n" not in message and message.endswith("two\\nlines.csv: no such file")


def test_more_points_than_supported(monkeypatch):
    monkeypatch.setattr("regcore.data.MAX_POINTS", 3)
    with pytest.raises(DataError, match=r"^big: 4 training points is more than the 3 supported$"):
        Dataset.checked("big", GOOD["X"], GOOD["y"], GOOD["Xval"], GOOD["yval"])


def test_checked_names_the_data_set_and_accepts_lists():
    data = Dataset.checked("lists", [[0, 0], [1, 1]], [0, 1], [], [])
    assert data.X_train.shape == (2, 2) and data.X_test.shape == (2, 0)
    with pytest.raises(DataError, match=r"^lists: the training points are not a table of numbers"):
        Dataset.checked("lists", [[0, 0], [1]], [0, 1], [], [])


def test_a_csv_naming_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("x1,x1,x2,label,split\n0,5,0,0,train\n1,6,1,1,train\n")
    with pytest.raises(DataError, match="dup.csv: the header names column x1 more than once"):
        load_file(path)
