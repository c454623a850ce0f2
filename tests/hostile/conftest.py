"""Fixtures of the hostile suite: a project to attack, a really full disk."""
from __future__ import annotations

import os
import subprocess

import pytest

from desktop.core.demo import demo_document
from desktop.core.project import save_project


@pytest.fixture
def project(tmp_path):
    """The demo saved as P.gpkg."""
    path = tmp_path / "P.gpkg"
    save_project(demo_document(), path)
    return path


class FullDisk:
    def __init__(self, path) -> None:
        self.path = path

    def fill(self, free: int) -> None:
        st = os.statvfs(self.path)
        room = st.f_bavail * st.f_frsize - free
        if room > 0:
            with open(self.path / "ballast", "ab") as f:
                f.write(b"\0" * room)


@pytest.fixture
def full_disk(tmp_path):
    """An 8 MB tmpfs mounted for the test: `.path`, and `.fill(free)` fills it up to `free`
    bytes. Mounting needs root (or CAP_SYS_ADMIN): elsewhere the test is skipped."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up ({done.stderr.strip() or 'not root'})")

    try:
        yield FullDisk(mnt)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
