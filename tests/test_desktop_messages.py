"""What the window says while it trains or refuses to: an empty hidden-layers field, the time left."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regstudio.main_window import MainWindow
from regstudio.worker import Frame
from user_actions import CTRL, press, type_into


def test_an_empty_hidden_layers_field_is_called_empty(qtbot, window):
    field = window.training_panel.hidden
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == ""
    press(qtbot, window, window.start_action)
    assert window.controller.worker is None
    text = window.message_box.text()
    assert "hidden layer sizes are empty" in text and "got" not in text, text


def test_the_time_left_is_never_zero_before_the_end(qtbot, window):
    type_into(qtbot, window.training_panel.iterations, "20000")
    type_into(qtbot, window.training_panel.record_every, "100")
    shown = []
    press(qtbot, window, window.start_action)
    # after the window's own slot (connected first) has set the label for this frame
    window.controller.frame.connect(lambda frame: shown.append((frame.iteration, window.rate_label.text())))
    wait_idle(qtbot, window)
    assert shown and not any(" 0 s left" in text for _, text in shown), shown
    last = [text for iteration, text in shown if iteration < 20000][-1]
    assert "left" in last


def test_less_than_a_second_left_says_so():
    frame = Frame(iteration=600, iterations=1000, seconds=0.6, payloads={})  # 60%, 0.4 s left
    assert MainWindow._rate_text(frame).endswith("· <1 s left")
    assert MainWindow._rate_text(Frame(400, 1000, 4.0, {})).endswith("· 6 s left")
    assert "left" not in MainWindow._rate_text(Frame(1000, 1000, 1.0, {}))
    assert MainWindow._rate_text(Frame(400, 1000, 0.1, {}), speed=20).endswith("20/s · 30 s left")  # slow motion


def test_a_tab_view_that_is_missing_or_fails_to_start_is_a_note_in_its_tab(window):
    from PySide6.QtWidgets import QLabel

    for dotted, note in (("regstudio.no_such_view:View", "The Lab view is not installed in this build."),
                         ("regstudio.plots:fit_title", "The Lab view failed to start: ")):
        assert window._optional_tab(dotted, "Lab") is None
        shown = window.tabs.widget(window.tabs.count() - 1)
        assert window.tabs.tabText(window.tabs.count() - 1) == "Lab" and isinstance(shown, QLabel)
        assert shown.text().startswith(note)
