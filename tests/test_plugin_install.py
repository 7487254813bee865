"""Plugins installed the way researchers ship them: ``pip install`` into a fresh virtual environment.

A throwaway plugin package written here and a copy of ``examples/regstudio-extra-regularizers`` are
pip-installed into a new venv, which sees this RegStudio (and pip) through a ``.pth`` file rather
than a second install. That environment's ``regcore plugins --json`` must list them and
``regcore train`` must train with them; the example package's own tests run there too. pip builds
each package in an isolated environment, fetching setuptools from the package index (it is cached
after the first run). About 20 seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "regstudio-extra-regularizers"

THROWAWAY_PYPROJECT = """
    [build-system]
    requires = ["setuptools>=61"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "regstudio-throwaway"
    version = "0.0.7"

    [project.entry-points.regcore]
    quartic = "throwaway_quartic"
"""

THROWAWAY_MODULE = '''
    """A quartic penalty: cost + lambd/m·ΣW⁴, which leaves small weights alone and crushes large ones."""
    from regcore import Param, Regularizer, hookimpl

    class Quartic(Regularizer):
        name = "quartic"
        label = "Quartic penalty"
        params = (Param("lambd", "float", 0.1, low=0.0),)

        def penalty(self, weights):
            return self.values["lambd"][:, 0, 0] / self.context.examples * (weights.flat ** 4).sum(axis=1)

        def add_gradients(self, weights, grads):
            grads.flat += self.values["lambd"][:, :, 0] / self.context.examples * 4 * weights.flat ** 3

    @hookimpl
    def register_regularizers(register):
        register(Quartic)
'''


def fresh_venv(where: Path) -> Path:
    """A new venv whose Python also sees this interpreter's site-packages (RegStudio, pip, numpy)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    host = [*site.getsitepackages(), site.getusersitepackages(), str(ROOT)]
    # addsitedir (not a plain path line) so the host's own .pth files, e.g. an editable install, apply too
    (Path(purelib) / "_regstudio_host.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in host if os.path.isdir(p)) + "\n")
    return python


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    base = tmp_path_factory.mktemp("plugin-install")
    throwaway = base / "regstudio-throwaway"
    throwaway.mkdir()
    (throwaway / "pyproject.toml").write_text(textwrap.dedent(THROWAWAY_PYPROJECT))
    (throwaway / "throwaway_quartic.py").write_text(textwrap.dedent(THROWAWAY_MODULE))
    example = base / EXAMPLE.name  # a copy, so building it leaves no build/ or egg-info in the repository
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    python = fresh_venv(base / "venv")
    env = {k: v for k, v in os.environ.items() if k not in ("REGCORE_LOAD_PLUGINS", "PYTHONPATH")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(throwaway), str(example)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, f"pip install failed:\n{done.stdout}\n{done.stderr}"

    def run(*args, cwd=base):
        return subprocess.run([str(python), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)

    run.example = example
    return run


def test_pip_installed_plugins_are_listed_by_regcore_plugins(venv):
    done = venv("-m", "regcore", "plugins", "--json")
    assert done.returncode == 0, done.stderr
    described = json.loads(done.stdout)
    external = {p["name"]: (p["status"], p["package"], p["version"], p["provides"])
                for p in described["plugins"] if not p["builtin"]}
    assert external == {
        "quartic": ("loaded", "regstudio-throwaway", "0.0.7", ["quartic"]),
        "l1": ("loaded", "regstudio-extra-regularizers", "0.1.0", ["l1"]),
        "max_norm": ("loaded", "regstudio-extra-regularizers", "0.1.0", ["max_norm"]),
        "checkerboard": ("loaded", "regstudio-extra-regularizers", "0.1.0", ["checkerboard"]),
    }
    quartic = next(r for r in described["regularizers"] if r["name"] == "quartic")
    assert quartic["origin"] == "plugin 'quartic' from regstudio-throwaway 0.0.7"
    assert quartic["params"] == [{"name": "lambd", "kind": "float", "default": 0.1, "help": "", "low": 0.0,
                                  "high": None, "low_open": False, "high_open": False, "allowed": "a number >= 0"}]


def test_regcore_train_trains_with_the_installed_plugins(venv):
    done = venv("-m", "regcore", "train", "--reg", "quartic:lambd=0.5", "--iterations", "200",
                "--record-every", "50", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["config"]["regularizers"] == [{"name": "quartic", "params": {"lambd": 0.5}}]
    assert report["costs"][-1][1] < report["costs"][0][1]

    done = venv("-m", "regcore", "train", "--reg", "l1:lambd=0.1", "--reg", "max_norm:c=1.5",
                "--data", "checkerboard:cells=2,n=200", "--iterations", "200", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["config"]["data"].startswith("checkerboard (n=200, cells=2")
    assert 0.0 <= report["test_accuracy"] <= 1.0


def test_the_example_package_passes_its_own_tests_once_installed(venv):
    done = venv("-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
                cwd=venv.example)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
