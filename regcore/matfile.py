"""A bounded, crash-proof reader of the numeric matrices in a MATLAB 5 (``-v7``) ``.mat`` file.

scipy's ``loadmat`` is C code that trusts the sizes a file declares: a damaged file (a byte flipped
in a tag, a truncated variable) can make it read out of bounds and kill the process with a
segmentation fault or a bus error — no exception to catch, the window gone. This reader parses the
few element types a data set needs in plain Python and NumPy, checks every declared size against
what is there before using it, and refuses anything else with a `DataError` saying why:

- the 128-byte header (text, version, the endian mark ``IM``/``MI``), then data elements, each
  ``miMATRIX`` (14) as is or inside ``miCOMPRESSED`` (15, a zlib stream, inflated at most to a cap);
- a matrix's sub-elements: array flags (class, complex, logical), dimensions, name, real part;
  sparse matrices (``ir``, ``jc``, values) are turned dense; the data are column-major;
- numeric classes only (double, single, the integer types, logical); complex numbers, text, cells,
  structs and objects are refused by name.

Only the variables asked for are decoded (others are skipped whole); each one's declared number of
values is checked against ``max_values`` before any array is made.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import IO, Iterable

import numpy as np

from .errors import DataError

HEADER = 128
MATRIX, COMPRESSED = 14, 15
# data types of the data elements: mi code -> NumPy type (the byte order is the file's)
TYPES = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "f4", 9: "f8", 12: "i8", 13: "u8",
         16: "u1", 17: "u2", 18: "u4"}  # the last three: text as UTF-8, UTF-16, UTF-32 code units
# array classes: mx code -> what it is (numeric ones are read)
NUMERIC_CLASSES = {6: "double", 7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32",
                   13: "uint32", 14: "int64", 15: "uint64"}
OTHER_CLASSES = {1: "cell array", 2: "struct", 3: "object", 16: "function handle", 17: "object"}
CHAR = 4
SPARSE = 5
COMPLEX_FLAG, LOGICAL_FLAG = 0x0800, 0x0200
DAMAGED = "not a readable .mat data file, perhaps damaged or truncated"


class _Cursor:
    """Reads data elements from a bytes buffer, checking every length against what is left."""

    def __init__(self, buffer: bytes, order: str, where: str):
        self.buffer, self.order, self.where, self.at = buffer, order, where, 0

    def element(self) -> tuple[int, memoryview]:
        """The next element's (type, data); handles the small format (data in the tag) and padding."""
        if self.at + 8 > len(self.buffer):
            raise DataError(f"{DAMAGED} ({self.where} ends inside an element's tag)")
        word, length = struct.unpack_from(self.order + "II", self.buffer, self.at)
        if word >> 16:  # small element: 2 bytes of length, 2 of type, up to 4 bytes of data in the tag
            kind, size = word & 0xFFFF, word >> 16
            if size > 4:
                raise DataError(f"{DAMAGED} (a small element of {size} bytes in {self.where})")
            data = memoryview(self.buffer)[self.at + 4:self.at + 4 + size]
            self.at += 8
            return kind, data
        start = self.at + 8
        if start + length > len(self.buffer):
            raise DataError(f"{DAMAGED} ({self.where} declares {length:,} bytes where "
                            f"{len(self.buffer) - start:,} are left)")
        self.at = start + length + (-length % 8)
        return word, memoryview(self.buffer)[start:start + length]

    def numbers(self, expected_kinds=None) -> np.ndarray:
        kind, data = self.element()
        if kind not in TYPES or (expected_kinds is not None and kind not in expected_kinds):
            raise DataError(f"{DAMAGED} (an element of type {kind} where numbers belong, in {self.where})")
        dtype = np.dtype(TYPES[kind]).newbyteorder(self.order)
        if len(data) % dtype.itemsize:
            raise DataError(f"{DAMAGED} ({len(data)} bytes are not whole {dtype.name} numbers, in {self.where})")
        return np.frombuffer(data, dtype=dtype)


def read(handle: IO[bytes], names: Iterable[str], max_values: int, max_points: int) -> dict[str, np.ndarray]:
    """The variables ``names`` that the file holds (others are skipped), as NumPy arrays; a variable
    declaring more than ``max_values`` values (what ``max_points`` points can fill) is refused."""
    wanted = set(names)
    header = handle.read(HEADER)
    if len(header) < HEADER or header[126:128] not in (b"IM", b"MI"):
        raise DataError("not a MATLAB 5 file (MATLAB v4 files and others are not supported); "
                        "save it from MATLAB with save(..., '-v7')")
    order = "<" if header[126:128] == b"IM" else ">"
    found: dict[str, np.ndarray] = {}
    while True:
        tag = handle.read(8)
        if not tag:
            return found
        if len(tag) < 8:
            raise DataError(f"{DAMAGED} (it ends inside a variable's tag)")
        kind, length = struct.unpack(order + "II", tag)
        if kind >> 16:
            continue  # a small element at the top level holds nothing a data set needs
        body = handle.read(length)
        if len(body) < length:
            raise DataError(f"{DAMAGED} (a variable declares {length:,} bytes where {len(body):,} are left)")
        if kind == COMPRESSED:  # MATLAB does not pad compressed elements to 8 bytes
            body = _inflate(body, order, wanted, max_values, max_points)
            if body is None:
                continue  # a variable not asked for: never inflated beyond its header
        else:
            handle.read(-length % 8)
            if kind != MATRIX:
                continue  # not a variable (MATLAB writes none of these at the top level, but skip them)
        name, array = _matrix(body, order, wanted, max_values, max_points)
        if array is not None:
            found[name] = array


