"""What one unit is and where it stands, as (field, value) text pairs: the map's hover
tooltip, from the same analysis the sectors panel and `deconflict sectors` report."""
from __future__ import annotations

import numpy as np

from desktop.core.document import Document
from desktop.core.time_cursor import tracked
from desktop.core.tracks import format_time
from desktop.core.unit_amplifiers import altitude_at, altitude_texts, higher_formation_texts


def unit_summary(doc: Document, i: int) -> list[tuple[str, str]]:
    """Id, name, side, affiliation, echelon (and higher formation, an aircraft's altitude and
    where it comes from, when known), sector, distance to the line, flags and the last
    report (at the time shown: the time view's, else the latest) of unit `i`."""
    units, analysis = doc.units, doc.analysis
    cls = analysis.classification

    def text(column) -> str:
        value = column[i] if column is not None else ""
        return "" if value is None else str(value)

    sector = int(cls.sector[i])
    where = "outside the AO"
    if 0 <= sector < len(analysis.sectors.sectors):
        s = analysis.sectors.sectors[sector]
        where = f"{s.id} {s.name} (owner {s.owner})"
    km = float(cls.distance_km[i])
    flags = [name for name, on in (("near the line", cls.near_line[i]), ("wrong side", cls.wrong_side[i])) if on]
    rows = [("Id", text(units.ids)), ("Name", text(units.names)), ("Side", text(units.sides)),
            ("Affiliation", text(units.affiliations)), ("Echelon", text(units.echelons) or "—"),
            *_amplifier_rows(doc, i), ("Sector", where),
            ("Distance to the line", f"{km:,.1f} km" if np.isfinite(km) else "—"),
            ("Flags", ", ".join(flags) or "none")]
    tracks = tracked(doc)
    if tracks is not None:
        view = doc.time_view
        at = view.time if view is not None else tracks.extent[1]
        k = int(tracks.last_report(at)[i])
        rows.append(("Last report", format_time(int(tracks.time[k])) if k >= 0 else "none yet"))
    return rows


def _amplifier_rows(doc: Document, i: int) -> list[tuple[str, str]]:
    """The higher formation, and an aircraft's altitude with its source, when known."""
    rows = []
    formation = higher_formation_texts(doc, [i])[0]
    if formation:
        rows.append(("Higher formation", formation))
    if str(doc.units.domains[i]) == "air":
        ft, reported = altitude_at(doc, [i])
        if np.isfinite(ft[0]):
            rows.append(("Altitude", f"{altitude_texts(ft)[0]} ({'track report' if reported[0] else 'unit table'})"))
    return rows
