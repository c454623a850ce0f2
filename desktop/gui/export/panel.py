"""The panel beside (or under) the map: legend, sector summary and flagged units. The
legend lists what the page's layers actually drew, with their pens, brushes and symbols; a
layer hidden in the layers panel is not on the page and not in the legend."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from desktop.core.annotations import POLYGON
from desktop.core.document import Document
from desktop.core.measure_units import DEFAULT as KM
from desktop.core.measure_units import MeasureUnits, format_area, format_buffer, format_distance
from desktop.core.sidc import SymbolSpec
from desktop.core.time_cursor import shown_time
from desktop.core.units import AFFILIATIONS
from desktop.core.wording import plural
from desktop.gui import style
from desktop.gui.export import decorations as deco
from desktop.gui.export.map_frame import MapFrame
from desktop.gui.export.settings import ExportSettings
from desktop.gui.map.layers.basemap import LAND  # translucent fills are seen over the land
from desktop.gui.map.layers.painting import scaled
from desktop.gui.map.layers.line import CURVE_PEN
from desktop.gui.map.layers.sectors import HATCH_ALPHA, sector_fill
from desktop.gui.map.layers.units import RING_PX, ring_pen
from desktop.gui.markup_dialog import KIND_NAMES

MARKUP_ROWS = 8  # markup items listed in the legend; the rest are counted


def legend_entries(m: MapFrame, document: Document, analysis, scale: float,
                   measure: MeasureUnits = KM) -> list[deco.LegendEntry]:
    """What the page's layers show, with the pens and brushes they used (scaled)."""
    entries = []
    sides = document.sides
    sectors = m.layer("sectors")
    if sectors is not None:
        for owner in dict.fromkeys(s.owner for s in analysis.sectors.sectors):
            hatch = style.qcolor(style.side_colour(owner, sides), HATCH_ALPHA) if sectors.hatched(owner) else None
            entries.append(deco.LegendEntry(f"{owner} sector", "fill", brush=sector_fill(owner, sides), under=LAND,
                                            hatch=hatch))
    ao = m.layer("ao")
    if ao is not None:
        entries.append(deco.LegendEntry(f"AO boundary ({document.ao.name})", "stroke", pen=scaled(ao.pen, scale)))
    line = m.layer("line")
    if line is not None:
        entries.append(deco.LegendEntry("Deconfliction line", "stroke", pen=scaled(line.pen, scale)))
        res = analysis.sectors
        if len(res.extension_start_xy) or len(res.extension_end_xy):
            entries.append(deco.LegendEntry("Line extended to the AO edge", "stroke",
                                            pen=scaled(line.extension_pen, scale)))
    boundary = m.layer("line.symbol")
    if boundary is not None and boundary.groups:
        w = boundary.texts()[3]
        entries.append(deco.LegendEntry(f"Line as 2525 boundary{', eff. ' + w if w else ''}", "stroke",
                                        pen=scaled(line.pen if line is not None else CURVE_PEN, scale)))
    buffer = m.layer("buffer")
    if buffer is not None:
        entries.append(deco.LegendEntry(f"Buffer ±{format_buffer(analysis.classification.buffer_km, measure)}", "fill",
                                        brush=buffer.brush, under=LAND))
    units = document.units
    layer = m.layer("units")
    if len(units) and layer is not None:
        if layer.detail.active:
            entries += unit_symbol_entries(layer.detail.specs_drawn())
        else:
            for aff, item in layer.markers.items():
                n = int(np.count_nonzero(units.affiliations == aff))
                if n:
                    symbol, size, pen, brush = item.style
                    entries.append(deco.LegendEntry(f"{aff.title()} ({n:,})", "symbol", scaled(pen, scale), brush,
                                                    symbol, size * scale))
        if layer.mode == "lod" and m.layer("units.density") is not None:
            colours = [style.qcolor(c) for c in style.AFFILIATION_COLOURS.values()]
            entries.append(deco.LegendEntry("Unit density (too many to draw)", "raster", brush=colours))
        cls = analysis.classification
        for key, label, flags, colour in (
                ("near", f"Near line (≤ {format_buffer(cls.buffer_km, measure)})", cls.near_line, style.NEAR_LINE_COLOUR),
                ("wrong", "Wrong side of the line", cls.wrong_side, style.WRONG_SIDE_COLOUR)):
            if layer.mode == "lod" and not len(layer.rings[key]) and np.any(flags):
                # Too many flagged units for rings: the layer paints their cells instead.
                entries.append(deco.LegendEntry(label, "fill", brush=style.qcolor(colour)))
                continue
            symbol, size, pen, brush = layer.rings[key].style
            entries.append(deco.LegendEntry(label, "symbol", scaled(pen, scale), None, symbol,
                                            min(size, RING_PX["markers"][key]) * scale))
    return entries + (markup_entries(document.annotations, units=measure, when_s=shown_time(document))
                      if m.layer("markup") is not None else [])


def unit_symbol_entries(drawn: list[tuple[SymbolSpec, int]]) -> list[deco.LegendEntry]:
    """One row per frame drawn (affiliation x domain), with how many units have it."""
    counts: dict[tuple[str, str], int] = {}
    for spec, n in drawn:
        counts[(spec.affiliation, spec.domain)] = counts.get((spec.affiliation, spec.domain), 0) + n
    order = {aff: i for i, aff in enumerate(AFFILIATIONS)}
    out = []
    for (aff, domain), n in sorted(counts.items(), key=lambda kv: (kv[0][1] == "air", order.get(kv[0][0], 9))):
        what = "aircraft" if domain == "air" else "units"
        out.append(deco.LegendEntry(f"{aff.title()} {what} ({n:,})", "unit", spec=SymbolSpec(aff, domain)))
    return out


