"""What surrounds the map on an exported page: banners, text, legend, scale bar, north
arrow and the sector summary table.

Sizes are in points (1/72 in) and drawn in device pixels: `Ink(painter, px_per_pt)`.
Fonts are given a point size such that they come out at `pt * px_per_pt` pixels whatever
the device's own dpi (a QImage, a PDF at 300 dpi and an SVG all agree).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.annotations import ARROW, CIRCLE, FREEHAND, MEASURE, POLYGON, TEXT, Annotation
from desktop.core.measure_units import DEFAULT as KM, MeasureUnits, from_km, from_km2, to_km
from desktop.core.sidc import SymbolSpec
from desktop.gui.map.layers.painting import symbol_polygon, tiled_path
from desktop.gui.symbology import paint_symbol

# US classification banner colours (background, text), by the marking's first words.
MARKING_COLOURS = (
    ("TOP SECRET", "#ff8c00", "#000000"),
    ("SECRET", "#c8102e", "#ffffff"),
    ("CONFIDENTIAL", "#0033a0", "#ffffff"),
    ("CUI", "#502b85", "#ffffff"),
    ("CONTROLLED", "#502b85", "#ffffff"),
    ("UNCLASSIFIED", "#007a33", "#ffffff"),
)
DEFAULT_BANNER = ("#007a33", "#ffffff")
INK = QtGui.QColor(25, 25, 25)
MUTED = QtGui.QColor(95, 95, 95)
RULE = QtGui.QColor(170, 170, 170)
BOX = QtGui.QColor(255, 255, 255, 225)
NICE_STEPS = (1.0, 2.0, 5.0)


def marking_colours(marking: str) -> tuple[QtGui.QColor, QtGui.QColor]:
    text = " ".join(marking.upper().split())
    for prefix, bg, fg in MARKING_COLOURS:
        if text.startswith(prefix):
            return QtGui.QColor(bg), QtGui.QColor(fg)
    return QtGui.QColor(DEFAULT_BANNER[0]), QtGui.QColor(DEFAULT_BANNER[1])


class Ink:
    """A painter plus the page's scale: `pt(x)` points -> device pixels."""

    def __init__(self, painter: QtGui.QPainter, px_per_pt: float) -> None:
        self.p = painter
        self.k = px_per_pt
        self._dpi = painter.device().logicalDpiY() or 96

    def pt(self, value: float) -> float:
        return value * self.k

    def font(self, size_pt: float, bold: bool = False) -> QtGui.QFont:
        f = QtGui.QFont()
        f.setPointSizeF(size_pt * self.k * 72.0 / self._dpi)
        f.setBold(bold)
        return f

    def metrics(self, size_pt: float, bold: bool = False) -> QtGui.QFontMetricsF:
        return QtGui.QFontMetricsF(self.font(size_pt, bold), self.p.device())

    def text(self, rect: QtCore.QRectF, text: str, size_pt: float, *, bold: bool = False,
             colour: QtGui.QColor = INK, align=QtCore.Qt.AlignmentFlag.AlignLeft, elide: bool = True) -> None:
        p = self.p
        p.setFont(self.font(size_pt, bold))
        p.setPen(colour)
        if elide:
            text = self.metrics(size_pt, bold).elidedText(text, QtCore.Qt.TextElideMode.ElideRight, rect.width())
        p.drawText(rect, int(align | QtCore.Qt.AlignmentFlag.AlignVCenter), text)


def draw_banner(ink: Ink, rect: QtCore.QRectF, marking: str) -> None:
    bg, fg = marking_colours(marking)
    ink.p.fillRect(rect, bg)
    ink.text(rect, marking, rect.height() / ink.k * 0.62, bold=True, colour=fg,
             align=QtCore.Qt.AlignmentFlag.AlignHCenter)


# -- scale bar and north arrow --------------------------------------------------------------
def nice_length(max_value: float) -> float:
    """Largest 1, 2 or 5 x 10^n not above `max_value` (> 0)."""
    exp = math.floor(math.log10(max_value))
    best = 10.0 ** exp
    for step in NICE_STEPS:
        if step * 10.0 ** exp <= max_value:
            best = step * 10.0 ** exp
    return best


