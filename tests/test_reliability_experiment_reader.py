"""Property test of the experiment reader on generated damaged files: bytes flipped, the file cut short,
a zip member's declared size or an array's declared shape forged, the JSON index edited. Whatever
the damage, `experiment.load` either opens an experiment whose every run draws, or raises
`ExperimentError` with one line naming the file — nothing else — and no read allocates more than
`MULTIPLE` times the file's size (plus a fixed allowance for the interpreter's own objects).
"""

from __future__ import annotations

import io
import json
import re
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regcore import experiment, network
from regcore.config import RunConfig
from regcore.datasets import resolve_data
from regcore.experiment import Experiment, ExperimentError, RunRecord

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MULTIPLE = 64             # bytes a read may allocate per byte of file...
ALLOWANCE = 256 * 1024   # ...plus this, for the zip directory, the JSON objects and NumPy's own


@pytest.fixture(scope="module")
def original(registry, tmp_path_factory) -> bytes:
    data = resolve_data("moons:n=30,noise=0.2,seed=5", registry)
    configs = [RunConfig(hidden=(5, 3), iterations=20, record_every=5),
               RunConfig(hidden=(4,), iterations=20, record_every=5, regularizers=(("l2", {"lambd": 0.5}),))]
    runs = [RunRecord(config, data, config.build(registry, data).run()) for config in configs]
    path = tmp_path_factory.mktemp("original") / "study.regx"
    experiment.save(Experiment(settings=configs[1], data=data, runs=runs), path)
    experiment.load(path, registry)  # once, so that lazy imports are not counted below
    return path.read_bytes()


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                              st.text(max_size=8)),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=8)


@st.composite
def damaged(draw, content: bytes) -> bytes:
    how = draw(st.sampled_from(["flip", "cut", "size", "shape", "index"]))
    if how == "flip":
        out = bytearray(content)
        for where, byte in draw(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                                         min_size=1, max_size=4)):
            out[int(where * len(out))] = byte
        return bytes(out)
    if how == "cut":
        return content[: int(len(content) * draw(st.floats(0, 1, exclude_max=True)))]
    parts = members(content)
    names = sorted(parts)
    if how == "size":  # forge one member's declared uncompressed size in the central directory
        out = bytearray(content)
        directory = [m.start() for m in re.finditer(b"PK\x01\x02", out)]
        at = draw(st.sampled_from(directory))
        struct.pack_into("<I", out, at + 24, draw(st.integers(0, 2**32 - 1)))
        return bytes(out)
    if how == "shape":  # an array whose header declares another shape than the data it holds
        name = draw(st.sampled_from([n for n in names if n.endswith(".npy")]))
        array = np.load(io.BytesIO(parts[name]))
        shape = tuple(draw(st.lists(st.integers(0, 2**40), min_size=0, max_size=3)))
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": array.dtype.str, "fortran_order": False,
                                                      "shape": shape})
        parts[name] = header.getvalue() + array.tobytes()
        return zipped(parts)
    index = json.loads(parts[experiment.INDEX])
    node, holder, key = index, None, None
    for _ in range(draw(st.integers(1, 4))):  # walk down to some value, then replace it
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        holder, key = node, draw(st.sampled_from(keys))
        if not isinstance(node[key], (dict, list)) or draw(st.booleans()):
            break
        node = node[key]
    if holder is not None:
        holder[key] = draw(JSON)
    parts[experiment.INDEX] = json.dumps(index).encode()
    return zipped(parts)


@FAST
@given(data=st.data())
def test_the_reader_raises_only_its_own_error_and_inflates_boundedly(original, registry, tmp_path, data):
    content = data.draw(damaged(original))
    path = tmp_path / "damaged.regx"
    path.write_bytes(content)
    tracemalloc.start()
    try:
        opened = experiment.load(path, registry)
    except ExperimentError as error:
        opened = None
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message, message
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= MULTIPLE * len(content) + ALLOWANCE, f"read {len(content):,} bytes, allocated {peak:,}"
    if opened is not None:  # what opens is usable: every run draws and reports
        for run in opened.runs:
            probabilities = network.probabilities(run.result.parameters, run.result.layout, run.data.X_test)
            assert probabilities.shape == (1, run.data.X_test.shape[1])
            assert run.status in ("finished", "stopped", "failed", "unusable")
            run.config.describe_regularizers()


def test_the_undamaged_file_opens(original, registry, tmp_path):
    (tmp_path / "study.regx").write_bytes(original)
    assert [run.status for run in experiment.load(tmp_path / "study.regx", registry).runs] == ["finished"] * 2
