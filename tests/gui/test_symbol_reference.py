"""Our symbols against milsymbol.js, the reference renderer of the field: every code in
tests/reference/symbols/codes.json (identity x frame, status, HQ / task force / feint-dummy,
echelons, equipment and mobility, installations, every icon and modifier we draw, 2525E),
drawn by both on the same canvas, compared on silhouette, fill, the frame outline (solid,
dashed or dotted) and, for codes we claim to draw in full, the black lines."""
import json
from collections import Counter

import pytest

from desktop.core.sidc import read_code
from desktop.core.sidc_tables import icon_keys
from desktop.gui.symbol_icons import _icon_table
from tests.gui.symbol_reference import CODES, REFERENCE, compare, file_name


def test_every_family_is_covered_by_enough_codes():
    families = Counter(e["family"].split(" (")[0] for e in CODES)
    assert len(CODES) >= 150
    for family in ("identity x frame", "status: planned", "status: condition", "HQ / TF / feint-dummy", "echelon",
                   "equipment + mobility", "installation", "icon", "sector 1 modifier", "sector 2 modifier", "2525E"):
        assert families[family] >= 4, family
    assert all((REFERENCE / "png" / file_name(e)).is_file() for e in CODES), "run make_reference.py"


def test_icon_drawings_cover_every_table_entry():
    table = _icon_table()
    missing = [k for k in icon_keys() if k not in table["icons"]]
    assert not missing, f"run extract_icons.mjs for {missing}"
    assert json.loads((REFERENCE / "package.json").read_text())["dependencies"]["milsymbol"] in table["source"]


@pytest.mark.parametrize("entry", CODES, ids=[file_name(e)[:-4] for e in CODES])
def test_symbol_matches_milsymbol(qapp, entry):
    c = compare(entry)
    what = f"{entry['family']}: {read_code(entry['code']).notes}"
    assert c.silhouette >= 0.90, (what, c.silhouette)
    assert c.fill >= 0.90, (what, c.fill)
    assert c.outline[0] == c.outline[1], (what, c.outline)
    if c.complete:  # a code we say we draw in full: its lines too
        assert c.ink >= 0.90, (what, c.ink)


@pytest.mark.parametrize("code, style", [("SFGPUCI--------", "solid"), ("SFGAUCI--------", "dashed"),
                                         ("SAGPUCI--------", "dotted"), ("SSGPUCI--------", "dotted"),
                                         ("10031010001211000000", "dashed"), ("10051000001211000000", "dotted")])
def test_outline_styles_are_told_apart(qapp, code, style):
    entry = next(e for e in CODES if e["code"] == code and not e["bars"])
    assert compare(entry).outline == (style, style)
