"""Parameter declarations: parsing, validation and the messages people see."""

import pytest

from regcore import Param, ParamError
from regcore.params import parse_assignments

KEEP = Param("keep_prob", "float", 0.86, low=0, high=1, low_open=True)
MASK = Param("mask", "choice", "fresh", choices=("fresh", "course"))
UNITS = Param("units", "int", 4, low=1)


@pytest.mark.parametrize("text, value", [("1", 1.0), ("0.5", 0.5), ("1e-3", 0.001)])
def test_floats_in_bounds_parse(text, value):
    assert KEEP.parse(text) == value


@pytest.mark.parametrize("text", ["0", "-0.1", "1.0001", "nan", "inf", "abc", ""])
def test_out_of_bounds_or_garbage_is_refused_saying_what_is_allowed(text):
    with pytest.raises(ParamError, match=r"expected a number in \(0, 1\]"):
        KEEP.parse(text)


def test_ints_choices_and_bools():
    assert UNITS.parse("7") == 7
    with pytest.raises(ParamError, match="whole number >= 1"):
        UNITS.parse("2.5")
    assert MASK.parse("course") == "course"
    with pytest.raises(ParamError, match="one of fresh, course"):
        MASK.parse("sometimes")
    assert Param("on", "bool", False).parse("yes") is True


def test_assignments_fill_defaults_and_name_unknown_keys():
    assert parse_assignments("mask=course", (KEEP, MASK), "dropout") == {"keep_prob": 0.86, "mask": "course"}
    with pytest.raises(ParamError, match="dropout has no parameter 'keep' \\(it has keep_prob, mask\\)"):
        parse_assignments("keep=0.5", (KEEP, MASK), "dropout")
    with pytest.raises(ParamError, match="key=value"):
        parse_assignments("0.5", (KEEP, MASK), "dropout")


def test_a_declaration_with_an_impossible_default_is_refused():
    with pytest.raises(ParamError):
        Param("p", "float", 2.0, low=0, high=1)
    with pytest.raises(ParamError):
        Param("not an identifier", "float", 0.0)
    with pytest.raises(ParamError):
        Param("c", "choice", "x", choices=())


def test_a_whole_number_too_large_for_a_float_is_refused_not_raised():
    # e.g. "lambd": 1000...0 (400 digits) in an experiment file: json gives a Python int
    with pytest.raises(ParamError, match=r"expected a number in \(0, 1\]"):
        KEEP.validate(10**400)


def test_describe_shows_every_declared_field_and_survives_json():
    import dataclasses
    import json

    param = Param("lambd", "float", 0.1, help="Strength.", low=0.0, high=10.0, log=True, label="λ")
    described = json.loads(json.dumps(param.describe()))
    assert set(described) == {f.name for f in dataclasses.fields(Param)} | {"allowed"}
    assert (described["label"], described["log"], described["allowed"]) == ("λ", True, "a number in [0, 10]")
    assert Param("mask", "choice", "a", choices=("a", "b")).describe()["choices"] == ["a", "b"]
