"""Writing a view's plots to a PNG with pyqtgraph's exporter, atomically like every other save."""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 - registers the exporters

from regcore.experiment import ExperimentError, replacing


def png(widget: pg.GraphicsLayoutWidget, path: str) -> None:
    """Export everything ``widget`` shows (all its plots) to ``path``; raises ExperimentError on failure."""
    if widget.width() < 2 or widget.height() < 2:
        raise ExperimentError("the plots are not on screen, so there is nothing to export")
    exporter = pg.exporters.ImageExporter(widget.scene())
    with replacing(path) as temporary:
        exporter.export(str(temporary))
        if not temporary.stat().st_size:
            raise ExperimentError(f"{path}: the image could not be written")
