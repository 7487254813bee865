"""Shared fixtures: the course's football data set (skipped where absent) and the plugin registry."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOOTBALL = ROOT.parent / "shared" / "datasets" / "football.mat"
SEED_RESULTS = ROOT.parent / "shared" / "reference" / "seed-results.json"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Only the built-in plugins load, whatever a developer has installed (a plugin author's environment
# has their own): a test that wants external plugins names them with load_registry(environ=...).
# Subprocesses started with run_cli inherit this.
os.environ["REGCORE_LOAD_PLUGINS"] = ""


@pytest.fixture(scope="session")
def football_path() -> Path:
    if not FOOTBALL.exists():
        pytest.skip(f"needs the course data set at {FOOTBALL} (not shipped with RegStudio)")
    return FOOTBALL


@pytest.fixture(scope="session")
def seed_results() -> dict:
    if not SEED_RESULTS.exists():
        pytest.skip(f"needs the notebook's reference numbers at {SEED_RESULTS}")
    return json.loads(SEED_RESULTS.read_text())


@pytest.fixture(scope="session")
def football(football_path):
    from regcore.data import load_file

    return load_file(football_path)


@pytest.fixture(scope="session")
def registry():
    from regcore.plugins import load_registry

    return load_registry()


@pytest.fixture
def small_data():
    """A quick, deterministic data set for tests that only need something to train on."""
    from regcore.datasets import resolve_data
    from regcore.plugins import load_registry

    return resolve_data("moons:n=80,noise=0.2,seed=2", load_registry())


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run ``python -m regcore`` in a subprocess; returns the CompletedProcess (text mode)."""
    import subprocess

    return subprocess.run([sys.executable, "-m", "regcore", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={**os.environ, **(env or {})}, timeout=600)
