"""Can ``regstudio`` open a window here? Asked before Qt is loaded, so the answer is one line, not an abort.

Qt's xcb platform (X11, Qt's choice on Linux unless there is a Wayland display) aborts the process
with a core dump when there is no display or when a system library its plugin needs is missing, and
its message names the wrong library. `problem` finds both cases first and returns the line to print:

- not Linux, ``QT_QPA_PLATFORM`` set to anything but ``xcb`` (offscreen, minimal, wayland, a list
  of fallbacks...), or unset with ``WAYLAND_DISPLAY`` set (Qt tries Wayland first): nothing to check;
- no display: ``DISPLAY`` unset (and ``WAYLAND_DISPLAY`` too, unless xcb was asked for by name);
- missing libraries: those that ``ldd`` cannot resolve for PySide6's ``libqxcb.so`` (so the Qt
  libraries it loads count too, and ``LD_LIBRARY_PATH`` counts as it will for Qt), named with the
  Debian/Ubuntu and Fedora packages that provide them.

Where it cannot tell (no ``ldd``, no plugin file) it says nothing and lets Qt try. Qt-free on
purpose; the environment, the platform and the library lookup can be injected for tests.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence

HEADLESS = "or make a picture headless: QT_QPA_PLATFORM=offscreen regstudio --screenshot out.png"
XCB_PLUGIN = Path("Qt", "plugins", "platforms", "libqxcb.so")

# The system libraries that PySide6's libqxcb.so and the Qt libraries it loads need (its `ldd`),
# with the Debian/Ubuntu package and the Fedora package that provide each.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def problem(environ: Mapping[str, str] | None = None, system: str | None = None,
            missing: Callable[[], Sequence[str] | None] | None = None) -> str | None:
    """The one line to print when the window cannot open here, or None when it can (or we cannot tell).

    ``environ`` defaults to ``os.environ``, ``system`` to ``sys.platform``, ``missing`` (the
    libraries the xcb plugin cannot load, None if unknown) to `missing_xcb_libraries`.
    """
    environ = os.environ if environ is None else environ
    system = sys.platform if system is None else system
    if not system.startswith("linux"):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "").strip()
    named = platform.split(":")[0] == "xcb"  # "xcb" or "xcb:options"
    if platform and not named:
        return None
    if not platform and environ.get("WAYLAND_DISPLAY"):
        return None
    if not environ.get("DISPLAY"):
        why = "QT_QPA_PLATFORM=xcb and DISPLAY is unset" if named else "DISPLAY and WAYLAND_DISPLAY are unset"
        return (f"regstudio: error: no display to open the window on ({why}); "
                f"start it in a desktop session, {HEADLESS}")
    libraries = (missing or missing_xcb_libraries)()
    if not libraries:
        return None
    return missing_message(libraries)


def missing_message(libraries: Sequence[str]) -> str:
    """The line naming missing ``libraries`` and the packages to install for them."""
    known = [PACKAGES[name] for name in libraries if name in PACKAGES]
    debian = " ".join(dict.fromkeys(deb for deb, _ in known))
    fedora = " ".join(dict.fromkeys(rpm for _, rpm in known))
    install = (f'install them with "sudo apt-get install {debian}" (Fedora: "sudo dnf install {fedora}")'
               if known else "install the packages that provide them")
    unknown = [name for name in libraries if name not in PACKAGES]
    if known and unknown:
        install += f" and the packages that provide {', '.join(unknown)}"
    return (f"regstudio: error: the window needs system libraries that are missing ({', '.join(libraries)}); "
            f"{install}, {HEADLESS}")


def missing_xcb_libraries(plugin: Path | None = None, run=subprocess.run) -> list[str] | None:
    """The libraries ``ldd`` reports 'not found' for Qt's xcb plugin (in order, once each); None if unknown."""
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    try:
        done = run(["ldd", str(plugin)], capture_output=True, text=True, timeout=20,
                   env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return not_found(done.stdout)


def not_found(ldd_output: str) -> list[str]:
    """The ``name => not found`` libraries of ``ldd`` output, in order, once each."""
    names = [line.split("=>")[0].strip() for line in ldd_output.splitlines()
             if "=>" in line and line.split("=>")[1].strip() == "not found"]
    return list(dict.fromkeys(names))


def xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so``, found without importing PySide6; None if there is none."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / XCB_PLUGIN
        if path.is_file():
            return path
    return None
