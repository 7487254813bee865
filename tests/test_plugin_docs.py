"""docs/plugins.md against the code: every hook and every Regularizer method is documented and
tested, the reference names every field, and the tutorial's code is correct (datasette's rule)."""

from __future__ import annotations

import inspect
import re
import types

import numpy as np
import pytest

from conftest import ROOT
from regcore import Optimizer, Param, Regularizer, RunContext, hookspecs
from regcore.plugins import ALLOW_ENV, ENTRY_POINT_GROUP, load_registry
from regcore.training import Training
from test_plugins import RUNTIME_FAILURES

DOCS = ROOT / "docs" / "plugins.md"
TUTORIAL_FOLDER = "regstudio-elastic-net"


def hooks() -> dict[str, types.FunctionType]:
    return {name: f for name, f in vars(hookspecs).items() if hasattr(f, "regcore_spec")}


def regularizer_methods() -> dict[str, types.FunctionType]:
    """The methods a plugin overrides and the core calls (not `overrides`, a helper)."""
    return {name: f for name, f in vars(Regularizer).items()
            if isinstance(f, types.FunctionType) and not name.startswith("_")}


OPTIMIZER_HELPERS = {"weight_columns"}  # what an optimizer calls, not what it defines for the core to call


def optimizer_methods() -> dict[str, types.FunctionType]:
    """The methods an optimizer defines and the core calls."""
    return {name: f for name, f in vars(Optimizer).items()
            if isinstance(f, types.FunctionType) and not name.startswith("_") and name not in OPTIMIZER_HELPERS}


