"""Writing a view's plots to a PNG with pyqtgraph's exporter, atomically like every other save."""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 - registers the exporters

from regcore.files import FileError, atomic_path


def png(widget: pg.GraphicsLayoutWidget, path: str) -> None:
    """Export everything ``widget`` shows (all its plots) to ``path``; raises FileError on failure."""
    if widget.width() < 2 or widget.height() < 2:
        raise FileError(path, "the plots are not on screen, so there is nothing to export")
    exporter = pg.exporters.ImageExporter(widget.scene())
    with atomic_path(path) as temporary:
        exporter.export(str(temporary))
        if not temporary.stat().st_size:
            raise FileError(path, "the image could not be written")
