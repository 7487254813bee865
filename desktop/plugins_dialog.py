"""The Plugins dialog: every plugin, where it comes from, what became of it, and a switch for each.

It only reads the registry and returns the set of external plugins the user wants disabled
(`disabled()`); the main window stores that set and reloads the registry. A skipped plugin is shown
with its reason, so a broken third-party package is visible here rather than a mystery.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QStyle,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from regcore.plugins import ALLOW_ENV

COLUMNS = ("Plugin", "Origin", "Status", "Provides, or why not")
INTRO = ("Plugins add regularizers, optimizers and data sets. External ones come from installed packages; untick "
         "one to disable it (built-ins always load). Changes apply when you press OK.")


class PluginsDialog(QDialog):
    """``PluginsDialog(registry, disabled)``; after ``exec()``, ``disabled()`` is the new set of names."""

    def __init__(self, registry, disabled: set[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self._disabled_before = set(disabled)
        self.items: dict[str, QTreeWidgetItem] = {}      # each plugin name's (first) row
        self.switches: dict[str, QTreeWidgetItem] = {}   # the rows with a tick box: external plugins

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        first_problem = None
        for info in registry.plugins:
            item = self._add(info, self._provides(registry, info))
            self.items.setdefault(info.name, item)
            if info.status == "skipped" and first_problem is None:
                first_problem = item
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.tree.currentItemChanged.connect(self._show_details)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel(INTRO + self._environment_note())
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self._summary(registry.plugins)))
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.resize(860, 420)
        self.tree.setCurrentItem(first_problem or self.tree.topLevelItem(0))  # a problem first: it needs reading

    def disabled(self) -> set[str]:
        """The external plugins left unticked (plus any disabled before that are no longer installed)."""
        unticked = {name for name, item in self.switches.items() if item.checkState(0) == Qt.CheckState.Unchecked}
        return (self._disabled_before - set(self.switches)) | unticked

    # ---------------------------------------------------------------- building the rows

    def _add(self, info, provides: str) -> QTreeWidgetItem:
        origin = "built-in" if info.builtin else f"{info.package} {info.version or ''}".strip()
        detail = provides if info.status == "loaded" else info.reason
        item = QTreeWidgetItem(self.tree, [info.name, origin, info.status, detail])
        item.setData(0, Qt.ItemDataRole.UserRole, self._describe(info, provides))
        item.setToolTip(3, detail)
        if info.builtin:  # a tick that cannot be removed: always on
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setToolTip(0, "Built-in plugins always load.")
        elif info.name not in self.switches:  # a second plugin of the same name shares the first one's switch
            self.switches[info.name] = item
            ticked = info.name not in self._disabled_before
            item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            item.setToolTip(0, "Untick to disable this plugin.")
        if info.status == "skipped":
            item.setIcon(2, self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        elif info.status == "disabled":
            for column in range(1, len(COLUMNS)):
                item.setForeground(column, self.palette().placeholderText())
        return item

    @staticmethod
    def _provides(registry, info) -> str:
        parts = []
        for kind, table in (("regularizer", registry.regularizers), ("optimizer", registry.optimizers),
                            ("data set", registry.datasets)):
            names = [name for name, entry in table.items() if entry.plugin is info]
            if names:
                parts.append(f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}")
        return "; ".join(parts) or "nothing"

    @staticmethod
    def _describe(info, provides: str) -> str:
        if info.status == "loaded":
            return f"{info.origin[0].upper()}{info.origin[1:]}: loaded. Provides {provides}."
        return f"{info.problem[0].upper()}{info.problem[1:]}."

    def _show_details(self, item, _previous=None) -> None:
        self.details.setText(item.data(0, Qt.ItemDataRole.UserRole) if item else "")

    @staticmethod
    def _summary(plugins) -> str:
        counts = {status: sum(p.status == status for p in plugins) for status in ("loaded", "skipped", "disabled")}
        return f"{len(plugins)} plugins: " + ", ".join(f"{n} {status}" for status, n in counts.items())

    @staticmethod
    def _environment_note() -> str:
        if ALLOW_ENV not in os.environ:
            return ""
        return f" {ALLOW_ENV} is set, so only the external plugins it names can load."
