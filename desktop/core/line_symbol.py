"""The deconfliction line as a MIL-STD-2525 control measure: a boundary, with its echelon
amplifier (B), the two sides' designations either side of it (T left, T1 right, in the
line's direction) and the effective date-time group of the revision in force (W).

Other tools get the same facts with the line: KML (desktop.core.exporters) and CoT carry
the symbol code and the amplifiers, so a receiver draws the boundary the map means.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from desktop.core.sidc import ECHELONS, read_code

# 2525D symbol set 25 (control measures), entity 110100 (command and control lines: boundary;
# DISA's JMSML instance/Control_Measure.xml: 140100 is a maneuver line, the FLOT); 2525C
# G*G*GLB---.
_BOUNDARY_D = "10032500{echelon}1101000000"
_BOUNDARY_C = "GFGPGLB----{echelon}---"
_ECHELON_D = {e: c for e, c in zip(ECHELONS, ("11", "12", "13", "14", "15", "16", "17", "18", "21", "22", "23", "24",
                                               "25", "26"))}
_ECHELON_C = dict(zip(ECHELONS, "ABCDEFGHIJKLMN"))


@dataclass(frozen=True)
class LineSymbol:
    sidc: str          # 2525D number code of the boundary
    letter_sidc: str   # the same in 2525C letters
    echelon: str       # "" when none is known
    left: str          # T: the side that owns what lies left of the line
    right: str         # T1: the side right of it
    dtg: str           # W: effective DTG of the revision in force, "" when no revision is logged
    revision: str      # that revision's id

    def amplifiers(self) -> list[tuple[str, str]]:
        """(name, value) pairs as they go out with the line (KML ExtendedData, CoT detail)."""
        return [("sidc", self.sidc), ("sidc_2525c", self.letter_sidc), ("echelon", self.echelon),
                ("left_side", self.left), ("right_side", self.right), ("effective_dtg", self.dtg),
                ("revision", self.revision)]


def date_time_group(epoch: int) -> str:
    """Military date-time group in UTC, e.g. '141530Z AUG 17'."""
    t = datetime.fromtimestamp(epoch, timezone.utc)
    return f"{t:%d%H%M}Z {t:%b %y}".upper()


def line_echelon(doc) -> str:
    """The echelon of the boundary: that of the largest ground formation it separates (a
    boundary is drawn with the echelon of the units on either side). Per distinct code and
    echelon value, not per unit."""
    units = doc.units
    ground = units.domains != "air"
    sizes = set()
    for code in set(units.symbols[ground].tolist()):
        facts = read_code(str(code or ""))
        if facts.domain in ("", "ground"):
            sizes.add(facts.echelon)
    sizes.update(str(e or "").strip().lower() for e in set(units.echelons[ground].tolist()))
    ranked = [ECHELONS.index(e) for e in sizes if e in ECHELONS and e != "command"]
    return ECHELONS[max(ranked)] if ranked else ""


def line_symbol(doc, at: int | None = None, echelon: str | None = None) -> LineSymbol:
    """The line's control-measure facts; the revision in force at `at` (epoch seconds;
    None: the latest agreed revision)."""
    revisions = doc.revisions
    if at is not None:
        revision = revisions.in_force_at(at)
    else:
        agreed = revisions.agreed()
        revision = agreed[-1] if agreed else None
    ech = line_echelon(doc) if echelon is None else echelon
    return LineSymbol(_BOUNDARY_D.format(echelon=_ECHELON_D.get(ech, "00")),
                      _BOUNDARY_C.format(echelon=_ECHELON_C.get(ech, "-")), ech, doc.sides[0], doc.sides[1],
                      date_time_group(revision.effective) if revision else "", revision.id if revision else "")
