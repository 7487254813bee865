"""Paths on disk, handled safely: what every save and every read of a user's file goes through.

Saving (`atomic_write`, `atomic_path`): the new content is written to a temporary file in the
target's folder, flushed, fsynced and renamed over the target, then the folder is fsynced, so the
target holds either its previous content or the new one, never half of it. A symlink is written
through: its final target is replaced and the link is kept. A target that exists but is not a regular
file (a folder, FIFO, device or socket) is refused before anything is opened or renamed, as is a
read-only file, a new file in a folder that does not exist or cannot be written, and a symlink loop.
An existing file keeps its mode; a new file gets the mode the umask gives (0666 minus the umask).
`check_writable` makes the same refusals up front, for callers about to start long work.
`write_csv` writes a table that way (the CLI's ``--csv`` files and the window's CSV exports).

Reading (`check_readable`, `open_regular`): a path is stat-ed before it is opened, and anything but
a regular file is refused without being opened (opening a FIFO blocks until a writer comes).

Every refusal is a `FileError` whose message is one line naming the path.
"""

from __future__ import annotations

import csv
import errno
import math
import os
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import RegcoreError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))  # anything else: "a special file"
_NEW_FILE_MODE = 0o666  # what open() asks for; the kernel takes the umask off


class FileError(RegcoreError):
    """A path could not be read or written; ``reason`` is the message without the leading path."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path, self.reason = shown(path), reason
        super().__init__(f"{self.path}: {reason}")


def shown(path: str | os.PathLike) -> str:
    """The path as one printable line, whatever characters its name holds."""
    text = os.fspath(path)
    text = text if isinstance(text, str) else os.fsdecode(text)
    return text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _why(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symlink loop: too many levels of symbolic links"
    return error.strerror or str(error)


# ---------------------------------------------------------------------------------------- reading

def check_readable(path: str | os.PathLike, what: str = "file") -> os.stat_result:
    """The regular file ``path`` names (through symlinks), stat-ed without opening it; else `FileError`
    (``what`` names what was expected: "is a FIFO (named pipe), not a data file")."""
    try:
        status = os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise FileError(path, "no such file") from None
        raise FileError(path, f"cannot be read ({_why(error)})") from None
    except ValueError:  # an embedded NUL
        raise FileError(path, "cannot be read (the name holds a NUL character)") from None
    if not stat.S_ISREG(status.st_mode):
        raise FileError(path, f"is {_kind(status.st_mode)}, not {_a(what)}")
    return status


def _a(what: str) -> str:
    """``what`` with its indefinite article: "a file", "an experiment file"."""
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


def open_regular(path: str | os.PathLike, what: str = "file") -> IO[bytes]:
    """Open a regular file for reading in binary; anything else is refused (see `check_readable`).

    The file is stat-ed first and only then opened, without blocking, and checked again once open,
    so a FIFO swapped in between cannot hang the reader.
    """
    check_readable(path, what)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                             | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise FileError(path, f"cannot be read ({_why(error)})") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise FileError(path, f"is {_kind(status.st_mode)}, not {_a(what)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


# ---------------------------------------------------------------------------------------- writing

def check_writable(path: str | os.PathLike) -> Path:
    """Refuse, before any work, a save to ``path`` that `atomic_write` would refuse; returns the file
    that would be replaced (``path`` with its symlinks followed)."""
    target, _ = _target(path)
    descriptor, temporary = _temporary_beside(path, target)  # the only sure test that the folder takes new files
    os.close(descriptor)
    os.unlink(temporary)
    return target


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", *, newline: str | None = "",
                 encoding: str | None = "utf-8") -> Iterator[IO]:
    """Yield a file object to write ``path``'s new content to; it replaces ``path`` when the block ends.

    ``mode`` is ``"w"`` (text, with ``newline`` and ``encoding``) or ``"wb"``. If the block raises (or
    the program dies), ``path`` keeps its previous content and the temporary file is removed. OS
    errors become `FileError`.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    binary = mode == "wb"
    with _replacing(path) as (descriptor, temporary):
        with os.fdopen(descriptor, mode, closefd=False, **({} if binary else
                                                           {"newline": newline, "encoding": encoding})) as handle:
            yield handle
            handle.flush()


INCOMPLETE_MARK = "# incomplete:"  # a CSV's last line when what it tabulates was stopped early


