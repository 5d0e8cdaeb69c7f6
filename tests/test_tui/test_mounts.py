"""shared_filesystem: the runs folder's file system type from /proc/mounts decides polling."""
from __future__ import annotations

from pathlib import Path

from sacred_tui.data.mounts import filesystem_type, shared_filesystem

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export /cluster nfs4 rw,vers=4.2 0 0
/dev/vdb /cluster/local ext4 rw 0 0
user@host:/data /home/me/remote\\040runs fuse.sshfs rw,nosuid 0 0
//nas/share /mnt/nas cifs rw 0 0
"""


def test_the_longest_mount_point_decides() -> None:
    assert filesystem_type("/cluster/project/runs", MOUNTS) == "nfs4"
    assert filesystem_type("/cluster/local/runs", MOUNTS) == "ext4"
    assert filesystem_type("/clusterx/runs", MOUNTS) == "ext4"
    assert filesystem_type("/home/me/remote runs/1", MOUNTS) == "fuse.sshfs"


def test_network_and_fuse_file_systems_are_shared() -> None:
    assert shared_filesystem("/cluster/project/runs", MOUNTS) == "nfs4"
    assert shared_filesystem("/home/me/remote runs", MOUNTS) == "fuse.sshfs"
    assert shared_filesystem("/mnt/nas/runs", MOUNTS) == "cifs"
    assert shared_filesystem("/cluster/local/runs", MOUNTS) is None
    assert shared_filesystem("/home/me/runs", MOUNTS) is None


def test_this_machines_temp_folder_is_read_from_proc_mounts(tmp_path: Path) -> None:
    assert filesystem_type(tmp_path) is not None
    assert shared_filesystem(tmp_path / "not" / "there" / "yet") == shared_filesystem(tmp_path)
