"""What the standalone build leaves out, and why (used by deconflict.spec).

The app draws with QtWidgets/QtGui/QtSvg (pyqtgraph on top); it never uses Qt's networking
(the TAK feed talks through Python's sockets and ssl), QML, OpenGL widgets or QtTest, and
runs on a desktop (X11 or Wayland) or offscreen. The PySide6 hooks collect plugins for
every platform Qt supports, and the dependency scan pulls in the build machine's GTK theme
stack; both are pruned here by name, so the same rules apply on every build machine.
"""
from __future__ import annotations

import re
import sys

# Python modules never imported by the app (some are optional imports of its dependencies,
# which cope with their absence: pyqtgraph's QtTest/QtOpenGLWidgets are FailedImport stubs).
EXCLUDED_MODULES = [
    "tkinter", "matplotlib", "IPython", "pytest", "_pytest", "scipy", "pandas", "readline",
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "OpenGL",
    "PySide6.QtNetwork", "PySide6.QtTest",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    # Build tools: nothing imports them at run time, but their PyInstaller runtime hooks
    # would import pkg_resources on every start (~0.1 s).
    "pkg_resources", "setuptools", "distutils", "numpy.distutils", "numpy.f2py",
    # pyarrow: the app uses its CSV reader and compute kernels (packaging/hooks/hook-pyarrow.py);
    # its pure-Python modules import these (some inside functions), which load other libraries.
    *(f"pyarrow.{m}" for m in (
        "flight", "_flight", "parquet", "_parquet", "_parquet_encryption", "dataset", "_dataset",
        "_dataset_orc", "_dataset_parquet", "_dataset_parquet_encryption", "orc", "_orc", "feather",
        "_feather", "json", "_json", "fs", "_fs", "_s3fs", "_gcsfs", "_azurefs", "_hdfs", "substrait",
        "_substrait", "acero", "_acero", "cuda", "_cuda", "gandiva", "interchange", "pandas_compat",
        "jvm", "benchmark", "tests", "_pyarrow_cpp_tests", "cffi")),
]

# Shared libraries and Qt plugins to drop, matched against the destination path.
_DROP_BINARIES = [
    # Qt plugins for embedded platforms (framebuffer, KMS, VNC), networking and the GTK theme.
    r"plugins/platforms/lib(qeglfs|qlinuxfb|qminimalegl|qvkkhrdisplay|qvnc)\.so",
    r"plugins/(egldeviceintegrations|generic|networkinformation|tls)/",
    r"plugins/platformthemes/libqgtk3\.so",
    r"libQt6(EglFSDeviceIntegration|EglFsKmsSupport|Network|Test)\.so",
    # The GTK theme's own stack (only libqgtk3 needed it).
    r"lib(gtk-3|gdk-3|gdk_pixbuf-2\.0|atk-1\.0|atk-bridge|pango-1\.0|pangocairo-1\.0|pangoft2-1\.0|cairo"
    r"|cairo-gobject|harfbuzz|fribidi|thai|datrie|graphite2|pixman-1|epoxy|Xrender|jpeg|gio-2\.0"
    r"|gmodule-2\.0|mount|blkid|selinux)\.so",
    # Kerberos/GSSAPI came with QtNetwork. OpenSSL stays: the TAK feed connects over TLS.
    r"lib(gssapi_krb5|krb5|krb5support|k5crypto|com_err|keyutils)\.so",
    r"lib-dynload/readline\.",
]
_DROP_DATAS = [
    r"PySide6/Qt/translations/",  # the UI is English only
]


def _matcher(patterns: list[str]):
    rx = re.compile("|".join(f"(?:{p})" for p in patterns))
    return lambda path: rx.search(path.replace("\\", "/")) is not None


_drop_binary = _matcher(_DROP_BINARIES)
_drop_data = _matcher(_DROP_DATAS)


def prune_binaries(binaries):
    """PyInstaller TOC entries (dest, src, kind) minus the ones listed above."""
    return [entry for entry in binaries if not _drop_binary(entry[0])]


def prune_datas(datas):
    return [entry for entry in datas if not _drop_data(entry[0])]


# What to strip, and how much: debug info from libpython and the standard library's extension
# modules (a pyenv or distro build may ship them unstripped, ~25 MB); the static symbol
# tables of pyarrow's libraries too (21 MB of its 99: the dynamic loader uses only .dynsym).
# Nothing else is stripped: stripping numpy's OpenBLAS breaks it ("ELF load command
# address/offset not page-aligned").
_STRIP = ((_matcher([r"(^|/)libpython3[.\d]*\.so", r"lib-dynload/[^/]+\.so$"]), "--strip-debug"),
          (_matcher([r"pyarrow/[^/]+\.so"]), "--strip-unneeded"))


def strip_debug_info(binaries, workdir: str):
    """TOC entries with the ones above replaced by stripped copies in `workdir` (Linux
    only; elsewhere, or without `strip`, unchanged)."""
    import shutil
    import subprocess
    from pathlib import Path

    tool = shutil.which("strip")
    if not sys.platform.startswith("linux") or tool is None:
        return binaries
    out = []
    for dest, src, kind in binaries:
        option = next((option for matches, option in _STRIP if matches(dest)), None)
        if option is not None:
            copy = Path(workdir, "stripped", dest)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy)
            subprocess.run([tool, option, str(copy)], check=True)
            src = str(copy)
        out.append((dest, src, kind))
    return out
