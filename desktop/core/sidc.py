"""What a unit's symbol shows, from its MIL-STD-2525 / APP-6 symbol code (SIDC).

Three code families are read:
- letter codes (2525B/C, APP-6B), 10-15 characters: `S F G P UCI--- -H ---`: coding scheme,
  standard identity (pos 2), battle dimension (3), status (4), function id (5-10), symbol
  modifier (11: HQ / task force / feint-dummy / installation / mobility) and echelon or
  mobility (12);
- number codes (2525D, APP-6D), 20 digits: version (1-2), context (3: reality, exercise,
  simulation), standard identity (4), symbol set (5-6), status (7), HQ/TF/dummy (8),
  echelon or mobility (9-10), entity (11-16), sector 1 and 2 modifiers (17-18, 19-20);
- 2525E number codes, 30 digits (version 13 or 14): the first 20 as above, then the
  modifier set extensions (21, 22), the frame shape (23) and the country (28-30).

The code is the authority for the unit's identity; the unit's columns fill in what a code
does not state (no code, or one that states no echelon). Whatever a code states that is
not drawn is said in `CodeFacts.notes`, shown once in the import report and the tooltip.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

from desktop.core.sidc_tables import LETTER_FUNCTIONS, NUMBER_ENTITIES, NUMBER_MODIFIERS
from desktop.core.units import AFFILIATIONS

ECHELONS = ("team", "squad", "section", "platoon", "company", "battalion", "regiment", "brigade",
            "division", "corps", "army", "army group", "region", "command")
# Echelon words as planners write them, by the echelon the standard draws (keys: lower-case
# letters and digits only). A battery (artillery) and a troop (cavalry) are company-level;
# "squadron" is left out: battalion-level in US cavalry, company-level in British armour.
ECHELON_WORDS = {**{e.replace(" ", ""): e for e in ECHELONS},
                 "fireteam": "team", "crew": "team", "tm": "team", "sqd": "squad", "sec": "section",
                 "sect": "section", "plt": "platoon", "pl": "platoon", "battery": "company", "btry": "company",
                 "bty": "company", "troop": "company", "trp": "company", "coy": "company", "co": "company",
                 "bn": "battalion", "regt": "regiment", "rgt": "regiment", "bde": "brigade", "div": "division",
                 "armygp": "army group"}
_LETTER_ECHELON = dict(zip("ABCDEFGHIJKLMN", ECHELONS))
_NUMBER_ECHELON = dict(zip(("11", "12", "13", "14", "15", "16", "17", "18", "21", "22", "23", "24", "25", "26"),
                           ECHELONS))
MOBILITIES = {"31": "wheeled limited cross country", "32": "wheeled cross country", "33": "tracked",
              "34": "wheeled and tracked", "35": "towed", "36": "rail", "37": "pack animals", "41": "over snow",
              "42": "sled", "51": "barge", "52": "amphibious", "61": "short towed array", "62": "long towed array"}
_LETTER_MOBILITY = {"MO": "31", "MP": "32", "MQ": "33", "MR": "34", "MS": "35", "MT": "36", "MU": "41",
                    "MV": "42", "MW": "37", "MX": "51", "MY": "52", "NS": "61", "NL": "62"}

# Standard identity letter -> (affiliation, identity qualifier, dotted frame, exercise).
# Assumed friend, suspect and pending draw dotted frames; joker and faker draw the
# friendly frame in hostile colours (they are friends playing the enemy).
_LETTER_IDENTITY = {
    "P": ("unknown", "", True, False), "U": ("unknown", "", False, False), "O": ("unknown", "", False, False),
    "A": ("friend", "", True, False), "F": ("friend", "", False, False), "N": ("neutral", "", False, False),
    "S": ("hostile", "", True, False), "H": ("hostile", "", False, False),
    "G": ("unknown", "", True, True), "W": ("unknown", "", False, True), "M": ("friend", "", True, True),
    "D": ("friend", "", False, True), "L": ("neutral", "", False, True),
    "J": ("hostile", "joker", False, True), "K": ("hostile", "faker", False, True),
}
_NUMBER_IDENTITY = {"0": ("unknown", True), "1": ("unknown", False), "2": ("friend", True), "3": ("friend", False),
                    "4": ("neutral", False), "5": ("hostile", True), "6": ("hostile", False)}
_CONTEXTS = {"0": "", "1": "exercise", "2": "simulation"}
# Frame ("ground" is the land unit frame) and the app's domain per letter battle dimension / number symbol set.
_LETTER_DIMENSION = {"G": "ground", "F": "ground", "A": "air", "P": "space", "S": "sea", "U": "subsurface"}
_NUMBER_SETS = {"01": "air", "02": "air", "05": "space", "06": "space", "10": "ground", "11": "ground",
                "15": "equipment", "20": "installation", "30": "sea", "35": "subsurface"}
_SET_NAMES = {"00": "unknown", "02": "air missile", "06": "space missile", "11": "land civilian unit",
              "20": "land installation", "25": "control measure", "27": "dismounted individual",
              "36": "mine warfare", "40": "activities", "45": "atmospheric", "46": "oceanographic",
              "47": "meteorological space", "50": "space SIGINT", "51": "air SIGINT", "52": "land SIGINT",
              "53": "sea surface SIGINT", "54": "subsurface SIGINT", "60": "cyberspace"}
_LETTER_STATUS = {"P": ("solid", ""), "-": ("solid", ""), "A": ("dashed", ""), "C": ("solid", "capable"),
                  "D": ("solid", "damaged"), "X": ("solid", "destroyed"), "F": ("solid", "full")}
_NUMBER_STATUS = {"0": ("solid", ""), "1": ("dashed", ""), "2": ("solid", "capable"), "3": ("solid", "damaged"),
                  "4": ("solid", "destroyed"), "5": ("solid", "full")}
_E_FRAMES = {"0": "", "2": "air", "3": "ground", "4": "equipment", "5": "installation", "7": "subsurface"}
CONDITIONS = ("capable", "damaged", "destroyed", "full")
# Text and graphic amplifiers a view may show around symbols (settings: the map's View menu,
# the brief's export settings of the same names): the unique designation (T), direction of
# movement (Q) under land symbols, the speed leader (Q) from aircraft, the higher formation
# (M) of land units and the altitude or flight level (X) of aircraft.
AMPLIFIERS = {"unit_names": "Unit names", "movement": "Direction of movement",
              "speed_leaders": "Aircraft speed leaders", "higher_formation": "Higher formation",
              "altitude": "Aircraft altitude/FL"}


@dataclass(frozen=True)
class SymbolSpec:
    """Everything that changes how a unit's symbol looks; equal specs share one drawing."""

    affiliation: str = "unknown"   # friend / hostile / neutral / unknown: colour, legend, frame shape
    domain: str = "ground"         # frame: ground (land unit), equipment, installation, air, space, sea, subsurface
    echelon: str = ""
    icon: str = ""                 # icon key (desktop.core.sidc_tables), "" for none
    modifiers: tuple[str, ...] = ()  # sector 1 / 2 modifier icon keys
    outline: str = "solid"         # solid; dashed (planned / anticipated); dotted (pending, assumed friend, suspect)
    identity: str = ""             # joker / faker (friendly frame, hostile colours); suspect (2525E colour)
    context: str = ""              # exercise / simulation: the X (J, K) or S amplifier
    condition: str = ""            # capable / damaged / destroyed / full (to capacity)
    hq: bool = False
    task_force: bool = False
    dummy: bool = False            # feint / dummy
    mobility: str = ""             # a MOBILITIES value

    @property
    def shape(self) -> str:
        """The affiliation whose frame is drawn."""
        return "friend" if self.identity in ("joker", "faker") else self.affiliation


