"""Plugins: discovery through real entry points, every way a plugin can be broken, and the switches.

Third-party plugins are simulated the way pip leaves them: a module and a ``.dist-info`` folder with
``entry_points.txt`` in a directory on ``sys.path`` (see `installed`). Runtime failures use
``load_registry(extra=...)``, which puts a plugin object through the same checks.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from functools import partial

import numpy as np
import pytest

from conftest import run_cli
from regcore import Dataset, Optimizer, Param, PluginError, Regularizer, TrainingError, hookimpl
from regcore.cli import main
from regcore.plugins import ALLOW_ENV, load_registry
from regcore.training import Training

GOOD = """
    from regcore import Param, Regularizer, hookimpl

    class Shrink(Regularizer):
        name = "shrink"
        params = (Param("rate", "float", 0.1, low=0, high=1),)

        def after_update(self, weights, biases):
            weights.flat *= 1 - self.values["rate"][:, :, 0] * 0.01

    @hookimpl
    def register_regularizers(register):
        register(Shrink)
"""


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """``installed(package, version, {entry_point: module_source})``: a package as pip would leave it."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))  # also clears importlib's finder caches
    modules: list[str] = []
    names: list[str] = []  # load these, and none of the external plugins installed for real

    def install(package: str, version: str, plugins: dict[str, str]) -> None:
        module_base = package.replace("-", "_")
        lines = ["[regcore]"]
        for entry_point, source in plugins.items():
            module = f"{module_base}_{entry_point}"
            modules.append(module)
            names.append(entry_point)
            monkeypatch.setenv(ALLOW_ENV, ",".join(names))
            (site / f"{module}.py").write_text(textwrap.dedent(source))
            lines.append(f"{entry_point} = {module}")
        info = site / f"{module_base}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")

    yield install
    for name in modules:  # the next test's plugins may reuse module names
        sys.modules.pop(name, None)


def plugin(registry, name):
    return next(p for p in registry.plugins if p.name == name)


# ------------------------------------------------------------------ discovery


def test_an_installed_plugin_is_found_loaded_and_usable(installed, small_data):
    installed("regstudio-shrink", "1.2.3", {"shrink": GOOD})
    registry = load_registry()
    info = plugin(registry, "shrink")
    assert (info.status, info.package, info.version, info.provides) == ("loaded", "regstudio-shrink", "1.2.3", ["shrink"])
    assert info.origin == "plugin 'shrink' from regstudio-shrink 1.2.3"
    assert [p.name for p in registry.plugins[:10]] == ["none", "l2", "l1", "dropout", "early_stopping", "datasets",
                                                       "gd", "momentum", "adam", "adamw"]  # built-ins first
    active = registry.activate("shrink", {"rate": 0.5})
    assert active.origin == info.origin
    plain = Training(small_data, iterations=50).run().parameters
    shrunk = Training(small_data, iterations=50, regularizers=[active]).run().parameters
    assert np.abs(shrunk).sum() < np.abs(plain).sum()


