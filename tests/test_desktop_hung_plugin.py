"""A regularizer whose code never returns: Stop says so, closing the window does not block."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from desktop_fixtures import *  # noqa: F401,F403
from regcore import Regularizer, hookimpl
from regcore.plugins import ALLOW_ENV, load_registry

RELEASE = threading.Event()
ENTERED = threading.Event()


class Hangs(Regularizer):
    name = "hangs"
    label = "Hangs (test plugin)"
    help = "Blocks in add_gradients at iteration 50 until the test releases it."

    def setup(self):
        self.calls = 0

    def add_gradients(self, weights, grads):
        self.calls += 1
        if self.calls == 50:
            ENTERED.set()
            RELEASE.wait(60)


def registry_with_hangs():
    plugin = SimpleNamespace(register_regularizers=hookimpl(lambda register: register(Hangs)))
    return load_registry(extra=[("hangs", plugin)], environ={ALLOW_ENV: "hangs"})


def test_stop_says_a_hung_regularizer_is_not_responding_and_closing_does_not_block(qtbot, make_window):
    RELEASE.clear()
    ENTERED.clear()
    window = make_window(registry_with_hangs())
    window.regularizer_panel.set_selected([("hangs", {})])
    window.training_panel.iterations.setValue(1000)
    try:
        window.start_action.trigger()
        assert ENTERED.wait(20)
        window.stop_action.trigger()
        qtbot.waitUntil(lambda: window.message_box is not None and window.message_box.isVisible()
                        and "not responding" in window.message_box.windowTitle() + window.message_box.text().lower(),
                        timeout=10000)
        assert "'hangs'" in window.message_box.text()
        started = time.perf_counter()
        window.close()
        assert time.perf_counter() - started < 8  # a bounded wait, never forever
    finally:
        RELEASE.set()  # let the thread end, so the test leaves nothing behind
        from regstudio.controller import ABANDONED

        for worker in ABANDONED:
            worker.wait(10000)
        ABANDONED.clear()
