"""Reading MIL-STD-2525 / APP-6 symbol codes (letter and number families)."""
import pytest

from desktop.core.demo import demo_units
from desktop.core.sidc import SymbolSpec, read_code, unit_symbol


@pytest.mark.parametrize("code, affiliation, domain, echelon, icon", [
    ("SFGPUCI----H---", "friend", "ground", "brigade", "infantry"),      # 2525C, status present
    ("SHG-UCA----E---", "hostile", "ground", "company", "armour"),
    ("SNGPUCR----A", "neutral", "ground", "team", "recon"),
    ("SUGPUCF----F---", "unknown", "ground", "battalion", "artillery"),
    ("SFGPUCIZ---F---", "friend", "ground", "battalion", "mech_infantry"),
    ("SAGPUCE----D---", "friend", "ground", "platoon", "engineer"),        # assumed friend
    ("SSGPUCI----I---", "hostile", "ground", "division", "infantry"),      # suspect
    ("SFAPMF---------", "friend", "air", "", "fixed_wing"),
    ("SHAPMH---------", "hostile", "air", "", "rotary_wing"),
    ("sfgpuci----h---", "friend", "ground", "brigade", "infantry"),      # case does not matter
    ("10031000161211000000", "friend", "ground", "battalion", "infantry"),  # 2525D
    ("10061000181205000000", "hostile", "ground", "brigade", "armour"),
    ("10040100001102000000", "neutral", "air", "", "rotary_wing"),
    ("10011000211303000000", "unknown", "ground", "division", "artillery"),
])
def test_codes_are_read(code, affiliation, domain, echelon, icon):
    facts = read_code(code)
    assert (facts.affiliation, facts.domain, facts.echelon, facts.icon) == (affiliation, domain, echelon, icon)


@pytest.mark.parametrize("code", ["", "   ", "XYZ", "SFG", "1003", "not a code at all", "12345678901234567890x"[:19]])
def test_unreadable_codes_state_nothing(code):
    assert read_code(code) == read_code("")
    assert unit_symbol(code, "friend") == SymbolSpec("friend", "ground", "", "")


def test_affiliation_column_wins_and_columns_fill_gaps():
    # The frame follows the unit's affiliation (what the legend and panel count)...
    assert unit_symbol("SHGPUCI----H---", "friend").affiliation == "friend"
    # ...the code's domain, echelon and icon are used; the columns fill in what it leaves out.
    assert unit_symbol("", "hostile", "air") == SymbolSpec("hostile", "air", "", "")
    assert unit_symbol("SFGPUCI--------", "friend", "ground", "Company") == SymbolSpec("friend", "ground", "company",
                                                                                      "infantry")
    assert unit_symbol("SFGPUCI----F---", "friend", "ground", "brigade").echelon == "battalion"
    assert unit_symbol("", "bogus", "sea", "huge") == SymbolSpec("unknown", "ground", "", "")


def test_demo_units_have_codes_for_their_columns():
    units = demo_units()
    specs = [unit_symbol(c, a, d, e) for c, a, d, e in zip(units.symbols, units.affiliations, units.domains,
                                                           units.echelons)]
    for spec, code, aff, dom, ech in zip(specs, units.symbols, units.affiliations, units.domains, units.echelons):
        facts = read_code(code)
        assert (facts.affiliation, facts.domain) == (aff, dom), code
        assert spec.echelon == ech and spec.icon, code
    assert {s.icon for s in specs} >= {"infantry", "fixed_wing", "rotary_wing", "artillery", "recon"}
