"""The symbol-code entries a land and air picture needs, by name: MIL-STD-2525C function ids
(letter codes) and 2525D/APP-6D entities and sector modifiers (number codes).

Each entry is also the key of its icon drawing (desktop/gui/symbol_icons.json, made from
milsymbol.js by tests/reference/symbols/extract_icons.mjs): "C:<dimension>:<function id>"
for letter codes, "D:<symbol set>:<entity>" and "D:<symbol set>:<sector>:<modifier>" for
number codes. A code whose entry is missing draws its frame and says so.
"""
from __future__ import annotations

# 2525C battle dimension letter -> function id (positions 5-10, dashes stripped) -> name.
LETTER_FUNCTIONS: dict[str, dict[str, str]] = {
    "G": {  # ground: units (U...), equipment (E...)
        "UC": "combat", "UCA": "armour", "UCAT": "armour, tracked", "UCAA": "anti-armour",
        "UCD": "air defence", "UCDM": "air defence, missile", "UCE": "engineer", "UCEC": "combat engineer",
        "UCF": "field artillery", "UCFHE": "artillery, self-propelled", "UCFM": "mortar",
        "UCFR": "rocket artillery", "UCFRM": "multiple rocket launcher", "UCI": "infantry",
        "UCIA": "infantry, airborne", "UCIL": "infantry, light", "UCIM": "infantry, motorized",
        "UCIO": "infantry, mountain", "UCIZ": "infantry, mechanized", "UCM": "missile",
        "UCR": "reconnaissance", "UCRV": "cavalry", "UCS": "security", "UCV": "aviation",
        "UCVF": "aviation, fixed wing", "UCVR": "aviation, rotary wing", "UCVU": "unmanned systems",
        "UUA": "CBRN", "UUE": "explosive ordnance disposal", "UUM": "military intelligence",
        "UULM": "military police", "UUS": "signal", "US": "combat service support",
        "USM": "medical", "USS": "supply", "UST": "transportation", "USX": "maintenance",
        "UH": "headquarters",
        "EVAT": "tank", "EVATL": "tank, light", "EVATM": "tank, medium", "EVATH": "tank, heavy",
        "EVAA": "armoured personnel carrier", "EVAI": "armoured infantry vehicle",
        "EVU": "utility vehicle", "EWHH": "howitzer, heavy", "EWRL": "rifle",
    },
    "A": {  # air
        "MF": "military fixed wing", "MFA": "attack", "MFB": "bomber", "MFC": "cargo",
        "MFF": "fighter", "MFK": "tanker", "MFR": "reconnaissance", "MFRW": "airborne early warning",
        "MFU": "utility", "MFQ": "unmanned aerial vehicle", "MH": "military rotary wing",
        "MHA": "attack helicopter", "MHC": "cargo helicopter", "W": "weapon", "WM": "missile",
    },
    "S": {  # sea surface
        "C": "combatant", "CL": "surface combatant, line", "CLCV": "carrier", "CLDD": "destroyer",
        "CLFF": "frigate", "CA": "amphibious warfare ship", "CP": "patrol", "N": "noncombatant",
    },
    "U": {"S": "submarine", "SN": "submarine, nuclear", "SC": "submarine, conventional"},  # subsurface
}

# 2525D symbol set -> entity (6 digits) -> name.
NUMBER_ENTITIES: dict[str, dict[str, str]] = {
    "10": {  # land unit
        "110000": "command and control", "111000": "signal", "120400": "anti-armour", "120500": "armour",
        "120501": "armour, reconnaissance", "120600": "aviation, rotary wing", "120800": "aviation, fixed wing",
        "121000": "combined arms", "121100": "infantry", "121102": "infantry, mechanized",
        "121104": "infantry, motorized", "121300": "reconnaissance", "121500": "sniper",
        "121700": "special forces", "121800": "special operations forces", "121900": "unmanned systems",
        "130100": "air defence", "130102": "air defence, missile", "130300": "field artillery",
        "130301": "artillery, self-propelled", "130700": "missile", "130800": "mortar", "140100": "CBRN",
        "140700": "engineer", "140701": "engineer, mechanized", "140800": "explosive ordnance disposal",
        "141200": "military police", "141700": "security", "150500": "electronic warfare",
        "151000": "military intelligence", "160000": "sustainment", "160400": "ammunition",
        "160600": "combat service support", "161100": "maintenance", "161300": "medical",
        "163400": "supply", "163600": "transportation",
    },
    "15": {  # land equipment
        "110100": "rifle", "110200": "machine gun", "110900": "howitzer", "111000": "missile launcher",
        "111400": "mortar", "111600": "multiple rocket launcher", "120100": "armoured vehicle",
        "120101": "armoured fighting vehicle", "120103": "armoured personnel carrier", "120200": "tank",
        "120201": "tank, light", "120202": "tank, medium", "120203": "tank, heavy",
    },
    "01": {  # air
        "110000": "military", "110100": "fixed wing", "110102": "attack", "110103": "bomber",
        "110104": "fighter", "110107": "cargo", "110109": "tanker", "110111": "reconnaissance",
        "110116": "airborne early warning", "110200": "rotary wing", "110300": "unmanned aerial vehicle",
    },
    "30": {  # sea surface
        "110000": "military", "120000": "combatant", "120100": "carrier", "120200": "surface combatant, line",
        "120203": "destroyer", "120204": "frigate", "120300": "amphibious warfare ship", "120500": "patrol",
    },
    "35": {"110000": "military", "110100": "submarine"},  # subsurface
}

# 2525D symbol set -> sector ("1" top, "2" bottom of the icon) -> modifier (2 digits) -> name.
NUMBER_MODIFIERS: dict[str, dict[str, dict[str, str]]] = {
    "10": {"1": {"41": "multiple rocket launcher", "50": "radar", "59": "single rocket launcher",
                 "63": "special operations forces", "75": "medevac"},
           "2": {"01": "airborne", "19": "light", "27": "mountain", "47": "towed", "51": "wheeled",
                 "60": "amphibious"}},
    "01": {"1": {"01": "attack", "02": "bomber", "03": "cargo", "04": "fighter", "06": "tanker",
                 "18": "reconnaissance"},
           "2": {"01": "heavy", "02": "medium", "03": "light"}},
}


def icon_keys() -> list[str]:
    """Every icon key the tables name: what the icon drawings must cover."""
    keys = [f"C:{dim}:{fn}" for dim, table in LETTER_FUNCTIONS.items() for fn in table]
    keys += [f"D:{s}:{e}" for s, table in NUMBER_ENTITIES.items() for e in table]
    keys += [f"D:{s}:{sector}:{m}" for s, sectors in NUMBER_MODIFIERS.items() for sector, table in sectors.items()
             for m in table]
    return keys
