"""Finding, loading and checking plugins, and the registry of what they provide.

Built-in plugins (``DEFAULT_PLUGINS``) and third-party ones (entry-point group ``regcore``) go
through the same path. Each entry point is loaded on its own and each plugin's hooks are called on
their own, so a plugin that fails to import, raises in a hook, or registers something malformed is
recorded as skipped, with the reason, and everything it registered is withdrawn; the others load.

Environment: ``REGCORE_LOAD_PLUGINS`` limits which external plugins load (a comma-separated list of
entry-point names; set but empty means none), as ``LLM_LOAD_PLUGINS`` does for llm.
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
from .errors import ParamError, PluginError
from .params import Param, resolve
from .regularizer import Regularizer
from .sources import DatasetSource
from .training import ActiveRegularizer

DEFAULT_PLUGINS = ("plugins.none", "plugins.l2", "plugins.dropout", "plugins.datasets")
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
    reason: str = ""
    provides: list[str] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.package is None

    @property
    def origin(self) -> str:
        if self.builtin:
            return f"built-in plugin {self.name!r}"
        return f"plugin {self.name!r} from {self.package} {self.version}"

    def describe(self) -> dict:
        return {"name": self.name, "package": self.package, "version": self.version, "builtin": self.builtin,
                "status": self.status, "reason": self.reason, "provides": list(self.provides)}


@dataclass(frozen=True)
class Entry:
    """A registered regularizer class or data-set source, with the plugin that gave it."""

    obj: Any
    plugin: PluginInfo


class Registry:
    """Everything the loaded plugins provide, by name, plus the record of every plugin."""

    def __init__(self):
        self.regularizers: dict[str, Entry] = {}
        self.datasets: dict[str, Entry] = {}
        self.plugins: list[PluginInfo] = []

    def regularizer(self, name: str) -> Entry:
        return _lookup(self.regularizers, name, "regularizer")

    def dataset(self, name: str) -> Entry:
        return _lookup(self.datasets, name, "data set")

    def activate(self, name: str, values: Mapping[str, Any] | None = None) -> ActiveRegularizer:
        """A regularizer by name with validated values (defaults fill the gaps)."""
        entry = self.regularizer(name)
        resolved = resolve(entry.obj.params, values or {}, f"regularizer {name!r}")
        return ActiveRegularizer(entry.obj, resolved, entry.plugin.origin)

    def describe(self) -> dict:
        def items(table):
            return [{"name": name, "label": e.obj.label, "help": e.obj.help, "plugin": e.plugin.name,
                     "origin": e.plugin.origin, "params": [p.describe() for p in e.obj.params]}
                    for name, e in table.items()]
        return {"regularizers": items(self.regularizers), "datasets": items(self.datasets),
                "plugins": [p.describe() for p in self.plugins]}


def _lookup(table: dict[str, Entry], name: str, what: str) -> Entry:
    if name not in table:
        raise PluginError(f"unknown {what} {name!r}; known: {', '.join(sorted(table)) or 'none'}")
    return table[name]


def load_registry(*, disabled: Iterable[str] = (), environ: Mapping[str, str] | None = None,
                  extra: Iterable[tuple[str, object]] = ()) -> Registry:
    """Load the built-in plugins, then the external ones, and return the registry.

    ``disabled`` names external plugins to leave out (the window's Plugins dialog); ``extra`` adds
    (name, plugin object) pairs as if they were external (used by tests and embedding code).
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
        info = PluginInfo(ep.name, package=dist.name if dist else "unknown package",
                          version=dist.version if dist else "?")
        candidates.append((info, ep.load))
    for name, obj in extra:
        candidates.append((PluginInfo(name, package="(registered in code)", version="-"), lambda o=obj: o))

    for info, load in candidates:
        registry.plugins.append(info)
        if any(p is not info and p.name == info.name and p.status == "loaded" for p in registry.plugins):
            _skip(info, "another plugin already has this name")
        elif not info.builtin and allowed is not None and info.name not in allowed:
            info.status, info.reason = "disabled", f"not listed in {ALLOW_ENV}"
        elif info.name in disabled:
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


def _load_one(manager, registry: Registry, info: PluginInfo, load) -> None:
    try:
        module = load()
    except Exception as error:
        return _skip(info, f"failed to import: {type(error).__name__}: {error}")
    try:
        manager.register(module, name=info.name)
    except Exception as error:
        return _skip(info, f"not a valid plugin: {type(error).__name__}: {error}")
    unknown = [impl for impl in manager.get_hookcallers(module) or [] if impl.spec is None]
    if unknown:
        manager.unregister(module)
        return _skip(info, f"implements unknown hook(s): {', '.join(h.name for h in unknown)}")

    added: list[tuple[dict, str]] = []

    def register_into(table, validate, what):
        def register(obj):
            validate(obj)
            if obj.name in table:
                raise PluginError(f"{what} name {obj.name!r} is already taken by {table[obj.name].plugin.origin}")
            table[obj.name] = Entry(obj, info)
            added.append((table, obj.name))
        return register

    calls = [(manager.hook.register_regularizers, register_into(registry.regularizers, _check_regularizer, "regularizer")),
             (manager.hook.register_datasets, register_into(registry.datasets, _check_source, "data set"))]
    try:
        for caller, register in calls:
            for impl in caller.get_hookimpls():
                if impl.plugin is module:
                    impl.function(*[{"register": register}[arg] for arg in impl.argnames])
    except Exception as error:
        for table, name in added:
            del table[name]
        manager.unregister(module)
        return _skip(info, f"{type(error).__name__}: {error}" if not isinstance(error, PluginError) else str(error))
    info.provides = [name for _, name in added]


def _check_declared(obj, what: str) -> None:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise PluginError(f"a {what} has name {name!r}; names must be lower-case letters, digits and _")
    for attribute in ("label", "help"):
        if not isinstance(getattr(obj, attribute, ""), str):
            raise PluginError(f"{what} {name!r}: {attribute} must be a string")
    params = getattr(obj, "params", ())
    if not isinstance(params, tuple) or not all(isinstance(p, Param) for p in params):
        raise PluginError(f"{what} {name!r}: params must be a tuple of regcore.Param")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise PluginError(f"{what} {name!r}: two parameters share a name")


def _check_regularizer(cls) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Regularizer)) or cls is Regularizer:
        raise PluginError(f"register() for regularizers takes a regcore.Regularizer subclass, got {cls!r}")
    _check_declared(cls, "regularizer")


def _check_source(source) -> None:
    if not isinstance(source, DatasetSource):
        raise PluginError(f"register() for data sets takes a regcore.DatasetSource, got {source!r}")
    _check_declared(source, "data set")
    if not callable(source.make):
        raise PluginError(f"data set {source.name!r}: make must be callable")


__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "ALLOW_ENV", "Registry", "PluginInfo", "Entry",
           "load_registry", "ParamError"]
