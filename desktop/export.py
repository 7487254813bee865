"""Writing a view's plots to a PNG with pyqtgraph's exporter (or, for a widget holding several plots
and text, as it is drawn on screen), atomically like every other save."""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 - registers the exporters

from PySide6.QtWidgets import QWidget

from regcore.files import FileError, atomic_path


def png(widget: QWidget, path: str) -> None:
    """Export everything ``widget`` shows (all its plots) to ``path``; raises FileError on failure.

    A pyqtgraph view goes through its exporter; any other widget (a splitter of plots and text) is
    rendered as drawn."""
    if widget.width() < 2 or widget.height() < 2:
        raise FileError(path, "the plots are not on screen, so there is nothing to export")
    with atomic_path(path) as temporary:
        if isinstance(widget, pg.GraphicsView):
            pg.exporters.ImageExporter(widget.scene()).export(str(temporary))
        elif not widget.grab().save(str(temporary), "PNG"):
            raise FileError(path, "the image could not be written")
        if not temporary.stat().st_size:
            raise FileError(path, "the image could not be written")
