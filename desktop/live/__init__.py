"""Live panels: the plots the Training tab draws while a run goes on, listed in `PANELS`.

A panel is a `LivePanel` (see `regstudio.live.panel`): it declares what it needs from a training
`Snapshot`, computes its payload from one on the worker thread without Qt, and draws the payload on
the GUI thread. To add one, write a module here with a `LivePanel` subclass and add one line to
`PANELS`; the Training tab lays the panels out left to right in this order, except those with a
``tab`` of their own (the network, the weights), which get that tab, after the window's others.
"""

from __future__ import annotations

from importlib import import_module

from .panel import LivePanel, Snapshot

__all__ = ["PANELS", "LivePanel", "Snapshot", "make_panels"]

PANELS = (
    "regstudio.live.cost:CostPanel",
    "regstudio.live.boundary:BoundaryPanel",
    "regstudio.live.network:NetworkPanel",
    "regstudio.live.weights:WeightsPanel",
)


def make_panels(names=None) -> list[LivePanel]:
    """One instance of each panel in ``names`` (default `PANELS`), in order; GUI thread."""
    panels = []
    for dotted in PANELS if names is None else names:
        module, _, attribute = dotted.partition(":")
        panels.append(getattr(import_module(module), attribute)())
    return panels