@dataclass(frozen=True)
class ScaleBar:
    km: float                 # ground length the bar stands for
    length_px: float          # its drawn length on the page
    rect: QtCore.QRectF       # the bar itself (without labels), page pixels
    denominator: float        # 1:N on paper (meaningful when the page has a real dpi)


def scale_label(km: float, units: MeasureUnits = KM) -> str:
    """A scale bar's tick in the distance unit (without its symbol); below one km, metres."""
    if units.distance == "km" and km < 1:
        return f"{km * 1000:g} m"
    return f"{round(from_km(km, units.distance), 6):g}"


def draw_scale_bar(ink: Ink, frame: QtCore.QRectF, m_per_px: float, dpi: float, clearance: float = 0.0,
                   ratio: bool = True, units: MeasureUnits = KM) -> ScaleBar:
    """Segmented bar in the distance unit (km, NM, mi) at the frame's bottom-right (the
    graticule labels the left edge), `clearance` pixels above the bottom edge (its labels
    live there). `m_per_px`: ground metres per page pixel at the map centre, along the page's
    horizontal. `ratio` adds the 1:N scale (meaningful on paper, not for a screen image of
    unknown size)."""
    p = ink.p
    km = to_km(nice_length(from_km(0.22 * frame.width() * m_per_px / 1000.0, units.distance)), units.distance)
    length = km * 1000.0 / m_per_px
    pad, bar_h = ink.pt(6), ink.pt(4)
    fm = ink.metrics(7)
    label_h = fm.height()
    end_label = scale_label(km, units)
    end_label += "" if end_label.endswith(" m") else f" {units.unit.symbol}"
    denominator = m_per_px * dpi / 0.0254
    rf = f"1:{_round_sig(denominator):,.0f}" if ratio else ""
    box_w = length + 2 * pad + fm.horizontalAdvance(end_label) / 2 + fm.horizontalAdvance("0") / 2
    box_w = max(box_w, fm.horizontalAdvance(rf) + 2 * pad)
    box_h = (2 if ratio else 1) * label_h + bar_h + (2 if ratio else 1.6) * pad
    box = QtCore.QRectF(frame.right() - ink.pt(8) - box_w, frame.bottom() - ink.pt(6) - clearance - box_h,
                        box_w, box_h)
    p.save()
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.setBrush(BOX)
    p.drawRoundedRect(box, ink.pt(2), ink.pt(2))
    bar = QtCore.QRectF(box.left() + pad + fm.horizontalAdvance("0") / 2, box.top() + pad + label_h, length, bar_h)
    p.setPen(QtGui.QPen(INK, ink.pt(0.6)))
    for i in range(4):
        p.setBrush(INK if i % 2 == 0 else QtGui.QColor("white"))
        p.drawRect(QtCore.QRectF(bar.left() + i * length / 4, bar.top(), length / 4, bar_h))
    for frac, label in ((0.0, "0"), (0.5, scale_label(km / 2, units)), (1.0, end_label)):
        w = fm.horizontalAdvance(label) + 2
        x = bar.left() + frac * length
        # Numbers centred on their tick; the end's unit hangs to the right of it.
        left = x - w / 2 if frac < 1.0 else x - fm.horizontalAdvance(scale_label(km, units)) / 2
        ink.text(QtCore.QRectF(left, box.top() + pad * 0.5, w, label_h), label, 7, elide=False)
    if ratio:
        ink.text(QtCore.QRectF(bar.left(), bar.bottom() + pad * 0.3, box.width(), label_h), rf, 7, colour=MUTED,
                 elide=False)
    p.restore()
    return ScaleBar(km, length, bar, denominator)


def _round_sig(value: float, digits: int = 3) -> float:
    if value <= 0:
        return value
    return round(value, -int(math.floor(math.log10(value))) + digits - 1)


