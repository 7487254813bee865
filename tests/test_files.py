"""Saving, as people do it: the same save twice, through a symlink (and a link onto a link), onto a
file whose mode they chose, onto a FIFO, a device or a folder, into a folder that is not there; the
experiment, the runs CSV and the PNG export all go through `regcore.files` and behave alike.

Every special file here is made by the test in its own folder. The device case uses /dev/null only
through os.stat: the code must refuse it before any open or rename, which guards on os.open and
os.replace check, and /dev/null is asserted to be a character device afterwards.
"""

from __future__ import annotations

import csv
import os
import stat
import threading

import pytest

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore import experiment, files
from regcore.experiment import Experiment, RunRecord
from regcore.files import FileError, atomic_path, atomic_write, check_writable


@pytest.fixture(scope="module")
def study(registry):
    from regcore.config import RunConfig
    from regcore.datasets import resolve_data

    data = resolve_data("moons:n=40,noise=0.2,seed=5", registry)
    config = RunConfig(iterations=30, record_every=10)
    return Experiment(settings=config, data=data, runs=[RunRecord(config, data, config.build(registry, data).run())])


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".tmp" in name)


@pytest.fixture
def umask():
    """Set the process's umask for one test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


@pytest.fixture
def no_system_writes(monkeypatch):
    """Fail the test if anything opens or renames a path under /dev (the code must refuse first)."""
    real_open, real_replace, real_rename = os.open, os.replace, os.rename

    def guarded(real):
        def call(*args, **kwargs):
            for arg in args[:2]:
                if isinstance(arg, (str, os.PathLike)) and os.path.abspath(os.fspath(arg)).startswith("/dev"):
                    raise AssertionError(f"{real.__name__} was called on {arg}")
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", guarded(real_open))
    monkeypatch.setattr(os, "replace", guarded(real_replace))
    monkeypatch.setattr(os, "rename", guarded(real_rename))
    yield
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


# ---------------------------------------------------------------- ordinary saves


def test_the_same_save_twice_leaves_one_file_with_the_last_content(tmp_path, study):
    path = tmp_path / "study.regx"
    experiment.save(study, path)
    first = path.read_bytes()
    experiment.save(study, path)
    assert path.read_bytes() == first and os.listdir(tmp_path) == ["study.regx"]
    with atomic_write(tmp_path / "notes.txt") as handle:
        handle.write("one\n")
    with atomic_write(tmp_path / "notes.txt") as handle:
        handle.write("two\n")
    assert (tmp_path / "notes.txt").read_text() == "two\n" and leftovers(tmp_path) == []


def test_a_failing_writer_leaves_the_previous_content_and_no_temporary_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("before")
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half of it")
        raise RuntimeError("the writer broke")
    assert path.read_text() == "before" and leftovers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt), atomic_path(path) as temporary:
        temporary.write_text("half")
        raise KeyboardInterrupt
    assert path.read_text() == "before" and leftovers(tmp_path) == []


def test_an_existing_file_keeps_its_mode(tmp_path, study, umask):
    umask(0o077)  # the umask must not matter for a file that exists
    path = tmp_path / "study.regx"
    path.write_bytes(b"old")
    for chosen in (0o640, 0o604, 0o755):
        path.chmod(chosen)
        experiment.save(study, path)
        assert mode(path) == chosen
    with atomic_path(path) as temporary:  # a writer that replaces the file it was given a name for
        temporary.unlink()
        temporary.write_bytes(b"new")
    assert mode(path) == 0o755 and path.read_bytes() == b"new"


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, study, umask, mask, expected):
    umask(mask)
    experiment.save(study, tmp_path / "study.regx")
    with atomic_write(tmp_path / "notes.txt") as handle:
        handle.write("x")
    with atomic_path(tmp_path / "image.png") as temporary:
        temporary.write_bytes(b"png")
    assert [mode(tmp_path / name) for name in ("study.regx", "notes.txt", "image.png")] == [expected] * 3


def test_a_text_save_writes_what_it_was_given(tmp_path):
    with atomic_write(tmp_path / "rows.csv") as handle:
        csv.writer(handle).writerows([["a", "b"], ["é", "2"]])
    assert (tmp_path / "rows.csv").read_bytes() == "a,b\r\né,2\r\n".encode()
    with atomic_write(tmp_path / "raw.bin", "wb") as handle:
        handle.write(b"\0\1")
    assert (tmp_path / "raw.bin").read_bytes() == b"\0\1"


# ---------------------------------------------------------------- symlinks


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path, study):
    real = tmp_path / "real" / "study.regx"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.regx"
    link.symlink_to(real)
    experiment.save(study, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(experiment.load(real).runs) == 1 and mode(real) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_saving_onto_a_link_onto_a_link_twice(tmp_path, study):
    real = tmp_path / "study.regx"
    real.write_bytes(b"old")
    middle, outer = tmp_path / "middle.regx", tmp_path / "outer.regx"
    middle.symlink_to(real.name)  # relative links, as people make them
    outer.symlink_to(middle.name)
    for _ in range(2):
        experiment.save(study, outer)
        assert outer.is_symlink() and middle.is_symlink() and not real.is_symlink()
        assert os.readlink(outer) == "middle.regx" and os.readlink(middle) == "study.regx"
    assert experiment.load(outer).runs[0].config == study.runs[0].config
    assert sorted(os.listdir(tmp_path)) == ["middle.regx", "outer.regx", "study.regx"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "new.csv")
    with atomic_write(link) as handle:
        handle.write("x")
    assert link.is_symlink() and (tmp_path / "new.csv").read_text() == "x"


def test_a_symlink_loop_is_refused_in_one_line(tmp_path, study):
    a, b = tmp_path / "a.regx", tmp_path / "b.regx"
    a.symlink_to(b)
    b.symlink_to(a)
    for attempt in (lambda: experiment.save(study, a), lambda: check_writable(a)):
        with pytest.raises(FileError, match=r"a\.regx: cannot be written \(a symlink loop"):
            attempt()
    assert sorted(os.listdir(tmp_path)) == ["a.regx", "b.regx"]


# ---------------------------------------------------------------- what cannot be replaced


def run_with_timeout(call, seconds=10):
    """Run ``call`` on a thread; fail (rather than hang the suite) if it blocks."""
    outcome = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the call blocked"
    return outcome


def test_a_fifo_target_is_refused_without_blocking_and_stays_a_fifo(tmp_path, study):
    fifo = tmp_path / "out.regx"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    for call in (lambda: experiment.save(study, fifo), lambda: check_writable(fifo),
                 lambda: atomic_write(link).__enter__()):
        error = run_with_timeout(call).get("error")
        assert isinstance(error, FileError) and "is a FIFO (named pipe); only a regular file can be replaced" \
            in str(error) and "\n" not in str(error)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["link.csv", "out.regx"]


def test_a_device_is_refused_before_anything_is_opened_or_renamed(tmp_path, study, no_system_writes):
    link = tmp_path / "null.regx"
    link.symlink_to(os.devnull)
    for target in (os.devnull, link):
        for call in (lambda: experiment.save(study, target), lambda: check_writable(target)):
            with pytest.raises(FileError, match="is a device; only a regular file can be replaced"):
                call()
    assert link.is_symlink() and os.listdir(tmp_path) == ["null.regx"]


def test_a_folder_a_missing_folder_and_no_name_are_refused(tmp_path, study):
    (tmp_path / "folder.regx").mkdir()
    cases = [(tmp_path / "folder.regx", "is a folder; only a regular file can be replaced"),
             (tmp_path / "no" / "such" / "study.regx", "does not exist"),
             ("", "no file name given"), (" ", "no file name given")]
    for target, reason in cases:
        for call in (lambda: experiment.save(study, target), lambda: check_writable(target)):
            with pytest.raises(FileError, match=reason) as caught:
                call()
            assert "\n" not in str(caught.value)
    assert not (tmp_path / "no").exists() and os.listdir(tmp_path) == ["folder.regx"]


def test_a_file_inside_a_file_is_refused(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(FileError, match="is not a folder|Not a directory"):
        check_writable(tmp_path / "plain" / "out.csv")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_file_or_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (tmp_path / "ro.csv").write_text("keep")
    (tmp_path / "ro.csv").chmod(0o444)
    locked.chmod(0o555)
    try:
        with pytest.raises(FileError, match="is read-only"):
            check_writable(tmp_path / "ro.csv")
        with pytest.raises(FileError, match="cannot write in"):
            check_writable(locked / "new.csv")
    finally:
        locked.chmod(0o755)
    assert (tmp_path / "ro.csv").read_text() == "keep"


def test_check_writable_names_the_file_that_would_be_replaced_and_leaves_nothing(tmp_path):
    real = tmp_path / "real.csv"
    (tmp_path / "link.csv").symlink_to(real)
    assert check_writable(tmp_path / "link.csv") == real
    assert check_writable(tmp_path / "new.csv") == tmp_path / "new.csv"
    assert sorted(os.listdir(tmp_path)) == ["link.csv"]


def test_a_name_with_a_newline_gives_one_line(tmp_path):
    with pytest.raises(FileError) as caught:
        check_writable(tmp_path / "no\nfolder" / "x.csv")
    assert "\n" not in str(caught.value) and "no\\nfolder" in str(caught.value)
    assert files.shown(b"caf\xc3\xa9") == "café"


# ---------------------------------------------------------------- the window's saves


def test_the_window_saves_the_runs_csv_and_a_png_through_links_and_refuses_a_fifo(qtbot, window, tmp_path):
    window.training_panel.iterations.setValue(200)
    window.start()
    wait_idle(qtbot, window)
    real_csv, real_png = tmp_path / "runs.csv", tmp_path / "plots.png"
    real_csv.write_text("old")
    real_csv.chmod(0o640)
    (tmp_path / "runs-link.csv").symlink_to(real_csv)
    (tmp_path / "plots-link.png").symlink_to(real_png)
    for _ in range(2):  # the same exports twice
        assert window.export_csv(str(tmp_path / "runs-link.csv"))
        assert window.export_png(str(tmp_path / "plots-link.png"))
    assert (tmp_path / "runs-link.csv").is_symlink() and (tmp_path / "plots-link.png").is_symlink()
    assert list(csv.DictReader(real_csv.open()))[0]["iterations"] == "200" and mode(real_csv) == 0o640
    assert real_png.read_bytes()[:4] == b"\x89PNG"

    os.mkfifo(tmp_path / "pipe.png")
    assert not window.export_png(str(tmp_path / "pipe.png"))
    assert "Could not save" in window.message_box.windowTitle()
    assert "is a FIFO" in window.message_box.text() and "\n" not in window.message_box.text()
    assert not window.export_csv(str(tmp_path / "pipe.png"))
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.png").st_mode) and leftovers(tmp_path) == []
