"""The layering of the code, checked from its source: no import cycles, and imports only point down.

regcore's modules are ranked below, from the bottom (errors, parameters, data) up to the CLI; a
module may import only modules of a lower rank (function-level imports included). regcore never
imports Qt or the app; nothing in desktop/ (the `regstudio` package) imports the CLI; and desktop's
own modules import each other without cycles. A new module must be given its rank here: where it
sits in the layering is a decision, not an accident.

Besides import statements, an import counts when a module names another by text, ``"package.module"``
or ``"package.module:name"`` (how `regstudio.live.PANELS` lists the live panels and the window its
optional tabs, imported with `importlib`), and ``from regcore import Name`` counts as importing the
module that defines ``Name`` (the package re-exports the plugin API lazily).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import regcore

ROOT = Path(__file__).resolve().parents[1]

# regcore, bottom to top: a module may import any module of an earlier group, none of its own or later
REGCORE_LAYERS = [
    {"errors", "defaults"},
    {"params", "files", "limits", "archives", "control", "matfile"},
    {"data", "regularizer", "hookspecs", "schedule", "snapshots"},
    {"sources", "network", "optimizer", "edits", "kernel"},
    {"datasets", "plugins", "fast"},
    {"training", "boundary", "inspect", "diagnosis"},
    {"config", "picture"},
    {"sweep", "course", "testing"},
    {"biasvar"},
    {"experiment"},  # it keeps bias-variance labs too
    {"cli"},
]
RANK = {name: rank for rank, group in enumerate(REGCORE_LAYERS) for name in group}
QT = ("PySide6", "pyqtgraph", "superqt", "shiboken6", "regstudio")
NAMED_MODULE = re.compile(r"((?:regcore|regstudio)(?:\.\w+)+)(?::\w+)?")  # "regstudio.live.cost:CostPanel"


def imports_of(path: Path, package: str) -> set[str]:
    """Absolute dotted names that ``path`` (a module of ``package``) imports, anywhere in the file: by
    an import statement, or by naming the module in a string for `importlib` (see the module docstring)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAMED_MODULE.fullmatch(node.value):
            found.add(NAMED_MODULE.fullmatch(node.value).group(1))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import network`
            if module == "regcore":  # `from regcore import Regularizer` imports regcore.regularizer
                found.update(f"regcore.{regcore._EXPORTS[alias.name]}" for alias in node.names
                             if alias.name in regcore._EXPORTS)
    return found


def modules(folder: str, package: str) -> dict[str, Path]:
    """{dotted module name: file} for every module of a source folder installed as ``package``."""
    out = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT / folder).with_suffix("")
        parts = [package, *relative.parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def regcore_module(dotted: str) -> str | None:
    """``regcore.cli.train`` -> ``cli``; the package itself (its re-exports) -> None."""
    parts = dotted.split(".")
    return parts[1] if parts[0] == "regcore" and len(parts) > 1 else None


def test_every_regcore_module_has_a_rank():
    unranked = {regcore_module(name) for name in modules("regcore", "regcore")} - set(RANK) - {None, "__main__"}
    assert not unranked, f"give these regcore modules a rank in REGCORE_LAYERS: {sorted(unranked)}"


def test_regcore_imports_point_down_and_never_to_qt():
    problems = []
    for name, path in modules("regcore", "regcore").items():
        own = regcore_module(name)
        if own is None or own == "__main__":
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for target in imports_of(path, package):
            if target.split(".")[0] in QT:
                problems.append(f"{name} imports {target} (regcore must not know Qt or the app)")
            other = regcore_module(target)
            if other is None or other == own or other not in RANK:
                continue
            if RANK[other] >= RANK[own]:
                problems.append(f"{name} imports regcore.{other}, which is not below it")
    assert not problems, "\n".join(problems)


def test_the_app_never_imports_the_cli():
    offenders = [f"{name} imports {target}" for name, path in modules("desktop", "regstudio").items()
                 for target in imports_of(path, name.rpartition(".")[0] if path.name != "__init__.py" else name)
                 if target == "regcore.cli" or target.startswith("regcore.cli.")]
    assert not offenders, offenders


def test_no_import_cycles_within_a_package():
    for folder, package in (("regcore", "regcore"), ("desktop", "regstudio"), ("plugins", "regstudio_plugins")):
        found = modules(folder, package)
        graph = {}
        for name, path in found.items():
            own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            graph[name] = {t for t in imports_of(path, own_package) if t in found and t != name
                           and not name.startswith(t + ".") and t != package}
        state: dict[str, int] = {}

        def visit(node, trail):
            state[node] = 1
            for nxt in graph[node]:
                if state.get(nxt) == 1:
                    raise AssertionError(f"import cycle: {' -> '.join(trail + [node, nxt])}")
                if nxt not in state:
                    visit(nxt, trail + [node])
            state[node] = 2

        for node in graph:
            if node not in state:
                visit(node, [])


def test_the_architecture_doc_lists_the_layers_and_names_what_exists():
    """docs/architecture.md (and the README's layout section, which points to it) must stay true: its
    numbered layers are `REGCORE_LAYERS`, group by group, and every file and dotted name they mention
    is there."""
    import importlib

    doc = (ROOT / "docs" / "architecture.md").read_text()
    listed = [set(re.findall(r"`(\w+)`", line.split(" — ")[0]))
              for line in doc.splitlines() if re.match(r"\d+\. `", line)]
    assert listed == REGCORE_LAYERS
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Layout")
    end = readme.find("\n## ", start + 1)
    layout = readme[start:end if end >= 0 else None]
    missing = []
    for text in (doc, layout):
        for token in re.findall(r"`([^`]+)`", text):
            token = token.split(":")[0].strip('"')  # "desktop/live/__init__.py: PANELS", "module:name"
            if token.endswith((".py", "/")):
                if "/" in token:
                    found = (ROOT / token).exists()
                else:  # a bare file name of the layout's list: in one of the source folders
                    found = any((ROOT / folder / token).exists() for folder in ("desktop", "regcore", "benchmarks"))
                if not found:
                    missing.append(token)
            elif re.fullmatch(r"(regcore|regstudio)(\.\w+)+", token):
                parts = token.split(".")
                for cut in range(len(parts), 0, -1):  # the longest importable module, then attributes
                    try:
                        value = importlib.import_module(".".join(parts[:cut]))
                    except ImportError:
                        continue
                    try:
                        for name in parts[cut:]:
                            value = getattr(value, name)
                    except AttributeError:
                        missing.append(token)
                    break
                else:
                    missing.append(token)
    assert not missing, f"named in docs/architecture.md or the README's layout but not there: {missing}"