def draw_north_arrow(ink: Ink, frame: QtCore.QRectF, angle_deg: float) -> QtCore.QRectF:
    """Arrow to true north (`angle_deg` clockwise from page up) at the frame's top-right,
    with an upright "True N" above it (the footer gives the grid convergence)."""
    p = ink.p
    r, label_h, w = ink.pt(12), ink.pt(10), ink.pt(30)
    box = QtCore.QRectF(frame.right() - ink.pt(8) - w, frame.top() + ink.pt(8), w, 2 * r + label_h)
    p.save()
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.setBrush(BOX)
    p.drawRoundedRect(box, ink.pt(2), ink.pt(2))
    ink.text(QtCore.QRectF(box.left(), box.top() + ink.pt(1), box.width(), label_h), "True N", 6.5, bold=True,
             align=QtCore.Qt.AlignmentFlag.AlignHCenter, elide=False)
    p.translate(box.center().x(), box.top() + label_h + r)
    p.rotate(angle_deg)
    tip, base, notch, half = -r * 0.85, r * 0.8, r * 0.4, r * 0.45
    p.setPen(QtGui.QPen(INK, ink.pt(0.6)))
    for sign, fill in ((-1, INK), (1, QtGui.QColor("white"))):
        p.setBrush(fill)
        p.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(0, tip), QtCore.QPointF(sign * half, base),
                                       QtCore.QPointF(0, notch)]))
    p.restore()
    return box


# -- legend -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegendEntry:
    label: str
    kind: str                       # fill, stroke, symbol, raster, unit, markup, heading
    pen: QtGui.QPen | None = None
    brush: QtGui.QBrush | QtGui.QColor | None = None
    symbol: object = ""             # a painting.SYMBOLS name or a unit-size QPainterPath
    size_px: float = 0.0            # symbol size, page pixels
    under: QtGui.QColor | None = None  # what a translucent fill is seen over on the map
    spec: SymbolSpec | None = None  # kind "unit": the 2525 symbol
    annotation: Annotation | None = None  # kind "markup": the item, in its colour and width
    hatch: QtGui.QColor | None = None  # kind "fill": hatched in this colour, as on the map


def draw_legend(ink: Ink, rect: QtCore.QRectF, entries: list[LegendEntry], title: str = "Legend") -> float:
    """Entries one per row; returns the height used."""
    p = ink.p
    ink.text(QtCore.QRectF(rect.left(), rect.top(), rect.width(), ink.pt(13)), title, 9, bold=True)
    y = rect.top() + ink.pt(16)
    sw, sh, row = ink.pt(22), ink.pt(9), ink.pt(13)
    for e in entries:
        if y + row > rect.bottom() + 0.5:
            break
        if e.kind == "heading":
            y += ink.pt(3)
            ink.text(QtCore.QRectF(rect.left(), y, rect.width(), row), e.label, 7.5, bold=True)
            y += row
            continue
        swatch = QtCore.QRectF(rect.left(), y + (row - sh) / 2, sw, sh)
        p.save()
        _draw_swatch(ink, swatch, e)
        p.restore()
        ink.text(QtCore.QRectF(swatch.right() + ink.pt(6), y, rect.width() - sw - ink.pt(6), row), e.label, 7.5)
        y += row
    return y - rect.top()


