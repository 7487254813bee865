"""Finding, loading and checking plugins, and the registry of what they provide.

Built-in plugins (``DEFAULT_PLUGINS``) and third-party ones (entry-point group ``regcore``) go
through the same path. Each entry point is loaded on its own and each plugin's hooks are called on
their own, so a plugin that fails to import, raises in a hook, or registers something malformed is
recorded as skipped, with the reason, and everything it registered is withdrawn; the others load.

Every failure is reported with the plugin's origin (its entry-point name, package and version) and a
one-line cause, in `PluginInfo`; `regcore plugins` and the window's Plugins dialog show them. A
``BaseException`` other than ``KeyboardInterrupt`` (a plugin calling ``sys.exit`` on import, say) is
caught too: nothing a plugin does while loading ends the program.

Environment: ``REGCORE_LOAD_PLUGINS`` limits which external plugins load (a comma-separated list of
entry-point names; set but empty switches every external plugin off), as ``LLM_LOAD_PLUGINS`` does
for llm. Built-in plugins always load.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pluggy

from . import hookspecs
from .errors import PLUGIN_FAILURES, ParamError, PluginError
from .optimizer import LEARNING_RATE, ActiveOptimizer, Optimizer
from .params import Param, resolve
from .regularizer import ActiveRegularizer, Regularizer
from .sources import DatasetSource

DEFAULT_PLUGINS = ("regstudio_plugins.none", "regstudio_plugins.l2", "regstudio_plugins.l1",
                   "regstudio_plugins.dropout", "regstudio_plugins.early_stopping", "regstudio_plugins.datasets",
                   "regstudio_plugins.gd", "regstudio_plugins.momentum", "regstudio_plugins.adam",
                   "regstudio_plugins.adamw")
ENTRY_POINT_GROUP = "regcore"
ALLOW_ENV = "REGCORE_LOAD_PLUGINS"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class PluginInfo:
    """One plugin and what became of it."""

    name: str
    package: str | None = None      # distribution name, None for built-ins
    version: str | None = None
    status: str = "loaded"          # loaded | skipped | disabled
    reason: str = ""                # why it was skipped or disabled, one line
    provides: list[str] = field(default_factory=list)   # names it registered (when loaded)
    withdrawn: list[str] = field(default_factory=list)  # names it registered before it failed

    @property
    def builtin(self) -> bool:
        return self.package is None

    @property
    def origin(self) -> str:
        """``built-in plugin 'l2'`` or ``plugin 'l1' from regstudio-extra-regularizers 0.1.0``."""
        if self.builtin:
            return f"built-in plugin {self.name!r}"
        return f"plugin {self.name!r} from {self.package}" + (f" {self.version}" if self.version else "")

    @property
    def problem(self) -> str:
        """One line saying what became of a plugin that did not load ('' when it loaded)."""
        if self.status == "loaded":
            return ""
        return f"{self.origin} was {self.status}: {self.reason}"

    def describe(self) -> dict:
        return {"name": self.name, "package": self.package, "version": self.version, "builtin": self.builtin,
                "origin": self.origin, "status": self.status, "reason": self.reason,
                "provides": list(self.provides), "withdrawn": list(self.withdrawn)}


@dataclass(frozen=True)
class Entry:
    """A registered regularizer or optimizer class or data-set source, with the plugin that gave it."""

    obj: Any
    plugin: PluginInfo


class Registry:
    """Everything the loaded plugins provide, by name, plus the record of every plugin."""

    def __init__(self):
        self.regularizers: dict[str, Entry] = {}
        self.datasets: dict[str, Entry] = {}
        self.optimizers: dict[str, Entry] = {}
        self.plugins: list[PluginInfo] = []

    def regularizer(self, name: str) -> Entry:
        return self._lookup(self.regularizers, name, "regularizer")

    def dataset(self, name: str) -> Entry:
        return self._lookup(self.datasets, name, "data set")

    def optimizer(self, name: str) -> Entry:
        return self._lookup(self.optimizers, name, "optimizer")

    def problems(self) -> list[str]:
        """One line for each plugin that was skipped (not for those the user disabled)."""
        return [p.problem for p in self.plugins if p.status == "skipped"]

    def activate(self, name: str, values: Mapping[str, Any] | None = None) -> ActiveRegularizer:
        """A regularizer by name with validated values (defaults fill the gaps)."""
        entry = self.regularizer(name)
        resolved = resolve(entry.obj.params, values or {}, f"regularizer {name!r}")
        return ActiveRegularizer(entry.obj, resolved, entry.plugin.origin)

    def activate_optimizer(self, name: str, values: Mapping[str, Any] | None = None) -> ActiveOptimizer:
        """An optimizer by name with validated values (defaults fill the gaps; ``lr`` is not one of them)."""
        entry = self.optimizer(name)
        resolved = resolve(entry.obj.params, values or {}, f"optimizer {name!r}")
        return ActiveOptimizer(entry.obj, resolved, entry.plugin.origin)

    def describe(self) -> dict:
        def items(table):
            return [{"name": name, "label": e.obj.label, "help": e.obj.help, "plugin": e.plugin.name,
                     "origin": e.plugin.origin, "params": [p.describe() for p in e.obj.params]}
                    for name, e in table.items()]
        return {"regularizers": items(self.regularizers), "optimizers": items(self.optimizers),
                "datasets": items(self.datasets), "plugins": [p.describe() for p in self.plugins]}


    def _lookup(self, table: dict[str, Entry], name: str, what: str) -> Entry:
        if name in table:
            return table[name]
        message = f"unknown {what} {name!r}; known: {', '.join(sorted(table)) or 'none'}"
        # The likely reason an installed name is missing: its plugin did not load. Say so.
        culprit = next((p for p in self.plugins if p.status != "loaded" and name in (p.name, *p.withdrawn)), None)
        raise PluginError(message + (f" ({culprit.problem})" if culprit else ""))


def load_registry(*, disabled: Iterable[str] = (), environ: Mapping[str, str] | None = None,
                  extra: Iterable[tuple[str, object]] = ()) -> Registry:
    """Load the built-in plugins, then the external ones, and return the registry. Never raises.

    ``disabled`` names external plugins to leave out (the window's Plugins dialog; built-ins cannot
    be disabled); ``extra`` adds (name, plugin object) pairs as if they were external (used by tests
    and embedding code); ``environ`` replaces ``os.environ`` for ``REGCORE_LOAD_PLUGINS``.
    """
    environ = os.environ if environ is None else environ
    disabled = set(disabled)
    registry = Registry()
    manager = pluggy.PluginManager("regcore")
    manager.add_hookspecs(hookspecs)

    candidates: list[tuple[PluginInfo, Any]] = []
    for dotted in DEFAULT_PLUGINS:
        candidates.append((PluginInfo(dotted.rsplit(".", 1)[-1]), lambda d=dotted: importlib.import_module(d)))
    allowed = _allowed(environ)
    for ep in _entry_points():
        dist = getattr(ep, "dist", None)
        info = PluginInfo(ep.name, package=dist.name if dist else "an unknown package",
                          version=dist.version if dist else "")
        candidates.append((info, ep.load))
    for name, obj in extra:
        candidates.append((PluginInfo(name, package="code", version=""), lambda o=obj: o))

    for info, load in candidates:
        taken = next((p for p in registry.plugins if p.name == info.name and p.status == "loaded"), None)
        registry.plugins.append(info)
        if taken:
            _skip(info, f"its name is already used by {taken.origin}")
        elif not info.builtin and allowed is not None and info.name not in allowed:
            info.status, info.reason = "disabled", f"not listed in {ALLOW_ENV}"
        elif not info.builtin and info.name in disabled:
            info.status, info.reason = "disabled", "disabled by the user"
        else:
            _load_one(manager, registry, info, load)
    return registry


def _allowed(environ: Mapping[str, str]) -> set[str] | None:
    if ALLOW_ENV not in environ:
        return None
    return {name.strip() for name in environ[ALLOW_ENV].split(",") if name.strip()}


def _entry_points():
    try:
        return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken installed distribution must not stop the built-ins loading
        return []


def _skip(info: PluginInfo, reason: str) -> None:
    info.status, info.reason = "skipped", reason


def _cause(error: BaseException) -> str:
    """``ValueError: message`` on one line, short enough for a status bar."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= 300 else text[:297] + "..."


