"""The window on a 1280 px screen, in normal and presenter mode: it fits (1280x720 normally, 1280x800
in large type), and on every tab every plot's title, axis labels and colour bar are on screen whole
(not cut by the view's edge, not elided)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from test_desktop_sweep_journeys import run_sweep
from user_actions import click_rows, press

SIZES = {False: (1280, 720), True: (1280, 800)}  # presenter mode: the projector's 1280x800


@pytest.fixture(params=[False, True], ids=["normal", "presenter"])
def presenting(request, window):
    window.presenter_action.setChecked(request.param)
    yield request.param
    window.presenter_action.setChecked(False)  # the mode is the process's: leave it as found


def fitted(qtbot, window, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=3000)
    for _ in range(2):  # lay out and paint as the screen would; a title that wrapped re-lays its plot
        window.grab()
        qtbot.wait(20)


def test_the_window_fits_a_1280_px_screen(qtbot, window, presenting):
    width, height = SIZES[presenting]
    assert window.minimumSizeHint().width() <= width and window.minimumSizeHint().height() <= height
    for index in range(window.tabs.count()):  # each tab, shown, keeps the window within the screen
        window.tabs.setCurrentIndex(index)
        fitted(qtbot, window, (width, height))
        assert window.width() == width, window.tabs.tabText(index)


def texts_on_screen(view: pg.GraphicsView):
    """(what, text, rectangle in the view's pixels) of every shown title, axis label and colour bar."""
    for item in view.scene().items():
        if not item.isVisible():
            continue
        if isinstance(item, pg.ColorBarItem):  # (a PlotItem too: its label is its left axis's)
            yield "colour bar", "", item.sceneBoundingRect(), ""
            yield "colour bar label", item.getAxis("left").label.toPlainText(), \
                item.getAxis("left").label.sceneBoundingRect(), ""
        elif isinstance(item, pg.PlotItem):
            if item.titleLabel.isVisible() and getattr(item.titleLabel, "full_text", item.titleLabel.text):
                label = item.titleLabel
                yield "title", label.item.toPlainText(), label.item.sceneBoundingRect(), getattr(label, "full_text", "")
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                if axis.isVisible() and axis.label.isVisible() and axis.label.toPlainText().strip():
                    yield f"{name} axis", axis.label.toPlainText(), axis.label.sceneBoundingRect(), ""


def assert_all_visible(window, tab: str) -> list[str]:
    seen = []
    for view in window.tabs.currentWidget().findChildren(pg.GraphicsView):
        if not view.isVisible():
            continue
        screen = view.mapToScene(view.viewport().rect()).boundingRect().adjusted(-1, -1, 1, 1)
        for what, text, rect, full in texts_on_screen(view):
            seen.append(what)
            assert screen.contains(rect), f"{tab}: {what} {text!r} is cut: {rect} outside {screen}"
            assert "…" not in text or "…" in full, f"{tab}: {what} elided: {text!r}"
    return seen


def test_every_title_label_and_colour_bar_is_whole_on_every_tab(qtbot, window, presenting):
    size = SIZES[True]
    window.training_panel.iterations.setValue(300)
    fitted(qtbot, window, size)
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    fitted(qtbot, window, size)
    assert window.boundary_plot.titleLabel.full_text.startswith("Decision boundary — train")
    seen = assert_all_visible(window, "training")
    assert seen.count("title") == 2 and "colour bar" in seen and "left axis" in seen, seen

    window.notebook_comparison()
    wait_idle(qtbot, window, timeout=60000)
    window.tabs.setCurrentWidget(window.comparison)
    click_rows(qtbot, window.comparison.table, [1, 2, 3])
    fitted(qtbot, window, size)
    assert assert_all_visible(window, "runs").count("title") == 4  # the overlay and three boundaries

    run_sweep(qtbot, window, count="3", iterations="200")
    fitted(qtbot, window, size)
    assert assert_all_visible(window, "sweep").count("title") >= 3

    for width in (1336, 1400):  # between 1280 and 1400 px too
        window.tabs.setCurrentIndex(0)
        fitted(qtbot, window, (width, size[1]))
        assert_all_visible(window, f"training at {width} px")
        window.tabs.setCurrentWidget(window.comparison)
        fitted(qtbot, window, (width, size[1]))
        assert_all_visible(window, f"runs at {width} px")
