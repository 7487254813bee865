"""Experiment files as an older version or a damaged copy would write them, for the reader's tests.

`rewrite` copies a saved ``.regx`` member by member into another file, changing on the way what a
test asks: the JSON index (edited in place by ``index``), and any member (``member`` returns its new
bytes, or None to leave it out). One copy of the zip handling, for every test that needs such a file.
"""

from __future__ import annotations

import json
import zipfile
from typing import Callable

from regcore import experiment


def rewrite(source, target, index: Callable[[dict], object] | None = None,
            member: Callable[[str, bytes], bytes | None] | None = None):
    """``source`` copied to ``target`` with its index and members changed (see the module docstring);
    returns ``target``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            content = old.read(name)
            if name == experiment.INDEX and index is not None:
                edited = json.loads(content)
                index(edited)
                content = json.dumps(edited).encode()
            if member is not None:
                content = member(name, content)
            if content is not None:
                new.writestr(name, content)
    return target


def leave_out(unwanted: Callable[[str], bool]) -> Callable[[str, bytes], bytes | None]:
    """A ``member`` for `rewrite`: the members ``unwanted(name)`` picks are left out, the rest kept."""
    return lambda name, content: None if unwanted(name) else content
