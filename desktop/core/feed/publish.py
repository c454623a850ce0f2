"""The line in force on every ATAK screen: CoT drawings, removals and a TAK data package.

What ATAK reads (ATAK-CIV source): a drawing is a `u-d-f` event whose vertices are
`<link point="lat,lon,hae"/>` in order (EditablePolylineImporter); it is closed when the last
link repeats the first (EditablePolyline.setPoints), so the line goes out open and each
sector closed. Style is `<strokeColor value=ARGB>`, `<strokeWeight>`, `<strokeStyle>` and,
for closed shapes, `<fillColor>` (StrokeFillDetailHandler; colours are signed 32-bit
ARGB). A `t-x-d-d` event with `<link uid=… relation=… type=…/>` and `<__forcedelete/>`
removes a drawing (CotDeleteImporter; without __forcedelete only markers go stale).
Newer ATAK versions draw MIL-STD-2525 tactical graphics for shapes that carry
`<__milsym id=…>` (with `<unitmodifier code=…>` amplifiers): the line carries its 2525D
boundary code and amplifiers (desktop.core.line_symbol: echelon, the two sides as T/T1,
the effective DTG as W), as its KML and GeoJSON do.

Uids are stable: the line of revision R is always "<prefix>.line.R", so publishing R again
replaces it on every screen, and publishing R' sends `t-x-d-d` for the drawings of every
other agreed revision first. A data package (zip, MANIFEST/manifest.xml listing each
entry) carries the same events and the line (and sectors) as KML for devices offline.
"""
from __future__ import annotations

import io
import re
import time as _time
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from desktop.core.exporters import _SIDE_KML, export_layer_text
from desktop.core.feed.cot import format_cot_time
from desktop.core.feed.protocol import XML_HEADER
from desktop.core.line import DeconflictionLine
from desktop.core.line_symbol import LineSymbol, line_symbol
from desktop.core.revision_diff import document_at
from desktop.core.revisions import RevisionError, RevisionLog
from desktop.core.sectors import compute_sectors
from desktop.core.tracks import as_epoch, format_time

STALE_S = 7 * 86_400
LINE_KML_COLOUR = "ff141414"   # the exported KML line's colour (desktop.core.exporters)
LINE_WEIGHT, SECTOR_WEIGHT = 4.0, 2.0
FILL_ALPHA = 0x40
DECIMALS = 7                   # about a centimetre


def kml_to_argb(aabbggrr: str, alpha: int | None = None) -> int:
    """A KML colour (aabbggrr hex) as the signed ARGB integer ATAK writes."""
    a, b, g, r = (int(aabbggrr[i:i + 2], 16) for i in range(0, 8, 2))
    value = ((alpha if alpha is not None else a) << 24) | (r << 16) | (g << 8) | b
    return value - (1 << 32) if value >= 1 << 31 else value


def uid_prefix(doc) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", doc.title.lower()).strip("-") or "project"
    return f"deconflict.{slug}"


def line_in_force(doc, at=None) -> tuple[DeconflictionLine, str | None]:
    """(line, revision id) in force at `at` (epoch seconds or ISO text; default now): the
    latest agreed revision effective by then, or the document's line when the project
    records no agreed revision. RevisionError when revisions exist but none is in force."""
    t = as_epoch(at) if at is not None else int(_time.time())
    rev = doc.revisions.in_force_at(t)
    if rev is not None:
        return rev.line, rev.id
    if doc.revisions.agreed():
        first = doc.revisions.agreed()[0]
        raise RevisionError(f"no line revision is in force at {format_time(t)} (the first agreed one, "
                            f"{first.id}, takes effect at {format_time(first.effective)})")
    return doc.line, None


def _event(uid: str, cot_type: str, lat: float, lon: float, now: float, stale_s: float, detail: str) -> bytes:
    t, stale = format_cot_time(now), format_cot_time(now + stale_s)
    return (f'{XML_HEADER.decode()}<event version="2.0" uid={quoteattr(uid)} type="{cot_type}" how="h-e" '
            f'time="{t}" start="{t}" stale="{stale}"><point lat="{lat:.{DECIMALS}f}" lon="{lon:.{DECIMALS}f}" '
            f'hae="0.0" ce="9999999.0" le="9999999.0"/><detail>{detail}</detail></event>').encode("utf-8")


