"""What a unit's symbol shows, from its MIL-STD-2525 / APP-6 symbol code (SIDC) and its
columns: frame (affiliation x domain), echelon amplifier and function icon.

Both code families are read:
- letter codes (2525B/C, APP-6B), 15 characters: `S F G P UCI--- -H ---`: scheme, affiliation
  (pos 2), battle dimension (3: G ground, A air, ...), status (4), function id (5-10),
  symbol modifier (11) and echelon (12);
- number codes (2525D/E, APP-6D), 20+ digits: affiliation (pos 4), symbol set (5-6: 10
  land unit, 01 air, ...), echelon (9-10), entity (11-16).

Frame and colour always follow the unit's affiliation column (so the map, the legend, the
sectors panel and the density view agree); the code adds the domain, echelon and icon it
states, and the unit's domain and echelon columns fill in what it does not.
"""
from __future__ import annotations

from dataclasses import dataclass

from desktop.core.units import AFFILIATIONS

ECHELONS = ("team", "squad", "section", "platoon", "company", "battalion", "regiment", "brigade",
            "division", "corps", "army", "army group", "region")
_LETTER_ECHELON = dict(zip("ABCDEFGHIJKLM", ECHELONS))
_NUMBER_ECHELON = dict(zip(("11", "12", "13", "14", "15", "16", "17", "18", "21", "22", "23", "24", "25"),
                           ECHELONS))
# Affiliation a code states: assumed friend draws as friend, suspect (and joker/faker) as hostile.
_LETTER_AFFILIATION = {"F": "friend", "A": "friend", "D": "friend", "M": "friend", "H": "hostile", "S": "hostile",
                       "J": "hostile", "K": "hostile", "N": "neutral", "L": "neutral", "U": "unknown",
                       "P": "unknown", "G": "unknown", "W": "unknown"}
_NUMBER_AFFILIATION = {"0": "unknown", "1": "unknown", "2": "friend", "3": "friend", "4": "neutral",
                       "5": "hostile", "6": "hostile"}
_LETTER_DOMAIN = {"G": "ground", "A": "air", "P": "air"}
_NUMBER_DOMAIN = {"10": "ground", "11": "ground", "15": "ground", "01": "air", "02": "air", "05": "air",
                  "06": "air"}
# Function ids (letter codes, positions 5-10, longest prefix wins) and entities (number
# codes, set + first digits) to the icons desktop.gui.symbology draws.
_LETTER_ICONS = {
    "G": (("UCIZ", "mech_infantry"), ("UCI", "infantry"), ("UCA", "armour"), ("UCF", "artillery"),
          ("UCR", "recon"), ("UCE", "engineer"), ("UCD", "air_defence"), ("UULM", "military_police"),
          ("USS", "supply"), ("US", "sustainment"), ("UH", "headquarters")),
    "A": (("MFQ", "uav"), ("MF", "fixed_wing"), ("MH", "rotary_wing")),
}
_NUMBER_ICONS = {
    "10": (("1211", "infantry"), ("1205", "armour"), ("1303", "artillery"),
           ("1213", "recon"), ("1407", "engineer"), ("1301", "air_defence"), ("1412", "military_police"),
           ("1634", "supply"), ("16", "sustainment")),
    "01": (("1103", "uav"), ("1101", "fixed_wing"), ("1102", "rotary_wing")),
}
ICONS = ("infantry", "mech_infantry", "armour", "artillery", "recon", "engineer", "air_defence",
         "military_police", "supply", "sustainment", "headquarters", "fixed_wing", "rotary_wing", "uav")


@dataclass(frozen=True)
class SymbolSpec:
    """Everything that changes how a unit's symbol looks; equal specs share one drawing."""

    affiliation: str = "unknown"
    domain: str = "ground"
    echelon: str = ""
    icon: str = ""

    @property
    def key(self) -> str:
        return f"{self.affiliation}/{self.domain}/{self.echelon}/{self.icon}"


@dataclass(frozen=True)
class CodeFacts:
    """What a symbol code states (empty strings for what it does not)."""

    affiliation: str = ""
    domain: str = ""
    echelon: str = ""
    icon: str = ""


def read_code(code: str) -> CodeFacts:
    """Facts from a letter or number SIDC; an unreadable code states nothing (never raises)."""
    code = (code or "").strip().upper()
    if len(code) >= 20 and code[:20].isdigit():
        return _read_number(code)
    if len(code) >= 10 and code[0] in "SGWIOE" and code[1].isalpha():
        return _read_letter(code)
    return CodeFacts()


def _read_letter(code: str) -> CodeFacts:
    dimension = code[2]
    function = code[4:10].rstrip("-")
    icon = next((name for prefix, name in _LETTER_ICONS.get(dimension, ()) if function.startswith(prefix)), "")
    echelon = _LETTER_ECHELON.get(code[11], "") if len(code) > 11 and dimension == "G" else ""
    return CodeFacts(_LETTER_AFFILIATION.get(code[1], ""), _LETTER_DOMAIN.get(dimension, ""), echelon, icon)


def _read_number(code: str) -> CodeFacts:
    symbol_set, entity = code[4:6], code[10:16]
    icon = next((name for prefix, name in _NUMBER_ICONS.get(symbol_set, ()) if entity.startswith(prefix)), "")
    echelon = _NUMBER_ECHELON.get(code[8:10], "") if symbol_set in ("10", "11") else ""
    return CodeFacts(_NUMBER_AFFILIATION.get(code[3], ""), _NUMBER_DOMAIN.get(symbol_set, ""), echelon, icon)


def unit_symbol(code: str, affiliation: str, domain: str = "", echelon: str = "") -> SymbolSpec:
    """The symbol of one unit: frame by its affiliation (the column), the rest from the code
    where it says, else from the domain/echelon columns."""
    facts = read_code(code)
    aff = affiliation if affiliation in AFFILIATIONS else "unknown"
    dom = facts.domain or (domain if domain in ("ground", "air") else "ground")
    ech = facts.echelon or (echelon.strip().lower() if echelon and echelon.strip().lower() in ECHELONS else "")
    return SymbolSpec(aff, dom, ech if dom == "ground" else "", facts.icon)
