"""Data-set sources: named, parameterised makers of data sets that plugins register.

A source is what ``--data moons:noise=0.3,n=400`` names. Its parameters are declared like a
regularizer's, so the CLI and the window offer them without source-specific code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .data import Dataset
from .params import Param, resolve


@dataclass(frozen=True)
class DatasetSource:
    """``make(**values)`` returns a `Dataset`; ``params`` declares the values it takes."""

    name: str
    label: str
    help: str
    params: tuple[Param, ...]
    make: Callable[..., Dataset]

    def create(self, values: Mapping[str, Any] | None = None) -> Dataset:
        """Validate ``values`` (defaults fill the gaps) and make the data set."""
        return self.make(**resolve(self.params, values or {}, f"data set {self.name!r}"))