def _links(lonlat: np.ndarray) -> str:
    return "".join(f'<link point="{lat:.{DECIMALS}f},{lon:.{DECIMALS}f},0.0"/>' for lon, lat in lonlat.tolist())


def _style(stroke: int, weight: float, fill: int | None = None) -> str:
    style = (f'<strokeColor value="{stroke}"/><strokeWeight value="{weight:.1f}"/>'
             '<strokeStyle value="solid"/>')
    return style + (f'<fillColor value="{fill}"/>' if fill is not None else "")


def _label(name: str, remarks: str) -> str:
    return (f"<contact callsign={quoteattr(name)}/><remarks>{escape(remarks)}</remarks>"
            '<labels_on value="true"/><archive/>')


def line_event(uid: str, line: DeconflictionLine, name: str, remarks: str, now: float, symbol: LineSymbol,
               stale_s: float = STALE_S) -> bytes:
    """The line as an open u-d-f drawing, vertices in order, with its 2525D boundary code and
    amplifiers (T and T1 the sides left and right of it, W the effective DTG)."""
    v = line.vertices
    mid = v[len(v) // 2]
    modifiers = "".join(f"<unitmodifier code={quoteattr(code)}>{escape(value)}</unitmodifier>"
                        for code, value in (("T", symbol.left), ("T1", symbol.right), ("W", symbol.dtg)) if value)
    detail = (_links(v) + _style(kml_to_argb(LINE_KML_COLOUR), LINE_WEIGHT) + _label(name, remarks)
              + f"<__milsym id={quoteattr(symbol.sidc)}>{modifiers}</__milsym>")
    return _event(uid, "u-d-f", float(mid[1]), float(mid[0]), now, stale_s, detail)


def shape_event(uid: str, ring: np.ndarray, colour_kml: str, name: str, remarks: str, now: float,
                stale_s: float = STALE_S) -> bytes:
    """A closed u-d-f drawing (the last link repeats the first), filled in `colour_kml`."""
    ring = np.asarray(ring, dtype=float)
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    centre = ring[:-1].mean(axis=0)
    detail = (_links(ring) + _style(kml_to_argb(colour_kml), SECTOR_WEIGHT, kml_to_argb(colour_kml, FILL_ALPHA))
              + _label(name, remarks))
    return _event(uid, "u-d-f", float(centre[1]), float(centre[0]), now, stale_s, detail)


def delete_event(target_uid: str, now: float, target_type: str = "u-d-f") -> bytes:
    """t-x-d-d: remove the drawing `target_uid` from every screen that has it."""
    detail = f'<link uid={quoteattr(target_uid)} relation="none" type="{target_type}"/><__forcedelete/>'
    return _event(f"{target_uid}.delete", "t-x-d-d", 0.0, 0.0, now, 60.0, detail)


@dataclass(frozen=True)
class Publication:
    """What goes out, in order: removals of other revisions' drawings, then the drawings."""

    revision: str | None
    line_uid: str
    drawings: tuple[tuple[str, bytes], ...]    # (uid, event)
    removals: tuple[tuple[str, bytes], ...]    # (uid removed, event)
    kml: tuple[tuple[str, str], ...]           # (file name, KML text)
    package_uid: str
    name: str

    def events(self) -> list[bytes]:
        return [e for _, e in self.removals] + [e for _, e in self.drawings]

    def summary(self) -> str:
        sectors = len(self.drawings) - 1
        what = f"the line ({'revision ' + self.revision if self.revision else 'no recorded revision'})"
        return (what + (f", {sectors} sector{'s' * (sectors != 1)}" if sectors else "")
                + (f" and {len(self.removals)} removal{'s' * (len(self.removals) != 1)}" if self.removals else ""))


def publication(doc, *, at=None, sectors: bool = False, now: float | None = None, prefix: str | None = None,
                stale_s: float = STALE_S) -> Publication:
    """The line in force at `at` (default now), optionally with its sectors, as CoT."""
    now = _time.time() if now is None else float(now)
    prefix = prefix or uid_prefix(doc)
    t = as_epoch(at) if at is not None else int(now)
    line, rev = line_in_force(doc, t)
    tag = rev or "current"
    name = f"Deconfliction line ({rev})" if rev else "Deconfliction line"
    effective = f", in force from {format_time(doc.revisions.get(rev).effective)}" if rev else ""
    line_uid = f"{prefix}.line.{tag}"
    drawings = [(line_uid, line_event(line_uid, line, name, f"{doc.title}: agreed line{effective}", now,
                                      line_symbol(doc, at=t), stale_s))]
    snapshot = _as_at(doc, t, line)
    result = snapshot.analysis.sectors
    if sectors and result.sectors:
        proj = snapshot.analysis_projection
        for s in result.sectors:
            uid = f"{prefix}.sector.{tag}.{s.id}"
            ring = np.asarray(s.lonlat_polygon(proj).exterior.coords)
            colour = _SIDE_KML[0 if s.owner == doc.sides[0] else 1]
            drawings.append((uid, shape_event(uid, ring, colour, f"{s.name} sector ({tag})",
                                              f"{doc.title}: {s.name} sector, owner {s.owner}", now, stale_s)))
    removals = [(uid, delete_event(uid, now)) for uid in _other_uids(doc, prefix, tag, sectors, len(result.sectors))]
    kml = [("line.kml", export_layer_text(snapshot, "line", "kml"))]
    if sectors and result.sectors:
        kml.append(("sectors.kml", export_layer_text(snapshot, "sectors", "kml")))
    return Publication(rev, line_uid, tuple(drawings), tuple(removals), tuple(kml), f"{prefix}.package.{tag}",
                       f"{doc.title}: {name}")


def _as_at(doc, t: int, line: DeconflictionLine):
    """The document as it stood at t, cut by `line`: the KML written with it carries the
    revision in force at t (the log up to t) as the line's effective DTG."""
    snapshot = document_at(doc, t, line=line)
    snapshot.set_revisions(RevisionLog([r for r in doc.revisions if r.effective <= t]))
    return snapshot


def _other_uids(doc, prefix: str, tag: str, with_sectors: bool, n_sectors: int) -> list[str]:
    """Uids this tool gives the drawings of every other agreed revision (and of the line
    without a revision), and of this revision's sectors when they are not sent now."""
    out = [] if tag == "current" else [f"{prefix}.line.current"]
    if not with_sectors:
        out += [f"{prefix}.sector.{tag}.S{i + 1}" for i in range(n_sectors)]
    proj = doc.analysis_projection
    for rev in doc.revisions.agreed():
        if rev.id == tag:
            continue
        out.append(f"{prefix}.line.{rev.id}")
        count = len(compute_sectors(doc.ao, rev.line, doc.sides, proj).sectors)
        out += [f"{prefix}.sector.{rev.id}.S{i + 1}" for i in range(count)]
    return out


def cot_stream(pub: Publication) -> bytes:
    """All events back to back, as a TAK server stream carries them (no separators)."""
    return b"".join(pub.events())


def manifest(pub: Publication, entries: list[tuple[str, str | None]]) -> str:
    """MANIFEST/manifest.xml (MissionPackageManifest version 2) listing `entries`: (zip
    entry, CoT uid or None)."""
    contents = "".join(
        f"    <Content ignore=\"false\" zipEntry={quoteattr(entry)}>"
        + (f"<Parameter name=\"uid\" value={quoteattr(uid)}/>" if uid else "") + "</Content>\n"
        for entry, uid in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<MissionPackageManifest version="2">\n  <Configuration>\n'
            f'    <Parameter name="uid" value={quoteattr(pub.package_uid)}/>\n'
            f'    <Parameter name="name" value={quoteattr(pub.name)}/>\n'
            '    <Parameter name="onReceiveDelete" value="false"/>\n  </Configuration>\n  <Contents>\n'
            f"{contents}  </Contents>\n</MissionPackageManifest>\n")


def data_package(pub: Publication) -> bytes:
    """The TAK data package (zip bytes): one .cot per event and the KML files, each listed in
    the manifest."""
    uids = [f"{uid}.delete" for uid, _ in pub.removals] + [uid for uid, _ in pub.drawings]
    files: list[tuple[str, bytes, str | None]] = [(f"{uid}/{uid}.cot", event, uid)
                                                  for uid, event in zip(uids, pub.events())]
    files += [(name, text.encode("utf-8"), None) for name, text in pub.kml]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, _ in files:
            z.writestr(name, data)
        z.writestr("MANIFEST/manifest.xml", manifest(pub, [(name, uid) for name, _, uid in files]))
    return buf.getvalue()
