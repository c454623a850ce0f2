"""Start-up of the standalone executables to the first painted main window (targets:
one-folder <= 1 s warm; the one-file build unpacks itself on every start), beside the
source install as the reference. Offscreen, clean environment, demo document.

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_standalone.py --benchmark-enable --benchmark-only
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.gui.app import EXIT_AFTER_PAINT
from tests.packaging.standalone import clean_env, install_copies


@pytest.fixture(scope="module")
def executables(tmp_path_factory):
    if not sys.platform.startswith("linux"):
        pytest.skip("built on Linux")
    return install_copies(tmp_path_factory.mktemp("standalone"))


def _start(exe_args: list[str], cwd, env) -> None:
    result = subprocess.run(exe_args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and '"panels"' in result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["onedir", "onefile", "source"])
def test_start_to_first_paint(benchmark, executables, kind, tmp_path):
    env = clean_env(tmp_path / "home", **{EXIT_AFTER_PAINT: "1"})
    args = [sys.executable, "-m", "desktop"] if kind == "source" else [str(executables[kind])]
    _start(args, tmp_path, env)  # warm: file cache, town and font caches
    benchmark.pedantic(_start, args=(args, tmp_path, env), rounds=5, iterations=1, warmup_rounds=1)
