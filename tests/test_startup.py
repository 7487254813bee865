"""``regstudio`` on a fresh machine: no display or a missing system library is one line and exit 2, not
an abort with a core dump; ``--version`` needs no window. The check (regstudio.display_check) gets
its environment and library lookup injected; subprocesses run the real thing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from types import SimpleNamespace

import pytest

from conftest import ROOT
from regstudio import app, display_check
from regstudio.display_check import PACKAGES, missing_xcb_libraries, not_found, problem

X11 = {"DISPLAY": ":0"}
HEADLESS = "QT_QPA_PLATFORM=offscreen regstudio --screenshot out.png"


def never():
    raise AssertionError("the libraries must not be looked at here")


def check(environ, missing=never, system="linux"):
    return problem(environ=environ, system=system, missing=missing)


# ---------------------------------------------------------------- when there is nothing to check

@pytest.mark.parametrize("system", ["darwin", "win32"])
def test_only_linux_is_checked(system):
    assert check({}, system=system) is None


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "wayland", "eglfs", "wayland;xcb", "xcb;offscreen"])
def test_a_platform_other_than_xcb_is_left_to_qt(platform):
    assert check({"QT_QPA_PLATFORM": platform}) is None


def test_with_a_wayland_display_qt_tries_wayland_first():
    assert check({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert check({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": ""}) is None


# ---------------------------------------------------------------- no display

@pytest.mark.parametrize("environ", [{}, {"DISPLAY": "", "WAYLAND_DISPLAY": ""}, {"QT_QPA_PLATFORM": ""}])
def test_no_display_at_all_is_one_line_saying_to_go_headless(environ):
    assert check(environ) == ("regstudio: error: no display to open the window on (DISPLAY and WAYLAND_DISPLAY "
                              f"are unset); start it in a desktop session, or make a picture headless: {HEADLESS}")


@pytest.mark.parametrize("platform", ["xcb", " xcb ", "xcb:dpi=96"])
def test_xcb_by_name_needs_an_x_display_even_with_a_wayland_one(platform):
    line = check({"QT_QPA_PLATFORM": platform, "WAYLAND_DISPLAY": "wayland-0"})
    assert line.startswith("regstudio: error: no display to open the window on "
                           "(QT_QPA_PLATFORM=xcb and DISPLAY is unset); ")
    assert line.endswith(HEADLESS)


# ---------------------------------------------------------------- missing libraries

@pytest.mark.parametrize("environ", [X11, {**X11, "QT_QPA_PLATFORM": "xcb"}, {**X11, "WAYLAND_DISPLAY": ""}])
def test_a_display_and_all_libraries_is_fine(environ):
    assert check(environ, missing=lambda: []) is None


def test_when_the_libraries_cannot_be_looked_up_qt_is_left_to_try():
    assert check(X11, missing=lambda: None) is None


def test_missing_libraries_are_named_with_the_debian_and_fedora_packages():
    line = check(X11, missing=lambda: ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert line == ("regstudio: error: the window needs system libraries that are missing "
                    "(libxcb-icccm.so.4, libxcb-keysyms.so.1); "
                    'install them with "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" '
                    '(Fedora: "sudo dnf install xcb-util-wm xcb-util-keysyms"), '
                    f"or make a picture headless: {HEADLESS}")


def test_a_package_that_provides_several_missing_libraries_is_named_once():
    line = check(X11, missing=lambda: ["libxcb-cursor.so.0", "libxcb-randr.so.0", "libxcb-shm.so.0"])
    assert '"sudo apt-get install libxcb-cursor0 libxcb-randr0 libxcb-shm0"' in line
    assert '"sudo dnf install xcb-util-cursor libxcb"' in line


def test_a_library_the_table_does_not_know_is_still_named():
    line = check(X11, missing=lambda: ["libxcb-cursor.so.0", "libxcb-xinput.so.0"])
    assert "(libxcb-cursor.so.0, libxcb-xinput.so.0)" in line
    assert '(Fedora: "sudo dnf install xcb-util-cursor") and the packages that provide libxcb-xinput.so.0, ' in line
    alone = check(X11, missing=lambda: ["libfrob.so.9"])
    assert "(libfrob.so.9); install the packages that provide them, or make a picture headless" in alone
    assert "apt-get" not in alone and "\n" not in alone


# ---------------------------------------------------------------- asking ldd

LDD = """\tlinux-vdso.so.1 (0x00007ffc1f5e2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f0f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f0e)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f10)
"""


def fake_ldd(stdout="", returncode=0, raises=None):
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        if raises:
            raise raises
        return SimpleNamespace(stdout=stdout, returncode=returncode)

    return run, calls


def test_ldd_output_gives_the_unresolved_libraries_in_order_once_each():
    assert not_found(LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert not_found("\tnot a dynamic executable\n") == []


def test_the_plugin_is_given_to_ldd(tmp_path):
    run, calls = fake_ldd(LDD)
    assert missing_xcb_libraries(tmp_path / "libqxcb.so", run=run) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert calls == [["ldd", str(tmp_path / "libqxcb.so")]]


@pytest.mark.parametrize("run", [fake_ldd(raises=FileNotFoundError("ldd"))[0],
                                 fake_ldd(raises=subprocess.TimeoutExpired("ldd", 20))[0],
                                 fake_ldd("\tnot a dynamic executable\n", returncode=1)[0]])
def test_without_a_working_ldd_the_answer_is_unknown(tmp_path, run):
    assert missing_xcb_libraries(tmp_path / "libqxcb.so", run=run) is None


def test_without_the_plugin_the_answer_is_unknown(monkeypatch):
    monkeypatch.setattr(display_check, "xcb_plugin", lambda: None)
    assert missing_xcb_libraries(run=never) is None


def test_the_plugin_is_found_without_loading_qt():
    code = ("import sys; from regstudio import display_check as d; p = d.xcb_plugin(); "
            "assert p is not None and p.is_file(), p; assert 'PySide6' not in sys.modules, 'Qt was imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="needs Linux's ldd")
def test_every_x11_and_gl_library_the_real_plugin_needs_has_its_packages():
    plugin = display_check.xcb_plugin()
    listed = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=60).stdout
    names = {line.split("=>")[0].strip() for line in listed.splitlines() if "=>" in line}
    families = ("libxcb", "libX", "libxkb", "libGL", "libEGL", "libfontconfig", "libfreetype", "libglib",
                "libgthread", "libdbus")
    needed = {name for name in names if name.startswith(families)}
    assert "libxcb-cursor.so.0" in needed and "libxcb-icccm.so.4" in needed
    assert needed <= set(PACKAGES), f"add these to display_check.PACKAGES: {sorted(needed - set(PACKAGES))}"
    assert isinstance(missing_xcb_libraries(), list)


# ---------------------------------------------------------------- regstudio's main()

def test_main_prints_the_line_and_exits_2_before_making_a_window(monkeypatch, capsys):
    monkeypatch.setattr(display_check, "problem", lambda: "regstudio: error: no display (test)")
    monkeypatch.setattr("regstudio.main_window.MainWindow", never)
    assert app.main([]) == 2
    assert capsys.readouterr().err == "regstudio: error: no display (test)\n"


def test_a_screenshot_does_not_ask_for_a_display(monkeypatch):
    monkeypatch.setattr(display_check, "problem", never)
    monkeypatch.setattr("regstudio.main_window.MainWindow", lambda **kwargs: "window")
    monkeypatch.setattr(app, "_open", lambda qapp, window, args: 0 if window == "window" else 1)
    assert app.main(["--screenshot", "unused.png"]) == 0


def headless_env() -> dict:
    """This environment as on a machine without any display (and without conftest's offscreen)."""
    gone = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return {k: v for k, v in os.environ.items() if k not in gone}


def test_python_dash_m_regstudio_without_a_display_is_one_line_and_exit_2_quickly():
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "regstudio"], capture_output=True, text=True, cwd=ROOT,
                          env=headless_env(), timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr  # a Qt abort would be -6 (SIGABRT)
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("regstudio: error: no display ")
    assert elapsed < 20, f"took {elapsed:.1f} s"


def test_version_is_the_installed_one_and_needs_no_window():
    done = subprocess.run([sys.executable, "-m", "regstudio", "--version"], capture_output=True, text=True,
                          cwd=ROOT, env=headless_env(), timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"regstudio {version('regstudio')}\n", "")


def test_the_readme_names_the_window_packages_once_for_debian_and_once_for_fedora():
    lines = (ROOT / "README.md").read_text().splitlines()
    apt = [line for line in lines if line.startswith("sudo apt-get install ")]
    dnf = [line for line in lines if line.startswith("sudo dnf install ")]
    assert len(apt) == 1 and len(dnf) == 1
    debian = set(apt[0].split("#")[0].split()[3:])
    fedora = set(dnf[0].split("#")[0].split()[3:])
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"} <= debian
    assert {"xcb-util-cursor", "xcb-util-wm", "xcb-util-keysyms", "libxkbcommon-x11"} <= fedora
    assert debian <= {deb for deb, _ in PACKAGES.values()} and fedora <= {rpm for _, rpm in PACKAGES.values()}