def _draw_swatch(ink: Ink, r: QtCore.QRectF, e: LegendEntry) -> None:
    p = ink.p
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    if e.kind == "fill":
        if e.under is not None:
            p.fillRect(r, e.under)
        p.fillRect(r, QtGui.QBrush(e.brush))
        if e.hatch is not None:  # lines cut to the swatch (no clipping: not every SVG renderer clips)
            p.setPen(QtGui.QPen(e.hatch, ink.pt(0.9)))
            for x in np.arange(r.left() - r.height(), r.right(), ink.pt(5)):
                # The line from (x, bottom) up-right at 45°, cut to the swatch.
                t0, t1 = max(0.0, r.left() - x), min(r.height(), r.right() - x)
                if t1 > t0:
                    p.drawLine(QtCore.QPointF(x + t0, r.bottom() - t0), QtCore.QPointF(x + t1, r.bottom() - t1))
        p.setPen(QtGui.QPen(RULE, ink.pt(0.4)))
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        p.drawRect(r)
    elif e.kind == "stroke":
        p.setPen(e.pen)
        p.drawLine(QtCore.QPointF(r.left(), r.center().y()), QtCore.QPointF(r.right(), r.center().y()))
    elif e.kind == "symbol":
        shape = symbol_polygon(e.symbol, min(e.size_px, ink.pt(12)))  # big rings would overlap rows
        p.setPen(e.pen if e.pen is not None else QtCore.Qt.PenStyle.NoPen)
        p.setBrush(QtGui.QBrush(e.brush) if e.brush is not None else QtCore.Qt.BrushStyle.NoBrush)
        p.drawPath(tiled_path(shape, np.array([r.center().x()]), np.array([r.center().y()])))
    elif e.kind == "unit":
        paint_symbol(p, e.spec, r.center(), ink.pt(15))
    elif e.kind == "markup":
        _draw_markup_swatch(ink, r, e.annotation)
    elif e.kind == "raster":  # the density carpet: a few cells of its colours
        colours = e.brush if isinstance(e.brush, list) else [QtGui.QColor(120, 160, 220)]
        n = 6
        for i in range(n):
            c = QtGui.QColor(colours[i % len(colours)])
            c.setAlphaF(0.55 + 0.4 * (i % 3) / 2)
            p.fillRect(QtCore.QRectF(r.left() + i * r.width() / n, r.top() + (i % 2) * r.height() / 2,
                                     r.width() / n, r.height() / 2), c)