def _load_one(manager, registry: Registry, info: PluginInfo, load) -> None:
    try:
        module = load()
    except PLUGIN_FAILURES as error:
        return _skip(info, f"failed to import: {_cause(error)}")
    try:
        manager.register(module, name=info.name)
    except PLUGIN_FAILURES as error:
        return _skip(info, f"not a valid plugin: {_cause(error)}")
    callers = manager.get_hookcallers(module) or []
    unknown = [caller.name for caller in callers if caller.spec is None]
    if unknown or not callers:
        manager.unregister(module)
        if unknown:
            known = ", ".join(name for name in dir(hookspecs) if name.startswith("register_"))
            return _skip(info, f"implements unknown hook(s) {', '.join(unknown)}; the hooks are {known}")
        return _skip(info, "implements no hook: mark its register_... functions with @regcore.hookimpl")

    added: list[tuple[dict, str]] = []
    open_ = [True]  # register() works only while the plugin's hooks run

    def register_into(table, validate, what):
        def register(obj):
            if not open_[0]:
                raise PluginError(f"{info.origin} called register() after loading finished")
            validate(obj)
            if obj.name in table:
                raise PluginError(f"{what} name {obj.name!r} is already taken by {table[obj.name].plugin.origin}")
            table[obj.name] = Entry(obj, info)
            added.append((table, obj.name))
        return register

    calls = [(manager.hook.register_regularizers, register_into(registry.regularizers, _check_regularizer, "regularizer")),
             (manager.hook.register_datasets, register_into(registry.datasets, _check_source, "data set")),
             (manager.hook.register_optimizers, register_into(registry.optimizers, _check_optimizer, "optimizer"))]
    try:
        for caller, register in calls:
            for impl in caller.get_hookimpls():
                if impl.plugin is module:
                    try:
                        impl.function(**{arg: register for arg in impl.argnames})
                    except PluginError:
                        raise
                    except PLUGIN_FAILURES as error:
                        raise PluginError(f"{caller.name} raised {_cause(error)}") from error
    except PluginError as error:
        for table, name in added:
            del table[name]
        manager.unregister(module)
        info.withdrawn = [name for _, name in added]
        return _skip(info, str(error))
    finally:
        open_[0] = False
    info.provides = [name for _, name in added]


