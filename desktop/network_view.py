"""The Network tab's view: the network drawn as a graph, each unit showing what it computes.

Columns left to right: the inputs, each hidden layer, the output. Every unit is a small heatmap of
its activation over the input plane (the grid of the decision boundary, at `regcore.picture.MAP_GRID`
points a side): the hidden units' ReLU output, white where it is 0, and the output's P(class 1) in
the boundary's colours. The bias is written under each unit. Every weight is an edge from unit to
unit: thickness for its magnitude, blue for positive, orange for negative (a legend says so).
Dead units (ReLU 0 on every training point) are crossed out in red and counted per layer; units
dropout switched off, for the training point chosen in ``network_point``, in the iteration shown,
are greyed out with a dashed outline. Hovering over a unit enlarges it in the panel on the right;
clicking one keeps it there.

Above `regcore.picture.EDGE_LIMIT` weights only the strongest edges are drawn, and big layers get
small units in a column that scrolls; a note on screen says both. The scene's items are made once
per architecture and then only updated, and nothing is drawn while the tab is hidden: the last
picture waits and is drawn when the tab is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsObject, QGraphicsScene, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from regcore.picture import UNIT_LIMIT, Picture

from . import presenter
from .lazy_draw import LazyDraw
from .plots import PROBABILITY_MAP, TimedGraphicsView

POSITIVE, NEGATIVE = QColor("#2c7bb6"), QColor("#e66101")   # weight colours: blue +, orange −
DEAD_COLOUR = QColor("#d62728")
UNIT_PX, MIN_UNIT_PX = 64, 16            # a unit's side: at most, and at least in a layer that fits the view
SMALL_UNIT_PX, SMALL_GAP_PX = 22, 6      # the units of a layer of more than UNIT_LIMIT units, in a column that scrolls
GAP_PX = 11                              # between units of a column (the bias is written in the gap)
COLUMN_PX = 160                          # between columns, at least
MAX_EDGE_PX = 7.0                        # the strongest edge's thickness
NETWORK_DELAY_MS = 40                    # drawn this long after a frame (see `regstudio.lazy_draw`)
DETAIL_PX = 220                          # the enlarged unit
# hidden units: white (0) to dark green (the unit's largest output on the plane)
_RELU_LUT = np.stack([np.linspace(255, c, 256) for c in (0x1b, 0x78, 0x37)] + [np.full(256, 255.0)], 1).astype(np.uint8)
UNIT_FONT, UNIT_FONT_PRESENTING = QFont("Sans", 6), QFont("Sans", 8)     # a unit's bias, under it
HEADER_POINTS, HEADER_POINTS_PRESENTING = 9, 15                            # "hidden layer 1"


def unit_font() -> QFont:
    """The bias under a unit: large enough for a projector in presenter mode (`regstudio.presenter`)."""
    return UNIT_FONT_PRESENTING if presenter.is_presenting() else UNIT_FONT


def text_px() -> float:
    """The height of that text, which the gap between units leaves room for."""
    return QFontMetricsF(unit_font()).height()
_PROBABILITY_LUT = PROBABILITY_MAP.getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


def map_image(values: np.ndarray, output: bool) -> QImage:
    """A unit's map (rows are y, bottom row first) as an image, top row up: the output unit on the
    boundary's fixed 0..1 colours, a hidden unit scaled to its own largest value (its shape is what
    matters; the number is in the detail panel)."""
    if output:
        index = np.clip(values * 255, 0, 255)
        lut = _PROBABILITY_LUT
    else:
        top = float(values.max()) if values.size else 0.0
        index = values * (255.0 / top) if top > 0 else np.zeros_like(values)
        lut = _RELU_LUT
    rgba = np.ascontiguousarray(lut[index.astype(np.uint8)][::-1])
    height, width = rgba.shape[:2]
    return QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


def input_maps(size: int) -> list[np.ndarray]:
    """What the input units 'compute': x1 and x2 themselves over the plane, scaled 0..1."""
    ramp = np.linspace(0.0, 1.0, size)
    return [np.tile(ramp, (size, 1)), np.tile(ramp[:, None], (1, size))]


class Unit(QGraphicsObject):
    """One unit: its heatmap, outline, bias text and dead-unit cross, all painted here; it says when it
    is hovered over or clicked. A QGraphicsObject (not a plain item), so Qt and Python agree on when it
    is deleted."""

    hovered = Signal(int, int, bool)    # layer, unit, entered
    clicked = Signal(int, int)

    def __init__(self, layer: int, index: int, side: float):
        super().__init__()
        self.layer, self.index, self.side = layer, index, side
        self.setAcceptHoverEvents(True)
        self.pixmap = QPixmap()
        self.dead = self.off = False
        self.text = ""

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, self.side + 2 + 40, self.side + 2 + text_px())

    def rect(self) -> QRectF:
        return QRectF(0, 0, self.side, self.side)

    def set_state(self, image: QImage, bias: float | None, dead: bool, off: bool) -> None:
        self.pixmap = QPixmap.fromImage(image)
        self.dead, self.off = dead, off
        if bias is not None:
            self.text = f"b {bias:+.2f}"
        self.setOpacity(0.25 if off else 1.0)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        box = self.rect()
        if not self.pixmap.isNull():
            painter.drawPixmap(box, self.pixmap, QRectF(self.pixmap.rect()))
        pen = QPen(DEAD_COLOUR if self.dead else QColor("#555555"), 2 if self.dead else 1)
        pen.setStyle(Qt.PenStyle.DashLine if self.off else Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.drawRect(box)
        if self.dead:
            painter.setPen(QPen(DEAD_COLOUR, 2.5))
            painter.drawLine(box.topLeft(), box.bottomRight())
            painter.drawLine(box.bottomLeft(), box.topRight())
        if self.text:
            painter.setPen(QColor("#333333"))
            painter.setFont(unit_font())
            painter.drawText(QRectF(0, self.side + 1, self.side + 40, text_px()), Qt.AlignmentFlag.AlignLeft,
                             self.text)

    def hoverEnterEvent(self, event) -> None:
        self.hovered.emit(self.layer, self.index, True)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered.emit(self.layer, self.index, False)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.layer, self.index)


class Edges(QGraphicsObject):
    """Every drawn weight as a line, painted by one item (thousands of line items would each cost a
    Python object and a scene look-up); `set_lines` replaces the lines in place."""

    def __init__(self):
        super().__init__()
        self.setZValue(-1)
        self.lines: list[tuple[QLineF, QPen]] = []
        self._bounds = QRectF()

    def set_lines(self, lines: list[tuple[QLineF, QPen]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self.lines, self._bounds = lines, bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for line, pen in self.lines:
            painter.setPen(pen)
            painter.drawLine(line)


class NetworkView(QWidget):
    """See the module docstring. `set_picture` draws a `regcore.picture.Picture` (lazily)."""

    unit_chosen = Signal(int, int)      # (layer, unit) pinned by a click; layer 0 is the inputs

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("network_view")
        self.scene = QGraphicsScene(self)
        self.graph = TimedGraphicsView(self.scene, objectName="network_graph")
        self.graph.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.graph.setBackgroundBrush(QBrush(Qt.GlobalColor.white))
        self.title = QLabel("Train a run, or select one in the runs table, to see its network.",
                            objectName="network_title", wordWrap=True)
        self.layers_label = QLabel(objectName="network_layers")   # units and dead units per layer
        self.note = QLabel(objectName="network_note", wordWrap=True)  # only the strongest edges, when so
        self.note.setStyleSheet("color: #8c2d04")
        self.legend = QLabel(objectName="network_legend", wordWrap=True)
        self.legend.setText(
            f"<span style='color:{POSITIVE.name()}'>&#9473;&#9473;</span> positive weight &nbsp; "
            f"<span style='color:{NEGATIVE.name()}'>&#9473;&#9473;</span> negative weight &nbsp; thickness: |weight| "
            f"&nbsp; b: bias &nbsp; <span style='color:{DEAD_COLOUR.name()}'>&#10005;</span> dead unit (ReLU 0 on "
            "every training point) &nbsp; faded, dashed: switched off by dropout for the chosen point &nbsp; "
            "unit colour: its output over the input plane (hidden: white 0 to green, its own maximum; output: "
            "P(class 1))")
        self.point = QSpinBox(objectName="network_point", minimum=1, maximum=1, prefix="training point ")
        self.point.setToolTip("Dropout switches units off per training point: the point whose units are shown")
        self.point.valueChanged.connect(lambda _: self._render())
        self.dropout_label = QLabel(objectName="network_dropout", wordWrap=True)
        self.detail_image = QLabel(objectName="network_unit_image")
        self.detail_image.setFixedSize(DETAIL_PX, DETAIL_PX)
        self.detail = QLabel(objectName="network_unit_detail", alignment=Qt.AlignmentFlag.AlignTop, wordWrap=True)
        self.detail.setText("Hover over a unit to enlarge it; click to keep it here.")
        side = QWidget(objectName="network_detail_panel")
        side.setFixedWidth(DETAIL_PX + 16)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.detail_image)
        side_layout.addWidget(self.detail, 1)
        self.detailed: tuple[int, int] | None = None     # the unit enlarged now
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.point)
        middle = QHBoxLayout()
        middle.addWidget(self.graph, 1)
        middle.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.layers_label)
        layout.addWidget(self.note)
        layout.addWidget(self.dropout_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.legend)
        self.picture: Picture | None = None
        self.caption = ""
        self.pinned: tuple[int, int] | None = None
        self.units: list[list[Unit]] = []
        self.edges: Edges | None = None
        self._sizes: tuple | None = None
        self._presenting = False                        # the mode the units were laid out for
        self.lazy = LazyDraw(self, self._render, NETWORK_DELAY_MS)
        self.draws = 0                   # pictures drawn (not merely received): lazy drawing is tested by it

    @property
    def paint_seconds(self) -> float:
        """How long the last repaint took, for the worker's frame budget (0 while hidden)."""
        return self.graph.paint_seconds + self.lazy.seconds if self.isVisible() else 0.0

    # ------------------------------------------------------------------ what to show

    def clear(self, text: str = "Train a run, or select one in the runs table, to see its network.") -> None:
        self.picture, self._sizes, self.pinned, self.detailed = None, None, None, None
        self.lazy.pending = False
        self.scene.clear()
        self.units, self.edges = [], None
        for label in (self.layers_label, self.note, self.dropout_label):
            label.clear()
        self.title.setText(text)

    def set_picture(self, picture: Picture, caption: str, at_once: bool = False) -> None:
        """Show ``picture``, titled ``caption``; drawn soon if the view is visible, else when it is shown."""
        self.picture, self.caption = picture, caption
        self.lazy.request(at_once)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.lazy.shown()

    def _render(self) -> None:
        picture = self.picture
        if picture is None:
            return
        self.draws += 1
        if (picture.sizes, presenter.is_presenting()) != (self._sizes, self._presenting):
            self._build(picture)
            self.pinned = self.detailed = None  # a unit of another architecture: it showed the old net's numbers
        self.title.setText(self.caption)
        hidden = picture.sizes[1:-1]
        self.layers_label.setText(" · ".join(
            [f"{picture.sizes[0]} inputs"]
            + [f"hidden layer {l + 1}: {n} units, <b>{d} dead</b>" for l, (n, d) in enumerate(zip(hidden, picture.dead_counts))]
            + ["1 output"]))
        notes = []
        if not picture.all_edges:
            notes.append(f"{picture.edge_count:,} weights: showing the {sum(e.size for e in picture.edges):,} "
                         "strongest edges")
        if any(n > UNIT_LIMIT for n in hidden):
            notes.append("layers of more than %d units are drawn small in a column that scrolls" % UNIT_LIMIT)
        self.note.setText("Big network: " + "; ".join(notes) + "." if notes else "")
        self.note.setVisible(bool(notes))
        self._draw_units(picture)
        self._draw_edges(picture)
        # the enlarged unit: the one kept there, else the last hovered over, else the output (the boundary)
        shown = self.pinned or self.detailed or (len(picture.sizes) - 1, 0)
        self.show_detail(*shown)

    def _off(self, picture: Picture) -> list[np.ndarray | None]:
        """Per hidden layer, which units dropout switched off for the chosen point (None: no dropout)."""
        if picture.switched_off is None:
            return [None] * len(picture.dead)
        points = picture.switched_off[0].shape[1]
        self.point.setMaximum(max(1, points))
        column = min(self.point.value(), points) - 1
        return [off[:, column] for off in picture.switched_off]

    def _draw_units(self, picture: Picture) -> None:
        g = picture.maps[0].shape[-1]
        offs = self._off(picture)
        for index, values in enumerate(input_maps(g)):
            self.units[0][index].set_state(map_image(values, True), None, False, False)
        last = len(picture.maps) - 1
        for layer, maps in enumerate(picture.maps, start=1):
            dead = picture.dead[layer - 1] if layer <= len(picture.dead) else np.zeros(len(maps), bool)
            off = offs[layer - 1] if layer <= len(offs) else None
            for index, unit in enumerate(self.units[layer]):
                unit.set_state(map_image(maps[index], layer - 1 == last), float(picture.biases[layer - 1][index]),
                               bool(dead[index]), bool(off is not None and off[index]))
        if picture.switched_off is None:
            self.dropout_label.setVisible(False)
            self.point.setVisible(False)
        else:
            counts = [int(o.sum()) for o in offs]
            self.dropout_label.setText(
                f"Dropout, in the training pass of iteration {max(picture.iteration - 1, 0):,}: "
                + ", ".join(f"{c} of {n} units of hidden layer {l + 1}" for l, (c, n) in enumerate(
                    zip(counts, picture.sizes[1:-1]))) + f" switched off for training point {self.point.value()} "
                f"of {self.point.maximum()}, counting the units its ReLU lets through there (one it already "
                "silences shows no drop); the trained network, and every prediction, uses every unit.")
            self.dropout_label.setVisible(True)
            self.point.setVisible(True)

    def _draw_edges(self, picture: Picture) -> None:
        strongest = max((float(np.abs(W).max()) for W in picture.weights if W.size), default=0.0) or 1.0
        lines = []
        for layer, (W, chosen) in enumerate(zip(picture.weights, picture.edges)):
            n_in = W.shape[1]
            sources, targets = self.units[layer], self.units[layer + 1]
            for flat_index, weight in zip(chosen.tolist(), W.reshape(-1)[chosen].tolist()):
                target, source = divmod(flat_index, n_in)
                a, b = sources[source], targets[target]
                line = QLineF(a.x() + a.side, a.y() + a.side / 2, b.x(), b.y() + b.side / 2)
                lines.append((line, QPen(POSITIVE if weight > 0 else NEGATIVE,
                                         0.4 + MAX_EDGE_PX * abs(weight) / strongest)))
        self.edges.set_lines(lines, self.scene.sceneRect())

    def _build(self, picture: Picture) -> None:
        """Make the units of this architecture (once: the next frames only update them), sized to fill
        the view: as large as the tallest layer allows (`UNIT_PX` at most); a layer of more than
        `UNIT_LIMIT` units gets `SMALL_UNIT_PX` units, and the view scrolls."""
        self.scene.clear()
        self.units, self.edges = [], Edges()
        self.scene.addItem(self.edges)
        self._sizes, self._presenting = picture.sizes, presenter.is_presenting()
        gap_px = max(GAP_PX, text_px())  # the bias is written in the gap
        viewport = self.graph.viewport().size()
        fitting = [n for n in picture.sizes if n <= UNIT_LIMIT]
        room = max(viewport.height() - 40, 200) / max(max(fitting, default=1), 1) - gap_px
        side = float(np.clip(room, MIN_UNIT_PX, UNIT_PX))
        sides = [side if n <= UNIT_LIMIT else SMALL_UNIT_PX for n in picture.sizes]
        gaps = [gap_px if n <= UNIT_LIMIT else SMALL_GAP_PX for n in picture.sizes]
        heights = [n * (s + g) for n, s, g in zip(picture.sizes, sides, gaps)]
        tallest = max(heights)
        columns = len(picture.sizes)
        spacing = max(COLUMN_PX, (viewport.width() - 40 - UNIT_PX) / max(columns - 1, 1))
        names = ["inputs"] + [f"hidden layer {l}" for l in range(1, columns - 1)] + ["output"]
        for layer, (n, side, gap) in enumerate(zip(picture.sizes, sides, gaps)):
            x = layer * spacing
            top = (min(tallest, viewport.height()) - heights[layer]) / 2 + 24 if heights[layer] < viewport.height() \
                else 24
            header = self.scene.addText(names[layer], QFont("Sans", HEADER_POINTS_PRESENTING if self._presenting else HEADER_POINTS,
                                                              QFont.Weight.Bold))  # a QGraphicsObject
            header.setPos(x - 4, max(top, 24) - header.boundingRect().height() - 2)
            column = []
            for index in range(n):
                unit = Unit(layer, index, side)
                unit.setPos(x, top + index * (side + gap))
                unit.hovered.connect(self._hovered)
                unit.clicked.connect(self.pin)
                if layer == 0:
                    unit.text = f"x{index + 1}"
                self.scene.addItem(unit)
                column.append(unit)
            self.units.append(column)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-10, -10, 10, 10))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.picture is not None:
            self._sizes = None          # lay the units out again for the new size
            self.lazy.request()

    # ------------------------------------------------------------------ the enlarged unit

    def _hovered(self, layer: int, index: int, entered: bool) -> None:
        if entered:
            self.show_detail(layer, index)
        elif self.pinned:
            self.show_detail(*self.pinned)

    def pin(self, layer: int, index: int) -> None:
        self.pinned = None if self.pinned == (layer, index) else (layer, index)
        self.show_detail(layer, index)
        self.unit_chosen.emit(layer, index)

    def show_detail(self, layer: int, index: int) -> None:
        """Enlarge unit ``index`` of ``layer`` (0: the inputs) in the panel on the right, with its numbers."""
        if self.picture is None or layer >= len(self.units) or index >= len(self.units[layer]):
            return
        unit = self.units[layer][index]
        picture = self.picture
        if layer == 0:
            what = f"input x{index + 1}"
        elif layer == len(picture.sizes) - 1:
            what = "output: P(class 1)"
        else:
            what = f"hidden layer {layer}, unit {index + 1}: ReLU output"
        lines = [f"<b>{what}</b>"]
        if layer:
            values = picture.maps[layer - 1][index]
            W = picture.weights[layer - 1][index]
            lines.append(f"bias {picture.biases[layer - 1][index]:+.3f}; incoming weights: ‖w‖ = "
                         f"{np.linalg.norm(W):.3f}, largest |w| = {np.abs(W).max():.3f}")
            lines.append(f"over the plane: {values.min():.3g} to {values.max():.3g}")
        if unit.dead:
            lines.append(f"<span style='color:{DEAD_COLOUR.name()}'>dead: its ReLU is 0 on every training point, "
                         "so it no longer learns</span>")
        if unit.off:
            lines.append("switched off by dropout for the chosen training point in this iteration")
        if self.pinned == (layer, index):
            lines.append("<i>kept here (click it again to release)</i>")
        self.detail_image.setPixmap(unit.pixmap.scaled(DETAIL_PX, DETAIL_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.FastTransformation))
        self.detail.setText("<br>".join(lines))
        self.detailed = (layer, index)