BROKEN = {
    "import_error": ("import regstudio_not_there\n",
                     "failed to import: ModuleNotFoundError: No module named 'regstudio_not_there'"),
    "syntax_error": ("def broken(:\n", "failed to import: SyntaxError: "),
    "exits": ("import sys\nsys.exit(3)\n", "failed to import: SystemExit: 3"),
    "bad_param": (GOOD.replace('low=0, high=1', 'low=0, high=-1'),
                  "failed to import: ParamError: parameter 'rate': low bound 0 is above high bound -1"),
    "missing_name": (GOOD.replace('name = "shrink"', ''),
                     "regularizer Shrink has name ''; a name must be lower-case letters, digits and _"),
    "bad_name": (GOOD.replace('name = "shrink"', 'name = "Shrink Me"'), "has name 'Shrink Me'"),
    "params_not_declared": (GOOD.replace('(Param("rate", "float", 0.1, low=0, high=1),)', '[("rate", 0.1)]'),
                            "regularizer 'shrink': params must be a tuple of regcore.Param"),
    "same_param_twice": (GOOD.replace('high=1),)', 'high=1), Param("rate", "int", 1))'),
                         "regularizer 'shrink': two parameters share the name 'rate'"),
    "not_a_regularizer": (GOOD.replace("register(Shrink)", "register(Shrink.after_update)"),
                          "register() for regularizers takes a regcore.Regularizer subclass"),
    "duplicate_of_builtin": (GOOD.replace('name = "shrink"', 'name = "l2"'),
                             "regularizer name 'l2' is already taken by built-in plugin 'l2'"),
    "raises_in_hook": (GOOD.replace("register(Shrink)", "raise RuntimeError('no GPU found')"),
                       "register_regularizers raised RuntimeError: no GPU found"),
    "typo_in_hook": (GOOD.replace("def register_regularizers", "def register_regulariser"),
                     "implements unknown hook(s) register_regulariser; the hooks are register_datasets, "
                     "register_optimizers, register_regularizers"),
    "forgot_hookimpl": (GOOD.replace("@hookimpl\n    ", ""), "implements no hook: mark its register_..."),
    "wrong_hook_argument": (GOOD.replace("(register)", "(add)").replace("register(Shrink)", "add(Shrink)"),
                            "not a valid plugin: PluginValidationError"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_plugin_is_skipped_with_its_package_version_and_cause(installed, case):
    source, cause = BROKEN[case]
    installed("regstudio-broken", "0.9", {case: source, "fine": GOOD})
    registry = load_registry()
    info = plugin(registry, case)
    assert info.status == "skipped"
    assert cause in info.reason
    assert "\n" not in info.reason
    assert info.problem.startswith(f"plugin '{case}' from regstudio-broken 0.9 was skipped: ")
    assert registry.problems() == [info.problem]
    # the other plugin in the same package, and the built-ins, are untouched
    assert plugin(registry, "fine").status == "loaded"
    assert registry.regularizer("shrink").plugin.name == "fine"
    assert registry.regularizer("l2").plugin.builtin


DATASETS = """
    import numpy as np
    from regcore import Dataset, DatasetSource, Param, hookimpl

    def make(n, seed):
        X = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
        return Dataset.checked(f"dots (n={n})", X, X[:, 0] > 0, X[:2], [0, 1])

    SOURCE = DatasetSource("dots", "Dots", "Random dots.",
                           (Param("n", "int", 20, low=4), Param("seed", "int", 0)), make)

    @hookimpl
    def register_datasets(register):
        register(SOURCE)
"""


def test_an_installed_data_set_is_usable_by_name(installed):
    from regcore.datasets import resolve_data

    installed("regstudio-dots", "0.2", {"dots": DATASETS})
    registry = load_registry()
    assert registry.dataset("dots").plugin.origin == "plugin 'dots' from regstudio-dots 0.2"
    data = resolve_data("dots:n=30,seed=4", registry)
    assert (data.name, data.X_train.shape, data.X_test.shape) == ("dots (n=30, seed=4)", (2, 30), (2, 2))


@pytest.mark.parametrize("change, cause", [
    (("register(SOURCE)", "register(make)"), "register() for data sets takes a regcore.DatasetSource"),
    (("(Param(", "[Param(", "0)), make)", "0)], make)"), "data set 'dots': params must be a tuple of regcore.Param"),
    ((", make)", ", None)"), "data set 'dots': make must be callable"),
    (('"dots", "Dots"', '"moons", "Dots"'), "data set name 'moons' is already taken by built-in plugin 'datasets'"),
])
def test_a_malformed_data_set_is_skipped_with_its_cause(installed, change, cause):
    source = DATASETS
    for old, new in zip(change[::2], change[1::2]):
        source = source.replace(old, new)
    installed("regstudio-dots", "0.2", {"dots": source})
    info = plugin(load_registry(), "dots")
    assert info.status == "skipped" and info.reason.startswith(cause)


def test_a_plugin_that_fails_half_way_has_what_it_registered_withdrawn(installed):
    installed("regstudio-half", "1.0", {"half": GOOD.replace(
        "register(Shrink)", "register(Shrink)\n        raise ValueError('second one is broken')")})
    registry = load_registry()
    info = plugin(registry, "half")
    assert (info.status, info.provides, info.withdrawn) == ("skipped", [], ["shrink"])
    assert "shrink" not in registry.regularizers
    with pytest.raises(PluginError, match=r"unknown regularizer 'shrink'; known: dropout, early_stopping, l1, l2, none "
                                          r"\(plugin 'half' from regstudio-half 1.0 was skipped: "
                                          r"register_regularizers raised ValueError: second one is broken\)"):
        registry.regularizer("shrink")


def test_two_packages_with_one_plugin_name_keep_the_first(installed):
    installed("regstudio-a", "1", {"shrink": GOOD})
    installed("regstudio-b", "2", {"l2": GOOD.replace('"shrink"', '"other"')})
    registry = load_registry(extra=[("shrink", object())])
    assert plugin(registry, "l2").builtin
    clash = [p for p in registry.plugins if p.status == "skipped"]
    assert [(p.name, p.package, p.reason) for p in clash] == [
        ("l2", "regstudio-b", "its name is already used by built-in plugin 'l2'"),
        ("shrink", "code", "its name is already used by plugin 'shrink' from regstudio-a 1")]


def test_register_only_works_while_the_hook_runs():
    kept = []

    class Late:
        @hookimpl
        def register_regularizers(self, register):
            kept.append(register)

    registry = load_registry(extra=[("late", Late())], environ={})
    with pytest.raises(PluginError, match="called register\\(\\) after loading finished"):
        kept[0](type("Sneaky", (Regularizer,), {"name": "sneaky"}))
    assert "sneaky" not in registry.regularizers


# ------------------------------------------------------------------ switching plugins off


def test_the_environment_variable_allows_a_named_list_or_none(installed):
    installed("regstudio-two", "1.0", {"shrink": GOOD, "other": GOOD.replace('"shrink"', '"other"')})
    statuses = lambda registry: {p.name: (p.status, p.reason) for p in registry.plugins if p.package == "regstudio-two"}
    assert statuses(load_registry(environ={})) == {"shrink": ("loaded", ""), "other": ("loaded", "")}
    assert statuses(load_registry(environ={ALLOW_ENV: " other , nothing"})) == {
        "shrink": ("disabled", f"not listed in {ALLOW_ENV}"), "other": ("loaded", "")}
    no_external = load_registry(environ={ALLOW_ENV: ""})
    assert {s for s, _ in statuses(no_external).values()} == {"disabled"}
    assert sorted(no_external.regularizers) == ["dropout", "early_stopping", "l1", "l2", "none"]  # built-ins always load


def test_the_user_may_disable_external_plugins_but_not_built_ins(installed):
    installed("regstudio-shrink", "1.0", {"shrink": GOOD})
    registry = load_registry(disabled={"shrink", "l2"})
    assert (plugin(registry, "shrink").status, plugin(registry, "shrink").reason) == ("disabled", "disabled by the user")
    assert plugin(registry, "l2").status == "loaded"
    assert registry.problems() == []  # disabling is not a problem to report
    with pytest.raises(PluginError, match="plugin 'shrink' from regstudio-shrink 1.0 was disabled"):
        registry.activate("shrink")


# ------------------------------------------------------------------ the command line


def cli_env(site) -> dict:
    env = dict(os.environ)  # with `installed`'s REGCORE_LOAD_PLUGINS
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def test_regcore_plugins_reports_loaded_skipped_and_disabled(installed, tmp_path):
    installed("regstudio-mixed", "2.0", {"shrink": GOOD, "import_error": BROKEN["import_error"][0],
                                         "other": GOOD.replace('"shrink"', '"other"')})
    env = {**cli_env(tmp_path / "site"), ALLOW_ENV: "shrink,import_error"}
    done = run_cli("plugins", "--json", env=env)
    assert done.returncode == 0, done.stderr
    described = json.loads(done.stdout)
    external = {p["name"]: p for p in described["plugins"] if p["package"] == "regstudio-mixed"}
    assert {n: (p["status"], p["package"], p["version"]) for n, p in external.items()} == {
        "shrink": ("loaded", "regstudio-mixed", "2.0"), "import_error": ("skipped", "regstudio-mixed", "2.0"),
        "other": ("disabled", "regstudio-mixed", "2.0")}
    assert external["import_error"]["reason"] == "failed to import: ModuleNotFoundError: No module named 'regstudio_not_there'"
    shrink = next(r for r in described["regularizers"] if r["name"] == "shrink")
    assert shrink["origin"] == "plugin 'shrink' from regstudio-mixed 2.0"
    assert shrink["params"][0]["allowed"] == "a number in [0, 1]"

    text = run_cli("plugins", env=env).stdout
    assert "import_error skipped   regstudio-mixed 2.0: failed to import: ModuleNotFoundError" in text
    assert f"other        disabled  regstudio-mixed 2.0: not listed in {ALLOW_ENV}" in text


def test_regcore_train_with_a_plugin_and_with_a_skipped_one(installed, tmp_path):
    installed("regstudio-mixed", "2.0", {"shrink": GOOD, "half": GOOD.replace('"shrink"', '"half"').replace(
        "register(Shrink)", "register(Shrink)\n        raise ValueError('oops')")})
    env = cli_env(tmp_path / "site")
    done = run_cli("train", "--reg", "shrink:rate=0.2", "--iterations", "200", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["config"]["regularizers"] == [{"name": "shrink", "params": {"rate": 0.2}}]
    done = run_cli("train", "--reg", "half", "--iterations", "200", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("regcore: error: unknown regularizer 'half'; known: dropout, early_stopping, l1, l2, none, shrink (plugin "
                           "'half' from regstudio-mixed 2.0 was skipped: register_regularizers raised "
                           "ValueError: oops)\n")


# ------------------------------------------------------------------ isolation at run time


def misbehaving(method: str, behaviour: str):
    """A regularizer plugin whose ``method`` raises, returns the wrong shape, or makes values non-finite."""

    def act(self, *args):
        if behaviour == "raises":
            raise ZeroDivisionError("bad luck")
        if behaviour == "exits":
            sys.exit("bye")
        if behaviour == "garbage":
            return [[1.0, 2.0], [3.0]]
        if method == "penalty":
            return np.full(self.context.models + 2, 1.0) if behaviour == "wrong_shape" else np.full(1, np.nan)
        array = {"add_gradients": lambda: args[1].flat, "after_update": lambda: args[0].flat}.get(
            method, lambda: args[-1])()
        if behaviour == "wrong_shape":
            return array[..., :-1].copy()
        array[...] = np.inf if method in ("backward_hidden", "transform_hidden", "transform_inputs") else np.nan
        return None

    act.__name__ = method
    cls = type("Culprit", (Regularizer,), {"name": "culprit", method: act})

    class Plugin:
        @hookimpl
        def register_regularizers(self, register):
            register(cls)

    return Plugin()


RUNTIME_FAILURES = [(m, "raises") for m in ("setup", "penalty", "add_gradients", "transform_inputs", "transform_hidden",
                                            "backward_hidden", "after_update", "hidden_penalty",
                                            "hidden_gradient", "after_record")]
RUNTIME_FAILURES += [(m, "wrong_shape") for m in ("penalty", "transform_inputs", "transform_hidden", "backward_hidden")]
RUNTIME_FAILURES += [(m, "non_finite") for m in ("penalty", "add_gradients", "transform_inputs",
                                                 "transform_hidden", "backward_hidden", "after_update")]
RUNTIME_FAILURES += [("setup", "exits"), ("after_update", "exits"), ("transform_hidden", "garbage"),
                     ("penalty", "garbage")]


@pytest.mark.parametrize("method, behaviour", RUNTIME_FAILURES)
def test_a_failing_regularizer_ends_its_run_with_an_error_naming_it_and_its_plugin(method, behaviour, small_data):
    registry = load_registry(extra=[("culprits", misbehaving(method, behaviour))], environ={})
    regs = [registry.activate("l2"), registry.activate("culprit")]
    with pytest.raises(TrainingError) as caught:
        Training(small_data, iterations=30, record_every=10, regularizers=regs).run()
    error = caught.value
    message = str(error)
    assert error.regularizer == "culprit"
    assert "regularizer 'culprit' (from plugin 'culprits' from code)" in message
    assert "\n" not in message
    if behaviour == "raises":
        assert f"failed in {method} at iteration 0: ZeroDivisionError: bad luck" in message
    elif behaviour == "exits":
        assert f"failed in {method} at iteration 0: SystemExit: bye" in message
    elif behaviour in ("wrong_shape", "garbage"):
        assert "shape" in message
    else:
        assert "non-finite" in message and "learning rate" not in message
    # the failure ended that run only: the next one, in the same process, trains normally
    again = Training(small_data, iterations=30, regularizers=[registry.activate("l2")]).run()
    assert np.isfinite(again.final_cost).all()


def test_a_failing_regularizer_is_one_line_and_exit_status_2_on_the_command_line(installed, tmp_path):
    installed("regstudio-flaky", "0.1", {"flaky": GOOD.replace(
        "weights.flat *=", "raise KeyError('rate')\n            weights.flat *=")})
    done = run_cli("train", "--reg", "shrink", "--iterations", "100", env=cli_env(tmp_path / "site"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == ("regcore: error: regularizer 'shrink' (from plugin 'flaky' from regstudio-flaky 0.1) "
                           "failed in after_update at iteration 0: KeyError: 'rate'\n")


def test_cli_main_reports_a_plugin_failure_without_raising(capsys, monkeypatch):
    # main() is what the console script runs; the failure must come back as status 2, not propagate
    registry = load_registry(extra=[("culprits", misbehaving("add_gradients", "raises"))], environ={})
    monkeypatch.setattr("regcore.cli.load_registry", lambda: registry)
    assert main(["train", "--reg", "culprit", "--iterations", "5"]) == 2
    assert "failed in add_gradients at iteration 0: ZeroDivisionError" in capsys.readouterr().err


@pytest.mark.parametrize("make, message", [
    (lambda n: 1 / 0, "data set 'broken' (from plugin 'broken' from code) failed: ZeroDivisionError: division by zero"),
    (lambda n: "points", "data set 'broken' (from plugin 'broken' from code) made a str, not a regcore.Dataset"),
])
def test_a_data_set_whose_make_fails_is_one_line_naming_it(capsys, monkeypatch, make, message):
    from regcore import DatasetSource

    class Broken:
        @hookimpl
        def register_datasets(self, register):
            register(DatasetSource("broken", "Broken", "Fails.", (Param("n", "int", 20),), make))

    registry = load_registry(extra=[("broken", Broken())], environ={})
    monkeypatch.setattr("regcore.cli.load_registry", lambda: registry)
    assert main(["train", "--data", "broken", "--iterations", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_a_data_sets_make_receives_plain_python_values_and_cannot_take_one_per_model():
    from regcore import DatasetSource, ParamError
    from regcore.datasets import resolve_data

    received = {}

    def make(n, noise, shape, flip):
        received.update(n=n, noise=noise, shape=shape, flip=flip)
        X = np.random.default_rng(n).uniform(-1, 1, (n, 2))
        return Dataset.checked("a name regstudio replaces", X, X[:, 0] > 0, X[:4], X[:4, 0] > 0)

    source = DatasetSource("plain", "Plain", "Records what make receives.",
                           (Param("n", "int", 30, low=4), Param("noise", "float", 0.1),
                            Param("shape", "choice", "a", choices=("a", "b")), Param("flip", "bool", False)), make)

    class Plugin:
        @hookimpl
        def register_datasets(self, register):
            register(source)

    registry = load_registry(extra=[("plain", Plugin())], environ={ALLOW_ENV: "plain"})
    data = resolve_data("plain:n=40,noise=1,flip=yes", registry)
    assert received == {"n": 40, "noise": 1.0, "shape": "a", "flip": True}
    assert [type(v) for v in received.values()] == [int, float, str, bool]
    assert data.X_train.shape == (2, 40) and data.Y_train.shape == (1, 40)  # points as columns, once made
    assert data.name == "plain (n=40, noise=1, flip=True)"
    received.clear()
    with pytest.raises(ParamError, match=r"^data set 'plain': noise takes one value, not one per model \(2 given\)$"):
        source.create({"noise": [0.1, 0.2]})
    assert received == {}


# ---------------------------------------------------------------- optimizer plugins

class SignDescent(Optimizer):
    """A third-party optimizer: W <- W - lr * sign(dW) * scale (a test plugin, like a researcher would write)."""

    name = "sign_descent"
    label = "Sign descent"
    params = (Param("scale", "float", 1.0, low=0.0),)

    def plan(self, parameters, gradients):
        return [partial(np.sign, gradients, gradients),
                partial(np.multiply, gradients, self.learning_rate * self.values["scale"], gradients),
                partial(np.subtract, parameters, gradients, parameters)]


class OptimizerPlugin:
    def __init__(self, *classes):
        self.classes = classes

    @hookimpl
    def register_optimizers(self, register):
        for cls in self.classes:
            register(cls)


def test_an_optimizer_plugin_is_listed_and_trains_with_its_values_per_model(small_data):
    registry = load_registry(extra=[("signs", OptimizerPlugin(SignDescent))], environ={})
    assert plugin(registry, "signs").provides == ["sign_descent"]
    assert registry.describe()["optimizers"][-1]["origin"] == "plugin 'signs' from code"
    training = Training(small_data, iterations=1, seeds=(1, 1), learning_rate=0.1,
                        optimizer=registry.activate_optimizer("sign_descent", {"scale": [1.0, 2.0]}))
    start = training.snapshot()
    training.run()
    steps = np.abs(training.flat - start)
    assert steps[0].max() == pytest.approx(0.1) and steps[1].max() == pytest.approx(0.2)


def test_an_optimizer_declaring_lr_or_not_an_optimizer_is_skipped_with_the_reason():
    class OwnRate(SignDescent):
        name = "own_rate"
        params = (Param("lr", "float", 0.1, low=0.0),)

    registry = load_registry(extra=[("own", OptimizerPlugin(OwnRate)), ("wrong", OptimizerPlugin(Shrinkish))],
                             environ={})
    assert plugin(registry, "own").status == "skipped"
    assert "a parameter may not be named 'lr', which is the run's learning rate" in plugin(registry, "own").reason
    assert "register() for optimizers takes a regcore.Optimizer subclass" in plugin(registry, "wrong").reason
    assert "own_rate" not in registry.optimizers


class Shrinkish(Regularizer):
    name = "shrinkish"


@pytest.mark.parametrize("where", ["setup", "plan", "update"])
def test_a_failing_optimizer_ends_its_run_with_an_error_naming_it(where, small_data):
    class Broken(SignDescent):
        name = "broken"

        def setup(self):
            if where == "setup":
                raise ZeroDivisionError("bad luck")

        def plan(self, parameters, gradients):
            if where == "plan":
                raise ZeroDivisionError("bad luck")
            return [partial(divmod, 1, 0)]

    registry = load_registry(extra=[("breaks", OptimizerPlugin(Broken))], environ={})
    with pytest.raises(TrainingError) as caught:
        Training(small_data, iterations=5, optimizer=registry.activate_optimizer("broken")).run()
    message = str(caught.value)
    assert message.startswith("optimizer 'broken' (from plugin 'breaks' from code) failed in ")
    assert "ZeroDivisionError" in message and "\n" not in message
