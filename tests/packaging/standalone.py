"""The standalone executables under test: built once (packaging/build.py skips the build
when dist/ is current) and copied to a temporary folder outside the repository, run with a
clean environment (no virtualenv on PATH, an empty HOME)."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build_module():
    spec = importlib.util.spec_from_file_location("deconflict_packaging_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def install_copies(dest: Path) -> dict[str, Path]:
    """Build if needed, copy both artifacts under `dest`; {"onedir"|"onefile": executable}."""
    build.build()
    shutil.copytree(build.ONEDIR, dest / "deconflict", symlinks=True)
    shutil.copy2(build.ONEFILE, dest / build.ONEFILE.name)
    return {"onedir": dest / "deconflict" / build.EXE_NAME, "onefile": dest / build.ONEFILE.name}


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", **extra}


def run(exe: Path, *args: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
