"""The core must stay importable without Qt: the CLI and tests depend on it."""
import subprocess
import sys
from pathlib import Path

import desktop.core

CORE = Path(desktop.core.__file__).parent


def test_core_modules_import_no_qt():
    modules = sorted(f"desktop.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        f"for m in {modules!r}: __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6')"
        " or m.startswith('desktop.gui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"the core pulled in: {out.stdout}"
