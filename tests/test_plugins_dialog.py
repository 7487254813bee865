"""The Plugins dialog: every plugin with origin, status and what it provides or why not; switches for
external plugins only; and the dialog as the main window's Plugins… menu opens it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox

from regstudio.plugins_dialog import PluginsDialog
from desktop_fixtures import *  # noqa: F401,F403
from regcore import Param, Regularizer, hookimpl
from regcore.plugins import ALLOW_ENV, load_registry


class Smooth(Regularizer):
    name = "smooth"
    params = (Param("amount", "float", 0.1, low=0.0),)


def provider(*classes, fail: str = ""):
    @hookimpl
    def register_regularizers(register):
        for cls in classes:
            register(cls)
        if fail:
            raise RuntimeError(fail)

    return SimpleNamespace(register_regularizers=register_regularizers)


@pytest.fixture
def registry(monkeypatch):
    # exactly these plugins: the dialog lists every one, those installed for real too
    monkeypatch.setattr("regcore.plugins._entry_points", lambda: [])
    return load_registry(extra=[("smoothing", provider(Smooth)), ("gpu", provider(fail="CUDA not available")),
                                ("quiet", provider(Smooth))], disabled={"quiet"}, environ={})


@pytest.fixture
def dialog(qtbot, registry, monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    dialog = PluginsDialog(registry, {"quiet", "uninstalled_since"})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def row(dialog, name):
    item = dialog.items[name]
    return [item.text(column) for column in range(dialog.tree.columnCount())]


def test_every_plugin_is_listed_with_origin_status_and_what_it_provides_or_why_not(dialog):
    assert [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())] == [
        "none", "l2", "l1", "dropout", "early_stopping", "datasets", "gd", "momentum", "adam", "adamw", "smoothing",
        "gpu", "quiet"]
    assert row(dialog, "adam") == ["adam", "built-in", "loaded", "optimizer adam"]
    assert row(dialog, "l2") == ["l2", "built-in", "loaded", "regularizer l2"]
    assert row(dialog, "datasets")[3] == "data sets circle, xor, gauss, spiral, moons, flower"
    assert row(dialog, "smoothing") == ["smoothing", "code", "loaded", "regularizer smooth"]
    assert row(dialog, "gpu") == ["gpu", "code", "skipped", "register_regularizers raised RuntimeError: CUDA not available"]
    assert row(dialog, "quiet") == ["quiet", "code", "disabled", "disabled by the user"]
    assert not dialog.items["gpu"].icon(2).isNull()  # a warning sign on the problem


def test_a_skipped_plugin_is_selected_first_with_its_full_story(dialog):
    assert dialog.tree.currentItem() is dialog.items["gpu"]
    assert dialog.details.text() == ("Plugin 'gpu' from code was skipped: register_regularizers raised "
                                     "RuntimeError: CUDA not available.")
    dialog.tree.setCurrentItem(dialog.items["smoothing"])
    assert dialog.details.text() == "Plugin 'smoothing' from code: loaded. Provides regularizer smooth."


def test_only_external_plugins_can_be_switched_off(dialog):
    assert set(dialog.switches) == {"smoothing", "gpu", "quiet"}
    for name in ("none", "l2", "dropout", "datasets", "early_stopping"):
        item = dialog.items[name]
        assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert item.checkState(0) == Qt.CheckState.Checked
    assert [dialog.items[n].checkState(0) for n in ("smoothing", "quiet")] == [Qt.CheckState.Checked,
                                                                             Qt.CheckState.Unchecked]


def test_disabled_reflects_the_ticks_and_keeps_names_no_longer_installed(dialog, qtbot):
    assert dialog.disabled() == {"quiet", "uninstalled_since"}
    dialog.items["smoothing"].setCheckState(0, Qt.CheckState.Unchecked)
    dialog.items["quiet"].setCheckState(0, Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() == PluginsDialog.DialogCode.Accepted
    assert dialog.disabled() == {"smoothing", "uninstalled_since"}


def test_the_summary_and_the_environment_switch_are_shown(qtbot, registry, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "smoothing")
    dialog = PluginsDialog(registry, set())
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(type(dialog.details))]
    assert "13 plugins: 11 loaded, 1 skipped, 1 disabled" in texts
    assert any(f"{ALLOW_ENV} is set" in text for text in texts)


def test_the_main_windows_plugins_menu_shows_a_skipped_plugin_and_stores_the_choice(qtbot, make_window, registry):
    window = make_window(registry)
    seen = {}

    def answer():  # runs inside the dialog's exec(): record what it shows, untick one plugin, press OK
        dialog = window.findChild(PluginsDialog)
        seen["gpu"] = row(dialog, "gpu")
        dialog.items["smoothing"].setCheckState(0, Qt.CheckState.Unchecked)
        dialog.accept()

    QTimer.singleShot(0, answer)
    action = next(a for a in window.findChildren(type(window.start_action)) if a.text() == "Plugins…")
    action.trigger()
    assert seen["gpu"] == ["gpu", "code", "skipped", "register_regularizers raised RuntimeError: CUDA not available"]
    assert "smoothing" in window.store.value("plugins/disabled")
    assert window.registry is not registry  # reloaded with the new choice
    assert window.controller.state == "idle"