@dataclass(frozen=True)
class CodeFacts:
    """What a symbol code states: a SymbolSpec's fields (empty where it says nothing), the
    unit's domain (ground/air) and the notes on what it states that is not drawn."""

    spec: SymbolSpec | None = None  # None: the code is missing or unreadable
    affiliation: str = ""
    domain: str = ""
    notes: tuple[str, ...] = ()

    @property
    def echelon(self) -> str:
        return self.spec.echelon if self.spec else ""

    @property
    def icon(self) -> str:
        return self.spec.icon if self.spec else ""


_NOTHING = CodeFacts()


@lru_cache(maxsize=4096)
def read_code(code: str) -> CodeFacts:
    """Facts from a letter or number SIDC; never raises. A code that is not a symbol code
    states nothing but a note saying so."""
    text = (code or "").strip().upper()
    if not text:
        return _NOTHING
    if text.isdigit():
        if len(text) == 20:
            return _read_number(text, "")
        if len(text) == 30:
            return _read_e(text)
        return CodeFacts(notes=(f"{len(text)} digits: a number code has 20 (2525D) or 30 (2525E)",))
    if 10 <= len(text) <= 15 and text[0] in "SGWIOE" and text[1].isalpha():
        return _read_letter(text.ljust(15, "-"))
    return CodeFacts(notes=("not a MIL-STD-2525 / APP-6 symbol code",))


