"""Our symbols beside milsymbol.js's (tests/reference/symbols): the same canvas, the same
palette, and the three comparisons a reader's eye makes: silhouette, fill, and whether the
frame's outline is solid, dashed or dotted.

`python -m tests.gui.symbol_reference OUT.png` writes a contact sheet (ours left, milsymbol's
right, the figures under each pair).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.sidc import SymbolSpec, read_code, unit_symbol
from desktop.gui.symbology import _FAMILY, _FRAMES, fill_colour, paint_symbol, symbol_art
from desktop.gui.symbol_icons import circle, svg_path

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "symbols"
_CODES = json.loads((REFERENCE / "codes.json").read_text())
CANVAS = _CODES["canvas"]           # x0, y0, width, height in design units (1 px each)
CODES = _CODES["codes"]             # {"code", "family", "bars"}
_PALETTE = [(0, 0, 0, 0), (0, 0, 0, 255), (255, 255, 255, 255), (239, 239, 239, 255), (128, 128, 128, 255),
            (64, 64, 64, 255), (192, 192, 192, 255), (128, 224, 255, 255), (255, 128, 128, 255),
            (170, 255, 170, 255), (255, 255, 128, 255), (255, 229, 153, 255), (0, 255, 0, 255),
            (255, 255, 0, 255), (255, 0, 0, 255), (0, 180, 240, 255)]
_FLAGS = (QtCore.Qt.ImageConversionFlag.ThresholdDither | QtCore.Qt.ImageConversionFlag.AvoidDither
          | QtCore.Qt.ImageConversionFlag.ThresholdAlphaDither)


def file_name(entry: dict) -> str:
    return f"{entry['code']}{'-bars' if entry['bars'] else ''}.png"


def _rgba(image: QtGui.QImage) -> np.ndarray:
    """h x w x 4 of the image cut to the reference palette (as make_reference.py does)."""
    q = image.convertToFormat(QtGui.QImage.Format.Format_Indexed8, [QtGui.qRgba(*c) for c in _PALETTE], _FLAGS)
    q = q.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    return np.frombuffer(q.constBits(), np.uint8).reshape(q.height(), q.width(), 4).copy()


def ours_image(spec: SymbolSpec, bars: bool) -> QtGui.QImage:
    x0, y0, w, h = CANVAS
    image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    p = QtGui.QPainter(image)
    anchor = symbol_art(spec, bars).anchor
    paint_symbol(p, spec, QtCore.QPointF(anchor.x() - x0, anchor.y() - y0), 200.0, bars)
    p.end()
    return image


def reference_image(entry: dict) -> QtGui.QImage:
    return QtGui.QImage(str(REFERENCE / "png" / file_name(entry)))


def _outline_samples(spec: SymbolSpec) -> np.ndarray:
    """Points every design unit along the frame's outline, in canvas pixels."""
    shape = spec.shape if spec.shape in _FRAMES["ground"] else "unknown"
    d, _ = _FRAMES[_FAMILY.get(spec.domain, "ground")][shape]
    path = circle(100, 100, 60) if d == "circle" else svg_path(d)
    n = max(2, int(path.length()))
    pts = [path.pointAtPercent(path.percentAtLength(path.length() * i / n)) for i in range(n)]
    return np.array([(q.x() - CANVAS[0], q.y() - CANVAS[1]) for q in pts])


def outline_style(rgba: np.ndarray, samples: np.ndarray) -> str:
    """solid / dashed / dotted, from the dark runs along the outline."""
    xs = np.clip(np.round(samples[:, 0]).astype(int), 0, rgba.shape[1] - 1)
    ys = np.clip(np.round(samples[:, 1]).astype(int), 0, rgba.shape[0] - 1)
    px = rgba[ys, xs]
    dark = (px[:, 3] > 0) & (px[:, :3].max(axis=1) < 100)
    if dark.mean() > 0.9:
        return "solid"
    edges = np.flatnonzero(np.diff(np.r_[0, dark.astype(int), 0]))
    runs = edges[1::2] - edges[0::2]
    return "dotted" if len(runs) and np.median(runs) < 7 else "dashed"


