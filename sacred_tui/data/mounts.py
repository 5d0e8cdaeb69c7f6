"""Provides shared_filesystem: is a folder on a network or FUSE file system, where file events fail?

inotify only sees writes made by this machine's kernel: on NFS, CIFS, SSHFS, Lustre and other
network or FUSE file systems, runs written by other hosts (cluster jobs) make no event at all. The
folder's file system type is read from ``/proc/mounts`` (the longest mount point that contains it).
"""
from __future__ import annotations

import os
from pathlib import Path

MOUNTS_FILE = "/proc/mounts"

NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre",
    "gpfs", "beegfs", "panfs", "orangefs", "ocfs2", "gfs2", "davfs", "coda", "virtiofs", "vboxsf",
})
"""File system types whose writes may come from other machines (or another kernel)."""


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in paths as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _is_shared(fs_type: str) -> bool:
    return fs_type in NETWORK_TYPES or fs_type == "fuse" or fs_type.startswith(("fuse.", "fuseblk"))


def filesystem_type(path: str | os.PathLike[str], mounts_text: str | None = None) -> str | None:
    """Return the type of the file system holding ``path`` (None when it cannot be told)."""
    if mounts_text is None:
        try:
            mounts_text = Path(MOUNTS_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.realpath(os.path.abspath(path))
    best, best_type = "", None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = _unescape(fields[1])
        inside = (target == mount_point or mount_point == "/"
                  or target.startswith(mount_point.rstrip("/") + "/"))
        # The last of equal mount points wins: it was mounted over the earlier ones.
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def shared_filesystem(path: str | os.PathLike[str], mounts_text: str | None = None) -> str | None:
    """Return the file system type when ``path`` is on a network or FUSE file system, else None.

    On this machine (``mounts_text`` None) a folder that does not exist yet is judged by its nearest
    existing parent.
    """
    probe = Path(os.path.abspath(path))
    while mounts_text is None and not probe.exists() and probe.parent != probe:
        probe = probe.parent
    fs_type = filesystem_type(probe, mounts_text)
    return fs_type if fs_type is not None and _is_shared(fs_type) else None
