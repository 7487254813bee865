"""Where the data come from, as the Data box shows it: a loaded file is the current source, and
Generate says that it replaces it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from desktop_fixtures import *  # noqa: F401,F403
from regcore.data import save_csv
from regcore.datasets import resolve_data


def test_a_loaded_file_is_shown_as_the_source_and_generate_says_it_replaces_it(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    save_csv(resolve_data("circle:n=120,seed=5", window.registry), path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    panel = window.data_panel
    generate = panel.findChild(QPushButton, "regenerate")
    description = panel.findChild(QLabel, "data_description")
    assert "File:" not in description.text() and generate.text() == "Generate"

    qtbot.mouseClick(panel.findChild(QPushButton, "open_data"), Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, window)
    assert window.source == str(path)
    assert f"File: {path}" in description.text()
    assert generate.text() == "Generate instead" and str(path) in generate.toolTip()
    assert "Replace" in generate.toolTip()

    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)  # back to the generator shown above
    wait_loaded(qtbot, window)
    assert window.source.startswith("moons:")
    assert "File:" not in description.text() and window.data.name in description.text()
    assert generate.text() == "Generate" and "Replace" not in generate.toolTip()
