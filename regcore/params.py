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

KINDS = ("float", "int", "choice", "bool")


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    kind: ``"float"``, ``"int"``, ``"choice"`` or ``"bool"``. ``low``/``high`` bound numbers
    (``None`` = unbounded); ``low_open``/``high_open`` make a bound exclusive, so keep_prob in (0, 1]
    is ``Param("keep_prob", "float", 0.86, low=0, high=1, low_open=True)``. ``choices`` lists the
    allowed strings of a choice. ``log`` hints that a log scale suits sweeps and sliders.
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
            else:
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