def _check_declared(obj, what: str) -> None:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        which = obj.__qualname__ if isinstance(obj, type) else repr(obj)
        raise PluginError(f"{what} {which} has name {name!r}; a name must be lower-case letters, digits and _, "
                          f"starting with a letter (like 'l1')")
    for attribute in ("label", "help"):
        if not isinstance(getattr(obj, attribute, ""), str):
            raise PluginError(f"{what} {name!r}: {attribute} must be a string")
    params = getattr(obj, "params", ())
    if not isinstance(params, tuple) or not all(isinstance(p, Param) for p in params):
        raise PluginError(f"{what} {name!r}: params must be a tuple of regcore.Param")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise PluginError(f"{what} {name!r}: two parameters share the name {sorted(n for n in names if names.count(n) > 1)[0]!r}")


def _check_regularizer(cls) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Regularizer)) or cls is Regularizer:
        raise PluginError(f"register() for regularizers takes a regcore.Regularizer subclass, got {cls!r}")
    _check_declared(cls, "regularizer")


def _check_optimizer(cls) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)) or cls is Optimizer:
        raise PluginError(f"register() for optimizers takes a regcore.Optimizer subclass, got {cls!r}")
    _check_declared(cls, "optimizer")
    if any(p.name == LEARNING_RATE.name for p in cls.params):
        raise PluginError(f"optimizer {cls.name!r}: a parameter may not be named {LEARNING_RATE.name!r}, "
                          f"which is the run's learning rate (self.learning_rate)")


def _check_source(source) -> None:
    if not isinstance(source, DatasetSource):
        raise PluginError(f"register() for data sets takes a regcore.DatasetSource, got {source!r}")
    _check_declared(source, "data set")
    if not callable(source.make):
        raise PluginError(f"data set {source.name!r}: make must be callable")


__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "ALLOW_ENV", "Registry", "PluginInfo", "Entry",
           "load_registry", "ParamError"]
