"""Plugins installed the way researchers ship them: ``pip install`` into a fresh virtual environment.

A throwaway plugin package — the files of docs/plugins.md's tutorial, so the tutorial is tested
too — and a copy of ``examples/regstudio-extra-regularizers`` are pip-installed into a new venv, which sees this RegStudio (and pip) through a ``.pth`` file rather
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
from pathlib import Path

import pytest

from conftest import ROOT
from test_plugin_docs import TUTORIAL_FOLDER, tutorial_files

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "regstudio-extra-regularizers"

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
    throwaway = base / TUTORIAL_FOLDER
    throwaway.mkdir()
    for name, text in tutorial_files().items():
        (throwaway / name).write_text(text)
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
        "elastic_net": ("loaded", "regstudio-elastic-net", "0.1.0", ["elastic_net"]),
        "max_norm": ("loaded", "regstudio-extra-regularizers", "0.1.0", ["max_norm"]),
        "checkerboard": ("loaded", "regstudio-extra-regularizers", "0.1.0", ["checkerboard"]),
    }
    elastic = next(r for r in described["regularizers"] if r["name"] == "elastic_net")
    assert elastic["origin"] == "plugin 'elastic_net' from regstudio-elastic-net 0.1.0"
    assert [(p["name"], p["default"], p["allowed"]) for p in elastic["params"]] == [
        ("lambd", 0.1, "a number >= 0"), ("l1_ratio", 0.5, "a number in [0, 1]")]


def test_regcore_train_trains_with_the_installed_plugins(venv):
    done = venv("-m", "regcore", "train", "--reg", "elastic_net:lambd=0.3,l1_ratio=0.8", "--iterations", "200",
                "--record-every", "50", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["config"]["regularizers"] == [{"name": "elastic_net", "params": {"lambd": 0.3, "l1_ratio": 0.8}}]
    assert report["costs"][-1][1] < report["costs"][0][1]
    done = venv("-m", "regcore", "train", "--reg", "elastic_net:l1_ratio=2")  # the tutorial's example error
    assert (done.returncode, done.stderr) == (2, "regcore: error: l1_ratio=2.0 is not valid: expected a number in [0, 1]\n")
    done = venv("-m", "regcore", "gradcheck", "--reg", "elastic_net:lambd=0.3")  # the tutorial's step 6
    assert done.returncode == 0 and "gradient check passed" in done.stdout, done.stdout + done.stderr

    done = venv("-m", "regcore", "train", "--reg", "l1:lambd=0.1", "--reg", "max_norm:c=1.5",
                "--data", "checkerboard:cells=2,n=200", "--iterations", "200", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["config"]["data_name"].startswith("checkerboard (n=200, cells=2")
    assert 0.0 <= report["test_accuracy"] <= 1.0


def test_the_example_package_passes_its_own_tests_once_installed(venv):
    done = venv("-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
                cwd=venv.example)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
