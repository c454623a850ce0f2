"""Reference images of the symbols in codes.json, drawn by milsymbol.js (the reference
renderer of the field) and rasterised by librsvg, for tests/gui/test_symbol_reference.py.

Each code is drawn in the standard's construction space on the fixed canvas codes.json
names (1 px per unit), so ours and milsymbol's line up pixel for pixel. The PNGs are cut to
a small palette (the symbology's colours and a few greys) to keep the repository small.
Regenerate after changing codes.json (needs Node with npm, and Debian's librsvg2-bin):

    npm install --prefix tests/reference/symbols
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/reference/symbols/make_reference.py
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6 import QtCore, QtGui

HERE = Path(__file__).resolve().parent
PALETTE = [(0, 0, 0, 0), (0, 0, 0, 255), (255, 255, 255, 255), (239, 239, 239, 255), (128, 128, 128, 255),
           (64, 64, 64, 255), (192, 192, 192, 255), (128, 224, 255, 255), (255, 128, 128, 255),
           (170, 255, 170, 255), (255, 255, 128, 255), (255, 229, 153, 255), (0, 255, 0, 255),
           (255, 255, 0, 255), (255, 0, 0, 255), (0, 180, 240, 255)]


def main() -> int:
    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication(sys.argv)  # noqa: F841 - QImage needs it
    out = HERE / "png"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    lines = subprocess.run(["node", str(HERE / "milsymbol_svg.mjs")], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    table = [QtGui.qRgba(*c) for c in PALETTE]
    flags = (QtCore.Qt.ImageConversionFlag.ThresholdDither | QtCore.Qt.ImageConversionFlag.AvoidDither
             | QtCore.Qt.ImageConversionFlag.ThresholdAlphaDither)
    for line in lines:
        item = json.loads(line)
        png = subprocess.run(["rsvg-convert", "--format", "png"], input=item["svg"].encode(), check=True,
                             capture_output=True).stdout
        image = QtGui.QImage.fromData(png)
        image.convertToFormat(QtGui.QImage.Format.Format_Indexed8, table, flags).save(str(out / item["name"]))
    version = json.loads(lines[0])["version"] if lines else "?"
    (out / "SOURCE").write_text(f"milsymbol {version}, librsvg "
                                f"{subprocess.run(['rsvg-convert', '--version'], capture_output=True, text=True).stdout.split()[-1]}\n")
    print(f"{len(lines)} reference images in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
