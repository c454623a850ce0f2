"""Draw a briefing page and write it as PNG, JPEG, SVG or PDF. Headless: needs a
QApplication (see `ensure_qapp`) but shows no window.

Page, top to bottom: marking banner; title and subtitle (date-time group, line in force);
the map frame with scale bar and north arrow, beside (landscape) or above (portrait) a
panel with the legend and the sector summary; the provenance footer; marking banner.
`export_map` is what both the Export dialog and `deconflict export` call.
"""
from __future__ import annotations

import math
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from desktop import __version__
from desktop.core.atomic import atomic_write
from desktop.core.document import Document
from desktop.core.geodesy import GEOD, Projection, geodesic_distance_km
from desktop.core.map_settings import MapSettings
from desktop.core.wording import plural
from desktop.gui.export import decorations as deco
from desktop.gui.export.map_frame import MapFrame, map_frame
from desktop.gui.export.panel import draw_panel
from desktop.gui.export.settings import SCREEN_DPI, ExportSettings, date_time_group

JPEG_QUALITY = 92
PAGE_IDS = {"A4": QtGui.QPageSize.PageSizeId.A4, "A3": QtGui.QPageSize.PageSizeId.A3,
            "Letter": QtGui.QPageSize.PageSizeId.Letter}
GRATICULE_LABEL_PX = 20.0  # height of the graticule's edge labels, screen pixels
TITLE_TOP_PT, TITLE_PT, TITLE_ROW_PT = 8, 22, 12   # the title block: its top gap, title and row heights
PAPER = QtGui.QColor("white")
_APP: QtWidgets.QApplication | None = None


