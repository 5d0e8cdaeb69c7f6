"""Provides atomic file replacement and appending, so readers never see a half-written file.

A file is written to a hidden temporary name in the same directory (``.<name>.<pid>.<n>.tmp``) and
then renamed over the target with ``os.replace``, which is atomic on POSIX and Windows. No fsync by
default: the point is consistency for concurrent readers, not durability across a power loss.
"""
from __future__ import annotations

import codecs
import errno
import itertools
import os
import shutil
import stat

__all__ = ["append_text", "atomic_copy", "encode_utf8", "atomic_write_bytes", "atomic_write_text", "temp_path_for"]

_counter = itertools.count()


def temp_path_for(path: str | os.PathLike) -> str:
    """A fresh hidden name next to ``path``, unique within this machine's processes and threads."""
    directory, name = os.path.split(os.fspath(path))
    return os.path.join(directory, f".{name}.{os.getpid()}.{next(_counter)}.tmp")


def atomic_write_bytes(path: str | os.PathLike, data: bytes, fsync: bool = False) -> None:
    """Replace ``path`` with ``data`` in one step."""
    temp = temp_path_for(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        _remove_quietly(temp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str, fsync: bool = False) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    atomic_write_bytes(path, encode_utf8(text), fsync=fsync)


def atomic_copy(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Copy ``source`` to ``target`` through a temporary name, so ``target`` is never partial.

    The bytes are copied by the kernel where it can (``sendfile``), with no more system calls than
    needed: a program storing an artifact in each of thousands of short runs pays for every one.
    """
    temp = temp_path_for(target)
    try:
        src = os.open(source, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            mode = os.fstat(src).st_mode
            if stat.S_ISFIFO(mode):
                raise shutil.SpecialFileError(f"`{os.fspath(source)}` is a named pipe")
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(source))
            dst = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            try:
                _copy_descriptor(src, dst)
            finally:
                os.close(dst)
        finally:
            os.close(src)
        os.replace(temp, target)
    except BaseException:
        _remove_quietly(temp)
        raise


def _copy_descriptor(src: int, dst: int) -> None:
    """Copy everything from ``src`` (at its start) to ``dst``."""
    offset = 0
    try:
        while sent := os.sendfile(dst, src, offset, 1 << 23):
            offset += sent
        return
    except (AttributeError, OSError) as exc:  # no sendfile here, or not for this kind of file
        if offset or (isinstance(exc, OSError) and exc.errno not in _SENDFILE_UNSUPPORTED):
            raise
    while chunk := os.read(src, 1 << 20):
        view = memoryview(chunk)
        while view:
            view = view[os.write(dst, view):]


_SENDFILE_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.ENOTSOCK, errno.EOPNOTSUPP)


def append_text(path: str | os.PathLike, text: str) -> None:
    """Append ``text`` (UTF-8) to ``path``, creating it if needed, with one write call."""
    data = encode_utf8(text)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _surrogates(error: UnicodeError) -> tuple[bytes, int]:
    """Error handler: surrogate escapes back to their byte, other lone surrogates as ``\\udXXX``."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for char in error.object[error.start:error.end]:
        code = ord(char)
        out += bytes([code - 0xDC00]) if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}".encode("ascii")
    return bytes(out), error.end


codecs.register_error("core.surrogates", _surrogates)


def encode_utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``; never fails on lone surrogates (see ``_surrogates``)."""
    return text.encode("utf-8", "core.surrogates")


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