@dataclass
class Comparison:
    entry: dict
    spec: SymbolSpec
    silhouette: float      # IoU of what is drawn at all
    fill: float            # IoU of the frame's fill colour
    ink: float             # share of each one's black lines within 2 px of the other's (the smaller)
    outline: tuple[str, str]  # ours, milsymbol's
    ours: np.ndarray
    theirs: np.ndarray

    @property
    def complete(self) -> bool:
        """Whether we claim to draw everything the code states (no notes): then the
        lines must match as well."""
        return not read_code(self.entry["code"]).notes

    @property
    def passed(self) -> bool:
        return (self.silhouette >= SILHOUETTE_MIN and self.fill >= FILL_MIN and self.outline[0] == self.outline[1]
                and (self.ink >= INK_MIN or not self.complete))


SILHOUETTE_MIN, FILL_MIN, INK_MIN = 0.90, 0.90, 0.90


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 1.0


def _grow(m: np.ndarray, n: int) -> np.ndarray:
    for _ in range(n):
        m = m | np.roll(m, 1, 0) | np.roll(m, -1, 0) | np.roll(m, 1, 1) | np.roll(m, -1, 1)
    return m


def compare(entry: dict) -> Comparison:
    spec = unit_symbol(entry["code"], "")
    ours = _rgba(ours_image(spec, entry["bars"]))
    theirs = _rgba(reference_image(entry))
    fill_rgb = np.array(fill_colour(spec).getRgb()[:3])

    def ink(a: np.ndarray) -> np.ndarray:
        return (a[..., 3] > 0) & (a[..., :3].max(axis=-1) < 100)

    mi, ti = ink(ours), ink(theirs)
    lines = _grow(mi | ti, 1)  # the fill is compared where neither draws a line

    def fill(a: np.ndarray) -> np.ndarray:
        return (a[..., 3] > 0) & np.all(a[..., :3] == fill_rgb, axis=-1) & ~lines

    near = min((mi & _grow(ti, 2)).sum() / max(mi.sum(), 1), (ti & _grow(mi, 2)).sum() / max(ti.sum(), 1))
    samples = _outline_samples(spec)
    return Comparison(entry, spec, _iou(ours[..., 3] > 0, theirs[..., 3] > 0), _iou(fill(ours), fill(theirs)),
                      float(near), (outline_style(ours, samples), outline_style(theirs, samples)), ours, theirs)


def contact_sheet(comparisons: list[Comparison], path: Path, columns: int = 8, scale: float = 0.5) -> None:
    """Pairs (ours | milsymbol's) with the code and the figures under each; red text: failed."""
    w, h = int(CANVAS[2] * scale), int(CANVAS[3] * scale)
    cell_w, cell_h = 2 * w + 12, h + 34
    rows = (len(comparisons) + columns - 1) // columns
    sheet = QtGui.QImage(columns * cell_w, rows * cell_h, QtGui.QImage.Format.Format_RGB32)
    sheet.fill(QtGui.QColor(255, 255, 255))
    p = QtGui.QPainter(sheet)
    font = QtGui.QFont()
    font.setPixelSize(10)
    p.setFont(font)
    for k, c in enumerate(comparisons):
        x, y = (k % columns) * cell_w, (k // columns) * cell_h
        for j, a in enumerate((c.ours, c.theirs)):
            img = QtGui.QImage(a.data, a.shape[1], a.shape[0], 4 * a.shape[1], QtGui.QImage.Format.Format_RGBA8888)
            p.fillRect(QtCore.QRectF(x + j * (w + 4), y, w, h), QtGui.QColor(235, 235, 235))
            p.drawImage(QtCore.QRectF(x + j * (w + 4), y, w, h), img)
        p.setPen(QtGui.QColor(0, 0, 0) if c.passed else QtGui.QColor(220, 0, 0))
        p.drawText(QtCore.QPointF(x + 2, y + h + 12), file_name(c.entry)[:-4])
        p.drawText(QtCore.QPointF(x + 2, y + h + 25),
                   f"sil {c.silhouette:.2f} fill {c.fill:.2f} ink {c.ink:.2f} {c.outline[0]}/{c.outline[1]}")
    p.end()
    sheet.save(str(path))


if __name__ == "__main__":
    app = QtGui.QGuiApplication(sys.argv)
    results = [compare(e) for e in CODES]
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "symbol_contact_sheet.png")
    per_page = 160
    for page in range(0, len(results), per_page):
        contact_sheet(results[page:page + per_page], out.with_name(f"{out.stem}-{page // per_page + 1}{out.suffix}"))
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        print(file_name(r.entry), r.entry["family"], f"{r.silhouette:.2f} {r.fill:.2f} {r.ink:.2f}", r.outline)
