"""Parameter declarations: what a regularizer or data-set source says about each of its knobs.

A `Param` carries everything the rest of the program needs to offer the knob to a person without any
code specific to the plugin: the CLI parses ``key=value`` text with it, the window builds a spin box
or combo box from it, and sweeps read its bounds. Validation lives here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from .errors import ParamError

KINDS = ("float", "int", "choice", "bool", "layers")
ALL_LAYERS = "all"


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    kind: ``"float"``, ``"int"``, ``"choice"``, ``"bool"`` or ``"layers"``. ``low``/``high`` bound numbers
    (``None`` = unbounded); ``low_open``/``high_open`` make a bound exclusive, so keep_prob in (0, 1]
    is ``Param("keep_prob", "float", 0.86, low=0, high=1, low_open=True)``. ``choices`` lists the
    allowed strings of a choice. ``log`` hints that a log scale suits sweeps and sliders.

    A ``"layers"`` parameter selects weight layers (1-based, the output layer last): its value is the
    text ``"all"`` or layer numbers joined by ``+`` (``"1+2"``), kept as text so that it passes
    through sweeps, files and the window like a choice; ``selected_layers`` turns it into indices
    once the network is known. ``Param("layers", "layers", "all")`` is the usual declaration.
    """

    name: str
    kind: str
    default: Any
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    log: bool = False
    label: str = field(default="")

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ParamError(f"parameter name {self.name!r} is not an identifier")
        if self.kind not in KINDS:
            raise ParamError(f"parameter {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind == "choice" and (not self.choices or not all(isinstance(c, str) for c in self.choices)):
            raise ParamError(f"parameter {self.name!r}: a choice needs a non-empty tuple of strings")
        for bound in (self.low, self.high):
            if bound is not None and not (isinstance(bound, (int, float)) and math.isfinite(bound)):
                raise ParamError(f"parameter {self.name!r}: bounds must be finite numbers")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ParamError(f"parameter {self.name!r}: low bound {self.low} is above high bound {self.high}")
        self.validate(self.default)  # a plugin with an impossible default is malformed

    @property
    def numeric(self) -> bool:
        return self.kind in ("float", "int")

    def allowed(self) -> str:
        """A short phrase describing the allowed values, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "layers":
            return f"{ALL_LAYERS} or weight-layer numbers joined by +, e.g. 1+2"
        what = "a number" if self.kind == "float" else "a whole number"
        if self.low is None and self.high is None:
            return what
        if self.high is None:
            return f"{what} {'>' if self.low_open else '>='} {_fmt(self.low)}"
        if self.low is None:
            return f"{what} {'<' if self.high_open else '<='} {_fmt(self.high)}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{what} in {left}{_fmt(self.low)}, {_fmt(self.high)}{right}"

    def parse(self, text: str) -> Any:
        """Turn command-line text into a valid value, or raise ParamError saying what is allowed."""
        text = text.strip()
        try:
            if self.kind == "float":
                value: Any = float(text)
            elif self.kind == "int":
                value = int(text)
            elif self.kind == "bool":
                lowered = text.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError
                value = lowered in ("true", "1", "yes", "on")
            else:  # a choice or layers: validate() judges the text
                value = text
        except ValueError:
            raise ParamError(f"{self.name}={text!r} is not valid: expected {self.allowed()}") from None
        return self.validate(value)

    def validate(self, value: Any) -> Any:
        """Check a value (of any origin) and return it in its canonical type."""
        bad = ParamError(f"{self.name}={value!r} is not valid: expected {self.allowed()}")
        if self.kind == "choice":
            if value not in self.choices:
                raise bad
            return value
        if self.kind == "layers":
            return _canonical_layers(value, bad)
        if self.kind == "bool":
            if not isinstance(value, (bool, int)) or value not in (0, 1):
                raise bad
            return bool(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:  # NumPy scalars and the like
                value = float(value) if self.kind == "float" else _as_int(value)
            except (TypeError, ValueError):
                raise bad from None
        if self.kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise bad
                value = int(value)
        else:
            try:
                value = float(value)
            except OverflowError:  # a Python int beyond any float, e.g. from a JSON file
                raise bad from None
            if not math.isfinite(value):
                raise bad
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise bad
        return value

    def describe(self) -> dict:
        """A JSON-ready description of every declared field (for ``regcore plugins --json`` and plugin
        docs), plus ``allowed``, the phrase error messages use."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["choices"] = list(self.choices)
        out["allowed"] = self.allowed()
        return out


def _canonical_layers(value: Any, bad: ParamError) -> str:
    """``"all"``, or the layer numbers of ``value`` (text like ``"2+1"``, or a sequence of ints) sorted
    and joined by ``+``: one spelling per selection, so equal selections compare equal."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == ALL_LAYERS:
            return ALL_LAYERS
        parts = [part.strip() for part in text.split("+")]
        if not all(part.isdigit() for part in parts):
            raise bad
        numbers = [int(part) for part in parts]
    elif isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        numbers = list(value)
    else:
        raise bad
    if not numbers or min(numbers) < 1 or len(set(numbers)) != len(numbers):
        raise bad
    return "+".join(str(n) for n in sorted(numbers))


def selected_layers(value: str, count: int, name: str = "layers") -> tuple[int, ...]:
    """The 0-based indices of the weight layers a ``"layers"`` value selects in a network of ``count``
    weight layers; ParamError when it names a layer the network does not have."""
    if value == ALL_LAYERS:
        return tuple(range(count))
    numbers = [int(part) for part in value.split("+")]
    if max(numbers) > count:
        raise ParamError(f"{name}={value}: the network has {count} weight layers (1 to {count}, the output last)")
    return tuple(n - 1 for n in numbers)


def _as_int(value: Any) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError
    return int(number)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() and abs(number) < 1e15 else f"{number:g}"


def resolve(params: tuple[Param, ...], given: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """Validate ``given`` against the declarations and fill in defaults.

    Unknown names raise ParamError listing the parameters ``owner`` does have.
    """
    known = {p.name: p for p in params}
    for name in given:
        if name not in known:
            have = ", ".join(known) or "no parameters"
            raise ParamError(f"{owner} has no parameter {name!r} (it has {have})")
    return {p.name: _validate_each(p, given[p.name]) if p.name in given else p.default for p in params}


def _validate_each(param: Param, value: Any) -> Any:
    """A value, or a sequence of values (one per model of a batch), each validated."""
    if param.numeric and not isinstance(value, (str, bytes)) and hasattr(value, "__len__"):
        return tuple(param.validate(v) for v in value)
    return param.validate(value)


def parse_assignments(text: str, params: tuple[Param, ...], owner: str) -> dict[str, Any]:
    """Parse ``"key=value,key=value"`` (the part after ``NAME:`` on the command line); defaults fill the gaps."""
    return resolve(params, parse_given(text, params, owner), owner)


def parse_given(text: str, params: tuple[Param, ...], owner: str) -> dict[str, Any]:
    """Parse ``"key=value,key=value"`` into the values given (validated), without defaults."""
    known = {p.name: p for p in params}
    given: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise ParamError(f"{owner}: {item!r} should be written key=value")
        if key not in known:
            have = ", ".join(known) or "no parameters"
            raise ParamError(f"{owner} has no parameter {key!r} (it has {have})")
        if key in given:  # "lambd=1,lambd=2" is a slip; guessing which one was meant would hide it
            raise ParamError(f"{owner}: {key} is given twice")
        given[key] = known[key].parse(value)
    return given


# The usual declaration of a layer selection (the built-in L2 and L1 use it)
LAYERS = Param("layers", "layers", ALL_LAYERS,
               help="The weight layers it applies to (1: the first hidden layer's weights; the output layer's is last).")