def _draw_markup_swatch(ink: Ink, r: QtCore.QRectF, a: Annotation) -> None:
    """A small picture of a markup item's kind, in its colour and (capped) width."""
    p, colour = ink.p, QtGui.QColor(a.color)
    pen = QtGui.QPen(colour, ink.pt(min(a.width, 3.0)), QtCore.Qt.PenStyle.SolidLine, QtCore.Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
    left, right, mid = QtCore.QPointF(r.left(), r.center().y()), QtCore.QPointF(r.right(), r.center().y()), r.center()
    if a.kind == POLYGON:
        fill = QtGui.QColor(colour)
        fill.setAlpha(45)
        p.setBrush(fill)
        p.drawRect(r.adjusted(ink.pt(1), 0, -ink.pt(1), 0))
    elif a.kind == CIRCLE:
        p.drawEllipse(mid, r.height() * 0.62, r.height() * 0.62)
    elif a.kind == TEXT:
        ink.text(r, "Abc", 7, bold=True, colour=colour, align=QtCore.Qt.AlignmentFlag.AlignHCenter, elide=False)
    elif a.kind == FREEHAND:
        path = QtGui.QPainterPath(left)
        path.cubicTo(QtCore.QPointF(r.left() + r.width() / 3, r.top()),
                     QtCore.QPointF(r.left() + 2 * r.width() / 3, r.bottom()), right)
        p.drawPath(path)
    else:  # arrow, measure: a shaft with a head or with end ticks
        p.drawLine(left, right)
        if a.kind == ARROW:
            p.setBrush(colour)
            h = r.height() / 2
            p.drawPolygon(QtGui.QPolygonF([right, QtCore.QPointF(right.x() - h, right.y() - h * 0.8),
                                           QtCore.QPointF(right.x() - h, right.y() + h * 0.8)]))
        elif a.kind == MEASURE:
            for end in (left, right):
                p.drawLine(end + QtCore.QPointF(0, -r.height() / 2), end + QtCore.QPointF(0, r.height() / 2))


# -- sector summary table ------------------------------------------------------------------
@dataclass(frozen=True)
class SummaryRow:
    sector: str
    owner: str
    units: int
    near: int
    wrong: int
    area_km2: float | None
    colour: QtGui.QColor | None = None
    bold: bool = False


COLUMNS = ("Sector", "Owner", "Units", "Near", "Wrong", "km²")


def _cells(row: SummaryRow, units: MeasureUnits = KM) -> list[str]:
    area = "" if row.area_km2 is None else f"{from_km2(row.area_km2, units.distance):,.0f}"
    return [row.sector, row.owner, f"{row.units:,}", f"{row.near:,}", f"{row.wrong:,}", area]


def draw_table(ink: Ink, rect: QtCore.QRectF, rows: list[SummaryRow], note: str = "",
               error: str = "", title: str = "Sector summary", units: MeasureUnits = KM) -> float:
    """The sector summary, areas in the units' square (km², NM², mi²); returns the height
    used. Columns take their text's width; the owner column takes what is left (elided if
    it must)."""
    columns = COLUMNS[:-1] + (f"{units.unit.symbol}²",)
    p = ink.p
    ink.text(QtCore.QRectF(rect.left(), rect.top(), rect.width(), ink.pt(13)), title, 9, bold=True)
    y = rect.top() + ink.pt(16)
    if note:
        ink.text(QtCore.QRectF(rect.left(), y, rect.width(), ink.pt(10)), note, 7, colour=MUTED)
        y += ink.pt(11)
    if error:
        ink.text(QtCore.QRectF(rect.left(), y, rect.width(), ink.pt(12)), error, 7.5,
                 colour=QtGui.QColor(200, 0, 0))
        y += ink.pt(13)
    row_h, pad, size = ink.pt(12), ink.pt(2), 7
    bold_fm = ink.metrics(size, True)
    texts = [_cells(r, units) for r in rows]
    widths = [max([bold_fm.horizontalAdvance(columns[i])] + [bold_fm.horizontalAdvance(t[i]) for t in texts])
              + 2 * pad + ink.pt(1) for i in range(len(columns))]  # + slack: no eliding by rounding
    chip = row_h * 0.5
    widths[1] = max(rect.width() - sum(widths) + widths[1], ink.pt(30))
    lefts = list(np.cumsum([rect.left()] + widths[:-1]))

    def cells(values, bold=False, chip_colour=None):
        for i, (left, value) in enumerate(zip(lefts, values)):
            cell = QtCore.QRectF(left + pad, y, widths[i] - 2 * pad, row_h)
            if i == 1 and chip_colour is not None:
                p.fillRect(QtCore.QRectF(cell.left(), y + (row_h - chip) / 2, chip, chip), chip_colour)
                cell.setLeft(cell.left() + chip + pad)
            flag = QtCore.Qt.AlignmentFlag.AlignLeft if i < 2 else QtCore.Qt.AlignmentFlag.AlignRight
            ink.text(cell, value, size, bold=bold, align=flag)

    p.fillRect(QtCore.QRectF(rect.left(), y, rect.width(), row_h), QtGui.QColor(232, 232, 232))
    cells(columns, bold=True)
    y += row_h
    for row, values in zip(rows, texts):
        if y + row_h > rect.bottom() + 0.5:
            break
        if row.bold:
            p.setPen(QtGui.QPen(INK, ink.pt(0.6)))
            p.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
        cells(values, bold=row.bold, chip_colour=row.colour)
        y += row_h
    return y - rect.top()


def draw_flagged(ink: Ink, rect: QtCore.QRectF, items: list[tuple[QtGui.QPen, str]], total: int,
                 title: str = "Flagged units") -> float:
    """One line per flagged unit (a chip drawn with its flag's ring pen, text) while they
    fit, then '… and N more'."""
    ink.text(QtCore.QRectF(rect.left(), rect.top(), rect.width(), ink.pt(13)), title, 9, bold=True)
    y, row = rect.top() + ink.pt(15), ink.pt(10.5)
    fits = max(int((rect.bottom() - y) // row), 0)
    shown = items if len(items) <= fits else items[:max(fits - 1, 0)]
    for ring, text in shown:
        chip = ink.pt(7)
        chip_pen = QtGui.QPen(ring)
        chip_pen.setCosmetic(False)
        chip_pen.setWidthF(ink.pt(1.2))
        ink.p.setPen(chip_pen)
        ink.p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        ink.p.drawEllipse(QtCore.QRectF(rect.left() + ink.pt(0.5), y + (row - chip) / 2, chip, chip))
        ink.text(QtCore.QRectF(rect.left() + ink.pt(10), y, rect.width() - ink.pt(10), row), text, 6.8)
        y += row
    if total > len(shown) and fits:
        ink.text(QtCore.QRectF(rect.left() + ink.pt(10), y, rect.width() - ink.pt(10), row),
                 f"… and {total - len(shown):,} more", 6.8, colour=MUTED)
        y += row
    return y - rect.top()
