"""Data-set sources: named, parameterised makers of data sets that plugins register.

A source is what ``--data moons:noise=0.3,n=400`` names. Its parameters are declared like a
regularizer's, so the CLI and the window offer them without source-specific code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .data import Dataset
from .errors import ParamError
from .params import Param, resolve


@dataclass(frozen=True)
class DatasetSource:
    """``make(**values)`` returns a `Dataset`; ``params`` declares the values it takes.

    ``make`` receives every declared parameter by name, validated and with defaults filled in, as a
    plain Python value (``int``, ``float``, ``str`` or ``bool``), never an array: a run has one data
    set, so a source's values cannot differ per model as a regularizer's can. It returns a `Dataset`
    (`Dataset.checked` takes points as rows, (m, 2), and labels (m,)); anything else is refused by
    `regcore.datasets.resolve_data` in one line. The name it gives is replaced there by one made
    from the source and the values that differ from their defaults.
    """

    name: str
    label: str
    help: str
    params: tuple[Param, ...]
    make: Callable[..., Dataset]

    def create(self, values: Mapping[str, Any] | None = None) -> Dataset:
        """Validate ``values`` (defaults fill the gaps) and make the data set; ParamError for one
        value per model (a sequence), which a data set cannot take."""
        owner = f"data set {self.name!r}"
        resolved = resolve(self.params, values or {}, owner)
        for name, value in resolved.items():
            if isinstance(value, tuple):
                raise ParamError(f"{owner}: {name} takes one value, not one per model ({len(value)} given)")
        return self.make(**resolved)