def write_csv(path: str | os.PathLike, header: list[str], rows: Iterable[list], incomplete: str | None = None) -> None:
    """Write a CSV atomically (never half-written): every table a program of this project saves. ``rows``
    may be a generator (a large data set is not held twice). ``incomplete``: why it is not the whole
    result, said on its last line after `INCOMPLETE_MARK`, so the file is not taken for the whole run."""
    with atomic_write(path) as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        if incomplete is not None:
            out.write(f"{INCOMPLETE_MARK} {incomplete}{writer.dialect.lineterminator}")


def csv_number(value: float) -> str:
    """A float for a CSV cell: its repr (every digit), empty for NaN."""
    return "" if math.isnan(value) else repr(value)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Like `atomic_write`, for writers that want a file name: yield the temporary file's path
    (its name ends with the target's suffix, for writers that go by it) to write to."""
    with _replacing(path) as (_, temporary):
        yield temporary


@contextmanager
def _replacing(path: str | os.PathLike) -> Iterator[tuple[int, Path]]:
    """The one implementation: checks, the temporary file (descriptor and path), fsync, rename, folder fsync."""
    target, existing = _target(path)
    descriptor, temporary = _temporary_beside(path, target)
    try:
        try:
            if existing is not None:
                _copy_mode(descriptor, existing)
            yield descriptor, temporary
            if existing is not None:  # a writer given the name may have replaced the file we made
                os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            os.fsync(descriptor)
            if os.fstat(descriptor).st_ino != os.stat(temporary).st_ino:
                _fsync_path(temporary)
            _check_replaceable(path, target)
            os.replace(temporary, target)
        except OSError as error:
            raise FileError(path, f"could not save ({_why(error)})") from None
        _fsync_folder(target.parent)
    finally:
        os.close(descriptor)
        try:
            os.unlink(temporary)
        except OSError:  # renamed onto the target: the usual case
            pass


def _target(path: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """The file a save to ``path`` replaces (symlinks followed) and its status, or None for a new file."""
    if not os.fspath(path) or not str(os.fspath(path)).strip():
        raise FileError(path, "no file name given")
    if "\0" in str(os.fspath(path)):
        raise FileError(path, "cannot be written (the name holds a NUL character)")
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise FileError(path, f"cannot be written ({_why(error)})") from None
    if existing is not None:
        if not stat.S_ISREG(existing.st_mode):
            raise FileError(path, f"is {_kind(existing.st_mode)}; only a regular file can be replaced")
        if not os.access(target, os.W_OK):
            raise FileError(path, "is read-only; make it writable or choose another name")
        return target, existing
    try:
        folder = os.stat(target.parent)
    except OSError as error:
        reason = "does not exist" if error.errno == errno.ENOENT else f"cannot be reached ({_why(error)})"
        raise FileError(path, f"the folder {shown(target.parent)} {reason}") from None
    if not stat.S_ISDIR(folder.st_mode):
        raise FileError(path, f"{shown(target.parent)} is not a folder")
    return target, None


def _check_replaceable(path, target: Path) -> None:
    """Just before the rename: refuse a target that stopped being a regular file since the checks."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(status.st_mode):
        raise FileError(path, f"became {_kind(status.st_mode)} while saving; nothing was replaced")


def _temporary_beside(path, target: Path) -> tuple[int, Path]:
    """Create a new, empty, uniquely named file in the target's folder; the umask gives its mode."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}"
        try:
            return os.open(temporary, flags, _NEW_FILE_MODE), temporary
        except FileExistsError:
            continue
        except OSError as error:
            raise FileError(path, f"cannot write in {shown(target.parent)} ({_why(error)})") from None
    raise FileError(path, f"cannot write in {shown(target.parent)} (no free temporary file name)")


def _copy_mode(descriptor: int, existing: os.stat_result) -> None:
    """Give the temporary file the replaced file's permission bits (and owner, where allowed)."""
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "fchown"):
        current = os.fstat(descriptor)
        if (current.st_uid, current.st_gid) != (existing.st_uid, existing.st_gid):
            try:
                os.fchown(descriptor, existing.st_uid, existing.st_gid)
            except OSError:  # only root may give a file away; the mode is what matters
                pass


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """fsync the folder, so the rename itself survives a power cut (where the OS allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders; the rename is still atomic there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