def _inflate(body: bytes, order: str, wanted: set[str], max_values: int, max_points: int) -> bytes | None:
    """The matrix inside a compressed element, or None if it is not one of ``wanted``.

    Only its first few kilobytes are inflated to read its header (flags, dimensions, name); a
    variable not asked for stops there, and one asked for is refused if it declares more values
    than allowed, before the rest is inflated (at most what it declares).
    """
    inflater = zlib.decompressobj()
    try:
        head = inflater.decompress(body, 4096)
        if len(head) < 8:
            raise DataError(f"{DAMAGED} (a compressed variable holds no variable)")
        kind, length = struct.unpack_from(order + "II", head)
        if kind != MATRIX:
            return None
        name, _ = _matrix(head[8:], order, wanted, max_values, max_points, header_only=True)
        if name not in wanted:
            return None
        cap = 24 * max_values + 65536  # values, imaginary parts or a sparse matrix's indices, and headers
        if length > cap:
            raise DataError(f"a compressed variable inflates to more than {cap:,} bytes, more than "
                            f"{max_points:,} points can need; refusing to read it")
        rest = inflater.decompress(inflater.unconsumed_tail, length + 8 - len(head)) if len(head) < length + 8 else b""
    except zlib.error as error:
        raise DataError(f"{DAMAGED} (a compressed variable does not inflate: {error})") from None
    whole = head + rest
    if len(whole) < length + 8:
        raise DataError(f"{DAMAGED} (a compressed variable declares {length:,} bytes and inflates to "
                        f"{len(whole) - 8:,})")
    return whole[8:8 + length]


def _matrix(body: bytes, order: str, wanted: set[str], max_values: int, max_points: int,
            header_only: bool = False) -> tuple[str, np.ndarray | None]:
    """(name, array) of a matrix element's contents; the array is None for a variable not wanted, and
    with ``header_only`` (only the name and the declared size are checked)."""
    cursor = _Cursor(body, order, "a variable")
    flags = cursor.numbers({6})
    if len(flags) < 2:
        raise DataError(f"{DAMAGED} (a variable's array flags are cut short)")
    mx_class, complex_, logical = int(flags[0]) & 0xFF, bool(flags[0] & COMPLEX_FLAG), bool(flags[0] & LOGICAL_FLAG)
    dims = [int(d) for d in cursor.numbers({5})]
    kind, raw_name = cursor.element()
    if kind not in (1, 2):
        raise DataError(f"{DAMAGED} (a variable's name is not text)")
    name = bytes(raw_name).decode("ascii", "replace")
    cursor.where = f"variable {name}"
    if name not in wanted:
        return name, None
    if not dims or any(d < 0 for d in dims):
        raise DataError(f"{DAMAGED} ({name} has dimensions {dims})")
    if mx_class in OTHER_CLASSES:
        raise DataError(f"{name} is a {OTHER_CLASSES[mx_class]}, not a matrix of numbers")
    if mx_class not in (SPARSE, CHAR) and mx_class not in NUMERIC_CLASSES:
        raise DataError(f"{DAMAGED} ({name} has the unknown array class {mx_class})")
    count = math.prod(dims)
    if count > max_values:
        raise DataError(f"{name} is declared as {' x '.join(f'{d:,}' for d in dims)} values, more than "
                        f"{max_points:,} points can fill; refusing to read it")
    if header_only:
        return name, None
    if mx_class == SPARSE:
        return name, _sparse(cursor, dims, name)
    values = cursor.numbers()
    if complex_:  # read whole, so the data set's checks can say "not complex numbers"
        values = values + 1j * cursor.numbers()
    if len(values) != count:
        raise DataError(f"{DAMAGED} ({name} declares {count:,} values and holds {len(values):,})")
    if mx_class == CHAR:  # text: given back as text, which the data set's checks refuse by name
        values = np.array([chr(int(v)) if 0 <= int(v) < 0x110000 else "?" for v in values.real], dtype=str)
    array = values.reshape(dims, order="F")
    return name, array.astype(bool) if logical else array


def _sparse(cursor: _Cursor, dims: list[int], name: str) -> np.ndarray:
    """A sparse matrix as a dense one: ``ir`` row indices, ``jc`` column starts, then the values."""
    if len(dims) != 2:
        raise DataError(f"{DAMAGED} (sparse {name} has {len(dims)} dimensions)")
    rows, columns = dims
    ir = cursor.numbers().astype(np.int64)
    jc = cursor.numbers().astype(np.int64)
    values = cursor.numbers()
    if len(jc) != columns + 1 or jc[0] != 0 or np.any(np.diff(jc) < 0) or jc[-1] > min(len(ir), len(values)):
        raise DataError(f"{DAMAGED} (sparse {name}'s column starts do not fit it)")
    used = int(jc[-1])
    if used and (ir[:used].min() < 0 or ir[:used].max() >= rows):
        raise DataError(f"{DAMAGED} (sparse {name} names rows outside it)")
    dense = np.zeros((rows, columns), dtype=np.float64)
    column_of = np.repeat(np.arange(columns), np.diff(jc))
    dense[ir[:used], column_of] = values[:used]
    return dense