def _read_letter(code: str) -> CodeFacts:
    notes: list[str] = []
    scheme, ident, dim, status, function = code[0], code[1], code[2], code[3], code[4:10].rstrip("-")
    mod11, mod12 = code[10], code[11]
    if ident not in _LETTER_IDENTITY:
        notes.append(f"standard identity {ident!r} not read (drawn unknown)")
    affiliation, identity, dotted, exercise = _LETTER_IDENTITY.get(ident, ("unknown", "", False, False))
    if scheme == "G":
        return CodeFacts(None, affiliation, "", ("a control measure code, not a unit: drawn from the columns",))
    if scheme != "S":
        notes.append(f"coding scheme {scheme!r}: only the frame is drawn")
    frame = _LETTER_DIMENSION.get(dim, "")
    if not frame:
        notes.append(f"battle dimension {dim!r} not drawn (a ground frame instead)")
        frame = "ground"
    if dim == "G" and function.startswith("E"):
        frame = "equipment"
    outline, condition = _LETTER_STATUS.get(status, ("solid", ""))
    if status not in _LETTER_STATUS:
        notes.append(f"status {status!r} not read")
    icon = ""
    if scheme == "S" and function:
        table = LETTER_FUNCTIONS.get(dim, {})
        found = next((function[:n] for n in range(len(function), 0, -1) if function[:n] in table), "")
        if found:
            icon = f"C:{dim}:{found}"
            if found != function:
                notes.append(f"function {function} drawn as {table[found]} ({found})")
        else:
            notes.append(f"function {function} not drawn")
    hq = mod11 in "ABCD" or (dim == "G" and function == "UH")
    echelon, mobility = "", ""
    if mod11 in "MN":
        mobility = MOBILITIES.get(_LETTER_MOBILITY.get(mod11 + mod12, ""), "")
        if not mobility:
            notes.append(f"mobility {mod11 + mod12!r} not read")
    elif mod12 != "-" and not (mod11 == "H" and mod12 == "B"):
        echelon = _LETTER_ECHELON.get(mod12, "")
        if not echelon:
            notes.append(f"echelon {mod12!r} not read")
    if mod11 not in "-ABCDEFGHMN*":
        notes.append(f"symbol modifier {mod11!r} not read")
    spec = SymbolSpec(affiliation, "installation" if mod11 == "H" and frame == "ground" else frame, echelon, icon,
                      (), "dotted" if dotted else outline, identity, "exercise" if exercise else "", condition, hq,
                      mod11 in "BDEG", mod11 in "CDFG" or (mod11 == "H" and mod12 == "B"), mobility)
    return CodeFacts(spec, affiliation, "air" if frame in ("air", "space") else "ground", tuple(notes))


def _read_number(code: str, frame_override: str) -> CodeFacts:
    notes: list[str] = []
    context, ident, sset, status, htd, amp = code[2], code[3], code[4:6], code[6], code[7], code[8:10]
    entity, mod1, mod2 = code[10:16], code[16:18], code[18:20]
    if ident not in _NUMBER_IDENTITY:
        notes.append(f"standard identity {ident!r} not read (drawn unknown)")
    affiliation, dotted = _NUMBER_IDENTITY.get(ident, ("unknown", False))
    if sset == "25":
        return CodeFacts(None, affiliation, "", ("a control measure code, not a unit: drawn from the columns",))
    frame = frame_override or _NUMBER_SETS.get(sset, "")
    if sset not in NUMBER_ENTITIES:
        notes.append(f"symbol set {sset} ({_SET_NAMES.get(sset, 'unknown set')}): only the frame is drawn")
        frame = frame or "ground"
    if context not in _CONTEXTS:
        notes.append(f"context {context!r} not read")
    outline, condition = _NUMBER_STATUS.get(status, ("solid", ""))
    if status not in _NUMBER_STATUS:
        notes.append(f"status {status!r} not read")
    if htd not in "01234567":
        notes.append(f"headquarters / task force / dummy {htd!r} not read")
    flags = int(htd) if htd in "01234567" else 0
    echelon = mobility = ""
    if amp != "00":
        echelon = _NUMBER_ECHELON.get(amp, "")
        mobility = MOBILITIES.get(amp, "")
        if not echelon and not mobility:
            notes.append(f"echelon / mobility {amp} not read")
    icon, modifiers = "", []
    table = NUMBER_ENTITIES.get(sset)
    if table is not None and entity != "000000":
        if entity in table:
            icon = f"D:{sset}:{entity}"
        elif entity[:4] + "00" in table:
            icon = f"D:{sset}:{entity[:4]}00"
            notes.append(f"entity {entity} drawn as {table[entity[:4] + '00']} ({entity[:4]}00)")
        else:
            notes.append(f"entity {entity} not drawn")
    for sector, mod in (("1", mod1), ("2", mod2)):
        if mod == "00" or table is None:
            continue
        if mod in NUMBER_MODIFIERS.get(sset, {}).get(sector, {}):
            modifiers.append(f"D:{sset}:{sector}:{mod}")
        else:
            notes.append(f"sector {sector} modifier {mod} not drawn")
    joker_faker = {"5": "joker", "6": "faker"}.get(ident, "") if context == "1" else ""
    spec = SymbolSpec(affiliation, frame, echelon, icon, tuple(modifiers), "dotted" if dotted else outline,
                      joker_faker, _CONTEXTS.get(context, ""), condition, flags & 2 > 0, flags & 4 > 0, flags & 1 > 0,
                      mobility)
    return CodeFacts(spec, affiliation, "air" if frame in ("air", "space") else "ground", tuple(notes))


