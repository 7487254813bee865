"""What the window remembers between launches (QSettings): layout, presenter mode, last settings, disabled
plugins.

Stored values are checked on the way back in: a setting that no longer makes sense (a plugin that
is gone, a data file that moved) is dropped with a status-bar note, never an error at start-up.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from regcore.config import RunConfig
from regcore.errors import RegcoreError

from . import presenter


def disabled_plugins(store: QSettings) -> set[str]:
    raw = store.value("plugins/disabled", "")
    return {name for name in str(raw or "").split(",") if name}


def set_disabled_plugins(store: QSettings, names: set[str]) -> None:
    store.setValue("plugins/disabled", ",".join(sorted(names)))


def save(window, store: QSettings) -> None:
    store.setValue("window/geometry", window.saveGeometry())
    store.setValue("window/state", window.saveState())
    store.setValue("window/splitter", window.splitter.saveState())
    store.setValue("window/tab", window.tabs.currentIndex())
    store.setValue("view/log_scale", window.log_scale.isChecked())
    store.setValue("view/show_test", window.data_panel.show_test.isChecked())
    store.setValue("view/presenter", window.presenter_action.isChecked())
    try:
        store.setValue("run/config", json.dumps(window.config().to_dict()))
    except RegcoreError:
        pass  # an unfinished edit: keep the last good settings
    store.sync()


def restore(window, store: QSettings) -> None:
    for key, restore_state in (("window/geometry", window.restoreGeometry), ("window/state", window.restoreState),
                               ("window/splitter", window.splitter.restoreState)):
        value = store.value(key)
        if value is not None:
            restore_state(value)
    window.tabs.setCurrentIndex(int(store.value("window/tab", 0) or 0))
    window.log_scale.setChecked(_flag(store.value("view/log_scale", False)))
    window.data_panel.show_test.setChecked(_flag(store.value("view/show_test", True)))
    presenting = _flag(store.value("view/presenter", False))
    window.presenter_action.setChecked(presenting)
    presenter.set_presenter(window, presenting)  # also when unchanged: the mode is the process's, not the window's
    raw = store.value("run/config")
    if not raw:
        return
    try:
        config = RunConfig.from_dict(json.loads(raw))
    except (RegcoreError, ValueError, KeyError, TypeError):
        window.statusBar().showMessage("The last session's settings could not be restored; using the defaults.", 8000)
        return
    window.training_panel.set_config(config)
    window.regularizer_panel.set_selected([(n, v) for n, v in config.regularizers if n in window.registry.regularizers])
    if config.data is not None:
        window.load_source(config.data, quiet=True)  # a moved file: the default data set, and a note


def _flag(value) -> bool:
    """QSettings gives booleans back as 'true'/'false' strings from INI files."""
    return value is True or str(value).lower() == "true"