def ensure_qapp() -> QtWidgets.QApplication:
    """The running QApplication, or a new one. With no display on Linux/BSD, Qt would abort
    trying to reach X11: use the offscreen platform (must be set before the app exists)."""
    app = QtWidgets.QApplication.instance()
    if app is not None:
        return app
    if (sys.platform not in ("win32", "darwin") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    global _APP
    _APP = QtWidgets.QApplication([sys.argv[0] if sys.argv else "deconflict"])  # kept: the app must outlive us
    return _APP


@dataclass
class PageLayout:
    """Where things went on the page (device pixels), for tests and callers."""

    page: QtCore.QRectF
    frame: QtCore.QRectF            # the map
    view_rect: QtCore.QRectF        # display coordinates shown in the frame (top() = min y)
    projection: Projection
    scale: float                    # page pixels per map (screen) pixel
    px_per_pt: float
    north_deg: float                # true north, degrees clockwise from page up, at the centre
    convergence_deg: float          # grid convergence at the centre: true north to grid north, east positive
    m_per_px: float                 # ground metres per page pixel at the centre (horizontal)
    scale_bar: deco.ScaleBar | None = None
    panel: QtCore.QRectF | None = None
    unit_mode: str = "markers"      # how the unit layer drew the units: markers or lod

    def to_page(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates -> page pixels."""
        vr, f = self.view_rect, self.frame
        px = f.left() + (np.asarray(x, float) - vr.left()) / vr.width() * f.width()
        py = f.top() + (vr.bottom() - np.asarray(y, float)) / vr.height() * f.height()
        return px, py

    def from_page(self, px, py) -> tuple[np.ndarray, np.ndarray]:
        vr, f = self.view_rect, self.frame
        x = vr.left() + (np.asarray(px, float) - f.left()) / f.width() * vr.width()
        y = vr.bottom() - (np.asarray(py, float) - f.top()) / f.height() * vr.height()
        return x, y

    def lonlat_to_page(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.to_page(*self.projection.forward(lon, lat))

    def page_to_lonlat(self, px, py) -> tuple[np.ndarray, np.ndarray]:
        return self.projection.inverse(*self.from_page(px, py))


# -- the page -------------------------------------------------------------------------------
def render_page(painter: QtGui.QPainter, document: Document, settings: ExportSettings,
                page: QtCore.QRectF, projection: Projection | None = None,
                when: datetime | None = None, context=None) -> PageLayout:
    """Draw the whole page into `painter` (device pixels at settings' dpi) over `page`.
    `context`: the window's AppContext (its time cursor and selection), None headless."""
    dpi = settings.effective_dpi
    ink = deco.Ink(painter, dpi / 72.0)
    scale = dpi / SCREEN_DPI
    when = when or settings.export_time()
    analysis = document.analysis
    painter.fillRect(page, PAPER)
    banner_h = ink.pt(13) if settings.marking.strip() else 0.0
    margin = ink.pt(14)
    content = QtCore.QRectF(page.left() + margin, page.top() + banner_h, page.width() - 2 * margin,
                            page.height() - 2 * banner_h)
    line_text = line_description(document)
    rows = _title_rows(settings, document, settings.dtg(moment_shown(document)), line_text)
    top = content.top() + ink.pt(TITLE_TOP_PT + TITLE_PT + 3 + 6) + len(rows) * ink.pt(TITLE_ROW_PT)
    bottom = content.bottom() - ink.pt(6)
    if settings.footer:
        bottom -= ink.pt(11)
    body = QtCore.QRectF(content.left(), top, content.width(), max(bottom - top, ink.pt(20)))
    frame, panel = _split_body(ink, body, settings)
    logical = QtCore.QSize(max(16, round(frame.width() / scale)), max(16, round(frame.height() / scale)))
    frame = QtCore.QRectF(frame.left(), frame.top(), logical.width() * scale, logical.height() * scale)
    extent = settings.view_rect if settings.extent == "view" and settings.view_rect is not None else None
    with map_frame(document, (logical.width(), logical.height()), scale, projection, extent, context=context,
                   layers=settings.layers, grid=settings.grid, graticule_labels=settings.graticule_labels,
                   buffer_band=settings.buffer_band, amplifiers=settings.amplifiers,
                   line_symbol=settings.line_symbol, units=settings.measure_units) as m:
        # The map first, then the page over whatever of it lies outside the frame: a
        # renderer that ignores clipping (Qt's own SVG renderer) still draws the page right.
        m.render(painter, frame)
        _cover_outside(painter, page, frame)
        if banner_h:
            deco.draw_banner(ink, QtCore.QRectF(page.left(), page.top(), page.width(), banner_h), settings.marking)
            deco.draw_banner(ink, QtCore.QRectF(page.left(), page.bottom() - banner_h, page.width(), banner_h),
                             settings.marking)
        crs = m.projection.name.split(" / ", 1)[-1]   # 'UTM zone 37N' (the datum is in the footer)
        _draw_title(ink, content, settings, document, rows, f"Grid: {m.grid_caption()}  ·  {crs}")
        layout = _frame_geometry(m, page, frame, scale, ink.k)
        painter.setPen(QtGui.QPen(deco.INK, ink.pt(0.8)))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRect(frame)
        if settings.scale_bar:
            # Clear of the graticule's bottom labels (~20 screen px tall).
            clearance = GRATICULE_LABEL_PX * scale if settings.graticule_labels else 0.0
            layout.scale_bar = deco.draw_scale_bar(ink, frame, layout.m_per_px, dpi, clearance,
                                                   ratio=not settings.uses_pixels, units=settings.measure_units)
        if settings.north_arrow:
            deco.draw_north_arrow(ink, frame, layout.north_deg)
        if panel is not None:
            draw_panel(ink, panel, m, document, analysis, settings, scale)
            layout.panel = panel
    if settings.footer:
        _draw_footer(ink, QtCore.QRectF(content.left(), content.bottom() - ink.pt(13), content.width(),
                                        ink.pt(11)), document, when, layout)
    return layout


def _title_rows(settings: ExportSettings, document: Document, when: datetime,
                line_text: str) -> list[tuple[str, float, QtGui.QColor]]:
    """Under the title: the user's subtitle (if any), then the DTG and the line in force
    (text, size in points, colour)."""
    rows = [(settings.subtitle.strip(), 9, deco.INK)] if settings.subtitle.strip() else []
    situation = situation_time(document)
    if situation is None:
        rows.append((f"DTG {date_time_group(when)}  ·  Line in force: {line_text}", 8.5, deco.MUTED))
    else:  # the time cursor's moment gets a row of its own, so nothing is elided
        rows.append((f"Situation at {date_time_group(situation)}  ·  DTG {date_time_group(when)}", 8.5, deco.INK))
        rows.append((f"Line in force then: {line_text}", 8.5, deco.MUTED))
    return rows


def _draw_title(ink: deco.Ink, content: QtCore.QRectF, settings: ExportSettings, document: Document,
                rows: list, grid_caption: str) -> None:
    """Title and its rows (`_title_rows`); on the right the AO and under it the grid's
    caption (what the map frame drew); a rule under them."""
    y = content.top() + ink.pt(TITLE_TOP_PT)
    right_w = content.width() * 0.22
    left_w = content.width() - right_w - ink.pt(10)
    title_h, row_h = ink.pt(TITLE_PT), ink.pt(TITLE_ROW_PT)
    ink.text(QtCore.QRectF(content.left(), y, left_w, title_h), settings.title.strip() or document.title, 16,
             bold=True)
    for i, (text, size, colour) in enumerate(rows):
        ink.text(QtCore.QRectF(content.left(), y + title_h + i * row_h, left_w, row_h), text, size, colour=colour)
    right = QtCore.QRectF(content.right() - right_w, y, right_w, title_h)
    ink.text(right, document.ao.name, 9, bold=True, align=QtCore.Qt.AlignmentFlag.AlignRight)
    ink.text(QtCore.QRectF(right.left(), y + title_h, right_w, row_h), grid_caption, 7.5,
             colour=deco.MUTED, align=QtCore.Qt.AlignmentFlag.AlignRight)
    rule_y = y + title_h + len(rows) * row_h + ink.pt(3)
    ink.p.setPen(QtGui.QPen(deco.RULE, ink.pt(0.6)))
    ink.p.drawLine(QtCore.QPointF(content.left(), rule_y), QtCore.QPointF(content.right(), rule_y))


def _cover_outside(painter: QtGui.QPainter, page: QtCore.QRectF, frame: QtCore.QRectF) -> None:
    """Paper over the page around the map frame."""
    for r in (QtCore.QRectF(page.left(), page.top(), page.width(), frame.top() - page.top()),
              QtCore.QRectF(page.left(), frame.bottom(), page.width(), page.bottom() - frame.bottom()),
              QtCore.QRectF(page.left(), frame.top(), frame.left() - page.left(), frame.height()),
              QtCore.QRectF(frame.right(), frame.top(), page.right() - frame.right(), frame.height())):
        if r.width() > 0 and r.height() > 0:
            painter.fillRect(r, PAPER)


def _split_body(ink: deco.Ink, body: QtCore.QRectF, settings: ExportSettings):
    """Map frame and side/bottom panel (None when neither legend nor table is wanted)."""
    if not (settings.legend or settings.summary_table):
        return body, None
    gap = ink.pt(10)
    if body.width() >= 1.15 * body.height():
        w = min(max(0.27 * body.width(), ink.pt(160)), ink.pt(260))
        if body.width() - w - gap < ink.pt(100):
            return body, None
        return (QtCore.QRectF(body.left(), body.top(), body.width() - w - gap, body.height()),
                QtCore.QRectF(body.right() - w, body.top(), w, body.height()))
    h = min(max(0.28 * body.height(), ink.pt(130)), ink.pt(230))
    if body.height() - h - gap < ink.pt(100):
        return body, None
    return (QtCore.QRectF(body.left(), body.top(), body.width(), body.height() - h - gap),
            QtCore.QRectF(body.left(), body.bottom() - h, body.width(), h))


def _frame_geometry(m: MapFrame, page: QtCore.QRectF, frame: QtCore.QRectF, scale: float,
                    px_per_pt: float) -> PageLayout:
    vr = m.view_rect
    units = m.scene.layer("units")
    layout = PageLayout(page, frame, vr, m.projection, scale, px_per_pt, 0.0, 0.0, 1.0,
                        unit_mode=units.mode if units is not None else "markers")
    cx, cy = vr.center().x(), vr.center().y()
    # Ground scale along the page's horizontal at the centre: a short east-west chord on the
    # page, back to lon/lat, measured on the ellipsoid. Right for any projection.
    half = vr.width() * 0.005
    lon, lat = m.projection.inverse(np.array([cx - half, cx + half]), np.array([cy, cy]))
    _, _, metres = GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    page_px = 2 * half / vr.width() * frame.width()
    layout.m_per_px = float(metres) / page_px
    # True north: a step north from the centre, projected; its direction on the page.
    clon, clat = m.projection.inverse(cx, cy)
    step = 0.01
    nx, ny = m.projection.forward(np.array([clon, clon]), np.array([clat, min(float(clat) + step, 89.99)]))
    layout.north_deg = math.degrees(math.atan2(float(nx[1] - nx[0]), float(ny[1] - ny[0])))
    layout.convergence_deg = -layout.north_deg  # the page's up is grid north
    return layout


def line_revision(document: Document):
    """The saved revision whose line is shown: at a past time (the time cursor), the one the
    time view shows; else the latest whose line is the document's line; or None."""
    view = getattr(document, "time_view", None)
    if view is not None:
        return view.revision
    revisions = tuple(getattr(document, "revisions", None) or ())
    return next((r for r in reversed(revisions) if r.line == document.line), None)


def line_revision_label(document: Document) -> str:
    """'rev august, effective 050000Z AUG 17, call C-…': the revision whose line is the one
    shown, if the document keeps revisions ('' when it keeps none)."""
    revisions = tuple(getattr(document, "revisions", None) or ())
    rev = line_revision(document)
    view = getattr(document, "time_view", None)
    if view is not None and view.note:  # nothing agreed yet at that time, or no history
        return f"none agreed yet; rev {rev.id} shown for reference" if rev is not None else ""
    if rev is None:
        return "edited, not a saved revision" if revisions else ""
    when = datetime.fromtimestamp(int(rev.effective), timezone.utc)
    # Its state today ("superseded") says nothing about a past moment, when it was in force.
    state = "" if rev.state == "agreed" or view is not None else f" ({rev.state})"
    call = f", call {rev.call_id}" if getattr(rev, "call_id", "") else ""
    return f"rev {rev.id}{state}, effective {date_time_group(when)}{call}"


def line_facts(document: Document) -> str:
    line = document.shown_line
    km = float(np.sum(geodesic_distance_km(line.lon[:-1], line.lat[:-1], line.lon[1:], line.lat[1:])))
    return f"{len(line)} vertices, {km:,.0f} km"


def situation_time(document: Document) -> datetime | None:
    """The past moment the page shows (the time cursor), or None for the live state."""
    view = getattr(document, "time_view", None)
    return None if view is None else datetime.fromtimestamp(int(view.time), timezone.utc)


def moment_shown(document: Document) -> datetime | None:
    """The moment the map shows: the time cursor's, else the scenario's "now" (its latest
    report, call or revision); None for a document without history."""
    from desktop.core.time_cursor import live_time
    t = getattr(document, "time_view", None) and document.time_view.time
    t = t if t is not None else live_time(document)
    return None if t is None else datetime.fromtimestamp(int(t), timezone.utc)


def line_description(document: Document) -> str:
    label, facts = line_revision_label(document), line_facts(document)
    return f"{label} ({facts})" if label else facts


def convergence_text(degrees: float) -> str:
    """The grid convergence at the map's centre as the footer says it: the angle from true
    north (TN) to grid north (GN), positive when grid north lies east of true north."""
    if abs(degrees) < 0.005:
        return "grid convergence 0.00° at centre"
    return f"grid convergence {degrees:+.2f}° at centre (GN {'east' if degrees > 0 else 'west'} of TN)"


def _draw_footer(ink: deco.Ink, rect: QtCore.QRectF, document: Document, when: datetime,
                 layout: PageLayout) -> None:
    rev = line_revision(document)
    agreed = f" (call {rev.call_id})" if rev is not None and getattr(rev, "call_id", "") else ""
    label = f"rev {rev.id}{agreed}" if rev is not None else line_revision_label(document)
    vertices = f"{len(document.shown_line)} vertices"
    line = f"{label}, {vertices}" if label else vertices
    situation = situation_time(document)
    at = f"  ·  Situation at {situation:%Y-%m-%d %H:%M} UTC" if situation is not None else ""
    left = f"{document.title}{at}  ·  Line: {line}  ·  {plural(len(document.units), 'unit')}"
    right = (f"{layout.projection.label}, {convergence_text(layout.convergence_deg)}  ·  "
             f"Exported {when:%Y-%m-%d %H:%M} UTC  ·  Deconflict {__version__}")
    # The right part as long as it needs (at most half); the left part the rest, elided if it must.
    split = rect.width() - min(ink.metrics(6.5).horizontalAdvance(right) + ink.pt(12), rect.width() * 0.5)
    ink.text(QtCore.QRectF(rect.left(), rect.top(), split, rect.height()), left, 6.5, colour=deco.MUTED)
    ink.text(QtCore.QRectF(rect.left() + split, rect.top(), rect.width() - split, rect.height()), right, 6.5,
             colour=deco.MUTED, align=QtCore.Qt.AlignmentFlag.AlignRight)


# -- files ------------------------------------------------------------------------------------
def render_image(document: Document, settings: ExportSettings, projection: Projection | None = None,
                 when: datetime | None = None, context=None) -> tuple[QtGui.QImage, PageLayout]:
    """The page as an RGB32 QImage that carries its dpi. Does not validate `settings` (the
    dialog's preview renders below the 72-dpi floor); export_map does."""
    w, h = settings.page_pixels()
    image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    try:
        layout = render_page(painter, document, settings, QtCore.QRectF(0, 0, w, h), projection, when, context)
    finally:
        painter.end()
    # Only now: fonts above are sized for the device, not for the dots-per-metre it carries.
    dpm = round(settings.effective_dpi / 0.0254)
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    return image, layout


def export_map(document: Document, settings: ExportSettings, path: str | os.PathLike,
               projection: Projection | None = None, context=None) -> PageLayout:
    """Write the page to `path` in settings.format. The file is written aside, flushed and
    renamed, so a failed export never leaves half a file. Raises OSError (SaveError) if it
    cannot be written."""
    settings.validate()
    ensure_qapp()
    when = settings.export_time()
    layouts = []

    def write(tmp: Path) -> None:
        with buffered_output(tmp) as out:
            if settings.format in ("png", "jpg"):
                image, layout = render_image(document, settings, projection, when, context)
                writer = QtGui.QImageWriter(out, b"PNG" if settings.format == "png" else b"JPEG")
                if settings.format == "jpg":
                    writer.setQuality(JPEG_QUALITY)  # PNG: Qt's default compression (0.17 s for 4K)
                if not writer.write(image):
                    raise OSError(writer.errorString())
            elif settings.format == "pdf":
                layout = _write_pdf(document, settings, out, projection, when, context)
            else:
                layout = _write_svg(document, settings, out, projection, when, context)
        layouts.append(layout)
    atomic_write(path, write)
    if settings.world_file:
        write_page_world_file(path, layouts[0])
    return layouts[0]


def page_settings(layout: PageLayout) -> MapSettings:
    """The whole page as a map image: its pixels in the map frame's display coordinates
    (outside the frame they run on, as the frame's affine says)."""
    page = layout.page
    x0, y1 = layout.from_page(page.left(), page.top())
    x1, y0 = layout.from_page(page.right(), page.bottom())
    return MapSettings(layout.projection, (float(x0), float(y0), float(x1), float(y1)),
                       (round(page.width()), round(page.height())))


def write_page_world_file(image_path, layout: PageLayout) -> tuple[Path, Path]:
    """World file and .prj beside a PNG or JPEG page, so GIS tools and ATAK put the map
    frame where it belongs (the title and panel are off the map, ignored)."""
    from desktop.core.worldfile import write_for_settings
    return write_for_settings(image_path, page_settings(layout))


@contextmanager
def buffered_output(path: Path) -> Iterator[QtCore.QBuffer]:
    """A buffer the writer fills, then written to `path` by Python, which raises on a full
    disk. Qt's QFile takes a short write as success and its SVG and PDF writers then drop
    the rest: a truncated file behind an export that said it was written."""
    out = QtCore.QBuffer()
    out.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    yield out
    out.close()
    with open(path, "wb") as f:
        f.write(out.data().data())


def _paint(device, document, settings, projection, when, context) -> PageLayout:
    painter = QtGui.QPainter()
    if not painter.begin(device):
        raise OSError(f"cannot paint on the {type(device).__name__}")
    try:
        page = QtCore.QRectF(0, 0, device.width(), device.height())
        return render_page(painter, document, settings, page, projection, when, context)
    finally:
        painter.end()


def _write_pdf(document, settings, out: QtCore.QIODevice, projection, when, context) -> PageLayout:
    writer = QtGui.QPdfWriter(out)
    writer.setResolution(round(settings.effective_dpi))
    wpt, hpt = settings.page_points()
    if settings.uses_pixels:
        size = QtGui.QPageSize(QtCore.QSizeF(min(wpt, hpt), max(wpt, hpt)), QtGui.QPageSize.Unit.Point,
                               "Custom", QtGui.QPageSize.SizeMatchPolicy.ExactMatch)
    else:
        size = QtGui.QPageSize(PAGE_IDS[settings.paper])
    writer.setPageSize(size)  # portrait sizes; the orientation turns them
    writer.setPageOrientation(QtGui.QPageLayout.Orientation.Landscape if wpt > hpt
                              else QtGui.QPageLayout.Orientation.Portrait)
    writer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    writer.setTitle(settings.title or document.title)
    writer.setCreator(f"Deconflict {__version__}")
    return _paint(writer, document, settings, projection, when, context)


def _write_svg(document, settings, out: QtCore.QIODevice, projection, when, context) -> PageLayout:
    from desktop.gui.export import svg  # only SVG needs QtSvg
    w, h = settings.page_pixels()
    drawn = QtCore.QBuffer()
    drawn.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    gen = svg.svg_generator(drawn)
    gen.setSize(QtCore.QSize(w, h))
    gen.setViewBox(QtCore.QRect(0, 0, w, h))
    gen.setResolution(round(settings.effective_dpi))
    gen.setTitle(settings.title or document.title)
    gen.setDescription(f"{settings.marking} — exported by Deconflict {__version__}")
    layout = _paint(gen, document, settings, projection, when, context)
    out.write(svg.portable_strokes(drawn.data().data()))
    return layout