def _read_e(code: str) -> CodeFacts:
    """A 30-digit 2525E code: the 2525D part, the frame shape; the extensions are noted."""
    if code[:2] not in ("13", "14"):
        return CodeFacts(notes=(f"30 digits with version {code[:2]}: 2525E codes start with 13 or 14",))
    shape = code[22]
    facts = _read_number(code[:20], _E_FRAMES.get(shape, ""))
    notes = list(facts.notes)
    if shape not in _E_FRAMES:
        notes.append(f"frame shape {shape} not drawn")
    if code[20:22] != "00":
        notes.append("2525E modifier extensions not drawn")
    spec = facts.spec
    if spec is not None and code[3] == "5" and code[2] != "1":
        spec = replace(spec, identity="suspect")  # 2525E gives suspects their own colour
    return replace(facts, spec=spec, notes=tuple(notes))


def code_note(code: str) -> str:
    """One line on what a code states that is not drawn ("" when all of it is)."""
    notes = read_code(code).notes
    return f"symbol {code.strip()!r}: {'; '.join(notes)}" if notes else ""


def echelon_of(word: str | None) -> str:
    """The standard's echelon for an echelon column's word ("Battery" -> "company"), "" for
    none or a word that is not an echelon."""
    return ECHELON_WORDS.get("".join(ch for ch in str(word or "").lower() if ch.isalnum()), "")


def unit_symbol(code: str, affiliation: str, domain: str = "", echelon: str = "") -> SymbolSpec:
    """The symbol of one unit: what its code states, the columns for the rest (identity,
    echelon, domain). Without a readable code: the column's affiliation and domain."""
    facts = read_code(code)
    column_echelon = echelon_of(echelon)
    if facts.spec is None:
        aff = affiliation if affiliation in AFFILIATIONS else "unknown"
        frame = "air" if domain == "air" else "ground"
        return SymbolSpec(aff, frame, column_echelon if frame == "ground" else "")
    spec = facts.spec
    if not spec.echelon and not spec.mobility and column_echelon and spec.domain in ("ground", "installation"):
        spec = replace(spec, echelon=column_echelon)
    return spec


def identities_from_codes(codes: list[str], column: list[str] | None, normalise: Callable[[str], str | None],
                          loc: Callable[[int], str]) -> tuple[list[str] | None, list[str]]:
    """For importers: each row's affiliation, the symbol code's where it states one (the code
    is the authority), else the affiliation column's raw value; and warnings naming the first
    row of each code that disagrees with its affiliation column or is only partly understood.
    (None, []) when no code states an identity or needs a word."""
    facts = {c: read_code(c) for c in set(codes)}
    said = {c: f.affiliation for c, f in facts.items() if f.affiliation}
    noted = {c for c, f in facts.items() if f.notes}
    if not said and not noted:
        return None, []
    raw = column if column is not None else [""] * len(codes)
    stated = [said.get(c, "") for c in codes]
    out = [st or a for st, a in zip(stated, raw)]
    norm = {a: normalise(a) for a in set(raw)}
    disagree: dict[tuple[str, str], list[int]] = {}
    partly: dict[str, list[int]] = {}
    for i in [i for i, (st, a) in enumerate(zip(stated, raw)) if st and a and norm[a] != st]:
        disagree.setdefault((codes[i], raw[i]), []).append(i)
    for i in ([i for i, c in enumerate(codes) if c in noted] if noted else []):
        partly.setdefault(codes[i], []).append(i)

    def more(rows: list[int]) -> str:
        return f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""

    warnings = [f"{loc(rows[0])}: affiliation {a!r} disagrees with symbol {c!r}, which says {said[c]}; "
                f"the symbol's {said[c]} is used{more(rows)}" for (c, a), rows in disagree.items()]
    warnings += [f"{loc(rows[0])}: {code_note(c)}{more(rows)}" for c, rows in partly.items()]
    return out, warnings
