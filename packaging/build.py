"""Build the standalone executables and say what their megabytes go to.

    python packaging/build.py            # both builds into dist/ (what `make package` runs)
    python packaging/build.py --report   # the size report of what is in dist/

A build records a fingerprint of its inputs (the app's sources, the spec, the icons and
every installed package's version) in dist/build-info.json and is skipped when nothing
changed, so the smoke test in `make test` pays for PyInstaller once per change.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
ONEDIR = DIST / "deconflict"
ONEFILE = DIST / ("deconflict-onefile.exe" if sys.platform == "win32" else "deconflict-onefile")
EXE_NAME = "deconflict.exe" if sys.platform == "win32" else "deconflict"
INFO = DIST / "build-info.json"


def fingerprint() -> str:
    h = hashlib.sha256()
    files = sorted([*ROOT.glob("desktop/**/*.py"), *ROOT.glob("packaging/*"), *ROOT.glob("resources/icons/*"),
                    ROOT / "pyproject.toml"])
    for path in files:
        if path.is_file():
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    h.update("\n".join(versions).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def is_current() -> bool:
    try:
        info = json.loads(INFO.read_text())
    except (OSError, ValueError):
        return False
    return info.get("fingerprint") == fingerprint() and (ONEDIR / EXE_NAME).is_file() and ONEFILE.is_file()


def build(force: bool = False) -> tuple[dict, bool]:
    """Build both artifacts unless the ones in dist/ are current: (build-info, built now)."""
    if not force and is_current():
        return json.loads(INFO.read_text()), False
    INFO.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK), str(ROOT / "packaging" / "deconflict.spec")],
                   check=True, cwd=ROOT)
    info = {"fingerprint": fingerprint(), "build_seconds": round(time.perf_counter() - started, 1),
            "onedir_mb": round(tree_size(ONEDIR) / 1e6, 1), "onefile_mb": round(ONEFILE.stat().st_size / 1e6, 1)}
    INFO.write_text(json.dumps(info, indent=2))
    return info, True


def tree_size(path: Path) -> int:
    """Bytes of the regular files under path (symlinks are not counted twice)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# What each megabyte goes to: first matching rule wins (paths relative to _internal/).
_GROUPS = (
    ("Qt: ICU data (Unicode tables, needed by QtCore)", ("libicudata",)),
    ("Qt: ICU code", ("libicu",)),
    ("Qt: libraries (Core, Gui, Widgets, Svg, DBus, OpenGL, XCB/Wayland)", ("PySide6/Qt/lib/",)),
    ("Qt: plugins (platforms, image formats, Wayland)", ("PySide6/Qt/plugins/",)),
    ("PySide6/shiboken bindings", ("PySide6/", "shiboken6", "libpyside6", "libshiboken6")),
    ("numpy + OpenBLAS", ("numpy",)),
    ("pyproj + PROJ (proj.db, libproj, curl, sqlite, tiff)", ("pyproj",)),
    ("shapely + GEOS", ("shapely",)),
    ("pyarrow: Arrow's CSV reader and the libraries it loads", ("pyarrow",)),
    ("Python runtime (libpython, stdlib, extension modules)", ("libpython", "python3", "base_library.zip",
                                                               "lib-dynload")),
    ("basemap data (GSHHG coast/lakes, rivers, borders)", ("mpl_toolkits/",)),
    ("pyqtgraph", ("pyqtgraph",)),
    ("Deconflict (code, icons, town table, metadata)", ("desktop", "resources/", "deconflict-")),
)


def size_report(root: Path = ONEDIR) -> list[tuple[str, float]]:
    """(group, MB) for the one-folder build, largest first, the rest as system libraries."""
    internal = root / "_internal"
    totals: dict[str, int] = {}
    for p in internal.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        rel = p.relative_to(internal).as_posix()
        group = next((g for g, keys in _GROUPS if any(k in rel for k in keys)),
                     "system libraries (X11/xcb, fontconfig, freetype, glib, dbus, libstdc++)"
                     if ".so" in rel or rel.endswith(".dll") else "other")
        totals[group] = totals.get(group, 0) + p.stat().st_size
    launcher = root / EXE_NAME
    if launcher.is_file():
        totals["bootloader + compiled Python code (PYZ)"] = launcher.stat().st_size
    return sorted(((g, b / 1e6) for g, b in totals.items()), key=lambda r: -r[1])


def print_report() -> None:
    rows = size_report()
    print(f"one-folder {ONEDIR.relative_to(ROOT)}: {tree_size(ONEDIR) / 1e6:.0f} MB")
    for group, mb in rows:
        print(f"  {mb:7.1f} MB  {group}")
    if ONEFILE.is_file():
        print(f"one-file {ONEFILE.relative_to(ROOT)}: {ONEFILE.stat().st_size / 1e6:.0f} MB (compressed)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only print the size report of dist/")
    parser.add_argument("--force", action="store_true", help="rebuild even if dist/ is current")
    args = parser.parse_args()
    if not args.report:
        info, built = build(force=args.force)
        print(f"built in {info['build_seconds']} s" if built else "dist/ is current: nothing to build")
    print_report()
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
