"""Reading zip archives of NumPy arrays (``.npz`` data sets, ``.regx`` experiments) without letting
them inflate: sizes are checked against caps before anything is decompressed.

A zip member declares its uncompressed size and a ``.npy`` array declares its shape and type in its
header; a small file can declare gigabytes (a "zip bomb"). `BoundedArchive` reads a member only if
its declared size is under the caller's cap and the sizes declared by everything read so far stay
under `INFLATION_LIMIT` times the file's size (deflate cannot compress more than about 1032:1, so
only a forged archive declares more). An array's header is read first and its shape times its item
size checked against the cap and against what the member holds; only then is the array read, into
one buffer of exactly that size. Errors are `ArchiveError` (one line, without the file's name, which
the caller adds); a damaged archive may also raise what `zipfile` and `zlib` raise, as before.
"""

from __future__ import annotations

import math
import zipfile
from typing import IO

import numpy as np
from numpy.lib import format as npy

from .errors import RegcoreError

INFLATION_LIMIT = 1100   # declared bytes per byte of archive: above what deflate can reach
HEADER_BYTES = 64 * 1024  # room for a .npy header beyond its data


class ArchiveError(RegcoreError):
    """An archive declares more than may be inflated, or its arrays' headers do not add up."""


def _bytes(count: int) -> str:
    return f"{count:,} bytes"


class BoundedArchive:
    """A zip archive read member by member, each read checked against caps before inflating."""

    def __init__(self, handle: IO[bytes], file_size: int):
        self.zip = zipfile.ZipFile(handle)
        self._names = set(self.zip.namelist())
        self.budget = INFLATION_LIMIT * max(int(file_size), 1)
        self.declared = 0

    def __enter__(self) -> "BoundedArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        return self.zip.namelist()

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def _claim(self, name: str, label: str, cap: int) -> zipfile.ZipInfo:
        info = self.zip.getinfo(name)
        if info.file_size > cap:
            raise ArchiveError(f"{label} declares {_bytes(info.file_size)} uncompressed, more than the "
                               f"{_bytes(cap)} it can need; refusing to inflate it")
        self.declared += info.file_size
        if self.declared > self.budget:
            raise ArchiveError(f"its contents declare over {_bytes(self.declared)} uncompressed, more than "
                               f"{INFLATION_LIMIT} times the file's size; refusing to inflate it (a zip bomb?)")
        return info

    def read(self, name: str, cap: int, label: str | None = None) -> bytes:
        """A member's bytes, if it declares at most ``cap`` of them."""
        info = self._claim(name, label or name, cap)
        with self.zip.open(info) as member:
            return member.read()  # zipfile stops at the declared size

    def array(self, name: str, cap: int, label: str | None = None) -> np.ndarray:
        """A ``.npy`` member as an array, if its data take at most ``cap`` bytes; never unpickles."""
        label = label or name
        info = self._claim(name, label, cap + HEADER_BYTES)
        with self.zip.open(info) as member:
            version = npy.read_magic(member)
            reader = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}.get(version)
            if reader is None:
                raise ArchiveError(f"{label} is a .npy array of version {version[0]}.{version[1]}, not 1.0 or 2.0")
            shape, fortran, dtype = reader(member)
            if dtype.hasobject:
                raise ArchiveError(f"{label} holds Python objects, not numbers")
            count = math.prod(shape)
            size = count * dtype.itemsize
            if max(size, count) > cap:
                raise ArchiveError(f"{label} declares an array of shape {shape} ({_bytes(size)}), more "
                                   f"than the {_bytes(cap)} it can need; refusing to read it")
            if size > info.file_size:
                raise ArchiveError(f"{label} declares an array of shape {shape} but holds only "
                                   f"{_bytes(info.file_size)}: truncated or damaged")
            array = np.empty(count, dtype=dtype)
            view = memoryview(array.view(np.uint8).reshape(-1)) if size else memoryview(b"")
            filled = 0
            while filled < size:
                got = member.readinto(view[filled:])
                if not got:
                    raise ArchiveError(f"{label} is truncated: {filled:,} of {size:,} bytes")
                filled += got
            if member.read(1):  # also reads to the end, where zipfile checks the CRC
                raise ArchiveError(f"{label} holds more bytes than its header declares: damaged")
        return array.reshape(shape, order="F" if fortran else "C")
