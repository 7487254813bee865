"""Keep PySide6's reference-count slips from crashing RegStudio on Python 3.11.

PySide6 6.12, built for Python 3.12+ where None, True and False are immortal, returns them from
every ``void`` and ``bool`` method without taking a reference. On Python 3.11 each such call
(``painter.setPen()``, ``label.setText()``, …: hundreds per redraw) lowers their reference count by
one, and within minutes of live plotting the interpreter aborts with "Fatal Python error:
none_dealloc". `make_singletons_immortal()` does for 3.11 what 3.12 does itself: it gives the three
singletons a reference count so large it can never reach zero. They are static objects that are never
freed, so nothing else changes. On 3.12 and later it does nothing.
"""

from __future__ import annotations

import ctypes
import platform
import sys

# 2**40 references: at a million slipped references a second, eleven days before any could run out.
MARGIN = 2**40


def make_singletons_immortal() -> None:
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of every object
        if count.value < MARGIN:
            count.value += MARGIN