def sections(chapter: str) -> dict[str, str]:
    """The ``### `signature` `` sections of the ``## chapter`` of the docs: heading -> its text."""
    text = DOCS.read_text().split(f"\n## {chapter}\n", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^### (`[^`\n]+`)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def reference_sections() -> list[tuple[str, str, types.FunctionType]]:
    """(chapter, heading, function) of every hook and every method a plugin defines."""
    return ([("Reference: hooks", signature(f), f) for f in hooks().values()]
            + [("Reference: the `Regularizer` interface", signature(f), f) for f in regularizer_methods().values()]
            + [("Reference: the `Optimizer` interface", signature(f), f) for f in optimizer_methods().values()])


def tutorial_files() -> dict[str, str]:
    """The tutorial's files, from the code blocks whose first line is ``# regstudio-elastic-net/FILE``."""
    blocks = re.findall(r"```\w+\n(# " + TUTORIAL_FOLDER + r"/(\S+)\n.*?)```", DOCS.read_text(), re.DOTALL)
    return {path: text for text, path in blocks}


def signature(f) -> str:
    return f"`{f.__name__}({', '.join(p for p in inspect.signature(f).parameters if p != 'self')})`"


def test_there_is_something_to_check():
    assert set(hooks()) == {"register_regularizers", "register_datasets", "register_optimizers"}
    assert set(regularizer_methods()) == {"setup", "penalty", "add_gradients", "transform_inputs", "transform_hidden",
                                          "backward_hidden", "after_update", "hidden_penalty",
                                          "hidden_gradient", "after_record", "kernel_terms"}


def test_the_optimizer_methods_are_found():
    assert set(optimizer_methods()) == {"setup", "values_changed", "plan"}


@pytest.mark.parametrize("name", sorted(optimizer_methods()))
def test_every_optimizer_method_has_a_reference_section_with_its_signature(name):
    assert signature(optimizer_methods()[name]) in sections("Reference: the `Optimizer` interface")


# arguments that are not arrays: a section for a method taking only these need not give shapes
NOT_ARRAYS = {"self", "register", "layer"}


@pytest.mark.parametrize("chapter, heading, function", reference_sections(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_reference_section_says_when_it_runs_what_it_must_not_do_and_the_shapes(chapter, heading, function):
    text = sections(chapter)[heading]
    assert re.search(r"\bcalled\b", text, re.IGNORECASE), f"{heading} does not say when it is called"
    assert "must not" in text, f"{heading} does not say what it must not do"
    if set(inspect.signature(function).parameters) - NOT_ARRAYS:
        assert "(K" in text, f"{heading} does not give the shapes of what it sees"


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_has_a_reference_section_with_its_signature(name):
    assert f"### {signature(hooks()[name])}\n" in DOCS.read_text()


@pytest.mark.parametrize("name", sorted(regularizer_methods()))
def test_every_regularizer_method_has_a_reference_section_with_its_signature(name):
    assert f"### {signature(regularizer_methods()[name])}\n" in DOCS.read_text()


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_is_tested(name):
    tests = (ROOT / "tests" / "test_plugins.py").read_text()
    assert re.search(rf"def {name}\(", tests), f"no plugin in tests/test_plugins.py implements {name}"


def test_every_regularizer_method_has_a_failure_test():
    tested = {method for method, behaviour in RUNTIME_FAILURES if behaviour == "raises"}
    # kernel_terms is asked only of runs the compiled path may take: tests/test_fast.py fails one
    assert tested == set(regularizer_methods()) - {"kernel_terms"}


def test_the_reference_names_every_field_and_switch():
    text = DOCS.read_text()
    fields = [f.name for f in RunContext.__dataclass_fields__.values()] + ["hidden_layers", "random_into"]
    fields += list(Param.__dataclass_fields__) + ["name", "label", "help", "params"]
    missing = [f for f in fields if not re.search(rf"`[^`\n]*\b{f}\b[^`\n]*`", text)]
    assert missing == []
    assert f"`{ALLOW_ENV}=" in text and f"`{ENTRY_POINT_GROUP}`" in text


def tutorial_module() -> types.ModuleType:
    module = types.ModuleType("regstudio_elastic_net")
    exec(compile(tutorial_files()["regstudio_elastic_net.py"], "regstudio_elastic_net.py", "exec"), module.__dict__)
    return module


def test_the_gradient_check_example_passes_on_the_tutorial_plugin(monkeypatch):
    """The test docs/plugins.md shows under "Checking gradients", run as written, with the tutorial's
    plugin installed (as if by pip: `load_registry()` finds it)."""
    import regcore.plugins

    snippet = re.search(r"```python\n(from regcore.plugins import load_registry\n.*?)```", DOCS.read_text(), re.DOTALL)
    installed = load_registry(extra=[("elastic_net", tutorial_module())], environ={ALLOW_ENV: "elastic_net"})
    monkeypatch.setattr(regcore.plugins, "load_registry", lambda: installed)
    namespace: dict = {}
    exec(compile(snippet.group(1), "docs/plugins.md", "exec"), namespace)
    namespace["test_my_gradient_is_the_derivative_of_my_penalty"]()


def test_the_tutorial_plugin_works_and_its_gradient_is_the_derivative_of_its_penalty(small_data):
    files = tutorial_files()
    assert set(files) == {"pyproject.toml", "regstudio_elastic_net.py"}
    assert 'elastic_net = "regstudio_elastic_net"' in files["pyproject.toml"]
    registry = load_registry(extra=[("elastic_net", tutorial_module())], environ={ALLOW_ENV: "elastic_net"})
    training = Training(small_data, iterations=1, seeds=(1, 2),
                        regularizers=[registry.activate("elastic_net", {"lambd": [0.3, 2.0], "l1_ratio": 0.4})])
    net = training.instances[0]
    weights, grads = training.weights, training.grad_weights
    training.grad[:] = 0.0
    net.add_gradients(weights, grads)
    # a directional derivative of the penalty along a random direction equals the gradient's projection
    direction = np.random.default_rng(0).normal(size=weights.flat.shape)
    start, step = weights.flat.copy(), 1e-6
    weights.flat[:] = start + step * direction
    up = net.penalty(weights)
    weights.flat[:] = start - step * direction
    down = net.penalty(weights)
    np.testing.assert_allclose((up - down) / (2 * step), (grads.flat * direction).sum(axis=1), rtol=1e-6)
    assert net.penalty(weights).shape == (2,)
