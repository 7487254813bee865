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


@pytest.mark.parametrize("name", ["setup", "plan"])
def test_every_optimizer_method_has_a_reference_section_with_its_signature(name):
    section = DOCS.read_text().split("## Reference: the `Optimizer` interface", 1)[1].split("\n## ", 1)[0]
    assert f"### {signature(getattr(Optimizer, name))}\n" in section


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


def test_the_tutorial_plugin_works_and_its_gradient_is_the_derivative_of_its_penalty(small_data):
    files = tutorial_files()
    assert set(files) == {"pyproject.toml", "regstudio_elastic_net.py"}
    assert 'elastic_net = "regstudio_elastic_net"' in files["pyproject.toml"]
    module = types.ModuleType("regstudio_elastic_net")
    exec(compile(files["regstudio_elastic_net.py"], "regstudio_elastic_net.py", "exec"), module.__dict__)
    registry = load_registry(extra=[("elastic_net", module)], environ={})
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