def markup_entries(annotations, limit: int = MARKUP_ROWS, units: MeasureUnits = KM,
                   when_s: float | None = None) -> list[deco.LegendEntry]:
    """A 'Markup' heading and one row per item (kind and what it says, in `units`), at most `limit`."""
    items = list(annotations)
    if not items:
        return []
    rows = [deco.LegendEntry("Markup", "heading")]
    shown = items if len(items) <= limit else items[:limit - 1]
    for a in shown:
        said = (a.label(units, when_s) if a.kind != POLYGON
                else f"{a.text + ', ' if a.text else ''}{format_area(a.area_km2(), units)}")
        rows.append(deco.LegendEntry(f"{KIND_NAMES[a.kind]}{': ' + said if said else ''}", "markup", annotation=a))
    if len(shown) < len(items):
        rows.append(deco.LegendEntry(f"… and {len(items) - len(shown)} more markup items", "heading"))
    return rows


def summary_rows(document: Document, analysis) -> list[deco.SummaryRow]:
    cls, sectors = analysis.classification, analysis.sectors.sectors
    n = len(sectors) + 1
    code = np.asarray(cls.sector, dtype=np.int64) + 1  # 0 = in no sector
    units = np.bincount(code, minlength=n)
    near = np.bincount(code, weights=np.asarray(cls.near_line, dtype=float), minlength=n).astype(int)
    wrong = np.bincount(code, weights=np.asarray(cls.wrong_side, dtype=float), minlength=n).astype(int)
    rows = [deco.SummaryRow(s.id, s.owner, int(units[i + 1]), int(near[i + 1]), int(wrong[i + 1]), s.area_km2,
                            style.qcolor(style.side_colour(s.owner, document.sides), 140))
            for i, s in enumerate(sectors)]
    if units[0]:
        rows.append(deco.SummaryRow("—", "Outside AO", int(units[0]), int(near[0]), int(wrong[0]), None))
    rows.append(deco.SummaryRow("", "Total", int(units.sum()), int(near.sum()), int(wrong.sum()),
                                float(sum(s.area_km2 for s in sectors)), bold=True))
    return rows


def draw_panel(ink: deco.Ink, panel: QtCore.QRectF, m: MapFrame, document: Document, analysis,
                settings: ExportSettings, scale: float) -> None:
    units = settings.measure_units
    entries = legend_entries(m, document, analysis, scale, units) if settings.legend else []
    rows = summary_rows(document, analysis) if settings.summary_table else []
    c = analysis.classification
    note = (f"{plural(len(document.units), 'unit')} · {int(np.count_nonzero(c.near_line)):,} near line · "
            f"{int(np.count_nonzero(c.wrong_side)):,} wrong side")
    error = analysis.sectors.error or ""
    side_by_side = panel.width() > 2.2 * ink.pt(150)
    if side_by_side:  # portrait page: legend left, table right
        gap = ink.pt(14)
        half = (panel.width() - gap) / 2
        if entries:
            deco.draw_legend(ink, QtCore.QRectF(panel.left(), panel.top(), half, panel.height()), entries)
        if rows or error:
            deco.draw_table(ink, QtCore.QRectF(panel.right() - half, panel.top(), half, panel.height()), rows,
                            note, error, units=units)
        return
    y = panel.top()
    if entries:
        y += deco.draw_legend(ink, QtCore.QRectF(panel.left(), y, panel.width(), panel.bottom() - y), entries)
        y += ink.pt(10)
    if rows or error:
        y += deco.draw_table(ink, QtCore.QRectF(panel.left(), y, panel.width(), panel.bottom() - y), rows, note,
                             error, units=units)
        y += ink.pt(10)
        flagged, total = flagged_units(document, analysis, measure=units)
        if flagged and panel.bottom() - y > ink.pt(40):
            deco.draw_flagged(ink, QtCore.QRectF(panel.left(), y, panel.width(), panel.bottom() - y), flagged, total)


def flagged_units(document: Document, analysis, limit: int = 200, measure: MeasureUnits = KM) -> tuple[list, int]:
    """Wrong-side units, then near-line ones, nearest the line first: (chip pen, text) for
    at most `limit` of them (the chip is the flag's ring, dashed or solid as on the map),
    and how many there are in all."""
    cls, units, sectors = analysis.classification, document.units, analysis.sectors.sectors
    wrong = np.flatnonzero(cls.wrong_side)
    near = np.flatnonzero(np.asarray(cls.near_line) & ~np.asarray(cls.wrong_side))
    km = cls.distance_km
    out = []
    for idx, key, flag in ((wrong, "wrong", "wrong side"), (near, "near", "near line")):
        for i in idx[np.argsort(km[idx], kind="stable")][:limit - len(out)]:
            s = int(cls.sector[i])
            where = f"in {sectors[s].id}" if s >= 0 else "outside AO"
            uid, name = str(units.ids[i]), str(units.names[i] or "")
            name = f"  ·  {name}" if name and name != uid else ""
            out.append((ring_pen(key), f"{uid}  {flag} {where}, {format_distance(km[i], measure, 1)}{name}"))
    return out, len(wrong) + len(near)
